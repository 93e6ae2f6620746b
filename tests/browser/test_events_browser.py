"""Sessions in real Chromium: a coordinator publishes a year of monthly sessions; a practitioner finds one."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from events.models import Event, Series
from tests.accounts.factories import sector
from tests.events.factories import EventFactory, VenueFactory

pytestmark = pytest.mark.browser
NEXT_YEAR = timezone.localdate().year + 1


def test_coordinator_creates_previews_and_publishes_a_monthly_series(ui, partnership, coordinator):
    VenueFactory(partnership=partnership, name="Ballarat Library, Community Room")
    page = ui.page
    ui.log_in_as(coordinator)
    ui.visit("/manage/")
    with ui.navigation():
        page.get_by_role("link", name=partnership.name).click()
    with ui.navigation():
        page.get_by_role("main").get_by_role("link", name="Sessions").click()
    with ui.navigation():
        page.get_by_role("link", name="New monthly series").click()

    page.get_by_label("Title").fill("Collaborating for Systems Improvement")
    page.get_by_label("Topics").fill("Referral pathways, Child safety")
    page.get_by_label("Medical").check()
    page.get_by_label("Community services").check()
    page.get_by_label("Co-hosting organisations").fill("City of Ballarat\nGrampians Public Health Unit")
    page.get_by_label("Start time (local)").fill("09:30")
    # The picker: the first Wednesday of every month, February to November next year.
    page.get_by_label(re.compile("On a weekday of the month")).check()
    page.get_by_label("Which", exact=True).select_option(label="first")
    page.get_by_label("Weekday", exact=True).select_option(label="Wednesday")
    expect(page.get_by_label("Day of the month", exact=True)).to_be_hidden()  # the picker shows what the pattern uses
    page.get_by_label("First possible date").fill(f"{NEXT_YEAR}-01-01")
    page.get_by_label("Until a date").check()
    page.get_by_label("Last possible date").fill(f"{NEXT_YEAR}-11-30")
    for month in ("January", "December"):
        expect(page.get_by_label(month, exact=True)).not_to_be_checked()

    # The preview comes from the preview API and replaces the old one in place: no new page, focus on it.
    loaded = len(ui.documents)
    with page.expect_response("**/api/series/preview") as answer:
        page.get_by_role("button", name="Preview dates").click()
    assert answer.value.status == 200
    preview = page.get_by_role("region", name=re.compile("Preview"))
    expect(preview.get_by_role("heading")).to_have_text("Preview: 10 sessions")
    expect(preview.get_by_role("listitem").first).to_contain_text(f"Wednesday 3 February {NEXT_YEAR}, 9:30 a.m.")
    expect(preview.get_by_role("listitem").first).to_contain_text("– 11:30 a.m.")
    expect(preview).to_be_focused()
    assert len(ui.documents) == loaded
    ui.check_accessibility()
    page.get_by_label("Last possible date").fill(f"{NEXT_YEAR}-06-30")
    page.get_by_role("button", name="Preview dates").click()
    expect(preview.get_by_role("heading")).to_have_text("Preview: 5 sessions")
    page.get_by_label("Last possible date").fill(f"{NEXT_YEAR}-11-30")
    assert not Series.objects.exists()

    page.get_by_label("Publish the sessions now").check()
    with ui.navigation():
        page.get_by_role("button", name="Create series").click()
    expect(page.get_by_role("status")).to_contain_text(
        "10 sessions of “Collaborating for Systems Improvement” published"
    )
    expect(page.get_by_text("Every month on the first Wednesday, February to November")).to_be_visible()
    rows = page.get_by_role("table").get_by_role("row")
    expect(rows).to_have_count(11)
    series = Series.objects.get()
    assert series.events.filter(status=Event.Status.PUBLISHED).count() == 10
    assert {e.local_start.strftime("%H:%M") for e in series.events.all()} == {"09:30"}


def test_practitioner_browses_filters_by_sector_and_opens_a_session(phone_ui, partnership, practitioner):
    doctors = EventFactory(partnership=partnership, title="Speech delay: when to refer")
    doctors.sectors.add(sector("medical"))
    teachers = EventFactory(partnership=partnership, title="Kindergarten transitions")
    teachers.sectors.add(sector("education-and-care"))
    ui, page = phone_ui, phone_ui.page
    ui.log_in_as(practitioner)
    ui.visit("/")
    with ui.navigation():
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Sessions", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Upcoming sessions")
    expect(page.get_by_role("link", name="Kindergarten transitions")).to_be_visible()

    page.get_by_label("Sector").select_option(label="Medical")
    with ui.navigation():
        page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("link", name="Kindergarten transitions")).to_have_count(0)
    with ui.navigation():
        page.get_by_role("link", name="Speech delay: when to refer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Speech delay: when to refer")
    expect(page.get_by_text("50 of 50 left")).to_be_visible()
    # Nothing scrolls sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    with ui.navigation():
        page.get_by_role("link", name="← All sessions").click()
    with ui.navigation():
        page.get_by_role("link", name="Month view").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sessions in")
