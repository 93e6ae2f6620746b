"""Celery tasks: small, call one service."""

from celery import shared_task


@shared_task
def offers_expire_due_task() -> int:
    """The periodic sweep (Celery beat, every minute): end overdue waitlist offers, offer the seats on."""
    from .services import offers_expire_due

    return offers_expire_due()
