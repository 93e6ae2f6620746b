"""Reads for the apps above notifications (certificates): what has been sent, never the outbox's rows."""

from django.db.models import QuerySet

from .models import OutboxMessage


def registrations_thanked(*, event) -> QuerySet:
    """Ids of the registrations of `event` whose after-session e-mail is in the outbox (a values query)."""
    return OutboxMessage.objects.filter(dedupe_key__startswith="thanks:", event=event).values("registration_id")
