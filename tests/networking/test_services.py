from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from events.models import Event
from networking import services
from networking.models import Seat, TableGroup, TablePlan
from networking.selectors import meeting_history
from registrations.models import Registration
from registrations.services import attendance_mark, registration_cancel, walk_in_add
from tests.accounts.factories import sector
from tests.events.factories import EventFactory, RegistrationFactory

from .factories import attendees

pytestmark = pytest.mark.django_db


def seated_ids(plan: TablePlan) -> list[int]:
    return sorted(Seat.objects.filter(group__plan=plan).values_list("registration_id", flat=True))


def tables(plan: TablePlan) -> dict[int, set[int]]:
    out: dict[int, set[int]] = {}
    for number, registration_id in Seat.objects.filter(group__plan=plan).values_list(
        "group__number", "registration_id"
    ):
        out.setdefault(number, set()).add(registration_id)
    return out


@pytest.fixture
def event(partnership):
    return EventFactory(partnership=partnership, title="Allied health pathways")


def test_plan_generate_seats_every_confirmed_person_once(event, coordinator):
    people = attendees(event, 30)
    cancelled = RegistrationFactory(event=event)
    registration_cancel(registration=cancelled, by=coordinator)
    RegistrationFactory(event=event, status=Registration.Status.WAITLISTED)
    RegistrationFactory(event=event, user=None)  # an account deleted since: no badge, no seat
    plan = services.plan_generate(event=event, by=coordinator, min_size=6, max_size=8, seed=4)
    assert seated_ids(plan) == sorted(r.pk for r in people)
    assert plan.groups.count() == 4
    assert all(6 <= len(m) <= 8 for m in tables(plan).values())
    assert (plan.created_by, plan.updated_by, plan.seed) == (coordinator, coordinator, 4)
    assert plan.generated_at is not None


def test_plan_generate_is_deterministic_for_a_seed(event, coordinator):
    attendees(event, 26)
    first = tables(services.plan_generate(event=event, by=coordinator, seed=99))
    again = tables(services.plan_generate(event=event, by=coordinator, seed=99))
    assert first == again


def test_plan_generate_without_a_seed_draws_and_stores_one(event, coordinator):
    attendees(event, 10)
    plan = services.plan_generate(event=event, by=coordinator)
    assert TablePlan.objects.get().seed == plan.seed


def test_plan_generate_refuses_a_bad_size_range_and_a_cancelled_session(event, coordinator):
    with pytest.raises(ValidationError) as error:
        services.plan_generate(event=event, by=coordinator, min_size=8, max_size=6)
    assert error.value.message_dict == {"min_size": [services.SIZE_RANGE_INVALID]}
    with pytest.raises(ValidationError):
        services.plan_generate(event=event, by=coordinator, min_size=1, max_size=6)
    Event.objects.filter(pk=event.pk).update(status=Event.Status.CANCELLED)
    with pytest.raises(ValidationError) as error:
        services.plan_generate(event=event, by=coordinator)
    assert error.value.message_dict == {"event": [services.EVENT_CANCELLED]}
    assert not TablePlan.objects.exists()


def test_plan_from_scratch_keeps_pins_and_clears_locks(event, coordinator):
    people = attendees(event, 24)
    plan = services.plan_generate(event=event, by=coordinator, seed=1)
    facilitator = people[0]
    seat = Seat.objects.get(registration=facilitator)
    services.seat_pin(plan=plan, registration=facilitator, pinned=True, by=coordinator)
    services.group_lock(group=plan.groups.exclude(pk=seat.group_id).first(), by=coordinator)
    plan = services.plan_generate(event=event, by=coordinator, seed=2, min_size=4, max_size=5)
    seat.refresh_from_db()
    assert seat.pinned and seat.group.number == Seat.objects.get(registration=facilitator).group.number
    assert not TableGroup.objects.filter(plan=plan, locked=True).exists()
    assert (plan.min_size, plan.max_size) == (4, 5)
    assert all(4 <= len(m) <= 5 for m in tables(plan).values())
    assert seated_ids(plan) == sorted(r.pk for r in people)


