"""After a session (attendance finalised, inside that transaction): prompt featured services to re-verify."""

from django.dispatch import receiver

from core.muting import notifications_are_muted
from registrations.signals import attendance_finalised


@receiver(attendance_finalised, dispatch_uid="servicemap.attendance_finalised")
def on_attendance_finalised(sender, event, **kwargs):
    if notifications_are_muted():
        return
    from .featured import reverify_prompts_send

    reverify_prompts_send(event=event)
