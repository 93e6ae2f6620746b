"""What registrations does when events announce a change (events.signals.event_changed).

Events owns the capacity column; registrations owns the seats behind it. When an event gets more seats
(an edit of the session, or of its series), the waitlist moves up at once, in the same transaction,
under the event's lock. Events never calls into registrations for this (it sits below in the layers).
"""

from django.dispatch import receiver

from events import services as event_services
from events.signals import event_changed


@receiver(event_changed, dispatch_uid="registrations.capacity_raised")
def on_event_changed(sender, event, change, previous, **kwargs):
    before = previous.get("capacity")
    if before is None or event.capacity is None or event.capacity <= before:
        return
    from .services import waitlist_promote

    waitlist_promote(event=event_services.event_lock(event=event, related=("partnership",)))


@receiver(event_changed, dispatch_uid="registrations.offers_withdrawn")
def on_event_cancelled(sender, event, change, previous, **kwargs):
    """A cancelled session holds no seats for offers (its people go back to the head of the waitlist)."""
    if change != "cancelled":
        return
    from .services import offers_withdraw

    offers_withdraw(event=event)
