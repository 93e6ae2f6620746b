"""Connect the events and registrations hooks to the outbox.

The hooks are sent inside the services' transactions, so each message is recorded atomically
with the change that caused it.
"""

import contextlib
from contextvars import ContextVar

from django.dispatch import receiver

from events.signals import event_changed
from registrations.signals import registration_changed

from . import messages

_muted: ContextVar[bool] = ContextVar("notifications_muted", default=False)


@contextlib.contextmanager
def muted():
    """No messages for changes made inside (demo data, bulk imports)."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


@receiver(registration_changed, dispatch_uid="notifications.registration_changed")
def on_registration_changed(sender, registration, change, **kwargs):
    if _muted.get():
        return
    if change in ("confirmed", "promoted"):
        messages.registration_confirmed(registration, promoted=change == "promoted")
    elif change == "waitlisted":
        messages.registration_waitlisted(registration)
    elif change == "cancelled":
        messages.registration_cancelled(registration)


@receiver(event_changed, dispatch_uid="notifications.event_changed")
def on_event_changed(sender, event, change, previous, **kwargs):
    if _muted.get():
        return
    if change not in ("rescheduled", "venue", "cancelled"):
        return
    from registrations.models import Registration

    people = (
        Registration.objects.filter(event=event, status__in=["confirmed", "waitlisted"], user__isnull=False)
        .select_related("user", "event", "event__partnership", "event__venue")
        .prefetch_related("event__topics")
    )
    for registration in people:
        registration.event = event  # the changed row, as the service holds it
        messages.event_changed(registration, change=change, previous=previous)


# After a session (attendance_finalised) the certificate batch sends each attendee one e-mail —
# thanks, the certificate and the feedback link together (notifications.messages.after_session).
