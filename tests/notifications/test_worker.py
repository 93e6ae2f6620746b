"""A real Celery worker consuming from Redis delivers invitations (CI's PostgreSQL + Redis pass)."""

import os
import time

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.core import mail

from config.celery import app as celery_app
from notifications.models import OutboxMessage
from registrations.services import registration_create
from tests.conftest import broker_url
from tests.events.factories import EventFactory
from tests.notifications.test_outbox import closed_port

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def use_broker(url: str) -> None:
    # Celery's conf.broker_url answers the CELERY_BROKER_URL variable first: set both, or every
    # pytest-xdist process's worker consumes from the one database the variable names (and runs the
    # other process's tasks against the wrong test database).
    os.environ["CELERY_BROKER_URL"] = url
    celery_app.conf.broker_url = url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def wait_for(predicate, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def real_broker():
    previous = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)
    use_broker(broker_url())
    celery_app.conf.task_always_eager = False
    # This process's own broker database (tests.conftest.broker_url): empty it, unacknowledged and
    # scheduled messages of earlier tests included, which a purge of the queue leaves behind.
    redis.Redis.from_url(broker_url()).flushdb()
    yield
    celery_app.conf.task_always_eager = previous[1]
    use_broker(previous[0])


def test_a_real_worker_delivers_the_invitation(partnership, practitioner, real_broker):
    event = EventFactory(partnership=partnership)
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        registration_create(event=event, user=practitioner)  # commits; on_commit publishes to Redis
        assert wait_for(lambda: OutboxMessage.objects.filter(status="sent").exists()), "the worker sent nothing"
    (message,) = OutboxMessage.objects.all()
    assert message.attempts == 1
    assert [m.to for m in mail.outbox] == [[practitioner.email]]
    assert any(mimetype.startswith("text/calendar") for _, mimetype in mail.outbox[0].alternatives)


def test_broker_down_during_registration_then_the_worker_sweeps_it_out_once(partnership, practitioner, real_broker):
    event = EventFactory(partnership=partnership)
    up = celery_app.conf.broker_url
    use_broker(f"redis://127.0.0.1:{closed_port()}/0")
    registration_create(event=event, user=practitioner)  # returns although nothing can be queued
    assert OutboxMessage.objects.get().status == "pending"
    use_broker(up)
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        from notifications.tasks import outbox_sweep_task

        outbox_sweep_task.delay()
        outbox_sweep_task.delay()  # the schedule running twice changes nothing
        assert wait_for(lambda: OutboxMessage.objects.filter(status="sent").exists())
        time.sleep(1)
    assert len(mail.outbox) == 1


def test_a_real_worker_sends_a_publish_s_announcement_and_the_sweep_sends_one_the_broker_missed(
    partnership, practitioner, real_broker
):
    """Publishing records the announcement; a worker writes one message per follower and delivers them.
    With the broker down at the publish, the announcement waits, and the sweep (on the worker) sends it."""
    from datetime import timedelta

    from django.utils import timezone

    from events.services import event_publish
    from notifications.announcements import follow_set
    from notifications.models import Announcement

    follow_set(user=practitioner, partnership=partnership)
    draft = EventFactory(partnership=partnership, status="draft", published_at=None)
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        event_publish(event=draft)  # commits; on_commit hands the fan-out to the worker
        assert wait_for(lambda: OutboxMessage.objects.filter(kind="announcement", status="sent").exists())
    assert Announcement.objects.get().recipients == 1 and Announcement.objects.get().fanned_out_at is not None

    up = celery_app.conf.broker_url
    use_broker(f"redis://127.0.0.1:{closed_port()}/0")
    event_publish(event=EventFactory(partnership=partnership, status="draft", published_at=None))  # no error
    waiting = Announcement.objects.get(fanned_out_at__isnull=True)
    use_broker(up)
    Announcement.objects.filter(pk=waiting.pk).update(created_at=timezone.now() - timedelta(hours=1))
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        from notifications.tasks import outbox_sweep_task

        outbox_sweep_task.delay()
        assert wait_for(lambda: OutboxMessage.objects.filter(kind="announcement", status="sent").count() == 2)
    waiting.refresh_from_db()
    assert waiting.recipients == 1 and waiting.fanned_out_at is not None
