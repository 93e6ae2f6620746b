"""Registrations' side of events.seats: the counts and the waitlist behind an event's capacity."""

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from accounts.models import User
from events.models import Event

from . import selectors
from .models import SEAT_STATUSES, Registration


def _registration_count(*statuses: str):
    """A correlated subquery, so only the rows of the page are counted (and count() skips it)."""
    counted = (
        Registration.objects.filter(event=OuterRef("pk"), status__in=statuses)
        .order_by()
        .values("event")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


class RegistrationSeats:
    def annotate(self, events: QuerySet[Event]) -> QuerySet[Event]:
        return events.annotate(
            confirmed_count=_registration_count(*SEAT_STATUSES),  # seats taken: held offers count
            waitlist_count=_registration_count(Registration.Status.WAITLISTED),
        )

    def annotate_active(self, events: QuerySet[Event]) -> QuerySet[Event]:
        return events.annotate(
            active_registrations=Count("registrations", filter=~Q(registrations__status=Registration.Status.CANCELLED))
        )

    def confirmed_count(self, event: Event) -> int:
        return selectors.event_confirmed_count(event=event)

    def holds_seat(self, event: Event, user: User) -> bool:
        return event.registrations.filter(user=user, status=Registration.Status.CONFIRMED).exists()
