from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from events import services
from events.models import Event, Series
from events.signals import event_changed
from registrations.models import Registration
from tests.events.factories import EventFactory, RegistrationFactory, VenueFactory

pytestmark = pytest.mark.django_db
MELBOURNE = ZoneInfo("Australia/Melbourne")
NEXT_YEAR = timezone.localdate().year + 1


def make_series(partnership, **overrides) -> Series:
    values = {
        "partnership": partnership,
        "title": "Collaborating for Systems Improvement",
        "start_date": date(NEXT_YEAR, 1, 1),
        "start_time": time(9, 30),
        "rrule": f"FREQ=MONTHLY;BYDAY=1WE;BYMONTH=2,3,4,5,6,7,8,9,10,11;UNTIL={NEXT_YEAR}1130",
        "default_capacity": 50,
    }
    values.update(overrides)
    return services.series_create(**values)


@pytest.fixture
def received():
    calls = []

    def receiver(sender, event, change, previous, **kwargs):
        calls.append((event.pk, change, previous))

    event_changed.connect(receiver)
    yield calls
    event_changed.disconnect(receiver)


def test_series_creates_one_real_event_per_occurrence_at_local_time(partnership):
    venue = VenueFactory(partnership=partnership)
    series = make_series(partnership, default_venue=venue, publish=True)
    events = list(series.events.order_by("start"))
    assert len(events) == 10
    assert {e.local_start.time() for e in events} == {time(9, 30)}
    assert {e.duration for e in events} == {timedelta(hours=2)}
    assert all(e.status == Event.Status.PUBLISHED and e.venue == venue and e.capacity == 50 for e in events)
    # Stored in UTC: February is daylight time (+11), June standard time (+10).
    february, june = events[0], events[4]
    for event, offset in ((february, 11), (june, 10)):
        local = datetime.combine(event.occurrence_date, time(9, 30), tzinfo=MELBOURNE)
        assert local.utcoffset() == timedelta(hours=offset)
        assert event.start == local
        assert event.start.astimezone(ZoneInfo("UTC")).time() == time({11: 22, 10: 23}[offset], 30)


def test_series_create_is_all_or_nothing_on_a_bad_rule(partnership):
    with pytest.raises(ValidationError) as info:
        make_series(partnership, rrule="FREQ=SOMETIMES")
    assert "rrule" in info.value.message_dict
    assert not Series.objects.exists() and not Event.objects.exists()


def test_series_refuses_another_partnerships_venue(partnership, other_partnership):
    with pytest.raises(ValidationError) as info:
        make_series(partnership, default_venue=VenueFactory(partnership=other_partnership))
    assert info.value.message_dict == {"venue": [services.VENUE_OTHER_PARTNERSHIP]}


def test_editing_the_series_updates_future_unedited_occurrences_only(partnership):
    series = make_series(partnership)
    first, second, *_ = series.events.order_by("start")
    services.event_update(event=second, capacity=80)
    other_venue = VenueFactory(partnership=partnership)
    services.series_update(series=series, title="New title", default_capacity=60, default_venue=other_venue)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.title, first.capacity, first.venue) == ("New title", 60, other_venue)
    assert (second.title, second.capacity, second.venue) == ("New title", 80, other_venue)
    assert second.detached == ["capacity"]


def test_moving_an_occurrence_detaches_its_time_from_the_series(partnership):
    series = make_series(partnership)
    event = series.events.order_by("start").first()
    new_start = event.start + timedelta(days=1)
    services.event_update(event=event, start=new_start, end=new_start + timedelta(hours=2))
    services.series_update(series=series, start_time=time(10, 0))
    event.refresh_from_db()
    assert event.start == new_start
    assert event.detached == ["start"]
    others = series.events.exclude(pk=event.pk)
    assert {e.local_start.time() for e in others} == {time(10, 0)}


def test_series_edit_refuses_to_move_sessions_with_registrations_without_confirmation(partnership, received):
    series = make_series(partnership)
    event = series.events.order_by("start").first()
    RegistrationFactory(event=event)
    with pytest.raises(ValidationError) as info:
        services.series_update(series=series, start_time=time(13, 0))
    assert "confirm_moves" in info.value.message_dict
    event.refresh_from_db()
    series.refresh_from_db()
    assert event.local_start.time() == time(9, 30) and series.start_time == time(9, 30)
    sequence = event.sequence

    result = services.series_update(series=series, start_time=time(13, 0), confirm_moves=True)
    event.refresh_from_db()
    assert event.local_start.time() == time(13, 0)
    assert event in result.moved
    assert event.sequence == sequence + 1
    assert (event.pk, "rescheduled") in [(pk, change) for pk, change, _ in received]


