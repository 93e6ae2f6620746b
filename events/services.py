"""Writes for venues, series and events. Each service opens its own transaction.

A series is a rule; its occurrences are real Event rows. An occurrence edited on its own
(moved, another venue, another capacity) records the field in `detached`, and series edits leave
that field alone. A series edit that would move or remove an occurrence people registered for
refuses unless the caller confirms (`confirm_moves=True`), and then notifies them through the
`event_changed` signal, sent inside the transaction so receivers can write to an outbox.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Partnership, Sector, User

from . import recurrence
from .models import Event, Series, Topic, Venue
from .seats import seats
from .signals import event_changed, sessions_published

END_BEFORE_START = "The end must be after the start."
CAPACITY_TOO_LOW = "Capacity cannot be below the {confirmed} people already confirmed."
CAPACITY_MIN = "Capacity must be at least 1."
PUBLISH_PAST = "A session that has already started cannot be published."
PUBLISH_CANCELLED = "A cancelled session cannot be published again."
CANCEL_REASON_REQUIRED = "Say why the session is cancelled: registrants will see the reason."
ALREADY_CANCELLED = "This session is already cancelled."
EDIT_CANCELLED = "A cancelled session cannot be changed."
EDIT_PAST = "A session that has ended cannot be changed."
VENUE_OTHER_PARTNERSHIP = "That venue belongs to another partnership."
MOVES_NEED_CONFIRMATION = (
    "This change moves or removes {count} session(s) that people have registered for: {dates}. "
    "Confirm to go ahead; they will be told."
)
REGISTRATION_WINDOW = "Registration must open before it closes."
TITLE_REQUIRED = "A title is required."
ONLINE_VENUE_NEEDS_LINK = "An online or hybrid venue needs a meeting link."
IN_PERSON_VENUE_NEEDS_ADDRESS = "An in-person or hybrid venue needs an address."

CONTENT_FIELDS = ("title", "description", "cohosts", "facilitators")
SERIES_FIELDS = CONTENT_FIELDS + (
    "default_venue",
    "default_capacity",
    "duration_minutes",
    "start_date",
    "start_time",
    "rrule",
    "exdates",
)


# --- Venues ------------------------------------------------------------------------------


def _check_venue(venue: Venue) -> None:
    errors = {}
    if venue.is_online and not venue.online_url:
        errors["online_url"] = ONLINE_VENUE_NEEDS_LINK
    if venue.is_in_person and not venue.address:
        errors["address"] = IN_PERSON_VENUE_NEEDS_ADDRESS
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def venue_create(*, partnership: Partnership, **fields) -> Venue:
    venue = Venue(partnership=partnership, **fields)
    venue.full_clean()
    _check_venue(venue)
    venue.save()
    return venue


VENUE_PLACE_FIELDS = ("name", "kind", "address", "online_url", "accessibility_notes", "parking_notes")


@transaction.atomic
def venue_update(*, venue: Venue, **changes) -> Venue:
    """Edit a venue. Its sessions still in calendars (upcoming, or past up to 60 days) get a higher
    SEQUENCE and a new LAST-MODIFIED, so feeds change their ETag and no subscriber keeps the old
    LOCATION; people registered for upcoming sessions get an updated invitation."""
    venue = Venue.objects.select_for_update().get(pk=venue.pk)
    before = {name: getattr(venue, name) for name in VENUE_PLACE_FIELDS}
    for name, value in changes.items():
        setattr(venue, name, value)
    venue.full_clean()
    _check_venue(venue)
    venue.save()
    if any(getattr(venue, name) != value for name, value in before.items()):
        now = timezone.now()
        affected = Event.objects.filter(venue=venue, start__gte=now - timedelta(days=60))
        affected.update(sequence=F("sequence") + 1, updated_at=now)
        upcoming = affected.filter(start__gt=now, status__in=[Event.Status.PUBLISHED]).select_related(
            "partnership", "venue"
        )
        for event in upcoming:
            event_changed.send(sender=Event, event=event, change="venue", previous={"venue_id": venue.pk})
    return venue


def _check_venue_partnership(venue: Venue | None, partnership: Partnership) -> None:
    if venue is not None and venue.partnership_id != partnership.pk:
        raise ValidationError({"venue": VENUE_OTHER_PARTNERSHIP})


# --- Series ------------------------------------------------------------------------------


def series_preview(
    *,
    partnership: Partnership,
    rrule: str,
    start_date: date,
    start_time: time,
    duration_minutes: int = 120,
    exdates: list[date] | None = None,
) -> list[recurrence.Occurrence]:
    """The dates a rule gives, in the partnership's zone, without writing anything."""
    return recurrence.expand(
        rule=rrule,
        start_date=start_date,
        start_time=start_time,
        duration=timedelta(minutes=duration_minutes),
        zone=partnership.zone,
        exdates=exdates,
    )


