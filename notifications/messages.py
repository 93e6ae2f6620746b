"""What each message says: invitations (iMIP, RFC 6047), waitlist notices, reminders, thank-yous.

Every function here records messages in the outbox, inside the caller's transaction.
"""

from datetime import timedelta
from email.utils import parseaddr

from django.conf import settings
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone

from . import ical
from .models import OutboxMessage
from .services import outbox_enqueue

REQUEST, CANCEL = "REQUEST", "CANCEL"


def sender_address() -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


def _next_sequence(registration) -> int:
    """Per person and session, every SEQUENCE e-mailed is above the last one sent (RFC 5546)."""
    event = registration.event
    last = registration.ical_sequence_sent
    sequence = event.sequence if last is None else max(event.sequence, last + 1)
    type(registration).objects.filter(pk=registration.pk).update(ical_sequence_sent=sequence)
    registration.ical_sequence_sent = sequence
    return sequence


def _invitation(registration, method: str) -> str:
    event = registration.event
    calendar = ical.new_calendar(name=event.partnership.name, method=method)
    sequence = _next_sequence(registration)
    component = ical.vevent(
        event,
        sequence=sequence,
        status="CANCELLED" if method == CANCEL else "CONFIRMED",
        show_online_link=method == REQUEST,
        attendee=registration.user,
        organizer_email=sender_address(),
    )
    calendar.add_component(component)
    ical.add_timezones(calendar, [event])
    return ical.serialise(calendar).decode("utf-8")


def _context(registration, **extra) -> dict:
    event = registration.event
    return {
        "registration": registration,
        "event": event,
        "user": registration.user,
        "site_url": settings.SITE_URL,
        "event_url": ical.absolute(event.get_absolute_url()),
        "my_sessions_url": f"{settings.SITE_URL}/my/sessions/",
        "show_online_link": registration.status == "confirmed",
        **extra,
    }


def _send(registration, kind: str, template: str, subject: str, *, method: str = "", dedupe_key=None, **extra):
    user = registration.user
    if user is None:
        return None
    context = _context(registration, **extra)
    return outbox_enqueue(
        kind=kind,
        to_email=user.email,
        user=user,
        event=registration.event,
        registration=registration,
        subject=subject,
        body_text=render_to_string(f"notifications/email/{template}.txt", context),
        body_html=render_to_string(f"notifications/email/{template}.html", context),
        ical=_invitation(registration, method) if method else "",
        ical_method=method,
        reply_to=registration.event.partnership.contact_email,
        dedupe_key=dedupe_key,
    )


def _when(event) -> str:
    return f"{event.local_start:%a %-d %b %Y, %-I:%M %p}".replace("AM", "am").replace("PM", "pm")


def registration_confirmed(registration, *, promoted: bool = False):
    """A seat: an invitation to add to the calendar (or a plain confirmation if invites are off)."""
    event = registration.event
    subject = f"{'A place came free: you' if promoted else 'You'}'re registered: {event.title} ({_when(event)})"
    method = REQUEST if registration.user and registration.user.calendar_invites else ""
    return _send(registration, OutboxMessage.Kind.INVITE, "confirmed", subject, method=method, promoted=promoted)


def registration_waitlisted(registration):
    event = registration.event
    subject = f"You're on the waitlist (number {registration.waitlist_position}): {event.title}"
    return _send(registration, OutboxMessage.Kind.WAITLISTED, "waitlisted", subject)


def registration_cancelled(registration):
    """The person's place is gone: CANCEL the invitation they had (or a plain notice)."""
    event = registration.event
    user = registration.user
    had_invite = registration.ical_sequence_sent is not None and user and user.calendar_invites
    subject = f"Cancelled: your place at {event.title} ({_when(event)})"
    return _send(
        registration, OutboxMessage.Kind.CANCEL, "registration_cancelled", subject, method=CANCEL if had_invite else ""
    )


def event_changed(registration, *, change: str, previous: dict):
    """The session moved, changed venue or was cancelled: update or cancel the invitation."""
    event = registration.event
    invited = registration.user and registration.user.calendar_invites and registration.status == "confirmed"
    if change == "cancelled":
        subject = f"Session cancelled: {event.title} ({_when(event)})"
        return _send(
            registration, OutboxMessage.Kind.CANCEL, "event_cancelled", subject, method=CANCEL if invited else ""
        )
    previous_start = timezone.localtime(previous["start"], event.zone) if previous.get("start") else None
    if change == "rescheduled":
        subject = f"Changed: {event.title} is now {_when(event)}"
    else:
        subject = f"New venue: {event.title}"
    return _send(
        registration,
        OutboxMessage.Kind.UPDATE,
        "event_changed",
        subject,
        method=REQUEST if invited else "",
        change=change,
        previous_start=previous_start,
    )


def thank_you(registration):
    event = registration.event
    return _send(
        registration,
        OutboxMessage.Kind.THANK_YOU,
        "thank_you",
        f"Thank you for coming: {event.title}",
        dedupe_key=f"thanks:{registration.pk}",
    )


def reminders_send_due(*, now=None) -> int:
    """Remind confirmed registrants N days before (per partnership). Once per registration and date."""
    from events.models import Event
    from registrations.models import Registration

    now = now or timezone.now()
    longest = Event.objects.filter(status="published", start__gt=now).aggregate(
        m=Max("partnership__reminder_days_before")
    )["m"]
    if not longest:
        return 0
    registrations = (
        Registration.objects.filter(
            status="confirmed",
            user__isnull=False,
            event__status="published",
            event__start__gt=now,
            event__start__lte=now + timedelta(days=longest),
        )
        .select_related("user", "event", "event__partnership", "event__venue")
        .prefetch_related("event__topics")
    )
    count = 0
    for registration in registrations:
        event = registration.event
        days = event.partnership.reminder_days_before
        if not days or event.start > now + timedelta(days=days):
            continue
        key = f"reminder:{registration.pk}:{event.start:%Y%m%dT%H%M}"
        subject = f"Reminder: {event.title} on {_when(event)}"
        if _send(registration, OutboxMessage.Kind.REMINDER, "reminder", subject, dedupe_key=key):
            count += 1
    return count
