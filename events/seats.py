"""Seats are registrations' business; events only shows and checks them, through this port (reads only).

Capacity is an Event column, but who holds a seat, the confirmed count and the waitlist belong to the
registrations app (registrations/seats.py). Events never imports registrations (registrations sits above
events in the layers, see .importlinter): RegistrationsConfig.ready() plugs its implementation in here.
What more seats mean for the waitlist is decided by registrations, not here: events announces a capacity
change with `event_changed` (previous["capacity"]) and registrations' receiver promotes from the waitlist
in the same transaction (registrations/receivers.py).
"""

from typing import TYPE_CHECKING, Protocol

from django.db.models import QuerySet

if TYPE_CHECKING:
    from accounts.models import User

    from .models import Event


class Seats(Protocol):
    def annotate(self, events: QuerySet["Event"]) -> QuerySet["Event"]:
        """Add `confirmed_count` (seats taken: confirmed and held offers) and `waitlist_count` (correlated
        subqueries: the page's rows only)."""

    def annotate_active(self, events: QuerySet["Event"]) -> QuerySet["Event"]:
        """Add `active_registrations`: registrations not cancelled."""

    def confirmed_count(self, event: "Event") -> int:
        """Seats taken: confirmed registrations and waitlist offers held open."""

    def holds_seat(self, event: "Event", user: "User") -> bool:
        """Has `user` a confirmed registration for `event`?"""


_seats: Seats | None = None


def plug(implementation: Seats) -> None:
    global _seats
    _seats = implementation


def seats() -> Seats:
    if _seats is None:
        raise RuntimeError("No seats: the registrations app plugs them in (INSTALLED_APPS).")
    return _seats
