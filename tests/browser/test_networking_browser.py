"""Table plans in real Chromium: plan, pin the facilitator, seat two walk-ins, print the badges."""

import re
from io import BytesIO

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from networking.models import Seat, TablePlan
from tests.events.factories import EventFactory
from tests.networking.factories import attendees

pytestmark = pytest.mark.browser


def test_coordinator_plans_pins_seats_walk_ins_and_prints_badges(ui, partnership, coordinator):
    event = EventFactory(partnership=partnership, title="Referral pathways: who does what")
    people = attendees(event, 20)
    facilitator = people[5].user
    page = ui.page
    ui.log_in_as(coordinator)
    ui.visit(f"/manage/{partnership.slug}/events/{event.pk}/roster/")
    with ui.navigation():
        page.get_by_role("link", name="Tables and badges").click()

    # Plan the tables (keyboard: fill the sizes, press Enter).
    expect(page.get_by_role("heading", level=1)).to_have_text("Tables")
    page.get_by_label("Smallest table").fill("6")
    page.get_by_label("Largest table").fill("7")
    with ui.navigation():
        page.get_by_role("button", name="Plan the tables").press("Enter")
    expect(page.get_by_role("status").first).to_contain_text("The tables are planned: 3 tables.")
    expect(page.get_by_role("row", name=re.compile("Pairs meeting for the first time"))).to_be_visible()
    expect(page.locator(".table-card")).to_have_count(3)

    # Pin the facilitator where they are, then move someone else by hand with the select and button.
    table_of_facilitator = Seat.objects.get(registration__user=facilitator).group.number
    with ui.navigation():
        page.get_by_role("button", name=f"Pin here — {facilitator.full_name}").click()
    expect(page.get_by_role("status").first).to_contain_text(f"pinned to table {table_of_facilitator}")
    mover = (
        Seat.objects.filter(group__plan__event=event)
        .exclude(group__number=1)
        .exclude(registration__user=facilitator)  # the facilitator stays pinned where they are
        .order_by("pk")
        .first()
        .registration.user
    )
    page.get_by_label(f"Move {mover.full_name} to").select_option(label="Table 1")
    with ui.navigation():
        page.get_by_role("button", name=f"Move {mover.full_name}", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text(f"{mover.full_name} is now at table 1")

    # Two walk-ins arrive: added on the roster, then the unlocked tables are re-planned.
    for name, email in (("Wendy Walker", "wendy@example.org"), ("Will Walker", "will@example.org")):
        with ui.navigation():
            page.get_by_role("link", name="← Roster").click()
        page.get_by_label("Full name").fill(name)
        page.get_by_label("Email address").fill(email)
        with ui.navigation():
            page.get_by_role("button", name="Add and check in").click()
        with ui.navigation():
            page.get_by_role("link", name="Tables and badges").click()
    expect(page.get_by_text(re.compile("2 people have no table yet"))).to_be_visible()
    with ui.navigation():
        page.get_by_role("button", name="Re-plan unlocked tables").click()
    expect(page.get_by_role("status").first).to_contain_text("Re-planned")
    expect(page.get_by_text("no table yet")).to_have_count(0)
    expect(page.locator(".table-card .person-name", has_text="Wendy Walker")).to_be_visible()

    plan = TablePlan.objects.get(event=event)
    seats = list(Seat.objects.filter(group__plan=plan).values_list("registration_id", flat=True))
    assert len(seats) == len(set(seats)) == 22  # nobody lost, nobody twice
    assert Seat.objects.get(registration__user=facilitator).group.number == table_of_facilitator
    assert Seat.objects.get(registration__user=mover).group.number == 1

    # Print the badges: the link answers with a PDF that has everyone's name on it.
    link = page.get_by_role("link", name="Print badges and table lists (PDF)")
    response = ui.context.request.get(ui.url(link.get_attribute("href")))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(response.body())).pages)
    assert "Wendy Walker" in text and facilitator.full_name in text
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
