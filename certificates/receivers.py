"""When a coordinator finalises attendance, certificates are issued for every attendee (a Celery task)."""

from django.dispatch import receiver

from core.muting import notifications_are_muted
from registrations.signals import attendance_finalised


@receiver(attendance_finalised, dispatch_uid="certificates.attendance_finalised")
def on_attendance_finalised(sender, event, by=None, **kwargs):
    if notifications_are_muted():
        return
    from .services import certificate_batch_start

    certificate_batch_start(event=event, by=by)
