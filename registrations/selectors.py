"""Reads for registrations: rosters, one's own sessions, attendee lists and sector mix."""

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from core import qr
from events.models import Event

from .models import SEAT_STATUSES, Registration


def registration_list_for_user(*, user: User, when: str | None = None) -> QuerySet[Registration]:
    """One's own registrations (cancelled included), with their events; when = upcoming | past."""
    qs = Registration.objects.filter(user=user).select_related("event", "event__partnership", "event__venue")
    now = timezone.now()
    if when == "upcoming":
        return qs.filter(event__end__gt=now).order_by("event__start", "pk")
    if when == "past":
        return qs.filter(event__end__lte=now).order_by("-event__start", "-pk")
    return qs.order_by("-event__start", "pk")


def registration_get_for_user(*, user: User, registration_id: int) -> Registration | None:
    """The registration if `user` owns it or coordinates its partnership; None otherwise."""
    registration = (
        Registration.objects.select_related("event", "event__partnership", "user", "sector")
        .filter(pk=registration_id)
        .first()
    )
    if registration is None:
        return None
    if registration.user_id == user.pk or user.is_coordinator_of(registration.event.partnership_id):
        return registration
    return None


ROSTER_ORDER = {
    Registration.Status.CONFIRMED: 0,
    Registration.Status.OFFERED: 1,
    Registration.Status.WAITLISTED: 2,
    Registration.Status.CANCELLED: 3,
}


def roster(*, event: Event, status: str | None = None, q: str | None = None) -> QuerySet[Registration]:
    """The event's registrations for its coordinators. status may also be attended or no_show."""
    qs = event.registrations.select_related("user", "sector", "attendance_marked_by")
    if status in (Registration.Attendance.ATTENDED, Registration.Attendance.NO_SHOW):
        qs = qs.filter(attendance=status, status=Registration.Status.CONFIRMED)
    elif status:
        qs = qs.filter(status=status)
    if q:
        for word in q.split()[:5]:
            qs = qs.filter(
                Q(user__full_name__icontains=word)
                | Q(user__email__icontains=word)
                | Q(user__organisation__icontains=word)
                | Q(check_in_code__iexact=word.replace("-", ""))
            )
    # Confirmed, then offered (their deadlines first), waitlisted in order, cancelled.
    return qs.order_by("status", "offer_expires_at", "waitlist_position", "user__full_name", "pk")


def check_in_search(*, event: Event, q: str, limit: int = 20) -> list[Registration]:
    """Confirmed registrations whose name, organisation or e-mail has every word of q (the door's name search)."""
    return list(roster(event=event, status=Registration.Status.CONFIRMED, q=q)[:limit])


def check_in_arrived(*, event: Event) -> QuerySet[Registration]:
    """Who is checked in, the latest first."""
    return (
        event.registrations.filter(attendance=Registration.Attendance.ATTENDED, status=Registration.Status.CONFIRMED)
        .select_related("user", "sector")
        .order_by("-attendance_marked_at", "-pk")
    )


def roster_counts(*, event: Event) -> dict:
    """Counts by status and attendance, and confirmed counts by sector — two queries."""
    totals = event.registrations.aggregate(
        confirmed=Count("pk", filter=Q(status="confirmed")),
        waitlisted=Count("pk", filter=Q(status="waitlisted")),
        offered=Count("pk", filter=Q(status="offered")),
        cancelled=Count("pk", filter=Q(status="cancelled")),
        attended=Count("pk", filter=Q(status="confirmed", attendance="attended")),
        no_show=Count("pk", filter=Q(status="confirmed", attendance="no_show")),
    )
    totals["by_sector"] = sector_mix(event=event)
    return totals


def sector_mix(*, event: Event) -> list[dict]:
    """Confirmed registrations per sector (public: counts only)."""
    rows = (
        event.registrations.filter(status=Registration.Status.CONFIRMED)
        .values("sector__name", "sector__slug")
        .annotate(count=Count("pk"))
        .order_by("-count", "sector__name")
    )
    return [
        {"sector": row["sector__slug"] or "unknown", "name": row["sector__name"] or "Not stated", "count": row["count"]}
        for row in rows
    ]


def can_see_attendees(*, event: Event, user: User) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_coordinator_of(event.partnership_id):
        return True
    return event.registrations.filter(user=user, status=Registration.Status.CONFIRMED).exists()


