"""Hooks for notifications, sent by the registrations services inside their transaction.

registration_changed(registration, change): change is "confirmed" or "waitlisted" (a new or
renewed registration), "promoted" (from the waitlist to a seat) or "cancelled".
attendance_finalised(event, by): after a session's attendance is final (certificates hook here).
"""

from django.dispatch import Signal

registration_changed = Signal()
attendance_finalised = Signal()
