from datetime import date, datetime
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from accounts.auth import PUBLIC
from accounts.models import Partnership, Sector
from accounts.permissions import ONLY_COORDINATORS, partnership_get_managed
from core.schemas import ErrorOut
from core.types import DbId

from . import selectors, services
from .models import Event, Series, Venue
from .schemas import (
    CancelIn,
    EventIn,
    EventOut,
    EventPatch,
    SeriesChangesOut,
    SeriesIn,
    SeriesOut,
    SeriesPatch,
    SeriesPreviewIn,
    SeriesPreviewOut,
    TopicOut,
    VenueIn,
    VenueOut,
    VenuePatch,
)

router = Router(tags=["events"])

UNKNOWN_SECTOR = "Unknown sector: {slug}."
UNKNOWN_VENUE = "Unknown venue: {id}."
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


# --- helpers -----------------------------------------------------------------------------


def _sectors(slugs: list[str] | None) -> list[Sector] | None:
    if slugs is None:
        return None
    found = {s.slug: s for s in Sector.objects.filter(slug__in=slugs)}
    for slug in slugs:
        if slug not in found:
            raise ValidationError({"sectors": UNKNOWN_SECTOR.format(slug=slug)})
    return [found[s] for s in dict.fromkeys(slugs)]


def _topics(names: list[str] | None):
    if names is None:
        return None
    return [services.topic_get_or_create(name=name) for name in dict.fromkeys(names)]


def _venue(venue_id: DbId | None, partnership: Partnership, field: str = "venue_id") -> Venue | None:
    if venue_id is None:
        return None
    venue = Venue.objects.filter(pk=venue_id, partnership=partnership).first()
    if venue is None:
        raise ValidationError({field: UNKNOWN_VENUE.format(id=venue_id)})
    return venue


def _aware(value: datetime | None, partnership: Partnership) -> datetime | None:
    """A datetime without an offset is local to the partnership."""
    if value is None or timezone.is_aware(value):
        return value
    return timezone.make_aware(value, partnership.zone)


def _event_for_coordinator(request, event_id: DbId) -> Event:
    event = selectors.event_get_visible(user=request.auth, event_id=event_id)
    if event is None:
        raise Http404
    if not request.auth.is_coordinator_of(event.partnership_id):
        raise PermissionDenied(ONLY_COORDINATORS)
    return event


def _detail(request, event: Event) -> Event:
    if event.venue_id and selectors.event_can_see_online_link(event=event, user=request.user):
        request.online_link_venue_ids = {event.venue_id}
    return event


def _reload(request, event_id: DbId) -> Event:
    return _detail(request, selectors.event_get_visible(user=request.auth, event_id=event_id))


def _series_for_coordinator(request, series_id: DbId) -> Series:
    series = Series.objects.select_related("partnership").filter(pk=series_id).first()
    if series is None or not request.auth.is_coordinator_of(series.partnership_id):
        raise Http404
    return series


# --- events ------------------------------------------------------------------------------


class EventFilters(Schema):
    date_from: date | None = None
    date_to: date | None = None
    partnership: str | None = None
    sector: str | None = None
    topic: str | None = None
    series: DbId | None = None
    q: str | None = None
    status: Literal["draft", "published", "cancelled"] | None = None
    ordering: Literal["start", "-start", "title"] = "start"
    upcoming: bool = False


@router.get("/events", response=list[EventOut], auth=PUBLIC)
@paginate
def list_events(request, filters: Query[EventFilters]):
    """Sessions anyone can see (drafts only for their partnership's coordinators).

    `date_from`/`date_to` are local dates in Australia/Melbourne; `upcoming=true` lists only
    sessions that have not ended. Online meeting links are never in lists.
    """
    data = filters.dict()
    zone = timezone.get_default_timezone()
    date_from = data.pop("date_from")
    date_to = data.pop("date_to")
    upcoming = data.pop("upcoming")
    start = datetime.combine(date_from, datetime.min.time(), tzinfo=zone) if date_from else None
    if upcoming:
        start = max(start, timezone.now()) if start else timezone.now()
    end = datetime.combine(date_to, datetime.max.time(), tzinfo=zone) if date_to else None
    return selectors.event_list(user=request.user, date_from=start, date_to=end, **data)


