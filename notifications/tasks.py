"""Celery tasks: small, take ids, call one service."""

from celery import shared_task


@shared_task(bind=True, max_retries=6, acks_late=True, reject_on_worker_lost=True)
def outbox_deliver_task(self, message_id: int) -> str:
    from .models import OutboxMessage
    from .services import backoff, outbox_deliver

    message = outbox_deliver(message_id=message_id)
    if message is None:
        return "missing"
    if message.status == OutboxMessage.Status.PENDING and not self.request.is_eager:
        # A transient failure: try again after the back-off (the sweep would too, later).
        raise self.retry(countdown=backoff(message.attempts).total_seconds())
    return message.status


@shared_task
def outbox_sweep_task() -> int:
    from .services import outbox_sweep

    return outbox_sweep()


@shared_task
def reminders_send_due_task() -> int:
    from .messages import reminders_send_due

    return reminders_send_due()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def announcement_fan_out_task(announcement_id: int) -> int:
    """One outbox message per follower, off the publishing request (idempotent: each message is deduped)."""
    from .announcements import announcement_fan_out

    announcement = announcement_fan_out(announcement_id=announcement_id)
    return announcement.recipients if announcement else 0
