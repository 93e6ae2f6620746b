"""Invite attendees to give feedback when a coordinator finalises a session's attendance.

`attendance_finalised` is sent inside the finalising transaction, so the invitations (and their
e-mails, through the outbox) commit or roll back with it. Muted like the notifications receivers
(`seed_demo` sends nothing).
"""

from django.dispatch import receiver

from core.muting import notifications_are_muted
from registrations.signals import attendance_finalised


@receiver(attendance_finalised, dispatch_uid="reporting.attendance_finalised")
def on_attendance_finalised(sender, event, **kwargs):
    if notifications_are_muted():
        return
    from .services import feedback_invite_attendees

    feedback_invite_attendees(event=event)