def test_series_edit_removes_dropped_dates_and_cancels_those_with_registrations(partnership):
    series = make_series(partnership)
    events = list(series.events.order_by("start"))
    RegistrationFactory(event=events[-1])  # November
    result = services.series_update(
        series=series, rrule=f"FREQ=MONTHLY;BYDAY=1WE;BYMONTH=2,3,4,5,6,7,8,9;UNTIL={NEXT_YEAR}1130", confirm_moves=True
    )
    assert len(result.removed) == 1  # October, empty: deleted
    assert [e.pk for e in result.cancelled] == [events[-1].pk]
    events[-1].refresh_from_db()
    assert events[-1].status == Event.Status.CANCELLED and events[-1].cancel_reason


def test_series_edit_adds_new_dates(partnership):
    series = make_series(partnership, publish=True)
    result = services.series_update(series=series, rrule=f"FREQ=MONTHLY;BYDAY=1WE;UNTIL={NEXT_YEAR}1231")
    assert [e.occurrence_date.month for e in result.created] == [1, 12]
    assert all(e.status == Event.Status.PUBLISHED for e in result.created)


def test_series_edit_never_touches_past_occurrences(partnership):
    event = EventFactory(partnership=partnership, start=timezone.now() - timedelta(days=3))
    series = make_series(partnership)
    event.series = series
    event.occurrence_date = date(2000, 1, 1)
    event.save()
    services.series_update(series=series, title="Changed")
    event.refresh_from_db()
    assert event.title != "Changed"


def test_capacity_cannot_drop_below_confirmed(partnership):
    event = EventFactory(partnership=partnership, capacity=3)
    RegistrationFactory.create_batch(3, event=event)
    with pytest.raises(ValidationError) as info:
        services.event_update(event=event, capacity=2)
    assert info.value.message_dict == {"capacity": [services.CAPACITY_TOO_LOW.format(confirmed=3)]}
    services.event_update(event=event, capacity=3)


def test_end_before_start_is_refused_and_nothing_is_written(partnership):
    event = EventFactory(partnership=partnership)
    with pytest.raises(ValidationError) as info:
        services.event_update(event=event, title="Changed", end=event.start - timedelta(minutes=1))
    assert "end" in info.value.message_dict
    event.refresh_from_db()
    assert event.title != "Changed"


def test_publishing_in_the_past_is_refused(partnership):
    event = EventFactory(partnership=partnership, status=Event.Status.DRAFT, start=timezone.now() - timedelta(hours=1))
    with pytest.raises(ValidationError) as info:
        services.event_publish(event=event)
    assert info.value.message_dict == {"start": [services.PUBLISH_PAST]}


def test_cancel_needs_a_reason_keeps_it_raises_sequence_and_notifies(partnership, received):
    event = EventFactory(partnership=partnership)
    with pytest.raises(ValidationError):
        services.event_cancel(event=event, reason="  ")
    cancelled = services.event_cancel(event=event, reason="Venue flooded")
    assert cancelled.status == Event.Status.CANCELLED
    assert cancelled.cancel_reason == "Venue flooded"
    assert cancelled.sequence == event.sequence + 1
    assert received[-1][:2] == (event.pk, "cancelled")
    with pytest.raises(ValidationError):
        services.event_update(event=cancelled, title="x")


def test_reschedule_of_a_one_off_notifies_with_the_previous_time(partnership, received):
    event = EventFactory(partnership=partnership)
    services.event_update(event=event, start=event.start + timedelta(hours=1), end=event.end + timedelta(hours=1))
    pk, change, previous = received[-1]
    assert (pk, change, previous["start"]) == (event.pk, "rescheduled", event.start)


def test_one_off_event_with_registration_window(partnership):
    start = timezone.now() + timedelta(days=10)
    with pytest.raises(ValidationError) as info:
        services.event_create(
            partnership=partnership,
            title="One-off",
            start=start,
            end=start + timedelta(hours=2),
            registration_opens_at=start - timedelta(days=1),
            registration_closes_at=start - timedelta(days=2),
        )
    assert "registration_closes_at" in info.value.message_dict
    event = services.event_create(
        partnership=partnership, title="One-off", start=start, end=start + timedelta(hours=2), publish=True
    )
    assert event.registration_is_open
    assert event.closes_at == start


def test_registrations_count_toward_spaces_left(partnership):
    event = EventFactory(partnership=partnership, capacity=2)
    RegistrationFactory(event=event)
    RegistrationFactory(event=event, status=Registration.Status.WAITLISTED)
    assert event.spaces_left == 1
