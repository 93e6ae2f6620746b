"""Bulk issue through a real Celery worker consuming from Redis (CI's PostgreSQL + Redis pass)."""

import pytest
from celery.contrib.testing.worker import start_worker

from certificates.models import Certificate
from config.celery import app as celery_app
from registrations.services import attendance_finalise
from tests.events.factories import RegistrationFactory
from tests.notifications.test_worker import real_broker, wait_for  # noqa: F401 - the fixture

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_finalising_attendance_issues_certificates_through_a_real_worker(past_event, coordinator, real_broker):  # noqa: F811
    came = [RegistrationFactory(event=past_event, attendance="attended") for _ in range(5)]
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        attendance_finalise(event=past_event, by=coordinator)  # commits; the batch task goes to Redis
        assert wait_for(lambda: Certificate.objects.filter(status="valid").count() == 5, timeout=60)
        batch = past_event.certificate_batches.get()
        assert wait_for(lambda: type(batch).objects.get(pk=batch.pk).status == "finished")
    assert sorted(Certificate.objects.values_list("registration_id", flat=True)) == sorted(r.pk for r in came)
