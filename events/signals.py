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

# Sent once per publishing action (one session, a whole series, a series created published, a series
# edit that publishes new occurrences), inside the transaction, with `partnership` and `events` (the
# sessions that became published, oldest first). `event_changed(change="published")` is still sent per
# session; this one is for announcing them together (one e-mail per follower, not one per session).
sessions_published = Signal()
