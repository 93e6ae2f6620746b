"""Waitlist offers under concurrency: accepts, declines, expiries, cancellations and new registrations at once.

PostgreSQL's row locks decide here (SQLite serialises writers anyway): these skip on the SQLite run
and run in CI's PostgreSQL pass. A held offer counts as a taken seat, so capacity stays exact.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from registrations import services
from registrations.models import Registration
from tests.accounts.factories import PartnershipFactory
from tests.events.factories import EventFactory
from tests.registrations.test_concurrency import in_threads, make_users

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _patient_locks(settings):
    settings.LOCK_TIMEOUT_MS = 120_000


def assert_seats_exact(event):
    """Seats taken (confirmed + offered) == capacity while anyone waits; positions 1..n; one row a person."""
    rows = list(event.registrations.all())
    taken = [r for r in rows if r.status in ("confirmed", "offered")]
    waiting = sorted(r.waitlist_position for r in rows if r.status == "waitlisted")
    assert len(taken) == event.capacity if waiting else len(taken) <= event.capacity
    assert waiting == list(range(1, len(waiting) + 1))
    assert all((r.status == "offered") == (r.offer_expires_at is not None) for r in rows)
    assert len({r.user_id for r in rows}) == len(rows)
    return taken, waiting


def test_accepts_declines_expiries_cancellations_and_registrations_together_keep_capacity_exact():
    partnership = PartnershipFactory(offer_window_hours=24, offer_instant_within_hours=12)
    event = EventFactory(partnership=partnership, capacity=20, start=timezone.now() + timedelta(days=14))
    seated = make_users(20, "seat")
    waiters = make_users(40, "wait")
    for user in seated + waiters:
        services.registration_create(event=event, user=user)
    for user in seated[:10]:
        services.registration_cancel(registration=event.registrations.get(user=user), by=user)
    offers = list(event.registrations.filter(status="offered"))
    assert {r.user_id for r in offers} == {u.pk for u in waiters[:10]}  # the head of the waitlist, in order
    by_user = {r.user_id: r for r in offers}
    first_ten = [by_user[u.pk] for u in waiters[:10]]
    to_accept, to_decline, to_expire = first_ten[:4], first_ten[4:7], first_ten[7:]
    Registration.objects.filter(pk__in=[r.pk for r in to_expire]).update(
        offer_expires_at=timezone.now() - timedelta(minutes=1)
    )
    newcomers = make_users(20, "late")
    work = (
        [("accept", r) for r in to_accept]
        + [("decline", r) for r in to_decline]
        + [("sweep", None), ("sweep", None)]  # two sweeps at once end each overdue offer once
        + [("late_accept", r) for r in to_expire[:2]]  # a click after the deadline, racing the sweep
        + [("cancel", event.registrations.get(user=u)) for u in seated[10:15]]
        + [("register", u) for u in newcomers]
    )

    def act(item):
        kind, target = item
        if kind == "accept":
            return services.offer_accept(registration=target).status
        if kind == "decline":
            return services.offer_decline(registration=target).status
        if kind == "sweep":
            return services.offers_expire_due()
        if kind == "late_accept":
            try:
                services.offer_accept(registration=target)
            except ValidationError as error:
                return error.message_dict
            return "accepted late"
        if kind == "cancel":
            return services.registration_cancel(registration=target, by=target.user).status
        return services.registration_create(event=event, user=target)[0].status

    outcome = in_threads(act, work)  # in the order of `work`
    assert outcome[:7] == ["confirmed"] * 4 + ["cancelled"] * 3
    assert sorted(outcome[7:9]) == [0, 3]  # one sweep ended all three, the other found none
    assert all(isinstance(r, dict) and "offer" in r for r in outcome[9:11])
    assert outcome[11:16] == ["cancelled"] * 5 and outcome[16:] == ["waitlisted"] * 20

    event.refresh_from_db()
    taken, waiting = assert_seats_exact(event)
    status = {r.user_id: r.status for r in event.registrations.all()}
    position = {r.user_id: r.waitlist_position for r in event.registrations.filter(status="waitlisted")}
    assert [status[r.user_id] for r in to_accept] == ["confirmed"] * 4
    assert [status[r.user_id] for r in to_decline + to_expire] == ["cancelled"] * 6
    # Six seats passed on (3 declined, 3 expired) and five more freed: the next eleven, in order, hold offers.
    assert [status[u.pk] for u in waiters[10:21]] == ["offered"] * 11
    assert [position[u.pk] for u in waiters[21:]] == list(range(1, 20))  # the rest keep their order…
    assert sorted(position[u.pk] for u in newcomers) == list(range(20, 40))  # …ahead of the newcomers
    assert (len(taken), len(waiting)) == (20, 39)
    assert sum(1 for s in status.values() if s == "confirmed") == 5 + 4


def test_many_offers_accepted_and_declined_at_once_while_capacity_rises():
    from events.services import event_update

    partnership = PartnershipFactory(offer_window_hours=24, offer_instant_within_hours=12)
    event = EventFactory(partnership=partnership, capacity=10, start=timezone.now() + timedelta(days=14))
    users = make_users(50, "grow")
    for user in users:
        services.registration_create(event=event, user=user)
    event_update(event=event, capacity=30)  # twenty offers
    offers = list(event.registrations.filter(status="offered"))
    assert len(offers) == 20
    work = [("accept", r) for r in offers[::2]] + [("decline", r) for r in offers[1::2]] + [("capacity", 35)]

    def act(item):
        kind, target = item
        if kind == "capacity":
            return event_update(event=event, capacity=target).capacity
        if kind == "accept":
            return services.offer_accept(registration=target).status
        return services.offer_decline(registration=target).status

    in_threads(act, work)
    event.refresh_from_db()
    taken, waiting = assert_seats_exact(event)
    confirmed = [r for r in taken if r.status == "confirmed"]
    assert (event.capacity, len(taken), len(confirmed)) == (35, 35, 20)
    assert len(waiting) == 50 - 10 - 35  # ten declined and left; the rest wait in order
