"""Insights are computed by a Celery task when the directory changes (debounced), stored and served from the store."""

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from referrals import insights_store
from referrals.insights_store import _Request
from referrals.models import NetworkInsights
from referrals.tasks import network_insights_task
from tests.referrals.factories import PathwayFactory, ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch):
    """What is handed to the broker (the one external part): recorded instead of sent."""
    calls = []
    monkeypatch.setattr(network_insights_task, "apply_async", lambda args, countdown: calls.append((args, countdown)))
    return calls


@pytest.fixture(autouse=True)
def _fresh_transaction(network):
    """The network fixture's own changes already asked (inside the test's transaction): start from none."""
    connection.run_on_commit.clear()


def _requests(callbacks, directory):
    return [c for c in callbacks if isinstance(c, _Request) and c.directory_id == directory.pk]


def test_a_burst_of_directory_changes_in_one_transaction_asks_once_after_commit(
    network, django_capture_on_commit_callbacks
):
    directory = network["directory"]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        service = ServiceFactory(directory=directory, name="New service", needs=["parenting"])
        pathway = PathwayFactory(directory=directory, target_service=service, needs=["parenting"])
        pathway.alternatives.add(network["speech"])
        network["orphan"].delete()
        assert not NetworkInsights.objects.filter(directory=directory, data__isnull=False).exists()  # not before commit
    assert len(_requests(callbacks, directory)) == 1
    stored = NetworkInsights.objects.get(directory=directory)  # Celery is eager in tests: computed on commit
    assert stored.computations == 1 and stored.scheduled_for is None and stored.computed_at is not None
    assert "New service" in {o["service"] for o in stored.data["orphans"]} or stored.data["orphans"] == []
    assert stored.data["dead_ends"]


def test_each_kind_of_change_asks(network, django_capture_on_commit_callbacks):
    directory = network["directory"]
    changes = [
        lambda: network["access"].save(),
        lambda: network["gp_access"].save(),
        lambda: network["gp_access"].needs.clear(),
        lambda: network["access"].service_areas.create(
            directory=directory, name="3350", area_type="postcode", code="3350"
        ),
        lambda: network["paeds"].attributes.first().delete(),
    ]
    for change in changes:
        connection.run_on_commit.clear()  # as if each were its own transaction
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            change()
        assert len(_requests(callbacks, directory)) == 1


def test_debounced_one_pending_computation_then_the_next_change_asks_again(network, queued, settings):
    settings.INSIGHTS_DEBOUNCE_SECONDS = 45
    directory_id = network["directory"].pk
    assert insights_store.insights_schedule(directory_id=directory_id) is True
    for _ in range(5):  # later changes while it is pending
        assert insights_store.insights_schedule(directory_id=directory_id) is False
    assert queued == [((directory_id,), 45.0)]
    stored = NetworkInsights.objects.get(directory_id=directory_id)
    assert stored.scheduled_for > timezone.now() and stored.data is None

    network_insights_task.run(directory_id)  # the worker runs it
    stored.refresh_from_db()
    assert stored.data is not None and stored.scheduled_for is None and stored.computations == 1
    assert insights_store.insights_schedule(directory_id=directory_id) is True  # a change after it: once more
    assert len(queued) == 2


def test_a_lost_claim_is_claimed_again(network, queued):
    directory_id = network["directory"].pk
    insights_store.insights_schedule(directory_id=directory_id)
    NetworkInsights.objects.filter(directory_id=directory_id).update(
        scheduled_for=timezone.now() - insights_store.STALE * 2
    )
    assert insights_store.insights_schedule(directory_id=directory_id) is True and len(queued) == 2


def test_broker_down_gives_the_claim_back(network, monkeypatch):
    def down(args, countdown):
        raise ConnectionError("broker down")

    monkeypatch.setattr(network_insights_task, "apply_async", down)
    directory_id = network["directory"].pk
    with transaction.atomic():
        assert insights_store.insights_schedule(directory_id=directory_id) is False
    assert NetworkInsights.objects.get(directory_id=directory_id).scheduled_for is None


def test_being_computed_page_api_and_csv_before_the_first_result(network, coordinator, token_for, queued):
    directory = network["directory"]
    insights_store.insights_schedule(directory_id=directory.pk)  # queued, not yet run
    client = Client()
    client.force_login(coordinator)
    page = client.get("/manage/ballarat/directory/insights/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "The insights are being computed" in html and "Gatekeepers" not in html and "No gaps found" not in html
    api = Client().get("/api/servicemap/ballarat/insights", headers=token_for(coordinator))
    assert api.status_code == 202 and api.json()["status"] == "computing"
    assert client.get("/manage/ballarat/directory/insights.csv")["Location"] == "/manage/ballarat/directory/insights/"
    assert len(queued) == 1  # viewing did not queue it twice


def test_served_from_the_store_with_computed_at_in_a_fixed_number_of_queries(network, coordinator, token_for):
    directory = network["directory"]
    insights_store.insights_compute(directory_id=directory.pk)
    client = Client()
    client.force_login(coordinator)
    headers = token_for(coordinator)

    def count(url, **kwargs):
        with CaptureQueriesContext(connection) as ctx:
            answer = client.get(url, **kwargs)
        assert answer.status_code == 200
        return len(ctx), answer

    count("/api/servicemap/ballarat/insights", headers=headers)  # the token's first use is recorded once
    before = [
        count("/manage/ballarat/directory/insights/")[0],
        count("/api/servicemap/ballarat/insights", headers=headers)[0],
    ]
    for _ in range(6):
        PathwayFactory(directory=directory, target_service=ServiceFactory(directory=directory))
    insights_store.insights_compute(directory_id=directory.pk)
    page_queries, page = count("/manage/ballarat/directory/insights/")
    api_queries, api = count("/api/servicemap/ballarat/insights", headers=headers)
    assert [page_queries, api_queries] == before
    stored = NetworkInsights.objects.get(directory=directory)
    assert stored.computations == 2
    assert api.json()["computed_at"].startswith(stored.computed_at.isoformat()[:19])
    assert "Computed at" in page.content.decode()