def test_regenerate_on_the_day_seats_walk_ins_frees_no_shows_and_moves_only_the_unlocked(event, coordinator):
    Event.objects.filter(pk=event.pk).update(start=timezone.now() - timedelta(minutes=10))
    event.refresh_from_db()
    people = attendees(event, 40)
    plan = services.plan_generate(event=event, by=coordinator, seed=8)
    before = tables(plan)
    locked = plan.groups.get(number=1)
    services.group_lock(group=locked, by=coordinator)
    pinned = next(iter(before[2]))
    services.seat_pin(plan=plan, registration=pinned, pinned=True, by=coordinator)
    no_show = Registration.objects.get(pk=next(iter(before[3])))
    attendance_mark(registration=no_show, attended=False, by=coordinator)
    first_walk_in = walk_in_add(
        event=event, by=coordinator, email="walk1@example.org", full_name="Wendy Walker", sector=sector("medical")
    )
    second_walk_in = walk_in_add(
        event=event, by=coordinator, email="walk2@example.org", full_name="Will Walker", sector=sector("other")
    )

    plan = services.plan_regenerate_unlocked(plan=plan, by=coordinator)

    after = tables(plan)
    expected = sorted({r.pk for r in people} - {no_show.pk} | {first_walk_in.pk, second_walk_in.pk})
    assert seated_ids(plan) == expected  # nobody lost, nobody twice
    assert after[1] == before[1]  # the locked table did not change
    assert pinned in after[2]
    assert no_show.pk not in {k for m in after.values() for k in m}


def test_regenerate_after_a_cancellation_frees_the_seat_even_at_a_locked_table(event, coordinator):
    attendees(event, 14)
    plan = services.plan_generate(event=event, by=coordinator, seed=3)
    group = plan.groups.get(number=1)
    services.group_lock(group=group, by=coordinator)
    leaving = group.seats.first().registration
    registration_cancel(registration=leaving, by=coordinator)
    services.plan_regenerate_unlocked(plan=plan, by=coordinator)
    assert not Seat.objects.filter(registration=leaving).exists()
    assert group.seats.count() >= 1


def test_regenerations_never_lose_or_duplicate_anyone(event, coordinator):
    people = attendees(event, 33)
    plan = services.plan_generate(event=event, by=coordinator, seed=5)
    everyone = {r.pk for r in people}
    for round_number in range(4):
        extra = RegistrationFactory(event=event, user__sector=sector("community-services"))
        everyone.add(extra.pk)
        if round_number % 2:
            services.group_lock(group=plan.groups.order_by("?").first(), by=coordinator)
        plan = services.plan_regenerate_unlocked(plan=plan, by=coordinator)
        ids = list(Seat.objects.filter(group__plan=plan).values_list("registration_id", flat=True))
        assert len(ids) == len(set(ids)) and set(ids) == everyone


def test_seat_move_pins_and_respects_locks_and_size(event, coordinator):
    attendees(event, 16)
    plan = services.plan_generate(event=event, by=coordinator, min_size=4, max_size=6, seed=1)
    two, one = sorted(plan.groups.all(), key=lambda g: (g.seats.count(), g.number))[:2]  # the two smallest
    person = one.seats.first().registration
    seat = services.seat_move(plan=plan, registration=person, group=two, by=coordinator)
    assert (seat.group, seat.pinned) == (two, True)
    services.seat_move(plan=plan, registration=person, group=one, by=coordinator, pin=False)
    assert not Seat.objects.get(registration=person).pinned

    services.group_lock(group=two, by=coordinator)
    with pytest.raises(ValidationError) as error:
        services.seat_move(plan=plan, registration=person, group=two, by=coordinator)
    assert error.value.message_dict == {"group_id": [services.GROUP_LOCKED.format(number=two.number)]}
    someone_locked_in = two.seats.first().registration
    with pytest.raises(ValidationError):
        services.seat_move(plan=plan, registration=someone_locked_in, group=one, by=coordinator)

    services.group_unlock(group=two, by=coordinator)
    while two.seats.count() <= plan.max_size:  # a hand move may go past the largest size (a chair is added)
        services.seat_move(plan=plan, registration=one.seats.first().registration, group=two, by=coordinator)
    Seat.objects.filter(group=two).update(pinned=False)
    services.plan_regenerate_unlocked(plan=plan, by=coordinator)
    assert all(len(m) <= plan.max_size for m in tables(plan).values())  # the re-plan brings it back


