from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from networking import selectors, services
from registrations.services import attendance_mark
from tests.events.factories import EventFactory

from .factories import attendees

pytestmark = pytest.mark.django_db


def planned(partnership, coordinator, people: int, *, history: int = 0):
    for days in range(history, 0, -1):
        start = timezone.now() - timedelta(days=30 * days)
        past = EventFactory(partnership=partnership, start=start, end=start + timedelta(hours=2))
        attendees(past, people)
        services.plan_generate(event=past, by=coordinator, seed=days)
    event = EventFactory(partnership=partnership)
    attendees(event, people)
    return services.plan_generate(event=event, by=coordinator, seed=1)


def count(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx)


def test_reading_a_plan_costs_the_same_queries_for_8_or_48_people(partnership, coordinator, other_partnership):
    small = planned(partnership, coordinator, 8, history=1)
    big = planned(other_partnership, coordinator, 48, history=2)

    def read(plan):
        def run():
            view = selectors.plan_view(plan=selectors.plan_get(event=plan.event))
            view.explanation()
            for group in view.groups:
                for seat in group.seats:
                    assert seat.registration.user.full_name and seat.registration.sector.name

        return run

    assert count(read(small)) == count(read(big)) <= 10


def test_meeting_history_is_one_query(partnership, coordinator):
    plan = planned(partnership, coordinator, 16, history=3)
    with CaptureQueriesContext(connection) as ctx:
        pairs = selectors.meeting_history(event=plan.event)
    assert len(ctx) == 1
    assert pairs


def test_the_view_reports_walk_ins_and_people_no_longer_coming(partnership, coordinator):
    from tests.events.factories import RegistrationFactory

    plan = planned(partnership, coordinator, 12)
    late = RegistrationFactory(event=plan.event)
    gone = plan.groups.first().seats.first().registration
    attendance_mark(registration=gone, attended=False, by=coordinator)
    view = selectors.plan_view(plan=plan)
    assert [r.pk for r in view.unseated] == [late.pk]
    assert view.departed_count == 1
    assert view.seated_count == 11
    assert sum(len(g.seats) for g in view.groups) == view.figures.tables[0].size + sum(
        t.size for t in view.figures.tables[1:]
    )


def test_explanation_compares_with_random_seating(partnership, coordinator):
    plan = planned(partnership, coordinator, 24, history=2)
    explanation = selectors.plan_view(plan=plan).explanation()
    assert explanation["earlier_sessions"] == 2
    assert explanation["group_count"] == 3
    assert explanation["sector_count"] == 4
    assert explanation["pairs"] == explanation["baseline"]["pairs"]
    assert explanation["first_time_pairs"] > explanation["baseline"]["first_time_pairs"]
    assert explanation["groups_with_all_sectors"] == 3