@router.get("/events/{event_id}", response={200: EventOut, 404: ErrorOut}, auth=PUBLIC)
def get_event(request, event_id: DbId):
    """One session. The online meeting link is shown to coordinators and confirmed registrants only."""
    event = selectors.event_get_visible(user=request.user, event_id=event_id)
    if event is None:
        raise Http404
    return _detail(request, event)


@router.post("/events", response={201: EventOut, **ERRORS})
def create_event(request, payload: EventIn):
    """Create a one-off session (coordinators)."""
    partnership = partnership_get_managed(user=request.auth, slug=payload.partnership, field="partnership")
    event = services.event_create(
        partnership=partnership,
        title=payload.title,
        description=payload.description,
        topics=_topics(payload.topics),
        sectors=_sectors(payload.sectors),
        cohosts=payload.cohosts,
        facilitators=payload.facilitators,
        venue=_venue(payload.venue_id, partnership),
        start=_aware(payload.start, partnership),
        end=_aware(payload.end, partnership),
        capacity=payload.capacity,
        registration_opens_at=_aware(payload.registration_opens_at, partnership),
        registration_closes_at=_aware(payload.registration_closes_at, partnership),
        publish=payload.publish,
    )
    return Status(201, _reload(request, event.pk))


@router.patch("/events/{event_id}", response={200: EventOut, **ERRORS})
def update_event(request, event_id: DbId, payload: EventPatch):
    """Edit one session. On an occurrence, a new time, venue or capacity detaches it from its series."""
    event = _event_for_coordinator(request, event_id)
    data = payload.dict(exclude_unset=True)
    partnership = event.partnership
    changes = {}
    for name in ("title", "description", "cohosts", "facilitators", "capacity"):
        if name in data:
            if data[name] is None:
                raise ValidationError({name: "This field may not be null."})
            changes[name] = data[name]
    for name in ("start", "end"):
        if name in data:
            if data[name] is None:
                raise ValidationError({name: "This field may not be null."})
            changes[name] = _aware(data[name], partnership)
    for name in ("registration_opens_at", "registration_closes_at"):
        if name in data:
            changes[name] = _aware(data[name], partnership)
    if "venue_id" in data:
        changes["venue"] = _venue(data["venue_id"], partnership)
    services.event_update(
        event=event,
        topics=_topics(data.get("topics")),
        sectors=_sectors(data.get("sectors")),
        **changes,
    )
    return _reload(request, event.pk)


@router.post("/events/{event_id}/publish", response={200: EventOut, **ERRORS})
def publish_event(request, event_id: DbId):
    event = _event_for_coordinator(request, event_id)
    services.event_publish(event=event)
    return _reload(request, event.pk)


@router.post("/events/{event_id}/cancel", response={200: EventOut, **ERRORS})
def cancel_event(request, event_id: DbId, payload: CancelIn):
    """Cancel with a reason (kept visible). People registered are notified."""
    event = _event_for_coordinator(request, event_id)
    services.event_cancel(event=event, reason=payload.reason)
    return _reload(request, event.pk)


# --- series ------------------------------------------------------------------------------


@router.post("/series/preview", response={200: SeriesPreviewOut, **ERRORS})
def preview_series(request, payload: SeriesPreviewIn):
    """The dates a rule gives in the partnership's zone; nothing is written."""
    partnership = partnership_get_managed(user=request.auth, slug=payload.partnership, field="partnership")
    occurrences = services.series_preview(
        partnership=partnership,
        rrule=payload.rrule,
        start_date=payload.start_date,
        start_time=payload.start_time,
        duration_minutes=payload.duration_minutes,
        exdates=payload.exdates,
    )
    from .recurrence import describe

    return {
        "description": describe(payload.rrule, payload.start_date),
        "timezone": partnership.time_zone,
        "occurrences": [{"date": o.date, "start": o.start, "end": o.end} for o in occurrences],
    }


@router.get("/series", response={200: list[SeriesOut], **ERRORS})
@paginate
def list_series(request, partnership: str):
    """A partnership's series, for its coordinators."""
    found = partnership_get_managed(user=request.auth, slug=partnership, field="partnership")
    return selectors.series_list(partnership_id=found.pk).prefetch_related("topics", "sectors")