def attendee_list(*, event: Event) -> QuerySet[Registration]:
    """Confirmed attendees who agreed to be listed."""
    return (
        event.registrations.filter(status=Registration.Status.CONFIRMED, consent_attendee_list=True, user__isnull=False)
        .select_related("user", "sector")
        .order_by("user__full_name")
    )


def registration_for(*, event: Event, user: User) -> Registration | None:
    if not user.is_authenticated:
        return None
    return event.registrations.filter(user=user).first()


def check_in_url(registration: Registration) -> str:
    """The link in a registrant's check-in QR code (on their page and in the confirmation e-mail)."""
    path = reverse("check-in", kwargs={"slug": registration.event.partnership.slug, "event_id": registration.event_id})
    return f"{settings.SITE_URL}{path}?code={registration.check_in_code}"


def event_confirmed_count(*, event: Event) -> int:
    """Seats taken: confirmed registrations plus offers held open (events asks through events.seats)."""
    return event.registrations.filter(status__in=SEAT_STATUSES).count()


QR_CACHE_SECONDS = 60 * 60 * 24 * 30


def _qr_key(data: str, title: str) -> str:
    import hashlib

    return "qr:" + hashlib.sha256(f"{qr.MASK}|{data}|{title}".encode()).hexdigest()


def check_in_qr_svgs(registrations) -> dict[int, str]:
    """The check-in QR codes of these registrations, each rendered once and then kept in the cache
    (keyed by what it encodes, so a new code or address is a new image): one cache round trip."""
    from django.core.cache import cache

    wanted = {r.pk: (check_in_url(r), f"Check-in code {r.display_code}") for r in registrations}
    keys = {pk: _qr_key(*args) for pk, args in wanted.items()}
    found = cache.get_many(list(keys.values()))
    made, svgs = {}, {}
    for pk, key in keys.items():
        svg = found.get(key)
        if svg is None:
            data, title = wanted[pk]
            svg = made[key] = qr.qr_svg(data, title=title, scale=4, border=2, dark="#000", light="#fff")
        svgs[pk] = svg
    if made:
        cache.set_many(made, QR_CACHE_SECONDS)
    return svgs


# --- For the apps above registrations (notifications, certificates, reporting, networking) ----------
# They read registrations through these, never through Registration.objects (tests/test_boundaries.py).


def registrations_attended(
    *, event: Event | None = None, user: User | None = None, with_account: bool = True
) -> QuerySet[Registration]:
    """Confirmed registrations marked as attended, of one event and/or one person. `with_account=False`
    keeps people who have since deleted their account (anonymised rows: counts in reports stay right)."""
    attended = Registration.objects.filter(
        status=Registration.Status.CONFIRMED, attendance=Registration.Attendance.ATTENDED
    )
    if with_account:
        attended = attended.filter(user__isnull=False)
    if event is not None:
        attended = attended.filter(event=event)
    if user is not None:
        attended = attended.filter(user=user)
    return attended


def registrations_holding_a_place(*, event: Event) -> QuerySet[Registration]:
    """Everyone confirmed, offered a place or waitlisted for `event` with an account: who hears about a change."""
    return Registration.objects.filter(event=event, status__in=[*SEAT_STATUSES, Registration.Status.WAITLISTED]).filter(
        user__isnull=False
    )


def registrations_of_user_in_calendar(*, user: User) -> QuerySet[Registration]:
    """A person's confirmed, offered and waitlisted registrations (their personal calendar feed)."""
    return Registration.objects.filter(user=user, status__in=[*SEAT_STATUSES, Registration.Status.WAITLISTED])


def registrations_confirmed_starting(*, after, until) -> QuerySet[Registration]:
    """Confirmed registrations, with an account, for published sessions starting in (after, until]."""
    return Registration.objects.filter(
        status=Registration.Status.CONFIRMED,
        user__isnull=False,
        event__status=Event.Status.PUBLISHED,
        event__start__gt=after,
        event__start__lte=until,
    )


def registration_get(*, registration_id: int, user_id: int | None = None) -> Registration | None:
    """One registration with its event, partnership, venue and person (of `user_id` if given), or None."""
    found = Registration.objects.select_related("event", "event__partnership", "event__venue", "user").filter(
        pk=registration_id
    )
    if user_id is not None:
        found = found.filter(user_id=user_id, user__isnull=False)
    return found.first()


def registration_get_in_partnership(*, registration_id: int, partnership) -> Registration | None:
    """One registration of a session of `partnership` (with its event), or None."""
    return (
        Registration.objects.select_related("event").filter(pk=registration_id, event__partnership=partnership).first()
    )
