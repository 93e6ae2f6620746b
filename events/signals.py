"""The hook other apps use when an event changes.

`event_changed` is sent by the events services *inside* their transaction, with
`event`, `change` ("published", "rescheduled", "venue", "capacity", "cancelled", "status") and
`previous` (start, end, venue_id, status, capacity before the change). Receivers that notify
people should record the message in the same transaction and deliver it after commit.
A change of capacity is announced whatever else changed with it: compare `event.capacity` with
`previous["capacity"]` (registrations fills new seats from the waitlist that way).
"""

from django.dispatch import Signal

event_changed = Signal()
