"""After a session (attendance finalised, inside that transaction): prompt featured services to re-verify."""

from django.dispatch import receiver

from registrations.signals import attendance_finalised


@receiver(attendance_finalised, dispatch_uid="servicemap.attendance_finalised")
def on_attendance_finalised(sender, event, **kwargs):
    from notifications.receivers import _muted

    if _muted.get():
        return
    from .featured import reverify_prompts_send

    reverify_prompts_send(event=event)
