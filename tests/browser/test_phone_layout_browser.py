"""Every page fits a 390 px phone: the harness checks on every visit that nothing scrolls sideways
(tests/browser/support.py, check_no_sideways_scroll); this test walks the pages that used to, with wide
content in them (long names, e-mail addresses and organisations; many columns), as a coordinator and as a
practitioner. The roster is one card per person on a phone, its buttons on screen."""

from datetime import date, time, timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import expect

from certificates.services import certificate_issue
from events.services import series_create
from notifications.services import outbox_enqueue
from registrations.services import attendance_mark
from tests.accounts.factories import UserFactory
from tests.events.factories import EventFactory, RegistrationFactory
from tests.referrals.factories import DirectoryFactory, PathwayFactory, ServiceFactory

from .conftest import PHONE

pytestmark = pytest.mark.browser

LONG_ORGANISATION = "Grampians Regional Maternal, Child and Family Health Services Incorporated"


@pytest.fixture
def busy_partnership(partnership, coordinator, practitioner, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    start = (timezone.now() - timedelta(days=3)).replace(hour=9, minute=30, second=0, microsecond=0)
    past = EventFactory(
        partnership=partnership,
        title="Collaborating for Systems Improvement: Referral pathways, who does what for families",
        start=start,
        end=start + timedelta(hours=2),
        capacity=5,
    )
    people = [practitioner] + [
        UserFactory(
            full_name=f"Alexandria Konstantinopoulou-Wetherington {n}",
            email=f"alexandria.konstantinopoulou-wetherington.{n}@grampians-maternal-child-health.example.org",
            organisation=LONG_ORGANISATION,
        )
        for n in range(4)
    ]
    registrations = [
        RegistrationFactory(event=past, user=person, needs="Vegetarian; hearing loop") for person in people
    ]
    for registration in registrations[:3]:
        attended = attendance_mark(registration=registration, attended=True, by=coordinator)
        certificate_issue(registration=attended, by=coordinator, notify=False)
    RegistrationFactory(event=past, status="waitlisted", user=UserFactory(organisation=LONG_ORGANISATION))
    with transaction.atomic():
        for person in people[:3]:
            outbox_enqueue(
                kind="reminder",
                to_email=person.email,
                subject="Reminder: Collaborating for Systems Improvement, Referral pathways — tomorrow at 9:30 a.m.",
                body_text="See you tomorrow.",
                user=person,
                event=past,
            )
    series = series_create(
        partnership=partnership,
        title="Collaborating for Systems Improvement",
        start_date=date(timezone.localdate().year + 1, 1, 1),
        start_time=time(9, 30),
        rrule="FREQ=MONTHLY;BYDAY=1WE;COUNT=6",
        created_by=coordinator,
        cohosts=["City of Ballarat", "Grampians Public Health Unit"],
        publish=True,
    )
    directory = DirectoryFactory(partnership=partnership)
    service = ServiceFactory(directory=directory, name="Paediatric Speech Pathology and Early Language Clinic")
    PathwayFactory(directory=directory, target_service=service)
    return {"past": past, "series": series, "pending": registrations[3]}


def test_the_pages_that_used_to_scroll_sideways_fit_a_phone(make_ui, busy_partnership, coordinator, practitioner):
    past, series = busy_partnership["past"], busy_partnership["series"]
    ui = make_ui(viewport=PHONE, is_mobile=True, has_touch=True)
    page = ui.page
    assert page.viewport_size == {"width": 390, "height": 844}
    ui.log_in_as(coordinator)
    slug = past.partnership.slug
    # Each visit fails if the page is wider than the phone (and on any axe-core violation).
    ui.visit(f"/manage/{slug}/events/{past.pk}/roster/")
    card = page.get_by_role("row", name=busy_partnership["pending"].user.full_name)
    attended = card.get_by_role("button", name="Attended")
    attended.scroll_into_view_if_needed()
    box = attended.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, f"the Attended button is off-screen: {box}"
    ui.visit(f"/manage/{slug}/events/{past.pk}/messages/")
    expect(page.get_by_role("region", name="Messages")).to_contain_text("Reminder")
    ui.visit(f"/manage/{slug}/events/{past.pk}/certificates/")
    expect(page.get_by_text("Revoke…").first).to_be_visible()
    ui.visit(f"/manage/{slug}/series/{series.pk}/")
    ui.visit(f"/manage/{slug}/directory/")
    ui.visit(f"/manage/{slug}/events/")
    ui.visit(f"/manage/{slug}/events/{past.pk}/check-in/")
    ui.visit("/events/month/")
    expect(page.get_by_role("region", name="Calendar for")).to_be_hidden()  # an agenda on a phone, not a grid
    ui.visit(past.get_absolute_url())

    ui.context.clear_cookies()
    ui.log_in_as(practitioner)
    ui.visit("/my/sessions/")
    expect(page.get_by_role("region", name="Past sessions")).to_contain_text(past.title)
    ui.visit("/my/cpd/")
    ui.visit("/accounts/profile/")
    ui.visit("/certificates/verify/")
