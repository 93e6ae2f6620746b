"""The figures, on a small dataset built by hand; every expected value is worked out in the comments."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts.models import Sector
from reporting.periods import Period
from reporting.selectors import feedback_list_for_partnership, report_build, respondent_name
from reporting.tables import report_tables, table_csv
from tests.events.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db
YEAR_2025 = Period(date(2025, 1, 1), date(2025, 12, 31))


def test_sessions_and_registrations(partnership, world):
    report = report_build(partnership=partnership, period=YEAR_2025)
    assert [s.title for s in report.sessions] == ["S1", "S2", "S3"]
    assert (report.sessions_held, report.cancelled_sessions, report.upcoming_sessions) == (3, 1, 0)
    s1, s2, s3 = report.sessions
    assert (s1.registered, s1.attended, s1.no_shows, s1.waitlisted, s1.cancelled, s1.full) == (4, 3, 1, 1, 1, True)
    assert (s2.registered, s2.attended, s2.no_shows, s2.waitlisted, s2.cancelled, s2.full) == (3, 3, 0, 1, 0, True)
    assert (s3.registered, s3.attended, s3.no_shows, s3.waitlisted, s3.cancelled, s3.full) == (4, 3, 1, 0, 0, False)
    # 4 + 3 + 4 registered; 3 + 3 + 3 attended; 1 + 0 + 1 no-shows.
    assert (report.registered, report.attended, report.no_shows, report.not_marked) == (11, 9, 2, 0)
    assert report.attendance_rate == pytest.approx(9 / 11)
    assert report.no_show_rate == pytest.approx(2 / 11)
    assert s1.no_show_rate == pytest.approx(1 / 4)
    # Waitlist demand: S1 and S2 full, each with one person still waiting.
    assert (report.sessions_full, report.sessions_with_waitlist, report.waitlisted) == (2, 2, 2)
    assert report.cohosts == ["City of Ballarat", "Grampians PHU", "Uniting"]


def test_attendance_by_sector_per_session(partnership, world):
    report = report_build(partnership=partnership, period=YEAR_2025)
    assert [c.name for c in report.sectors] == ["Medical", "Education and care", "Community services", "Not stated"]
    medical, education, community = (
        Sector.objects.get(slug=s).pk for s in ("medical", "education-and-care", "community-services")
    )
    s1, s2, s3 = report.sessions
    # S1: alice (medical), bob (education), gus (community — kept after his account went).
    assert s1.by_sector == {medical: 1, education: 1, community: 1}
    assert s2.by_sector == {medical: 1, community: 1, education: 1}
    # S3: alice and dan (medical), lone (no sector).
    assert s3.by_sector == {medical: 2, None: 1}


def test_unique_and_returning_practitioners(partnership, world):
    report = report_build(partnership=partnership, period=YEAR_2025)
    # alice: S1, S2, S3 (her 2024 session is outside the period). gus (a former member): S1, S2 — one
    # person, because both registrations were anonymised together. bob, erin, dan, lone: one each.
    assert report.people_by_sessions == [(1, 4, 1), (2, 1, 1), (3, 1, 0)]
    assert (report.unique_people, report.returning_people, report.former_members) == (6, 2, 2)
    assert report.returning_rate == pytest.approx(2 / 6)


def test_organisations_represented(partnership, world):
    report = report_build(partnership=partnership, period=YEAR_2025)
    # "Ballarat Health" and " ballarat health " are one: alice (3 attendances) and bob (1). erin's kinder.
    # carol and fay never attended here; dan gave none; gus's account (and organisation) is gone.
    assert [(o.name, o.people, o.attendances) for o in report.organisations] == [
        ("Ballarat Health", 2, 4),
        ("Sebastopol Kinder", 1, 1),
    ]


def test_feedback_figures(partnership, world):
    report = report_build(partnership=partnership, period=YEAR_2025)
    s1, s2, s3 = report.sessions
    # S1: alice 5, bob 4, gus 3 (carol's, a no-show's, is ignored) → 12 / 3 = 4; 2 of 3 recommend; 5 contacts;
    # alice (medical) connected with other sectors, bob only with his own, gus with none → 1 cross-sector.
    assert (s1.responses, s1.average_rating, s1.recommend, s1.new_contacts, s1.cross_sector) == (3, 4.0, 2, 5, 1)
    assert s1.response_rate == 1.0
    # S2: erin 2, no, 1 contact, connected with medical (hers is education) → cross-sector.
    assert (s2.responses, s2.average_rating, s2.recommend, s2.new_contacts, s2.cross_sector) == (1, 2.0, 0, 1, 1)
    # S3: lone 5 and alice 4 → 4.5; both recommend (the factory's default); 4 + 2 contacts; lone (no sector)
    # named community → cross-sector; alice named none.
    assert (s3.responses, s3.average_rating, s3.recommend, s3.new_contacts, s3.cross_sector) == (2, 4.5, 2, 6, 1)
    assert s3.response_rate == pytest.approx(2 / 3)
    # Totals: 6 responses of 9 attendances; (12 + 2 + 9) / 6; 4 of 6 recommend; 12 contacts; 3 of 6 cross-sector.
    assert (report.responses, report.new_contacts, report.cross_sector) == (6, 12, 3)
    assert report.response_rate == pytest.approx(6 / 9)
    assert report.average_rating == pytest.approx(23 / 6)
    assert report.recommend_rate == pytest.approx(4 / 6)
    assert report.new_contacts_per_response == pytest.approx(2.0)
    assert report.ratings == {5: 2, 4: 2, 3: 1, 2: 1, 1: 0}
    # Sectors connected with: education (alice, bob), community (alice, lone), medical (erin).
    assert [(c.slug, n) for c, n in report.connections] == [
        ("education-and-care", 2),
        ("community-services", 2),
        ("medical", 1),
    ]


def test_only_picked_quotes_of_consenting_respondents_in_the_period(partnership, world):
    report = report_build(partnership=partnership, period=YEAR_2025)
    assert [(q.text, q.event_title) for q in report.quotes] == [("Meeting the kinder teachers.", "S1")]


def test_the_period_bounds_are_local_days(partnership, world):
    # S1 starts 9:30 on 5 March 2025 in Melbourne (22:30 on 4 March UTC): a period of 5 March holds it.
    report = report_build(partnership=partnership, period=Period(date(2025, 3, 5), date(2025, 3, 5)))
    assert [s.title for s in report.sessions] == ["S1"]
    assert report_build(partnership=partnership, period=Period(date(2025, 3, 6), date(2025, 6, 3))).sessions == []


def test_sessions_still_to_come_are_counted_not_measured(partnership, world):
    start = timezone.now() + timedelta(days=3)
    upcoming = EventFactory(partnership=partnership, start=start, end=start + timedelta(hours=2))
    RegistrationFactory(event=upcoming)
    today = timezone.localdate(timezone=partnership.zone)
    report = report_build(partnership=partnership, period=Period(date(2025, 1, 1), today + timedelta(days=30)))
    assert report.upcoming_sessions == 1
    assert report.registered == 11


def test_an_empty_period(partnership, world):
    report = report_build(partnership=partnership, period=Period(date(2023, 1, 1), date(2023, 12, 31)))
    assert report.sessions == [] and report.sectors == [] and report.people_by_sessions == []
    assert (report.attendance_rate, report.average_rating, report.response_rate) == (None, None, None)
    tables = report_tables(report)
    assert table_csv(tables["sessions"]).splitlines() == [
        "Date,Session,Capacity,Registered,Attended,No-shows,No-show rate (%),Still waitlisted,Full,"
        "Feedback responses,Average rating (1–5)"
    ]


def test_coordinators_see_names_only_where_respondents_agreed(partnership, world):
    responses = list(feedback_list_for_partnership(partnership=partnership, period=YEAR_2025))
    assert len(responses) == 6
    names = sorted(filter(None, (respondent_name(f) for f in responses)))
    # gus agreed, but his account is gone: no name. Nobody else agreed.
    assert names == []
    b1 = world["b1"].feedback
    b1.consent_name = True
    b1.save()
    responses = list(feedback_list_for_partnership(partnership=partnership, period=YEAR_2025))
    assert sorted(filter(None, (respondent_name(f) for f in responses))) == ["Bob"]