def test_seat_move_seats_a_walk_in_and_refuses_people_who_are_not_coming(event, coordinator):
    attendees(event, 12)
    plan = services.plan_generate(event=event, by=coordinator, seed=1)
    late = RegistrationFactory(event=event)
    seat = services.seat_move(plan=plan, registration=late, group=plan.groups.first(), by=coordinator)
    assert seat.registration == late
    waiting = RegistrationFactory(event=event, status=Registration.Status.WAITLISTED)
    with pytest.raises(ValidationError) as error:
        services.seat_move(plan=plan, registration=waiting, group=plan.groups.first(), by=coordinator)
    assert error.value.message_dict == {"registration_id": [services.NOT_SEATABLE]}
    elsewhere = RegistrationFactory()
    with pytest.raises(ValidationError) as error:
        services.seat_move(plan=plan, registration=elsewhere, group=plan.groups.first(), by=coordinator)
    assert error.value.message_dict == {"registration_id": [services.NOT_IN_EVENT]}


def test_seat_move_refuses_a_table_of_another_plan(event, coordinator):
    attendees(event, 8)
    plan = services.plan_generate(event=event, by=coordinator, seed=1)
    other_event = EventFactory(partnership=event.partnership)
    attendees(other_event, 8)
    other = services.plan_generate(event=other_event, by=coordinator, seed=1)
    with pytest.raises(ValidationError) as error:
        services.seat_move(
            plan=plan, registration=plan.groups.first().seats.first().registration, group=other.groups.first(), by=None
        )
    assert error.value.message_dict == {"group_id": [services.GROUP_NOT_IN_PLAN]}


def test_seat_pin_needs_a_seat(event, coordinator):
    attendees(event, 8)
    plan = services.plan_generate(event=event, by=coordinator, seed=1)
    late = RegistrationFactory(event=event)
    with pytest.raises(ValidationError) as error:
        services.seat_pin(plan=plan, registration=late, pinned=True, by=coordinator)
    assert list(error.value.message_dict) == ["registration_id"]


def test_group_update_names_a_table(event, coordinator):
    attendees(event, 8)
    plan = services.plan_generate(event=event, by=coordinator, seed=1)
    group = services.group_update(
        group=plan.groups.first(), by=coordinator, label=" Window ", prompt="Who refers to whom for speech?"
    )
    assert (group.label, group.prompt) == ("Window", "Who refers to whom for speech?")


def test_history_counts_earlier_sessions_of_the_partnership_only(partnership, other_partnership, coordinator):
    start = timezone.now() - timedelta(days=90)
    earlier = EventFactory(partnership=partnership, start=start, end=start + timedelta(hours=2))
    people = attendees(earlier, 8)
    services.plan_generate(event=earlier, by=coordinator, min_size=8, max_size=8, seed=1)  # one table of 8
    no_show = people[0]
    attendance_mark(registration=no_show, attended=False, by=coordinator)
    elsewhere = EventFactory(partnership=other_partnership, start=start, end=start + timedelta(hours=2))
    attendees(elsewhere, 8, start=100)
    services.plan_generate(event=elsewhere, by=None, min_size=8, max_size=8, seed=1)
    later_than_next = EventFactory(partnership=partnership, start=timezone.now() + timedelta(days=60))
    attendees(later_than_next, 8, start=200)
    services.plan_generate(event=later_than_next, by=None, min_size=8, max_size=8, seed=1)

    upcoming = EventFactory(partnership=partnership)
    pairs = meeting_history(event=upcoming)
    users = sorted(r.user_id for r in people[1:])
    assert pairs == {(a, b) for i, a in enumerate(users) for b in users[i + 1 :]}  # 7 people, 21 pairs


def test_the_next_session_avoids_pairs_from_earlier_sessions(partnership, coordinator):
    """Two earlier sessions of the same 24 people: the third seats far more new pairs than random."""
    for days in (60, 30):
        start = timezone.now() - timedelta(days=days)
        past = EventFactory(partnership=partnership, start=start, end=start + timedelta(hours=2))
        attendees(past, 24)
        services.plan_generate(event=past, by=coordinator, min_size=6, max_size=6, seed=days)
    upcoming = EventFactory(partnership=partnership)
    attendees(upcoming, 24)
    plan = services.plan_generate(event=upcoming, by=coordinator, min_size=6, max_size=6, seed=7)
    from networking.selectors import plan_view

    explanation = plan_view(plan=plan).explanation()
    assert explanation["earlier_sessions"] == 2
    assert explanation["first_time_share"] > explanation["baseline"]["first_time_share"]
    assert explanation["first_time_share"] >= 0.75  # about 0.6 at random; 0.87 if sectors did not matter
