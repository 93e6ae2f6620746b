from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True)
def certificate_batch_run_task(batch_id: int) -> int:
    from .services import certificate_batch_run

    return certificate_batch_run(batch_id=batch_id).done
