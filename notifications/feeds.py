"""iCalendar feeds: a partnership's sessions (filterable), a coordinator's, a practitioner's own.

Built like Django's syndication feeds: 404 for an unknown object or token, aware datetimes,
`Last-Modified` and an `ETag` from one aggregate query, 304 on a conditional GET before anything
is built, and a fixed number of queries whatever the number of events.
"""

import hashlib
from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag
from django.views.decorators.gzip import gzip_page

from accounts.models import Partnership
from events import selectors as event_selectors
from events.models import Event
from events.selectors import event_can_see_online_link, event_get_visible
from registrations.models import Registration
from registrations.selectors import registrations_of_user_in_calendar

from . import feed_writer, ical
from .models import FeedToken

FEED_CACHE_SECONDS = 3600
RECENT = timedelta(days=60)  # past and cancelled sessions stay this long, so clients see STATUS:CANCELLED
CONTENT_TYPE = "text/calendar; charset=utf-8"
DEFAULT_ZONE = settings.CROSSROADS_DEFAULT_TIME_ZONE


def _facts(queryset) -> list:
    """The sessions' values for the feed writer: two queries, no model instances."""
    return feed_writer.facts_from_rows(list(queryset.order_by("start", "pk").values(*feed_writer.EVENT_FIELDS)))


def _window(queryset):
    return queryset.filter(start__gte=timezone.now() - RECENT).exclude(status=Event.Status.DRAFT)


def _conditional(request, *, key: str, stamp, count: int, cache_control: str):
    """(etag, last_modified, response-or-None): a 304 answer when the client is up to date."""
    digest = hashlib.sha256(f"{key}|{stamp.isoformat() if stamp else '-'}|{count}".encode()).hexdigest()[:32]
    etag = quote_etag(digest)
    last_modified = http_date(stamp.timestamp()) if stamp else None
    response = get_conditional_response(request, etag=etag, last_modified=int(stamp.timestamp()) if stamp else None)
    if response is not None:
        response["Cache-Control"] = cache_control
        response["ETag"] = etag  # RFC 9110 §15.4.5: a 304 repeats the validators
        if last_modified:
            response["Last-Modified"] = last_modified
    return etag, last_modified, response


def _respond(body: bytes, *, etag, last_modified, cache_control: str, filename: str | None = None) -> HttpResponse:
    response = HttpResponse(body, content_type=CONTENT_TYPE)
    response["ETag"] = etag
    if last_modified:
        response["Last-Modified"] = last_modified
    response["Cache-Control"] = cache_control
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _cached(etag: str, build) -> bytes:
    """The rendered feed for this ETag. The ETag changes with any change, so the cache is never stale."""
    key = f"feed:{etag}"
    body = cache.get(key)
    if body is None:
        body = build()
        cache.set(key, body, FEED_CACHE_SECONDS)
    return body


def _render(name: str, zone: str | None, components, *, subscription: bool = True) -> bytes:
    """The calendar; `zone` None: X-WR-TIMEZONE is the zone most of its sessions are in."""
    calendar = ical.new_calendar(name=name, zone=zone, subscription=subscription)
    events = []
    for event, kwargs in components:
        calendar.add_component(ical.vevent(event, **kwargs))
        events.append(event)
    if zone is None and subscription:
        zones = Counter(event.partnership.time_zone for event in events)
        calendar.add("x-wr-timezone", zones.most_common(1)[0][0] if zones else DEFAULT_ZONE)
    ical.add_timezones(calendar, events)
    return ical.serialise(calendar)


