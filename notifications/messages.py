"""What each message says: invitations (iMIP, RFC 6047), waitlist notices, reminders, thank-yous.

Every function here records messages in the outbox, inside the caller's transaction.
"""

from datetime import datetime, timedelta
from email.utils import parseaddr

from django.conf import settings
from django.db.models import Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from events import selectors as event_selectors
from registrations.models import Registration
from registrations.selectors import registration_get, registrations_confirmed_starting
from resources.selectors import resources_for_email

from . import ical
from .models import OutboxMessage
from .services import outbox_enqueue

REQUEST, CANCEL = "REQUEST", "CANCEL"
TEMPLATES = "notifications/email/"
# Messages that change what the person's calendar says take a new SEQUENCE; reminders and thank-yous don't.
SEQUENCED = {"invite", "update", "cancel", "waitlisted"}
# Messages that carry the "can't come? cancel my place" link.
CANCELLABLE = {"invite", "update", "waitlisted", "reminder"}


class Undeliverable(Exception):
    """The message can never be sent (its person or session is gone): failed at once, not retried."""


def sender_address() -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


def organizer_address(partnership) -> str:
    """ORGANIZER: where replies and declines go — the partnership's contact address, else DEFAULT_FROM_EMAIL."""
    return (getattr(partnership, "contact_email", "") or "").strip() or sender_address()


def _next_sequence(registration, *, fresh: bool = False) -> int:
    """Per person and session, every SEQUENCE taken is above the last one (RFC 5546).

    Taken under the event's lock with every change of the person's status or of the session, so the
    personal feed (which shows it) and the e-mailed invitations never disagree. A registration's
    first message takes the event's SEQUENCE; that needs no write (the feed shows the event's
    SEQUENCE while `ical_sequence_sent` is empty), which keeps a new registration's lock short.
    Later ones find the last SEQUENCE on the registration, or on its one earlier message.
    """
    event = registration.event
    last = registration.ical_sequence_sent
    if last is None and fresh:
        return event.sequence
    if last is None:
        last = OutboxMessage.objects.filter(registration=registration, ical_sequence__isnull=False).aggregate(
            last=Max("ical_sequence")
        )["last"]
    sequence = event.sequence if last is None else max(event.sequence, last + 1)
    type(registration).objects.filter(pk=registration.pk).update(ical_sequence_sent=sequence)
    registration.ical_sequence_sent = sequence
    return sequence


def cancel_url(registration) -> str:
    """The signed, single-purpose "can't come? cancel my place" link of an invitation."""
    from .cancel_links import cancel_token

    return f"{settings.SITE_URL}{reverse('cancel-place', kwargs={'token': cancel_token(registration)})}"


def _invitation(registration, method: str, sequence: int) -> str:
    event = registration.event
    calendar = ical.new_calendar(name=event.partnership.name, method=method)
    component = ical.vevent(
        event,
        sequence=sequence,
        status="CANCELLED" if method == CANCEL else "CONFIRMED",
        show_online_link=method == REQUEST,
        attendee=registration.user,
        organizer_email=organizer_address(event.partnership),
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
        "show_online_link": registration.status == Registration.Status.CONFIRMED,
        **extra,
    }


def _send(
    registration, kind: str, template: str, subject: str, *, method: str = "", dedupe_key=None, fresh=False, **extra
):
    """Record the message with the facts of this moment; nothing is rendered here (see `render`).

    Called inside the change's transaction — for registrations, under the event's row lock — so it
    does only what must be decided now: the SEQUENCE and a row in the outbox.
    """
    user = registration.user
    if user is None:
        return None
    sequence = _next_sequence(registration, fresh=fresh) if kind in SEQUENCED else None
    facts = {
        "status": registration.status,
        "waitlist_position": registration.waitlist_position,
        **{name: value.isoformat() if hasattr(value, "isoformat") else value for name, value in extra.items()},
    }
    return outbox_enqueue(
        kind=kind,
        to_email=user.email,
        user=user,
        event=registration.event,
        registration=registration,
        subject=subject,
        template=TEMPLATES + template,
        facts=facts,
        ical_method=method,
        ical_sequence=sequence,
        reply_to=registration.event.partnership.contact_email,
        dedupe_key=dedupe_key,
    )


def render(message) -> None:
    """Fill in the bodies (text, HTML, iCal part) of a message recorded by `_send`, at delivery.

    The session is read as it is now; the person's status, waitlist place and the SEQUENCE are the
    facts stored with the change.
    """
    if not message.template or message.body_text:
        return
    if message.kind == OutboxMessage.Kind.ANNOUNCEMENT:
        from .announcements import announcement_render

        return announcement_render(message)
    registration = registration_get(registration_id=message.registration_id)
    if registration is None or registration.user is None:
        raise Undeliverable("The person's account was deleted before the message went out.")
    facts = dict(message.facts or {})
    registration.status = facts.pop("status", registration.status)
    registration.waitlist_position = facts.pop("waitlist_position", registration.waitlist_position)
    for name in ("previous_start", "feedback_expires_at"):
        if facts.get(name):
            facts[name] = timezone.localtime(datetime.fromisoformat(facts[name]), registration.event.zone)
    if message.kind in CANCELLABLE and registration.status in (
        Registration.Status.CONFIRMED,
        Registration.Status.WAITLISTED,
    ):
        facts["cancel_url"] = cancel_url(registration)
    if message.kind == OutboxMessage.Kind.THANK_YOU:
        facts["resources"] = _resource_links(registration.event)
    context = _context(registration, **facts)
    message.body_text = render_to_string(f"{message.template}.txt", context)
    message.body_html = render_to_string(f"{message.template}.html", context)
    if message.ical_method:
        message.ical = _invitation(registration, message.ical_method, message.ical_sequence or 0)


