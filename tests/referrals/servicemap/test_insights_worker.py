"""Insights through a real Celery worker consuming from Redis (CI's PostgreSQL + Redis pass)."""

import pytest
from celery.contrib.testing.worker import start_worker

from config.celery import app as celery_app
from referrals.models import NetworkInsights
from tests.notifications.test_worker import real_broker, wait_for  # noqa: F401 - the fixture
from tests.referrals.factories import DirectoryFactory, PathwayFactory, ServiceFactory

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_burst_of_changes_is_computed_once_by_a_real_worker(partnership, real_broker, settings):  # noqa: F811
    settings.INSIGHTS_DEBOUNCE_SECONDS = 10  # the burst takes well under that
    directory = DirectoryFactory(partnership=partnership)
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        target = ServiceFactory(directory=directory, name="Speech")  # each commits: a burst of changes
        for _ in range(3):
            PathwayFactory(directory=directory, target_service=target)
        assert NetworkInsights.objects.get(directory=directory).computations == 0  # debounced: not yet
        assert wait_for(lambda: NetworkInsights.objects.get(directory=directory).computations >= 1, timeout=60)
        stored = NetworkInsights.objects.get(directory=directory)
        assert stored.computations == 1 and stored.computed_at and stored.scheduled_for is None
        assert stored.data["orphans"] == []  # every pathway was there when it computed
