"""Every figure comes from aggregate queries: the dashboard, the API and the CSV cost the same number of
queries for 3 monthly sessions as for two years of them (24 × 50 attendees)."""

import itertools
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Sector, User
from events.models import Event
from registrations.models import Registration
from reporting.models import Feedback
from reporting.periods import Period

from .factories import local

pytestmark = pytest.mark.django_db
ATTENDEES = 50


def monthly_sessions(partnership, count: int) -> Period:
    """`count` monthly sessions from January 2024, each with 50 attendees (of 80 people, so many return),
    two no-shows, a waitlist and 30 responses (with sectors connected)."""
    sectors = list(Sector.objects.all())
    people = User.objects.bulk_create(
        User(
            email=f"bulk{n}@example.org",
            full_name=f"Person {n}",
            organisation=f"Organisation {n % 17}",
            sector=sectors[n % len(sectors)],
            password="!",
        )
        for n in range(80)
    )
    events, registrations = [], []
    for month in range(count):
        start = local(2024 + month // 12, month % 12 + 1, 3)
        events.append(
            Event(
                partnership=partnership,
                title=f"Session {month + 1}",
                start=start,
                end=start + timedelta(hours=2),
                capacity=ATTENDEES + 2,
                status=Event.Status.PUBLISHED,
                published_at=start - timedelta(days=30),
                cohosts=["City of Ballarat", f"Co-host {month % 3}"],
            )
        )
    Event.objects.bulk_create(events)
    for month, event in enumerate(events):
        group = [people[(month * 7 + i) % len(people)] for i in range(ATTENDEES + 6)]
        for number, person in enumerate(group):
            if number < ATTENDEES:
                status, attendance, position = "confirmed", "attended", None
            elif number < ATTENDEES + 2:
                status, attendance, position = "confirmed", "no_show", None
            else:
                status, attendance, position = "waitlisted", "unknown", number - ATTENDEES - 1
            registrations.append(
                Registration(
                    event=event,
                    user=person,
                    sector_id=person.sector_id,
                    status=status,
                    attendance=attendance,
                    waitlist_position=position,
                    check_in_code=f"C{number:05d}",
                )
            )
    Registration.objects.bulk_create(registrations)
    attended = [r for r in registrations if r.attendance == "attended"]
    feedback = Feedback.objects.bulk_create(
        Feedback(
            registration=r,
            rating=1 + n % 5,
            would_recommend=n % 3 != 0,
            new_contacts=n % 4,
            most_useful="The panel.",
            consent_quote=n % 2 == 0,
            quote_field="most_useful" if n % 40 == 0 else "",
        )
        for n, r in enumerate(attended)
        if n % 5 < 3
    )
    through = Feedback.sectors_connected.through
    through.objects.bulk_create(
        through(feedback_id=f.pk, sector_id=sector.pk)
        for f, sector in zip(feedback, itertools.cycle(sectors), strict=False)
    )
    first, last = events[0].local_start.date(), events[-1].local_start.date()
    return Period(first, last)


def queries(client, url: str, params: dict, **extra) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params, **extra)
    assert response.status_code == 200, response.content[:500]
    return len(captured)


@pytest.fixture
def measure(client, coordinator, partnership, token_for):
    client.force_login(coordinator)
    headers = token_for(coordinator)

    def run(count: int) -> dict[str, int]:
        Feedback.objects.all().delete()
        Registration.objects.all().delete()
        Event.objects.all().delete()
        User.objects.filter(email__startswith="bulk").delete()
        period = monthly_sessions(partnership, count)
        params = period.as_query()
        client.get("/api/me", headers=headers)  # the token's last use is written at most once a minute: now
        return {
            "page": queries(client, reverse("reports-dashboard", kwargs={"slug": "ballarat"}), params),
            "api": queries(client, "/api/partnerships/ballarat/report", params, headers=headers),
            "csv": queries(client, reverse("reports-csv", kwargs={"slug": "ballarat", "table": "sector-mix"}), params),
            "feedback page": queries(client, reverse("reports-feedback", kwargs={"slug": "ballarat"}), params),
            "feedback api": queries(client, "/api/partnerships/ballarat/feedback", params, headers=headers),
        }

    return run


def test_the_figures_cost_the_same_queries_for_two_years_of_monthly_sessions(measure):
    small = measure(3)
    large = measure(24)
    assert Registration.objects.filter(attendance="attended").count() == 24 * ATTENDEES
    assert large == small
    # The report itself is eight queries; the rest is the session, the user and the partnership.
    assert small["page"] <= 14, small
    assert small["api"] <= 14, small


def test_the_two_years_are_all_in_the_figures(partnership):
    from reporting.selectors import report_build

    period = monthly_sessions(partnership, 24)
    with CaptureQueriesContext(connection) as captured:
        report = report_build(partnership=partnership, period=period)
    assert len(captured) == 8
    assert report.sessions_held == 24
    assert report.attended == 24 * ATTENDEES
    assert report.no_shows == 48 and report.waitlisted == 24 * 4
    assert report.unique_people == 80 and report.returning_people == 80
    assert sum(report.sessions[0].by_sector.values()) == ATTENDEES
    assert report.responses == 24 * 30
