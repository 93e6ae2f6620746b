"""The pathway map in real Chromium: a coordinator filters the map, reads the insights, features two
services on next month's session and opens the printable pathway cards."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from accounts import demo as accounts_demo
from referrals import demo as referrals_demo
from tests.events.factories import EventFactory

pytestmark = pytest.mark.browser


def test_coordinator_maps_speech_pathways_reads_insights_and_prints_session_cards(ui, partnership, coordinator):
    accounts_demo.seed(io.StringIO())
    referrals_demo.seed(io.StringIO())
    session = EventFactory(
        partnership=partnership,
        title="Speech pathways network meeting",
        start=(timezone.now() + timedelta(days=31)).replace(second=0, microsecond=0),
    )
    page = ui.page
    ui.log_in_as(coordinator)

    ui.visit("/directory/ballarat/map/")
    page.wait_for_function("window.servicemapRendered !== undefined")
    expect(page.get_by_role("img", name="Network map")).to_be_visible()
    page.get_by_label("Need").select_option(label="Speech and language")
    with ui.navigation():
        page.get_by_role("button", name="Filter").click()
    page.wait_for_function("window.servicemapRendered !== undefined")
    expect(page.get_by_role("status")).to_contain_text("Showing")
    table = page.get_by_role("region", name="The map as a table")
    # Keyboard: a service in the table selects it on the map and shows its details.
    table.get_by_role("button", name="Paediatric Speech Pathology", exact=True).focus()
    page.keyboard.press("Enter")
    details = page.locator("#map-details")
    expect(details.get_by_role("heading", name="Paediatric Speech Pathology")).to_be_visible()
    expect(details).to_contain_text("Speech and language")
    assert page.evaluate("window.servicemap.$(':selected').length") == 1
    expect(details.get_by_role("link", name="Open the service page")).to_be_visible()

    with ui.navigation():
        page.get_by_role("link", name="Network insights: gatekeepers, gaps and overdue entries").click()
    gatekeepers = page.get_by_role("region", name="Gatekeepers")
    expect(gatekeepers.get_by_role("listitem").first).to_be_visible()
    overdue = page.get_by_role("region", name="Overdue for verification")
    expect(overdue.get_by_role("listitem").first).to_contain_text("review was due")

    ui.visit(f"/manage/ballarat/events/{session.pk}/featured/")
    page.get_by_label("Paediatric Speech Pathology", exact=True).check()
    page.get_by_label("The Orange Door — Central Highlands", exact=True).check()
    page.get_by_label("Maternal and child health nurse → Paediatric Speech Pathology", exact=True).check()
    page.get_by_label("Paediatrician → Paediatric Speech Pathology", exact=True).check()
    with ui.navigation():
        page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Saved")
    with ui.navigation():
        page.get_by_role("link", name="Printable pathway cards").click()
    cards = page.locator("article.session-card")
    expect(cards).to_have_count(2)
    expect(cards.first.locator("svg")).to_be_visible()
    page.emulate_media(media="print")
    pdf = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True)))
    assert len(pdf.pages) == 2  # one card per page


# In the page: every pair of drawn node labels whose on-screen boxes intersect.
OVERLAPPING_LABELS = """() => {
  const boxes = window.servicemap.nodes(":visible").map(
    (n) => [n.data("label"), n.renderedBoundingBox({includeLabels: true, includeNodes: false})]);
  const clash = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const [a, b] = [boxes[i][1], boxes[j][1]];
      if (a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2) { clash.push([boxes[i][0], boxes[j][0]]); }
    }
  }
  return {labels: boxes.length, clash};
}"""


def test_the_demo_map_has_no_overlapping_labels_and_focuses_on_a_service(make_ui, practitioner):
    from .conftest import DESKTOP, PHONE

    accounts_demo.seed(io.StringIO())
    referrals_demo.seed(io.StringIO())
    for viewport in (DESKTOP, PHONE):
        ui = make_ui(viewport=viewport)
        page = ui.page
        ui.log_in_as(practitioner)
        ui.visit("/directory/ballarat/map/")
        page.wait_for_function("window.servicemapReady === true")
        assert page.evaluate("typeof window.cytoscapeFcose") == "function"  # the fCoSE layout, not the fallback
        found = page.evaluate(OVERLAPPING_LABELS)
        assert found["labels"] >= 40, found  # the demo's services and referrer roles, all drawn
        assert found["clash"] == [], f"at {viewport['width']} px these labels overlap: {found['clash']}"
        legend = page.get_by_role("list", name="Legend")
        expect(legend).to_contain_text("Urgent route available")
        expect(legend).to_contain_text("Aboriginal Community Controlled Organisation")

        before = page.evaluate("window.servicemap.zoom()")
        page.get_by_role("button", name="Zoom in").click()
        assert page.evaluate("window.servicemap.zoom()") > before
        page.get_by_role("button", name="Zoom out").click()
        page.get_by_role("button", name="Zoom out").click()
        assert page.evaluate("window.servicemap.zoom()") < before

    # Focus on one service: it, the services and roles referring to it and those it refers to; nothing else.
    page.get_by_role("region", name="The map as a table").get_by_role(
        "button", name="Paediatric Speech Pathology", exact=True
    ).click()
    page.locator("#map-details").get_by_role("button", name="Focus on this service").click()
    expect(page.locator("#map-focus-status")).to_contain_text("Showing Paediatric Speech Pathology with the")
    shown, expected = page.evaluate(
        """() => {
          const cy = window.servicemap;
          const node = cy.nodes().filter((n) => n.data("label") === "Paediatric Speech Pathology");
          const ids = (c) => c.map((n) => n.id()).sort();
          return [ids(cy.nodes(":visible")), ids(node.closedNeighborhood().nodes())];
        }"""
    )
    assert shown == expected and 2 < len(shown) < found["labels"]
    assert page.evaluate(OVERLAPPING_LABELS)["clash"] == []
    ui.check_accessibility()
    page.get_by_role("button", name="Show the whole map").click()
    expect(page.locator("#map-focus-status")).to_contain_text("Showing the whole map")
    assert page.evaluate("window.servicemap.nodes(':visible').length") == found["labels"]