class BadFilter(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def _filter_value(name: str, value: str) -> str:
    """A filter value as sent: one short line of printable characters, else a 400 naming the filter."""
    if len(value) > 100 or any(not ch.isprintable() for ch in value):
        raise BadFilter(400, f"{name}: not a valid value (one line of at most 100 printable characters).")
    return value.strip()


def _feed_filters(request, partnership) -> tuple[dict, list[str]]:
    """({lookup: value}, display names) for ?sector=, ?topic=, ?series=. Unknown values are a 404."""
    from accounts.models import Sector
    from events.models import Topic

    filters, names = {}, []
    for name in ("sector", "topic", "series"):
        raw = request.GET.get(name)
        if raw is None or raw == "":
            continue
        value = _filter_value(name, raw)
        if name == "series":
            if not value.isascii() or not value.isdigit() or len(value) > 18:
                raise BadFilter(400, "series: must be a series number.")
            found = event_selectors.series_title(partnership=partnership, series_id=int(value))
            if found is None:
                raise BadFilter(404, f"series: {partnership.name} has no series {value}.")
            filters["series_id"], label = found
        else:
            model = Sector if name == "sector" else Topic
            found = model.objects.filter(slug=value).values_list("slug", "name").first()
            if found is None:
                raise BadFilter(404, f"{name}: there is no {name} called “{value}”.")
            filters[f"{name}s__slug"], label = found
        names.append(label)
    return filters, names


def _refuse(error: BadFilter) -> HttpResponse:
    return HttpResponse(error.message, status=error.status, content_type="text/plain; charset=utf-8")


@gzip_page
def partnership_feed(request, slug: str):
    """Published (and recently cancelled) sessions; ?sector=, ?topic=, ?series= narrow it."""
    partnership = get_object_or_404(Partnership, slug=slug)
    queryset = _window(event_selectors.events_of_partnerships(partnership_ids=[partnership.pk]))
    try:
        filters, names = _feed_filters(request, partnership)
    except BadFilter as error:
        return _refuse(error)
    if filters:
        queryset = queryset.filter(**filters).distinct()
    meta = (
        event_selectors.events_of_partnerships()
        .filter(pk__in=queryset.values("pk"))
        .aggregate(stamp=Max("updated_at"), count=Count("pk"))
    )
    cache_control = "public, max-age=900"
    key = f"partnership:{partnership.pk}:{sorted(filters.items())}"
    etag, last_modified, not_modified = _conditional(
        request, key=key, stamp=meta["stamp"], count=meta["count"], cache_control=cache_control
    )
    if not_modified:
        return not_modified
    name = partnership.name + (" — " + ", ".join(names) if names else "")  # display names; vText escapes them
    body = _cached(
        etag,
        lambda: feed_writer.render(
            name=name, zone=partnership.time_zone, components=((event, {}) for event in _facts(queryset))
        ),
    )
    return _respond(body, etag=etag, last_modified=last_modified, cache_control=cache_control)


def _token(token: str, kind: str) -> FeedToken:
    feed = FeedToken.objects.select_related("user").filter(token=token, kind=kind, user__is_active=True).first()
    if feed is None:
        raise Http404
    return feed


@gzip_page
def personal_feed(request, token: str):
    """A practitioner's confirmed sessions (waitlisted ones TENTATIVE), with the online link."""
    feed = _token(token, FeedToken.Kind.PERSONAL)
    registrations = registrations_of_user_in_calendar(user=feed.user).filter(
        event__start__gte=timezone.now() - RECENT, event__status__in=[Event.Status.PUBLISHED, Event.Status.CANCELLED]
    )
    meta = registrations.aggregate(stamp=Max("event__updated_at"), reg_stamp=Max("updated_at"), count=Count("pk"))
    stamp = max(filter(None, [meta["stamp"], meta["reg_stamp"]]), default=None)
    cache_control = "private, max-age=300"
    etag, last_modified, not_modified = _conditional(
        request, key=f"personal:{feed.pk}", stamp=stamp, count=meta["count"], cache_control=cache_control
    )
    if not_modified:
        return not_modified

    def components():
        rows = list(
            registrations.order_by("event__start", "pk").values(
                "status", "ical_sequence_sent", *(f"event__{name}" for name in feed_writer.EVENT_FIELDS)
            )
        )
        for row, event in zip(rows, feed_writer.facts_from_rows(rows, prefix="event__"), strict=True):
            confirmed = row["status"] == Registration.Status.CONFIRMED
            status = (
                "CANCELLED" if event.status == Event.Status.CANCELLED else ("CONFIRMED" if confirmed else "TENTATIVE")
            )
            # The person's own SEQUENCE (raised with their status, as in the invitations they get).
            sequence = max(event.sequence, row["ical_sequence_sent"] or 0)
            yield event, {"status": status, "show_online_link": confirmed, "sequence": sequence}

    body = _cached(
        etag,
        lambda: feed_writer.render(name=f"My sessions — {feed.user.full_name}", zone=None, components=components()),
    )
    return _respond(body, etag=etag, last_modified=last_modified, cache_control=cache_control)


@gzip_page
def coordinator_feed(request, token: str):
    """Everything a coordinator manages (drafts excluded), with online links."""
    feed = _token(token, FeedToken.Kind.COORDINATOR)
    user = feed.user
    managed = None if user.is_staff else user.coordinated_partnership_ids
    queryset = _window(event_selectors.events_of_partnerships(partnership_ids=managed))
    meta = queryset.aggregate(stamp=Max("updated_at"), count=Count("pk"))
    cache_control = "private, max-age=300"
    etag, last_modified, not_modified = _conditional(
        request,
        key=f"coordinator:{feed.pk}:{sorted(user.coordinated_partnership_ids)}",
        stamp=meta["stamp"],
        count=meta["count"],
        cache_control=cache_control,
    )
    if not_modified:
        return not_modified
    body = _cached(
        etag,
        lambda: feed_writer.render(
            name=f"Sessions I coordinate — {user.full_name}",
            zone=None,
            components=((event, {"show_online_link": True}) for event in _facts(queryset)),
        ),
    )
    return _respond(body, etag=etag, last_modified=last_modified, cache_control=cache_control)


@gzip_page
def event_ics(request, event_id: int):
    """One session to download. The online link only for coordinators and confirmed registrants."""
    event = event_get_visible(user=request.user, event_id=event_id)
    if event is None or event.status == Event.Status.DRAFT:
        raise Http404
    show = event_can_see_online_link(event=event, user=request.user)
    cache_control = "private, max-age=300" if show else "public, max-age=900"
    etag, last_modified, not_modified = _conditional(
        request, key=f"event:{event.pk}:{show}", stamp=event.updated_at, count=1, cache_control=cache_control
    )
    if not_modified:
        return not_modified
    body = _render(event.title, None, [(event, {"show_online_link": show})], subscription=False)  # an appointment
    return _respond(
        body, etag=etag, last_modified=last_modified, cache_control=cache_control, filename=f"session-{event.pk}.ics"
    )
