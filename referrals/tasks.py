"""Celery tasks: take ids, call one service."""

from celery import shared_task


@shared_task(acks_late=True)
def hsds_import_check_task(import_id: int) -> str:
    from .services import hsds_import_check

    return hsds_import_check(import_id=import_id).status


@shared_task(acks_late=True)
def hsds_import_apply_task(import_id: int) -> str:
    from .services import hsds_import_apply_run

    return hsds_import_apply_run(import_id=import_id).status


@shared_task(acks_late=True)
def network_insights_task(directory_id: int) -> int | None:
    """Compute and store a directory's network insights (queued, debounced, by insights_store)."""
    from .insights_store import insights_compute

    stored = insights_compute(directory_id=directory_id)
    return stored.duration_ms if stored else None