def _series_occurrences(series: Series) -> list[recurrence.Occurrence]:
    return series_preview(
        partnership=series.partnership,
        rrule=series.rrule,
        start_date=series.start_date,
        start_time=series.start_time,
        duration_minutes=series.duration_minutes,
        exdates=[date.fromisoformat(d) for d in series.exdates],
    )


def _exdates_to_json(exdates) -> list[str]:
    out = []
    for value in exdates or []:
        try:
            out.append(value.isoformat() if isinstance(value, date) else date.fromisoformat(str(value)).isoformat())
        except ValueError:
            raise ValidationError({"exdates": f"Not a date: {value}. Use YYYY-MM-DD."})
    return sorted(set(out))


@transaction.atomic
def series_create(
    *,
    partnership: Partnership,
    title: str,
    start_date: date,
    start_time: time,
    rrule: str,
    created_by: User | None = None,
    description: str = "",
    topics: list[Topic] | None = None,
    sectors: list[Sector] | None = None,
    cohosts: list[str] | None = None,
    facilitators: list[str] | None = None,
    default_venue: Venue | None = None,
    default_capacity: int = 50,
    duration_minutes: int = 120,
    exdates: list | None = None,
    publish: bool = False,
) -> Series:
    _check_venue_partnership(default_venue, partnership)
    series = Series(
        partnership=partnership,
        title=(title or "").strip(),
        description=description,
        cohosts=list(cohosts or []),
        facilitators=list(facilitators or []),
        default_venue=default_venue,
        default_capacity=default_capacity,
        duration_minutes=duration_minutes,
        start_date=start_date,
        start_time=start_time,
        rrule=recurrence.normalise_rrule(rrule),
        exdates=_exdates_to_json(exdates),
        is_published=publish,
        created_by=created_by,
    )
    series.full_clean()
    occurrences = _series_occurrences(series)
    series.save()
    series.topics.set(topics or [])
    series.sectors.set(sectors or [])
    now = timezone.now()
    created = [
        _occurrence_create(series, occurrence, publish=publish and occurrence.start_utc > now)
        for occurrence in occurrences
    ]
    _announce_published(series.partnership, [e for e in created if e.status == Event.Status.PUBLISHED])
    return series


def _occurrence_create(series: Series, occurrence: recurrence.Occurrence, *, publish: bool) -> Event:
    event = Event(
        partnership=series.partnership,
        series=series,
        occurrence_date=occurrence.date,
        title=series.title,
        description=series.description,
        cohosts=list(series.cohosts),
        facilitators=list(series.facilitators),
        venue=series.default_venue,
        start=occurrence.start_utc,
        end=occurrence.end_utc,
        capacity=series.default_capacity,
        status=Event.Status.PUBLISHED if publish else Event.Status.DRAFT,
        published_at=timezone.now() if publish else None,
    )
    event.full_clean(validate_unique=False, validate_constraints=False)
    event.save()
    event.topics.set(series.topics.all())
    event.sectors.set(series.sectors.all())
    return event


@dataclass
class SeriesChanges:
    """What a series edit did to its occurrences."""

    created: list[Event] = field(default_factory=list)
    updated: list[Event] = field(default_factory=list)
    moved: list[Event] = field(default_factory=list)
    removed: list[Event] = field(default_factory=list)
    cancelled: list[Event] = field(default_factory=list)


