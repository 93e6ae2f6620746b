"""Under a burst, whatever the database refuses as "busy, try again" is a clean 503 with Retry-After and
nothing written — also when the refusal comes at the API's COMMIT, after the view — never a 500.

The lock-wait tests need PostgreSQL: they run in the PostgreSQL pass.
"""

import pytest
from django.db import OperationalError, connection, transaction

from accounts.models import User
from accounts.services import api_token_create
from core import locking
from core.locking import BUSY
from notifications.models import OutboxMessage
from registrations import services
from registrations.models import Registration
from tests.accounts.factories import PartnershipFactory, UserFactory
from tests.concurrency import HeldRowLock
from tests.events.factories import EventFactory


def _refusal(sqlstate: str | None, text: str = "refused") -> OperationalError:
    class Cause(Exception):
        pass

    cause = Cause(text)
    cause.sqlstate = sqlstate
    error = OperationalError(text)
    error.__cause__ = cause
    return error


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_lock_wait_at_the_api_commit_is_a_clean_503_and_writes_nothing(client, settings):
    """The registration's foreign keys are checked at COMMIT (deferred), which the API's transaction
    reaches after the view: a lock held on the person's row there outlasts the lock timeout."""
    settings.LOCK_TIMEOUT_MS = 300
    event = EventFactory(partnership=PartnershipFactory(), capacity=5)
    user = UserFactory()
    token = api_token_create(user=user, name="test")[1]
    url = f"/api/events/{event.pk}/registrations"
    headers = {"Authorization": f"Bearer {token}"}
    client.get("/api/me", headers=headers)  # the token's first use is recorded outside the held lock
    with HeldRowLock(User, user.pk):
        response = client.post(url, headers=headers)
        assert response.status_code == 503
        assert response["Retry-After"] == "1"
        assert response.json() == {"detail": BUSY}
    assert not Registration.objects.filter(event=event).exists()
    assert not OutboxMessage.objects.filter(event=event).exists()
    assert client.post(url, headers=headers).status_code == 201


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_locked_section_also_limits_each_statement():
    event = EventFactory(partnership=PartnershipFactory())
    with transaction.atomic():
        services._lock_event(event)
        with connection.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            assert cursor.fetchone()[0] == f"{locking.STATEMENT_TIMEOUT_MS // 1000}s"
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "0"


@pytest.mark.django_db
def test_a_deadlock_in_the_registration_is_a_clean_503_and_writes_nothing(client, monkeypatch):
    """PostgreSQL breaks a deadlock by cancelling one transaction (40P01): that client may try again."""
    event = EventFactory(partnership=PartnershipFactory(), capacity=5)
    user = UserFactory()
    token = api_token_create(user=user, name="test")[1]
    real = services.registration_changed.send

    def deadlocked(*args, **kwargs):
        real(*args, **kwargs)  # the registration and its outbox row are written, then the refusal
        raise _refusal("40P01", "deadlock detected")

    monkeypatch.setattr(services.registration_changed, "send", deadlocked)
    response = client.post(f"/api/events/{event.pk}/registrations", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 503 and response["Retry-After"] == "3"
    assert response.json() == {"detail": BUSY}
    assert not Registration.objects.filter(event=event).exists()
    assert not OutboxMessage.objects.filter(event=event).exists()


@pytest.mark.parametrize(
    ("sqlstate", "text", "reason"),
    [
        ("55P03", "canceling statement due to lock timeout", "lock timeout"),
        ("40P01", "deadlock detected", "deadlock"),
        ("40001", "could not serialize access", "serialization failure"),
        ("57014", "canceling statement due to statement timeout", "statement timeout"),
        ("53300", "sorry, too many clients already", "too many connections"),
        (None, "connection failed: FATAL:  sorry, too many clients already", "too many connections"),
    ],
)
def test_busy_refusals_are_recognised(sqlstate, text, reason):
    assert locking.busy_reason(_refusal(sqlstate, text)) == reason


def test_other_database_errors_are_not_busy():
    assert locking.busy_reason(_refusal("42P01", 'relation "x" does not exist')) is None
    assert locking.busy_reason(_refusal(None, "server closed the connection unexpectedly")) is None
    assert locking.busy_reason(ValueError("deadlock detected")) is None
