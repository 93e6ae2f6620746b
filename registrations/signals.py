"""Hooks for notifications, sent by the registrations services inside their transaction.

registration_changed(registration, change): change is "confirmed" or "waitlisted" (a new or
renewed registration), "promoted" (from the waitlist to a seat, or a waitlist offer accepted),
"offered" (a seat held for them until registration.offer_expires_at), "declined" (they said no to
the offer), "offer_expired" (the sweep ended it at its deadline) or "cancelled".
attendance_finalised(event, by): after a session's attendance is final (certificates hook here).
personal_data_collected(user): sent by `services.user_export_data`; each receiver returns a dict of the
sections its app holds about the person ({"follows": [...]}), added to the export.
"""

from django.dispatch import Signal

registration_changed = Signal()
attendance_finalised = Signal()
personal_data_collected = Signal()
