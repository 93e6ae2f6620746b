"""A lock queue too long for the session's lock is a clean 503 with Retry-After, nothing half-written.

Needs PostgreSQL's lock_timeout: runs in the PostgreSQL pass.
"""

import pytest
from django.db import connection, transaction

from accounts.services import api_token_create
from core.locking import BUSY
from events.models import Event
from notifications.models import OutboxMessage
from registrations import services
from registrations.models import Registration
from tests.accounts.factories import PartnershipFactory, UserFactory
from tests.concurrency import HeldRowLock
from tests.events.factories import EventFactory


def HeldLock(event_id: int) -> HeldRowLock:  # noqa: N802 - used as a context manager, like a class
    """Another transaction holding the event's row lock until released."""
    return HeldRowLock(Event, event_id)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_registration_lock_waits_three_seconds_by_default(settings):
    assert settings.LOCK_TIMEOUT_MS == 3000
    event = EventFactory(partnership=PartnershipFactory())
    with transaction.atomic():
        services._lock_event(event)
        with connection.cursor() as cursor:
            cursor.execute("SHOW lock_timeout")
            assert cursor.fetchone()[0] == "3s"
    with connection.cursor() as cursor:  # SET LOCAL: the limit ends with the transaction
        cursor.execute("SHOW lock_timeout")
        assert cursor.fetchone()[0] == "0"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_api_registration_behind_a_held_lock_is_a_clean_503_and_writes_nothing(client, settings):
    settings.LOCK_TIMEOUT_MS = 300
    event = EventFactory(partnership=PartnershipFactory(), capacity=5)
    user = UserFactory()
    token = api_token_create(user=user, name="test")[1]
    url = f"/api/events/{event.pk}/registrations"
    headers = {"Authorization": f"Bearer {token}"}
    with HeldLock(event.pk):
        response = client.post(url, headers=headers)
        assert response.status_code == 503
        assert response["Retry-After"] == "1"
        assert response.json() == {"detail": BUSY}
        assert not Registration.objects.filter(event=event).exists()
        assert not OutboxMessage.objects.filter(event=event).exists()
    # Once the lock is free the same request goes through.
    assert client.post(url, headers=headers).status_code == 201
    assert Registration.objects.get(event=event).status == "confirmed"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_register_page_behind_a_held_lock_says_try_again(client, settings):
    settings.LOCK_TIMEOUT_MS = 300
    event = EventFactory(partnership=PartnershipFactory(), capacity=5)
    user = UserFactory()
    client.force_login(user)
    with HeldLock(event.pk):
        response = client.post(f"/events/{event.pk}/register/")
    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert "Please try again in a moment" in response.content.decode()
    assert not Registration.objects.filter(event=event).exists()


@pytest.mark.parametrize("vendor_error", ["55P03", "sqlite"])
def test_the_middleware_answers_a_lock_timeout_and_nothing_else(rf, vendor_error, monkeypatch):
    from django.db import OperationalError

    from core.locking import LockTimeoutMiddleware

    class Cause(Exception):
        sqlstate = "55P03"

    if vendor_error == "sqlite":
        monkeypatch.setattr(connection, "vendor", "sqlite")
        error = OperationalError("database is locked")
    else:
        error = OperationalError("canceling statement due to lock timeout")
        error.__cause__ = Cause()
    middleware = LockTimeoutMiddleware(lambda request: None)
    response = middleware.process_exception(rf.post("/api/events/1/registrations"), error)
    assert response.status_code == 503 and response["Retry-After"] == "3"
    assert middleware.process_exception(rf.get("/"), OperationalError("no such table")) is None
    assert middleware.process_exception(rf.get("/"), ValueError("database is locked")) is None