@transaction.atomic
def series_update(
    *,
    series: Series,
    topics: list[Topic] | None = None,
    sectors: list[Sector] | None = None,
    confirm_moves: bool = False,
    **changes,
) -> SeriesChanges:
    """Change a series and bring its future, unedited occurrences in line.

    Past occurrences never change. An occurrence with registrations is moved (or, if the rule no
    longer gives its date, cancelled) only with confirm_moves=True; otherwise a ValidationError
    lists them and nothing is written.
    """
    series = Series.objects.select_for_update().select_related("partnership").get(pk=series.pk)
    unknown = set(changes) - set(SERIES_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "This field cannot be changed."))
    if "default_venue" in changes:
        _check_venue_partnership(changes["default_venue"], series.partnership)
    if "rrule" in changes:
        changes["rrule"] = recurrence.normalise_rrule(changes["rrule"])
    if "exdates" in changes:
        changes["exdates"] = _exdates_to_json(changes["exdates"])
    for name, value in changes.items():
        setattr(series, name, value)
    series.full_clean()
    occurrences = {o.date: o for o in _series_occurrences(series)}
    series.save()
    if topics is not None:
        series.topics.set(topics)
    if sectors is not None:
        series.sectors.set(sectors)

    now = timezone.now()
    future = series.events.filter(start__gt=now).exclude(status=Event.Status.CANCELLED).select_related("partnership")
    future = list(seats().annotate_active(future))
    result = SeriesChanges()
    to_move: list[tuple[Event, recurrence.Occurrence]] = []
    to_drop: list[Event] = []
    for event in future:
        occurrence = occurrences.get(event.occurrence_date)
        if occurrence is None:
            if "start" not in event.detached:
                to_drop.append(event)
            continue
        if "start" not in event.detached and (event.start, event.end) != (occurrence.start_utc, occurrence.end_utc):
            to_move.append((event, occurrence))
    affected = [e for e, _ in to_move if e.active_registrations] + [e for e in to_drop if e.active_registrations]
    if affected and not confirm_moves:
        dates = ", ".join(f"{e.local_start:%-d %b %Y}" for e in sorted(affected, key=lambda e: e.start))
        raise ValidationError({"confirm_moves": MOVES_NEED_CONFIRMATION.format(count=len(affected), dates=dates)})

    moving = {e.pk: o for e, o in to_move}
    newly_published: list[Event] = []
    topic_list = list(series.topics.all())
    sector_list = list(series.sectors.all())
    for event in future:
        if event in to_drop:
            continue
        previous = _snapshot(event)
        for name in CONTENT_FIELDS:
            setattr(event, name, getattr(series, name))
        if "venue" not in event.detached:
            event.venue = series.default_venue
        if "capacity" not in event.detached:
            event.capacity = max(series.default_capacity, _confirmed_count(event))
        if event.pk in moving:
            event.start, event.end = moving[event.pk].start_utc, moving[event.pk].end_utc
        if series.is_published and event.status == Event.Status.DRAFT:
            event.status, event.published_at = Event.Status.PUBLISHED, now
            newly_published.append(event)
        change = _save_with_sequence(event, previous)
        event.topics.set(topic_list)
        event.sectors.set(sector_list)
        result.updated.append(event)
        if event.pk in moving:
            result.moved.append(event)
        if change:
            event_changed.send(sender=Event, event=event, change=change, previous=previous)

    for event in to_drop:
        if event.active_registrations:
            _cancel(event, reason="This date was removed from the series.")
            result.cancelled.append(event)
        else:
            result.removed.append(event)
            event.delete()

    existing = set(series.events.values_list("occurrence_date", flat=True))
    for day, occurrence in occurrences.items():
        if day not in existing and occurrence.start_utc > now:
            result.created.append(_occurrence_create(series, occurrence, publish=series.is_published))
    if series.is_published:
        _announce_published(series.partnership, sorted(newly_published + result.created, key=lambda e: e.start))
    return result


