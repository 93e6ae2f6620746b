import json
from datetime import time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import User
from events.services import event_update
from registrations import services
from registrations.models import Registration
from registrations.signals import registration_changed
from tests.accounts.factories import UserFactory, sector
from tests.events.factories import EventFactory

pytestmark = pytest.mark.django_db
CONFIRMED, WAITLISTED, CANCELLED = "confirmed", "waitlisted", "cancelled"


@pytest.fixture
def changes():
    seen = []

    def receiver(sender, registration, change, **kwargs):
        seen.append((registration.user_id, change))

    registration_changed.connect(receiver)
    yield seen
    registration_changed.disconnect(receiver)


def register(event, user=None, **kwargs):
    registration, _ = services.registration_create(event=event, user=user or UserFactory(), **kwargs)
    return registration


def statuses(event):
    return [
        (r.status, r.waitlist_position)
        for r in event.registrations.order_by("status", "waitlist_position", "created_at")
    ]


def test_confirmed_while_seats_then_waitlisted_in_order(partnership):
    event = EventFactory(partnership=partnership, capacity=2)
    results = [register(event) for _ in range(4)]
    assert [(r.status, r.waitlist_position) for r in results] == [
        (CONFIRMED, None),
        (CONFIRMED, None),
        (WAITLISTED, 1),
        (WAITLISTED, 2),
    ]


def test_registering_again_returns_the_same_registration(partnership, practitioner):
    event = EventFactory(partnership=partnership)
    first, created = services.registration_create(event=event, user=practitioner)
    again, created_again = services.registration_create(event=event, user=practitioner)
    assert (created, created_again) == (True, False)
    assert first.pk == again.pk
    assert event.registrations.count() == 1


def test_a_cancelled_seat_goes_to_the_head_of_the_waitlist(partnership, changes):
    event = EventFactory(partnership=partnership, capacity=1)
    seated, first_waiting, second_waiting = register(event), register(event), register(event)
    services.registration_cancel(registration=seated, by=seated.user)
    first_waiting.refresh_from_db()
    second_waiting.refresh_from_db()
    assert (first_waiting.status, first_waiting.waitlist_position) == (CONFIRMED, None)
    assert (second_waiting.status, second_waiting.waitlist_position) == (WAITLISTED, 1)
    assert (first_waiting.user_id, "promoted") in changes
    assert (seated.user_id, "cancelled") in changes


def test_leaving_the_waitlist_closes_the_gap(partnership):
    event = EventFactory(partnership=partnership, capacity=1)
    register(event)
    waiting = [register(event) for _ in range(3)]
    services.registration_cancel(registration=waiting[1], by=waiting[1].user)
    assert [r.waitlist_position for r in Registration.objects.filter(status=WAITLISTED).order_by("pk")] == [1, 2]


def test_raising_capacity_promotes_in_order(partnership, changes):
    event = EventFactory(partnership=partnership, capacity=1)
    register(event)
    waiting = [register(event) for _ in range(3)]
    event_update(event=event, capacity=3)
    assert [Registration.objects.get(pk=r.pk).status for r in waiting] == [CONFIRMED, CONFIRMED, WAITLISTED]
    assert Registration.objects.get(pk=waiting[2].pk).waitlist_position == 1


def test_raising_capacity_with_a_new_time_still_promotes(partnership):
    """Capacity raised together with another change is still announced (events' event_changed) and filled."""
    event = EventFactory(partnership=partnership, capacity=1)
    register(event)
    waiting = register(event)
    event_update(event=event, capacity=2, start=event.start + timedelta(hours=1), end=event.end + timedelta(hours=1))
    assert Registration.objects.get(pk=waiting.pk).status == CONFIRMED


