"""When a coordinator finalises attendance, certificates are issued for every attendee (a Celery task);
the periodic outbox sweep resumes batches that stopped making progress."""

from django.dispatch import receiver

from core.muting import notifications_are_muted
from notifications.signals import outbox_swept
from registrations.signals import attendance_finalised


@receiver(attendance_finalised, dispatch_uid="certificates.attendance_finalised")
def on_attendance_finalised(sender, event, by=None, **kwargs):
    if notifications_are_muted():
        return
    from .services import certificate_batch_start

    certificate_batch_start(event=event, by=by)


@receiver(outbox_swept, dispatch_uid="certificates.outbox_swept")
def on_outbox_swept(sender, **kwargs):
    """The periodic sweep: batches that stopped making progress (a killed worker) are queued again."""
    from .services import certificate_batches_resume_stalled

    certificate_batches_resume_stalled()
