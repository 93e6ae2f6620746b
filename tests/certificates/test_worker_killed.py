"""Work survives a killed worker (CI's PostgreSQL + Redis pass).

A real Celery worker — its own process, consuming from Redis — is killed by its PID (SIGKILL, no
chance to clean up) half-way through a certificate batch. The periodic sweep, run by a second real
worker, finds the batch stalled and resumes it: every attendee ends with exactly one certificate and
one after-session e-mail, and the batch finishes.
"""

import os
import signal
import subprocess
import sys
from datetime import timedelta
from urllib.parse import quote

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.db import connection
from django.utils import timezone

from certificates.models import Certificate, CertificateBatch
from config.celery import app as celery_app
from notifications.models import OutboxMessage
from registrations.services import attendance_finalise
from tests.conftest import ROOT, broker_url
from tests.events.factories import RegistrationFactory
from tests.notifications.test_worker import real_broker, wait_for  # noqa: F401 - the fixture

pytestmark = [
    pytest.mark.own_process,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
ATTENDEES = 12


def test_celery_is_configured_so_work_survives_a_killed_worker():
    conf = celery_app.conf
    assert conf.task_acks_late is True and conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.broker_transport_options["visibility_timeout"] < 3600


def _database_url() -> str:
    """The test database, for a worker in another process."""
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    return f"postgres://{quote(db['USER'])}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _worker_process(media_root, log_path) -> subprocess.Popen:
    """A worker in its own process. Its log goes to a file: a pipe nobody reads fills after 64 KB of
    warnings and then blocks the worker, which looks exactly like a worker that never starts."""
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": broker_url(),
        "REDIS_URL": "",  # a local-memory cache in the worker
        "MEDIA_ROOT": str(media_root),
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--concurrency=1"]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO"]
    log = open(log_path, "wb")  # noqa: SIM115 - the child owns it; closed with the test's tmp_path
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603


def _tail(path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def test_a_worker_killed_mid_batch_the_sweep_resumes_and_everyone_gets_one_certificate(
    past_event,
    coordinator,
    real_broker,  # noqa: F811
    settings,
    tmp_path,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    came = [RegistrationFactory(event=past_event, attendance="attended") for _ in range(ATTENDEES)]
    log_path = tmp_path / "worker.log"
    worker = _worker_process(settings.MEDIA_ROOT, log_path)
    try:
        attendance_finalise(event=past_event, by=coordinator)  # commits; the batch task goes to Redis
        batch = past_event.certificate_batches.get()
        started = wait_for(lambda: Certificate.objects.filter(event=past_event).count() >= 2, timeout=240)
        if not started:
            batch.refresh_from_db()
            queued = redis.Redis.from_url(broker_url()).llen("celery")
            raise AssertionError(
                f"no certificate yet (worker exit code {worker.poll()}); batch error {batch.error!r}; "
                f"test connection in an atomic block: {connection.in_atomic_block}; "
                f"the test publishes to {celery_app.conf.broker_url}, {queued} message(s) queued there; "
                f"the worker's log ends:\n{_tail(log_path)}"
            )
        os.kill(worker.pid, signal.SIGKILL)  # by its PID, mid-batch
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(timeout=30)
    batch.refresh_from_db()
    issued = Certificate.objects.filter(event=past_event).count()
    assert batch.status == "running" and issued < ATTENDEES, "the worker finished before it was killed"

    # Time passes with no progress; the next periodic sweep runs on a fresh worker.
    CertificateBatch.objects.filter(pk=batch.pk).update(progress_at=timezone.now() - timedelta(minutes=15))
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        from notifications.tasks import outbox_sweep_task

        outbox_sweep_task.delay()
        finished = wait_for(lambda: CertificateBatch.objects.get(pk=batch.pk).status == "finished", timeout=180)
        assert finished, CertificateBatch.objects.get(pk=batch.pk).__dict__
    batch.refresh_from_db()
    assert (batch.done, batch.total, batch.resumes) == (ATTENDEES, ATTENDEES, 1)
    per_registration = {r.pk: list(Certificate.objects.filter(registration=r)) for r in came}
    assert all(len(certs) == 1 and certs[0].status == "valid" for certs in per_registration.values())
    thanks = OutboxMessage.objects.filter(event=past_event, kind="thank_you")
    assert sorted(thanks.values_list("registration_id", flat=True)) == sorted(r.pk for r in came)
    for certificate in Certificate.objects.filter(event=past_event):
        assert (settings.MEDIA_ROOT / certificate.pdf.name).exists()
