"""Reads for events: every list costs a fixed number of queries, whatever its length."""

from datetime import datetime

from django.db.models import Count, Max, Min, Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.models import Sector, User

from .models import Event, Series, Topic, Venue
from .seats import seats


def event_queryset() -> QuerySet[Event]:
    """Events with what lists and detail pages show, in a fixed number of queries."""
    events = Event.objects.select_related("partnership", "venue", "series").prefetch_related(
        Prefetch("topics", queryset=Topic.objects.order_by("name")),
        Prefetch("sectors", queryset=Sector.objects.order_by("ordering", "name")),
    )
    return seats().annotate(events)


def event_rows(*, related: tuple[str, ...] = ("partnership",)) -> QuerySet[Event]:
    """Events with only the named relations fetched (no seat counts): for pages that need little."""
    return Event.objects.select_related(*related)


def events_of_partnerships(*, partnership_ids=None) -> QuerySet[Event]:
    """Every event (any status) of the given partnerships; `None`: of every partnership (staff)."""
    events = Event.objects.all()
    return events if partnership_ids is None else events.filter(partnership_id__in=partnership_ids)


def events_held_between(*, partnership, start: datetime, end: datetime) -> QuerySet[Event]:
    """A partnership's sessions (drafts excluded) starting in [start, end): what reports count."""
    return Event.objects.filter(partnership=partnership, start__gte=start, start__lt=end).exclude(
        status=Event.Status.DRAFT
    )


def series_title(*, partnership, series_id: int) -> tuple[int, str] | None:
    """(id, title) of the partnership's series `series_id`, or None."""
    return Series.objects.filter(pk=series_id, partnership=partnership).values_list("pk", "title").first()


def reminder_days_longest(*, after) -> int | None:
    """The most days before a session that any partnership with a published session after `after` reminds."""
    return Event.objects.filter(status=Event.Status.PUBLISHED, start__gt=after).aggregate(
        m=Max("partnership__reminder_days_before")
    )["m"]


def event_visible_filter(user: User) -> Q:
    """Published and cancelled events for everyone; drafts only for the partnership's coordinators."""
    visible = Q(status__in=[Event.Status.PUBLISHED, Event.Status.CANCELLED])
    if user is not None and user.is_authenticated:
        if user.is_staff:
            return Q()
        if user.coordinated_partnership_ids:
            visible |= Q(partnership_id__in=user.coordinated_partnership_ids)
    return visible


def event_list(
    *,
    user: User,
    date_from: datetime | None = None,
    date_to: datetime | None = None,
    partnership: str | None = None,
    sector: str | None = None,
    topic: str | None = None,
    series: int | None = None,
    q: str | None = None,
    status: str | None = None,
    ordering: str = "start",
) -> QuerySet[Event]:
    qs = event_queryset().filter(event_visible_filter(user))
    if date_from:
        qs = qs.filter(end__gte=date_from)
    if date_to:
        qs = qs.filter(start__lt=date_to)
    if partnership:
        qs = qs.filter(partnership__slug=partnership)
    if sector:
        qs = qs.filter(sectors__slug=sector)
    if topic:
        qs = qs.filter(topics__slug=topic)
    if series:
        qs = qs.filter(series_id=series)
    if status:
        qs = qs.filter(status=status)
    if q:
        for word in q.split()[:8]:
            qs = qs.filter(
                Q(title__icontains=word)
                | Q(description__icontains=word)
                | Q(topics__name__icontains=word)
                | Q(venue__name__icontains=word)
            )
    if sector or topic or q:
        qs = qs.distinct()
    order = {"start": ("start", "pk"), "-start": ("-start", "-pk"), "title": ("title", "start")}[ordering]
    return qs.order_by(*order)


def event_list_upcoming(*, user: User, **filters) -> QuerySet[Event]:
    return event_list(user=user, date_from=timezone.now(), **filters)


def event_get_visible(*, user: User, event_id: int) -> Event | None:
    return event_queryset().filter(event_visible_filter(user)).filter(pk=event_id).first()


def event_can_see_online_link(*, event: Event, user: User) -> bool:
    """Only the partnership's coordinators and the event's confirmed registrants see the link."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_coordinator_of(event.partnership_id):
        return True
    return seats().holds_seat(event, user)


def series_list(*, partnership_id: int) -> QuerySet[Series]:
    return (
        Series.objects.filter(partnership_id=partnership_id)
        .select_related("default_venue", "partnership")
        .annotate(
            event_count=Count("events", distinct=True),
            next_start=Min("events__start", filter=Q(events__start__gt=timezone.now())),
        )
        .order_by("title")
    )


def series_occurrences(*, series: Series) -> QuerySet[Event]:
    return event_queryset().filter(series=series).order_by("start")


def venue_list(*, partnership_id: int) -> QuerySet[Venue]:
    return Venue.objects.filter(partnership_id=partnership_id)


def topic_list() -> QuerySet[Topic]:
    return Topic.objects.all()


def event_list_published(*, event_ids) -> QuerySet[Event]:
    """The published ones among these events (ids, or a values("event_id") subquery), newest first."""
    return (
        Event.objects.filter(pk__in=event_ids, status=Event.Status.PUBLISHED)
        .select_related("partnership")
        .order_by("-start")
    )


def event_previous_session(*, event: Event) -> Event | None:
    """The session before this one: of the same series when it has one, else of the partnership."""
    earlier = Event.objects.filter(start__lt=event.start).exclude(status=Event.Status.CANCELLED).exclude(pk=event.pk)
    if event.series_id:
        earlier = earlier.filter(series_id=event.series_id)
    else:
        earlier = earlier.filter(partnership_id=event.partnership_id)
    return earlier.order_by("-start").first()
