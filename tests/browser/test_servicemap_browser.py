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
