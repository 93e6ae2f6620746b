"""Table plans under concurrency: separate connections racing on PostgreSQL (row locks on the plan).

They skip on the SQLite run (SQLite serialises writers anyway) and run in CI's PostgreSQL pass.
"""

import contextlib
import random

import pytest

from networking import services
from networking.models import Seat, TablePlan
from tests.accounts.factories import PartnershipFactory
from tests.concurrency import in_threads as run_in_threads
from tests.events.factories import EventFactory

from .factories import attendees

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
WORKERS = 12


def in_threads(fn, items):
    return run_in_threads(fn, items, workers=WORKERS)


def assert_everyone_seated_once(event, people):
    seats = list(Seat.objects.filter(group__plan__event=event).values_list("registration_id", flat=True))
    assert len(seats) == len(set(seats))
    assert set(seats) == {r.pk for r in people}


def test_racing_first_plans_make_one_plan():
    event = EventFactory(partnership=PartnershipFactory(slug="race-one"))
    people = attendees(event, 30)
    in_threads(lambda seed: services.plan_generate(event=event, by=None, seed=seed), list(range(WORKERS)))
    assert TablePlan.objects.filter(event=event).count() == 1
    assert_everyone_seated_once(event, people)


def test_moves_pins_locks_and_replans_racing_lose_nobody():
    event = EventFactory(partnership=PartnershipFactory(slug="race-two"))
    people = attendees(event, 40)
    plan = services.plan_generate(event=event, by=None, seed=1)
    groups = list(plan.groups.all())
    rng = random.Random(7)
    actions = []
    for n in range(48):
        kind = n % 4
        if kind == 0:
            actions.append(("move", rng.choice(people).pk, rng.choice(groups).pk))
        elif kind == 1:
            actions.append(("pin", rng.choice(people).pk, None))
        elif kind == 2:
            actions.append(("lock", None, rng.choice(groups).pk))
        else:
            actions.append(("replan", None, None))

    def act(action):
        kind, registration_id, group_id = action
        from django.core.exceptions import ValidationError

        with contextlib.suppress(ValidationError):  # e.g. a move into a table another thread just locked
            if kind == "move":
                services.seat_move(plan=plan, registration=registration_id, group=group_id, by=None)
            elif kind == "pin":
                services.seat_pin(plan=plan, registration=registration_id, pinned=True, by=None)
            elif kind == "lock":
                group = plan.groups.get(pk=group_id) if plan.groups.filter(pk=group_id).exists() else None
                if group is not None:
                    services.group_lock(group=group, by=None)
            else:
                services.plan_regenerate_unlocked(plan=plan, by=None)

    in_threads(act, actions)
    assert_everyone_seated_once(event, people)
    services.plan_regenerate_unlocked(plan=plan, by=None)
    assert_everyone_seated_once(event, people)
