"""Connect the events and registrations hooks to the outbox.

The hooks are sent inside the services' transactions, so each message is recorded atomically
with the change that caused it.
"""

from django.dispatch import receiver

from core.muting import notifications_are_muted, notifications_muted
from events.signals import event_changed
from registrations.signals import registration_changed

from . import messages

# `muted()` is core.muting.notifications_muted, kept under its old name for callers and tests.
muted = notifications_muted


@receiver(registration_changed, dispatch_uid="notifications.registration_changed")
def on_registration_changed(sender, registration, change, **kwargs):
    if notifications_are_muted():
        return
    if change in ("confirmed", "promoted"):
        messages.registration_confirmed(registration, promoted=change == "promoted")
    elif change == "waitlisted":
        messages.registration_waitlisted(registration)
    elif change == "cancelled":
        messages.registration_cancelled(registration)


@receiver(event_changed, dispatch_uid="notifications.event_changed")
def on_event_changed(sender, event, change, previous, **kwargs):
    if notifications_are_muted():
        return
    if change not in ("rescheduled", "venue", "cancelled"):
        return
    from registrations.selectors import registrations_holding_a_place

    people = (
        registrations_holding_a_place(event=event)
        .select_related("user", "event", "event__partnership", "event__venue")
        .prefetch_related("event__topics")
    )
    for registration in people:
        registration.event = event  # the changed row, as the service holds it
        messages.event_changed(registration, change=change, previous=previous)


# After a session (attendance_finalised) the certificate batch sends each attendee one e-mail —
# thanks, the certificate and the feedback link together (notifications.messages.after_session).


# --- Followers and announcements (notifications.announcements) ---------------------------------------
from accounts.signals import user_signed_up  # noqa: E402 - kept with the receivers below, for merges
from events.signals import sessions_published  # noqa: E402

from .signals import outbox_swept  # noqa: E402


@receiver(sessions_published, dispatch_uid="notifications.sessions_published")
def on_sessions_published(sender, partnership, events, **kwargs):
    """One announcement per publishing action: recorded in its transaction, sent to the followers by a
    Celery task once it commits (not in the request, not under its locks); the periodic sweep sends it
    should that never run."""
    if notifications_are_muted():
        return
    from django.db import transaction

    from .announcements import announcement_dispatch, sessions_announcement_record

    announcement = sessions_announcement_record(partnership=partnership, events=list(events))
    if announcement is None:
        return
    announcement_id = announcement.pk
    # robust: the publish has committed; a failure here is logged (and the sweep retries), never the
    # coordinator's error page.
    transaction.on_commit(lambda: announcement_dispatch(announcement_id), robust=True)


@receiver(outbox_swept, dispatch_uid="notifications.announcements_resume")
def on_outbox_swept(sender, **kwargs):
    from .announcements import announcements_resume

    announcements_resume()


@receiver(user_signed_up, dispatch_uid="notifications.user_signed_up")
def on_user_signed_up(sender, user, follow_partnerships=(), **kwargs):
    from .announcements import follows_from_sign_up

    follows_from_sign_up(user=user, partnerships=follow_partnerships)


@receiver(registration_changed, dispatch_uid="notifications.waitlist_offers")
def on_waitlist_offer(sender, registration, change, **kwargs):
    """Waitlist offers: the offer e-mail (Accept / Decline, the deadline) and the notice when it ends.
    An accepted offer is "promoted" (the invitation, above); a declined one needs no e-mail."""
    if notifications_are_muted():
        return
    if change == "offered":
        messages.registration_offered(registration)
    elif change == "offer_expired":
        messages.registration_offer_expired(registration)


from registrations.signals import personal_data_collected  # noqa: E402


@receiver(personal_data_collected, dispatch_uid="notifications.personal_data")
def on_personal_data_collected(sender, user, **kwargs):
    """The person's follows (the consent announcements rest on), for their data export."""
    from .announcements import follow_list

    return {
        "follows": [
            {
                "partnership": follow.partnership.slug,
                "topics": [topic.name for topic in follow.topics.all()],
                "source": follow.source,
                "since": follow.created_at.isoformat(),
            }
            for follow in follow_list(user=user)
        ]
    }