@router.post("/series", response={201: SeriesOut, **ERRORS})
def create_series(request, payload: SeriesIn):
    """Create a recurring series and its occurrences (published at once with `publish`)."""
    partnership = partnership_get_managed(user=request.auth, slug=payload.partnership, field="partnership")
    series = services.series_create(
        partnership=partnership,
        created_by=request.auth,
        title=payload.title,
        description=payload.description,
        topics=_topics(payload.topics),
        sectors=_sectors(payload.sectors),
        cohosts=payload.cohosts,
        facilitators=payload.facilitators,
        default_venue=_venue(payload.default_venue_id, partnership, field="default_venue_id"),
        default_capacity=payload.default_capacity,
        duration_minutes=payload.duration_minutes,
        start_date=payload.start_date,
        start_time=payload.start_time,
        rrule=payload.rrule,
        exdates=payload.exdates,
        publish=payload.publish,
    )
    return Status(201, series)


@router.get("/series/{series_id}", response={200: SeriesOut, **ERRORS})
def get_series(request, series_id: DbId):
    return _series_for_coordinator(request, series_id)


@router.patch("/series/{series_id}", response={200: SeriesChangesOut, **ERRORS})
def update_series(request, series_id: DbId, payload: SeriesPatch):
    """Change a series; future occurrences that were not edited on their own follow.

    Moving or removing sessions that have registrations needs `confirm_moves: true`.
    """
    series = _series_for_coordinator(request, series_id)
    data = payload.dict(exclude_unset=True)
    confirm = data.pop("confirm_moves", False)
    topics, sectors = _topics(data.pop("topics", None)), _sectors(data.pop("sectors", None))
    changes = {}
    for name, value in data.items():
        if name == "default_venue_id":
            changes["default_venue"] = _venue(value, series.partnership, field="default_venue_id")
        elif value is None:
            raise ValidationError({name: "This field may not be null."})
        else:
            changes[name] = value
    result = services.series_update(series=series, topics=topics, sectors=sectors, confirm_moves=confirm, **changes)
    series.refresh_from_db()
    return {
        "series": series,
        "created": [e.pk for e in result.created],
        "moved": [e.pk for e in result.moved],
        "removed": [e.pk for e in result.removed],
        "cancelled": [e.pk for e in result.cancelled],
    }


@router.post("/series/{series_id}/publish", response={200: SeriesOut, **ERRORS})
def publish_series(request, series_id: DbId):
    series = _series_for_coordinator(request, series_id)
    services.series_publish(series=series)
    series.refresh_from_db()
    return series


# --- topics and venues -------------------------------------------------------------------


@router.get("/topics", response=list[TopicOut], auth=PUBLIC)
@paginate
def list_topics(request):
    return selectors.topic_list()


@router.get("/partnerships/{slug}/venues", response={200: list[VenueOut], **ERRORS})
@paginate
def list_venues(request, slug: str):
    """A partnership's venues, with meeting links, for its coordinators."""
    partnership = get_object_or_404(Partnership, slug=slug)
    if not request.auth.is_coordinator_of(partnership):
        raise Http404
    venues = selectors.venue_list(partnership_id=partnership.pk)
    request.online_link_venue_ids = set(venues.values_list("pk", flat=True))
    return venues


@router.patch("/venues/{venue_id}", response={200: VenueOut, **ERRORS})
def update_venue(request, venue_id: DbId, payload: VenuePatch):
    """Edit a venue (its partnership's coordinators). Its sessions' SEQUENCE rises: calendars update."""
    venue = Venue.objects.filter(pk=venue_id).first()
    if venue is None or not request.auth.is_coordinator_of(venue.partnership_id):
        raise Http404
    changes = {name: value for name, value in payload.dict(exclude_unset=True).items() if value is not None}
    venue = services.venue_update(venue=venue, **changes)
    request.online_link_venue_ids = {venue.pk}
    return venue


@router.post("/partnerships/{slug}/venues", response={201: VenueOut, **ERRORS})
def create_venue(request, slug: str, payload: VenueIn):
    partnership = get_object_or_404(Partnership, slug=slug)
    if not request.auth.is_coordinator_of(partnership):
        raise Http404
    venue = services.venue_create(partnership=partnership, **payload.dict())
    request.online_link_venue_ids = {venue.pk}
    return Status(201, venue)
