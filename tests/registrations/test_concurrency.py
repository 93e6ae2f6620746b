"""No overbooking under concurrency: separate connections racing on PostgreSQL.

These need PostgreSQL's row locks (SQLite serialises writers anyway): they skip on the SQLite
run and run in CI's PostgreSQL pass.
"""

import random

import pytest

from accounts.models import User
from registrations import services
from registrations.models import Registration
from tests.accounts.factories import PartnershipFactory
from tests.concurrency import in_threads as run_in_threads
from tests.events.factories import EventFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
WORKERS = 40  # PostgreSQL allows 100 connections here; 40 threads keep 40 transactions in flight


@pytest.fixture(autouse=True)
def _patient_locks(settings):
    """These races check the invariants, not the 3 s lock_timeout (tests/registrations/test_lock_timeout.py):
    40 threads on a busy machine may queue longer than that for the event's lock."""
    settings.LOCK_TIMEOUT_MS = 120_000


def make_users(n: int, prefix: str) -> list[User]:
    return User.objects.bulk_create([User(email=f"{prefix}{i}@example.org", full_name=f"Racer {i}") for i in range(n)])


def in_threads(fn, items):
    return run_in_threads(fn, items, workers=WORKERS)


def assert_invariants(event):
    active = list(event.registrations.exclude(status="cancelled"))
    confirmed = [r for r in active if r.status == "confirmed"]
    waiting = sorted(r.waitlist_position for r in active if r.status == "waitlisted")
    assert len(confirmed) == min(event.capacity, len(active))
    assert waiting == list(range(1, len(waiting) + 1))
    users = [r.user_id for r in event.registrations.all()]
    assert len(users) == len(set(users))
    return confirmed, waiting


def test_200_concurrent_registrations_for_50_seats():
    event = EventFactory(partnership=PartnershipFactory(), capacity=50)
    users = make_users(200, "racer")
    results = in_threads(lambda user: services.registration_create(event=event, user=user)[0], users)
    assert len(results) == 200
    confirmed, waiting = assert_invariants(event)
    assert len(confirmed) == 50
    assert waiting == list(range(1, 151))
    # Positions follow the order the server saw: earlier registrations are nearer the front.
    waitlisted = list(event.registrations.filter(status="waitlisted").order_by("waitlist_position"))
    assert [r.created_at for r in waitlisted] == sorted(r.created_at for r in waitlisted)


def test_double_clicks_in_parallel_create_one_registration():
    event = EventFactory(partnership=PartnershipFactory(), capacity=5)
    (user,) = make_users(1, "clicker")
    results = in_threads(lambda _: services.registration_create(event=event, user=user)[0].pk, list(range(20)))
    assert len(set(results)) == 1
    assert event.registrations.count() == 1


def test_concurrent_cancellations_and_registrations_keep_the_invariant():
    event = EventFactory(partnership=PartnershipFactory(), capacity=50)
    first = make_users(120, "first")
    for user in first:
        services.registration_create(event=event, user=user)
    rng = random.Random(7)
    to_cancel = rng.sample(list(event.registrations.all()), 40)
    newcomers = make_users(30, "late")
    work = [("cancel", r) for r in to_cancel] + [("register", u) for u in newcomers]
    rng.shuffle(work)

    def act(item):
        kind, target = item
        if kind == "cancel":
            return services.registration_cancel(registration=target, by=target.user)
        return services.registration_create(event=event, user=target)[0]

    in_threads(act, work)
    confirmed, waiting = assert_invariants(event)
    assert len(confirmed) == 50
    assert len(waiting) == 120 + 30 - 40 - 50


def test_capacity_raised_while_people_register():
    from events.services import event_update

    event = EventFactory(partnership=PartnershipFactory(), capacity=10)
    users = make_users(60, "grow")
    work = [("register", u) for u in users] + [("capacity", 30)]

    def act(item):
        kind, value = item
        if kind == "capacity":
            return event_update(event=event, capacity=value)
        return services.registration_create(event=event, user=value)[0]

    in_threads(act, work)
    event.refresh_from_db()
    confirmed, waiting = assert_invariants(event)
    assert (event.capacity, len(confirmed), len(waiting)) == (30, 30, 30)
    assert Registration.objects.filter(event=event).count() == 60