def test_raising_a_series_capacity_fills_each_future_occurrence_from_its_waitlist(partnership):
    from events.services import series_create, series_update

    series = series_create(
        partnership=partnership,
        title="Monthly",
        rrule="FREQ=MONTHLY;BYDAY=1TU;COUNT=3",
        start_date=(timezone.now() + timedelta(days=10)).date(),
        start_time=time(9, 30),
        duration_minutes=120,
        default_capacity=1,
        publish=True,
    )
    occurrences = list(series.events.order_by("start"))
    waiting = []
    for occurrence in occurrences:
        register(occurrence)
        waiting.append(register(occurrence))
    assert {r.status for r in Registration.objects.filter(pk__in=[w.pk for w in waiting])} == {WAITLISTED}
    series_update(series=series, default_capacity=2)
    assert {r.status for r in Registration.objects.filter(pk__in=[w.pk for w in waiting])} == {CONFIRMED}


def test_move_to_top(partnership):
    event = EventFactory(partnership=partnership, capacity=1)
    register(event)
    a, b, c = register(event), register(event), register(event)
    services.waitlist_move_to_top(registration=c)
    assert [Registration.objects.get(pk=r.pk).waitlist_position for r in (a, b, c)] == [2, 3, 1]
    with pytest.raises(ValidationError):
        services.waitlist_move_to_top(registration=Registration.objects.filter(status=CONFIRMED).first())


def test_re_registering_after_cancelling_takes_a_new_place(partnership, practitioner):
    event = EventFactory(partnership=partnership, capacity=1)
    mine = register(event, practitioner)
    services.registration_cancel(registration=mine, by=practitioner)
    register(event)  # someone else takes the seat
    again, created = services.registration_create(event=event, user=practitioner)
    assert created and again.pk == mine.pk
    assert (again.status, again.waitlist_position) == (WAITLISTED, 1)


def test_closed_or_draft_or_cancelled_events_refuse(partnership, practitioner):
    for event in (
        EventFactory(partnership=partnership, status="draft"),
        EventFactory(partnership=partnership, status="cancelled"),
        EventFactory(partnership=partnership, registration_closes_at=timezone.now() - timedelta(minutes=1)),
        EventFactory(partnership=partnership, start=timezone.now() - timedelta(minutes=5)),
        EventFactory(partnership=partnership, registration_opens_at=timezone.now() + timedelta(days=1)),
    ):
        with pytest.raises(ValidationError) as info:
            services.registration_create(event=event, user=practitioner)
        assert "event" in info.value.message_dict
    assert not Registration.objects.exists()


def test_the_person_cannot_cancel_after_the_start_but_a_coordinator_can(partnership, coordinator):
    event = EventFactory(partnership=partnership)
    registration = register(event)
    event.start = timezone.now() - timedelta(minutes=1)
    event.save()
    with pytest.raises(ValidationError):
        services.registration_cancel(registration=registration, by=registration.user)
    services.registration_cancel(registration=registration, by=coordinator)


def test_check_in_by_code_is_forgiving_about_case_and_hyphens(partnership, coordinator):
    event = EventFactory(partnership=partnership, start=timezone.now() + timedelta(hours=1))
    registration = register(event)
    typed = registration.display_code.lower()
    checked = services.attendance_check_in(event=event, code=typed, by=coordinator)
    assert checked.attendance == "attended" and checked.attendance_marked_by == coordinator
    with pytest.raises(ValidationError) as info:
        services.attendance_check_in(event=event, code="ZZZZZZ", by=coordinator)
    assert "code" in info.value.message_dict


def test_codes_of_another_event_do_not_check_in(partnership, coordinator):
    soon = timezone.now() + timedelta(hours=1)
    event, other = EventFactory(partnership=partnership, start=soon), EventFactory(partnership=partnership, start=soon)
    registration = register(other)
    with pytest.raises(ValidationError):
        services.attendance_check_in(event=event, code=registration.check_in_code, by=coordinator)


def test_finalise_turns_the_unmarked_into_no_shows(partnership, coordinator):
    event = EventFactory(partnership=partnership, capacity=3)
    came, missed = register(event), register(event)
    elsewhere = register(EventFactory(partnership=partnership))
    services.attendance_mark(registration=came, attended=True, by=coordinator)
    with pytest.raises(ValidationError):
        services.attendance_finalise(event=event, by=coordinator)  # not started yet
    event.start, event.end = timezone.now() - timedelta(hours=2), timezone.now() - timedelta(minutes=1)
    event.save()
    assert services.attendance_finalise(event=event, by=coordinator) == 1
    missed.refresh_from_db()
    came.refresh_from_db()
    assert (came.attendance, missed.attendance) == ("attended", "no_show")
    with pytest.raises(ValidationError):
        services.attendance_finalise(event=event, by=coordinator)
    elsewhere.refresh_from_db()
    assert elsewhere.attendance == "unknown"


