"""Network insights, computed by a Celery task when the directory changes and served from the store.

A change to a directory (a service, pathway, attribute or catchment saved or deleted; a pathway's needs or
alternatives changed — receivers.py) asks for a computation after the transaction commits:
`insights_request`. One request per directory per transaction, and across transactions one pending
computation at a time: the first request sets `NetworkInsights.scheduled_for` (an UPDATE … WHERE
scheduled_for IS NULL, so two processes cannot both claim it) and queues the task DEBOUNCE seconds later; the
requests that follow, while it is pending, do nothing. The task clears the flag when it starts, so a change
made while it computes asks for the next one. A claim older than STALE (a lost task, a broker that was down)
is claimed again. Pages and the API read the stored JSON (`insights_stored`) and say when it was computed.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import F, Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from .insights import network_insights
from .models import Directory, NetworkInsights

logger = logging.getLogger(__name__)

STALE = timedelta(minutes=15)


def _debounce() -> timedelta:
    return timedelta(seconds=getattr(settings, "INSIGHTS_DEBOUNCE_SECONDS", 30))


class _Request:
    """The on-commit callback of one directory (recognisable, so a transaction holds one per directory)."""

    def __init__(self, directory_id: int):
        self.directory_id = directory_id

    def __call__(self) -> None:
        try:
            insights_schedule(directory_id=self.directory_id)
        except DatabaseError:  # e.g. a database migrated back before the table: the change itself stands
            logger.exception("could not schedule the network insights of directory %s", self.directory_id)


def insights_request(*, directory_id: int | None) -> None:
    """Ask for the directory's insights to be recomputed once the current transaction commits."""
    if directory_id is None:
        return
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        isinstance(callback, _Request) and callback.directory_id == directory_id
        for _sids, callback, _robust in connection.run_on_commit
    ):
        return
    transaction.on_commit(_Request(directory_id), robust=True)


def insights_schedule(*, directory_id: int) -> bool:
    """Queue the computation unless one is already pending; True when this call queued it."""
    from .tasks import network_insights_task

    now = timezone.now()
    NetworkInsights.objects.get_or_create(directory_id=directory_id)
    eta = now + _debounce()
    claimed = (
        NetworkInsights.objects.filter(directory_id=directory_id)
        .filter(Q(scheduled_for__isnull=True) | Q(scheduled_for__lt=now - STALE))
        .update(scheduled_for=eta)
    )
    if not claimed:
        return False
    try:
        network_insights_task.apply_async((directory_id,), countdown=_debounce().total_seconds())
    except Exception:  # the broker is down: give the claim back so the next change (or page view) retries
        logger.exception("could not queue the network insights of directory %s", directory_id)
        NetworkInsights.objects.filter(directory_id=directory_id, scheduled_for=eta).update(scheduled_for=None)
        return False
    return True


def insights_compute(*, directory_id: int) -> NetworkInsights | None:
    """Compute and store (the task's body). Clears the pending flag first: a change from now on asks again."""
    directory = Directory.objects.select_related("partnership").filter(pk=directory_id).first()
    if directory is None:
        return None
    NetworkInsights.objects.get_or_create(directory=directory)
    NetworkInsights.objects.filter(directory=directory).update(scheduled_for=None)
    started = time.perf_counter()
    found = network_insights(directory=directory)
    NetworkInsights.objects.filter(directory=directory).update(
        data=found.as_dict(),
        computed_at=found.computed_at,
        duration_ms=round((time.perf_counter() - started) * 1000),
        computations=F("computations") + 1,
    )
    return NetworkInsights.objects.get(directory=directory)


def insights_stored(*, directory: Directory, as_text: bool = False) -> NetworkInsights | None:
    """What is stored (1 query); when nothing has been computed yet, asks for it (and returns None then).

    With `as_text`, the JSON is read as the database's text of it (`data_text`; `data` is not loaded): the API
    sends it as it is, without parsing megabytes of dead ends and serialising them again."""
    queryset = NetworkInsights.objects.filter(directory=directory)
    if as_text:
        queryset = queryset.defer("data").annotate(data_text=Cast("data", TextField()))

    def missing(found: NetworkInsights | None) -> bool:
        return found is None or (found.data_text if as_text else found.data) is None

    stored = queryset.first()
    if missing(stored):
        if stored is None or stored.scheduled_for is None or stored.scheduled_for < timezone.now() - STALE:
            insights_schedule(directory_id=directory.pk)
            stored = queryset.first()  # eager (no broker): computed
        if missing(stored):
            return None
    return stored
