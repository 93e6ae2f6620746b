"""The HSDS upload's check and import through a real Celery worker consuming from Redis (CI's
PostgreSQL + Redis pass): the request only queues; the worker dry-runs, then imports."""

import pytest
from celery.contrib.testing.worker import start_worker

from config.celery import app as celery_app
from referrals import services
from referrals.models import HsdsImport, Location, Service
from tests.notifications.test_worker import real_broker, wait_for  # noqa: F401 - the fixture
from tests.referrals.hsds_schemas import example
from tests.referrals.test_hsds_both_ways import SAL_ID

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def status_of(pk: int) -> str:
    return HsdsImport.objects.values_list("status", flat=True).get(pk=pk)


def test_a_real_worker_checks_then_imports_an_uploaded_file(directory, coordinator, real_broker):  # noqa: F811
    import json

    source = json.dumps(example("service_at_location_full.json")).encode()
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        hsds_import = services.hsds_import_start(
            directory=directory, source=source, filename="sal.json", user=coordinator
        )  # commits; the check goes to Redis
        assert wait_for(lambda: status_of(hsds_import.pk) == HsdsImport.Status.PREVIEWED, timeout=60)
        assert not Service.objects.exists()  # a dry run
        hsds_import.refresh_from_db()
        unmatched = {area["name"]: "" for area in hsds_import.report["unmatched_areas"]}  # left unmatched
        assert unmatched  # the example's area is a sentence about "the MyCity area"
        services.hsds_import_apply_start(hsds_import=hsds_import, user=coordinator, mappings={"areas": unmatched})
        assert wait_for(lambda: status_of(hsds_import.pk) == HsdsImport.Status.APPLIED, timeout=60)
    assert Service.objects.count() == 1 and Location.objects.count() == 1
    assert HsdsImport.objects.get().report["counts"]["service_at_location"] == {"created": 1}
    assert str(Service.objects.get().service_at_locations.get().pk) == SAL_ID