@transaction.atomic
def series_publish(*, series: Series) -> list[Event]:
    """Publish the series and every future draft occurrence."""
    series = Series.objects.select_for_update().select_related("partnership").get(pk=series.pk)
    series.is_published = True
    series.save(update_fields=["is_published", "updated_at"])
    published = []
    for event in series.events.filter(status=Event.Status.DRAFT, start__gt=timezone.now()).order_by("start"):
        published.append(_publish(event)[0])
    _announce_published(series.partnership, published)
    return published


def _announce_published(partnership: Partnership, events: list[Event]) -> None:
    """One `sessions_published` per publishing action, in its transaction (nothing when none were)."""
    if events:
        sessions_published.send(sender=Event, partnership=partnership, events=events)


# --- Events ------------------------------------------------------------------------------


def _confirmed_count(event: Event) -> int:
    return seats().confirmed_count(event)


def _snapshot(event: Event) -> dict:
    return {
        "start": event.start,
        "end": event.end,
        "venue_id": event.venue_id,
        "status": event.status,
        "capacity": event.capacity,
    }


def _change_kind(event: Event, previous: dict) -> str | None:
    if event.status != previous["status"]:
        return "cancelled" if event.status == Event.Status.CANCELLED else "status"
    if (event.start, event.end) != (previous["start"], previous["end"]):
        return "rescheduled"
    if event.venue_id != previous["venue_id"]:
        return "venue"
    if event.capacity != previous["capacity"]:
        return "capacity"
    return None


def _save_with_sequence(event: Event, previous: dict) -> str | None:
    """Save; raise SEQUENCE when time, place or status changed. Returns the kind of change."""
    change = _change_kind(event, previous)
    if change in ("cancelled", "status", "rescheduled", "venue"):
        event.sequence += 1
    event.full_clean(validate_unique=False, validate_constraints=False)
    event.save()
    return change


def _validate_times(start: datetime, end: datetime) -> None:
    if end <= start:
        raise ValidationError({"end": END_BEFORE_START})


def _validate_registration_window(event: Event) -> None:
    opens, closes = event.registration_opens_at, event.registration_closes_at
    if opens and closes and opens >= closes:
        raise ValidationError({"registration_closes_at": REGISTRATION_WINDOW})


@transaction.atomic
def event_create(
    *,
    partnership: Partnership,
    title: str,
    start: datetime,
    end: datetime,
    description: str = "",
    topics: list[Topic] | None = None,
    sectors: list[Sector] | None = None,
    cohosts: list[str] | None = None,
    facilitators: list[str] | None = None,
    venue: Venue | None = None,
    capacity: int = 50,
    registration_opens_at: datetime | None = None,
    registration_closes_at: datetime | None = None,
    publish: bool = False,
) -> Event:
    """A one-off event (no series)."""
    _validate_times(start, end)
    _check_venue_partnership(venue, partnership)
    event = Event(
        partnership=partnership,
        title=(title or "").strip(),
        description=description,
        cohosts=list(cohosts or []),
        facilitators=list(facilitators or []),
        venue=venue,
        start=start,
        end=end,
        capacity=capacity,
        registration_opens_at=registration_opens_at,
        registration_closes_at=registration_closes_at,
    )
    event.full_clean(validate_constraints=False)
    _validate_registration_window(event)
    event.save()
    event.topics.set(topics or [])
    event.sectors.set(sectors or [])
    if publish:
        event = event_publish(event=event)
    return event


EVENT_FIELDS = CONTENT_FIELDS + (
    "start",
    "end",
    "venue",
    "capacity",
    "registration_opens_at",
    "registration_closes_at",
)


