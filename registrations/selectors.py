"""Reads for registrations: rosters, one's own sessions, attendee lists and sector mix."""

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from events.models import Event

from .models import Registration


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
    Registration.Status.WAITLISTED: 1,
    Registration.Status.CANCELLED: 2,
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
    return qs.order_by("status", "waitlist_position", "user__full_name", "pk")


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
    """Seats taken: the one count of confirmed registrations (events asks through events.seats)."""
    return event.registrations.filter(status=Registration.Status.CONFIRMED).count()