def test_walk_in_gets_an_account_a_seat_and_attendance_even_when_full(partnership, coordinator):
    event = EventFactory(partnership=partnership, capacity=1)
    register(event)
    walk_in = services.walk_in_add(
        event=event, by=coordinator, email="New.Person@Example.org", full_name="New Person", sector=sector("medical")
    )
    event.refresh_from_db()
    assert (walk_in.status, walk_in.attendance, walk_in.source) == (CONFIRMED, "attended", "walk_in")
    assert event.capacity == 2
    user = User.objects.get(email="new.person@example.org")
    assert not user.has_usable_password() and walk_in.sector == sector("medical")


def test_a_waitlisted_walk_in_takes_a_seat_without_raising_capacity_twice(partnership, coordinator):
    event = EventFactory(partnership=partnership, capacity=1)
    register(event)
    waiting = register(event)
    services.walk_in_add(event=event, by=coordinator, email=waiting.user.email, full_name="Waiting Person")
    event.refresh_from_db()
    waiting.refresh_from_db()
    assert event.capacity == 2
    assert (waiting.status, waiting.attendance) == (CONFIRMED, "attended")
    assert event.registrations.filter(status=CONFIRMED).count() == 2


def test_deleting_an_account_anonymises_and_frees_upcoming_seats(partnership, coordinator):
    past = EventFactory(partnership=partnership, capacity=5)
    upcoming = EventFactory(partnership=partnership, capacity=1)
    person = UserFactory(sector=sector("community-services"))
    attended = register(past, person, needs="Wheelchair access", talk_about="Housing")
    services.attendance_mark(registration=attended, attended=True, by=coordinator)
    past.start, past.end = timezone.now() - timedelta(days=3), timezone.now() - timedelta(days=3) + timedelta(hours=2)
    past.save()
    seat = register(upcoming, person)
    waiting = register(upcoming)
    services.user_delete_account(user=person)
    attended.refresh_from_db()
    seat.refresh_from_db()
    waiting.refresh_from_db()
    assert not User.objects.filter(pk=person.pk).exists()
    assert attended.user is None and attended.needs == "" and attended.talk_about == ""
    assert (attended.attendance, attended.sector) == ("attended", sector("community-services"))
    assert seat.status == CANCELLED and waiting.status == CONFIRMED


def test_export_holds_the_persons_data(partnership, practitioner):
    register(EventFactory(partnership=partnership, title="Export me"), practitioner, needs="Vegetarian")
    data = services.user_export_data(user=practitioner)
    assert data["account"]["email"] == practitioner.email
    assert data["registrations"][0]["event"] == "Export me"
    assert data["registrations"][0]["needs"] == "Vegetarian"


def test_export_holds_what_the_other_apps_hold_about_the_person(partnership, practitioner, client):
    """Follows (the consent announcements rest on) and the sessions one presents are in the export too,
    on the page and in the API."""
    from notifications.announcements import follow_set
    from resources.models import SessionPresenter
    from tests.events.factories import TopicFactory

    topic = TopicFactory(name="Family violence")
    follow_set(user=practitioner, partnership=partnership, topics=[topic])
    event = EventFactory(partnership=partnership, title="I present this")
    SessionPresenter.objects.create(event=event, user=practitioner)

    data = services.user_export_data(user=practitioner)
    assert [(f["partnership"], f["topics"]) for f in data["follows"]] == [(partnership.slug, ["Family violence"])]
    assert [p["event"] for p in data["presenting"]] == ["I present this"]
    other = services.user_export_data(user=UserFactory())
    assert other["follows"] == [] and other["presenting"] == []

    client.force_login(practitioner)
    response = client.get("/accounts/data/")
    assert response.status_code == 200
    exported = json.loads(response.content)
    assert exported["follows"][0]["partnership"] == partnership.slug