def _resource_links(event) -> list[dict]:
    """The session's resources as the thank-you e-mail lists them (read at delivery, so what was added
    after the session but before the e-mail went out is in it)."""
    return [
        {"title": r.title, "url": r.url if not r.is_file else ical.absolute(r.get_absolute_url()), "file": r.is_file}
        for r in resources_for_email(event=event)
    ]


def _when(event) -> str:
    return f"{event.local_start:%a %-d %b %Y, %-I:%M %p}".replace("AM", "am").replace("PM", "pm")


def registration_confirmed(registration, *, promoted: bool = False):
    """A seat: an invitation to add to the calendar (or a plain confirmation if invites are off)."""
    event = registration.event
    subject = f"{'A place came free: you' if promoted else 'You'}'re registered: {event.title} ({_when(event)})"
    method = REQUEST if registration.user and registration.user.calendar_invites else ""
    return _send(
        registration,
        OutboxMessage.Kind.INVITE,
        "confirmed",
        subject,
        method=method,
        promoted=promoted,
        fresh=not promoted,
    )


def registration_waitlisted(registration):
    event = registration.event
    subject = f"You're on the waitlist (number {registration.waitlist_position}): {event.title}"
    return _send(registration, OutboxMessage.Kind.WAITLISTED, "waitlisted", subject, fresh=True)


def registration_cancelled(registration):
    """The person's place is gone: CANCEL the invitation they had (or a plain notice)."""
    event = registration.event
    user = registration.user
    had_invite = (
        user
        and user.calendar_invites
        and OutboxMessage.objects.filter(registration=registration, ical_method=REQUEST).exists()
    )
    subject = f"Cancelled: your place at {event.title} ({_when(event)})"
    return _send(
        registration, OutboxMessage.Kind.CANCEL, "registration_cancelled", subject, method=CANCEL if had_invite else ""
    )


def event_changed(registration, *, change: str, previous: dict):
    """The session moved, changed venue or was cancelled: update or cancel the invitation."""
    event = registration.event
    invited = (
        registration.user
        and registration.user.calendar_invites
        and registration.status == Registration.Status.CONFIRMED
    )
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


def after_session(
    registration,
    *,
    certificate: dict | None = None,
    feedback_url: str = "",
    feedback_expires_at=None,
    edit_days: int = 0,
):
    """After a session, one e-mail per attendee: thanks, the certificate link and the feedback link
    together. Once per registration (the certificate batch may run again after a killed worker).

    certificate: the facts the e-mail prints (hours_display, display_code, download_url, verify_url),
    given by the certificates app, which calls this (notifications never imports it)."""
    event = registration.event
    parts = [
        p for p, present in (("your certificate", certificate), ("two minutes of feedback", feedback_url)) if present
    ]
    subject = f"Thank you for coming: {event.title}" + (f" — {' and '.join(parts)}" if parts else "")
    certificate = dict(certificate or {})
    return _send(
        registration,
        OutboxMessage.Kind.THANK_YOU,
        "after_session",
        subject,
        dedupe_key=f"thanks:{registration.pk}",
        certificate=certificate or None,
        download_url=certificate.get("download_url", ""),
        verify_url=certificate.get("verify_url", ""),
        feedback_url=feedback_url,
        feedback_expires_at=feedback_expires_at,
        edit_days=edit_days,
    )


def reminders_send_due(*, now=None) -> int:
    """Remind confirmed registrants N days before (per partnership). Once per registration and date."""
    now = now or timezone.now()
    longest = event_selectors.reminder_days_longest(after=now)
    if not longest:
        return 0
    registrations = (
        registrations_confirmed_starting(after=now, until=now + timedelta(days=longest))
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


# --- Waitlist offers (registrations: change "offered" / "offer_expired") ---------------------


def _deadline_text(registration) -> str:
    local = timezone.localtime(registration.offer_expires_at, registration.event.zone)
    return f"{local:%A %-d %B %Y, %-I:%M %p}".replace("AM", "am").replace("PM", "pm")


def registration_offered(registration):
    """A seat is held for the head of the waitlist: Accept / Decline links and the deadline (their zone)."""
    from registrations.offer_links import offer_urls

    event = registration.event
    subject = f"A place came free: accept it by {_deadline_text(registration)} — {event.title}"
    return _send(
        registration,
        OutboxMessage.Kind.NOTICE,
        "offered",
        subject,
        dedupe_key=f"offer:{registration.pk}:{registration.offer_expires_at:%Y%m%dT%H%M%S}",
        deadline=_deadline_text(registration),
        **offer_urls(registration),
    )


def registration_offer_expired(registration):
    """The offer's deadline passed: the place went to the next person."""
    subject = f"Your held place has gone to the next person: {registration.event.title}"
    return _send(registration, OutboxMessage.Kind.NOTICE, "offer_expired", subject)