@transaction.atomic
def event_update(
    *,
    event: Event,
    topics: list[Topic] | None = None,
    sectors: list[Sector] | None = None,
    **changes,
) -> Event:
    """Edit one event. On an occurrence, start/end, venue and capacity detach from the series."""
    event = Event.objects.select_for_update().select_related("partnership").get(pk=event.pk)
    unknown = set(changes) - set(EVENT_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "This field cannot be changed."))
    if event.status == Event.Status.CANCELLED:
        raise ValidationError({"status": EDIT_CANCELLED})
    if event.is_past:
        raise ValidationError({"start": EDIT_PAST})
    if "venue" in changes:
        _check_venue_partnership(changes["venue"], event.partnership)
    previous = _snapshot(event)
    for name, value in changes.items():
        setattr(event, name, value)
    _validate_times(event.start, event.end)
    _validate_registration_window(event)
    if "capacity" in changes:
        if event.capacity is None or event.capacity < 1:
            raise ValidationError({"capacity": CAPACITY_MIN})
        confirmed = _confirmed_count(event)
        if event.capacity < confirmed:
            raise ValidationError({"capacity": CAPACITY_TOO_LOW.format(confirmed=confirmed)})
    if event.series_id:
        detached = set(event.detached)
        if (event.start, event.end) != (previous["start"], previous["end"]):
            detached.add("start")
        if event.venue_id != previous["venue_id"]:
            detached.add("venue")
        if event.capacity != previous["capacity"]:
            detached.add("capacity")
        event.detached = sorted(detached)
    change = _save_with_sequence(event, previous)
    if topics is not None:
        event.topics.set(topics)
    if sectors is not None:
        event.sectors.set(sectors)
    if change:
        event_changed.send(sender=Event, event=event, change=change, previous=previous)
    return event


def event_lock(*, event: Event | int, related: tuple[str, ...] = ()) -> Event:
    """The event row as it is now (by row or id), locked until the caller's transaction ends (call inside
    one), with the named relations fetched with it."""
    pk = event if isinstance(event, int) else event.pk
    return Event.objects.select_for_update().select_related(*related).get(pk=pk)


@transaction.atomic
def event_publish(*, event: Event) -> Event:
    event, published = _publish(event)
    if published:
        _announce_published(event.partnership, [event])
    return event


def _publish(event: Event) -> tuple[Event, bool]:
    """Lock and publish one session; `event_changed(change="published")`. Returns it and whether it
    became published now (False when it already was)."""
    event = Event.objects.select_for_update().select_related("partnership").get(pk=event.pk)
    if event.status == Event.Status.PUBLISHED:
        return event, False
    if event.status == Event.Status.CANCELLED:
        raise ValidationError({"status": PUBLISH_CANCELLED})
    if event.start <= timezone.now():
        raise ValidationError({"start": PUBLISH_PAST})
    previous = _snapshot(event)
    event.status = Event.Status.PUBLISHED
    event.published_at = timezone.now()
    _save_with_sequence(event, previous)
    event_changed.send(sender=Event, event=event, change="published", previous=previous)
    return event, True


def _cancel(event: Event, *, reason: str) -> Event:
    previous = _snapshot(event)
    event.status = Event.Status.CANCELLED
    event.cancel_reason = reason
    event.cancelled_at = timezone.now()
    _save_with_sequence(event, previous)
    event_changed.send(sender=Event, event=event, change="cancelled", previous=previous)
    return event


@transaction.atomic
def event_cancel(*, event: Event, reason: str) -> Event:
    """Cancel with a reason that stays visible; registrants are notified through event_changed."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": CANCEL_REASON_REQUIRED})
    if event.status == Event.Status.CANCELLED:
        raise ValidationError({"status": ALREADY_CANCELLED})
    return _cancel(event, reason=reason)


@transaction.atomic
def topic_get_or_create(*, name: str) -> Topic:
    from django.utils.text import slugify

    name = (name or "").strip()
    slug = slugify(name)[:100]
    if not slug:
        raise ValidationError({"name": "A topic needs a name."})
    topic, _ = Topic.objects.get_or_create(slug=slug, defaults={"name": name})
    return topic


# --- Columns registrations sets (it owns seats and attendance; events owns the row) -------------------


def event_seat_add(*, event: Event) -> Event:
    """One more seat (a walk-in when the room is full); no change notice. Expects the event lock."""
    Event.objects.filter(pk=event.pk).update(capacity=F("capacity") + 1)
    event.refresh_from_db(fields=["capacity"])
    return event


def event_attendance_finalised_set(*, event: Event, at: datetime) -> None:
    """Record when attendance became final. Expects the event lock."""
    Event.objects.filter(pk=event.pk).update(attendance_finalised_at=at)
