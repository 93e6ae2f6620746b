"""Writes for table plans. Each service opens its transaction and locks the plan row first.

`_lock_plan` takes SELECT … FOR UPDATE on PostgreSQL (SQLite's IMMEDIATE transactions queue writers
instead); state is re-read after the lock. The event row is never locked here, so planning (well under
a second) does not hold up registrations and check-ins.
"""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Value, When
from django.utils import timezone

from accounts.models import User
from events import selectors as event_selectors
from events.models import Event
from registrations.models import Registration
from registrations.selectors import registration_get

from . import assignment, selectors
from .models import MAX_SEED, MAX_TABLE_SIZE, MIN_TABLE_SIZE, Seat, TableGroup, TablePlan

EVENT_CANCELLED = "This session is cancelled: there are no tables to plan."
SIZE_RANGE_INVALID = (
    f"Table sizes must be between {MIN_TABLE_SIZE} and {MAX_TABLE_SIZE}, the smallest no larger than the largest."
)
SEED_INVALID = f"The seed must be a whole number from 0 to {MAX_SEED}."
GROUP_LOCKED = "Table {number} is locked: unlock it first."
GROUP_NOT_IN_PLAN = "That table is not part of this plan."
NOT_SEATABLE = "Only confirmed people who were not marked as no-shows can have a seat."
NOT_IN_EVENT = "That registration is not for this session."
NOT_SEATED = "{name} has no table yet: move them to one first."


def _lock_plan(plan: TablePlan | int) -> TablePlan:
    """The plan, locked for this transaction. Call inside transaction.atomic."""
    pk = plan if isinstance(plan, int) else plan.pk
    return TablePlan.objects.select_for_update().select_related("event", "event__partnership").get(pk=pk)


def _check_sizes(min_size: int, max_size: int) -> None:
    if not (MIN_TABLE_SIZE <= min_size <= max_size <= MAX_TABLE_SIZE):
        raise ValidationError({"min_size": SIZE_RANGE_INVALID})


def _inputs(plan: TablePlan) -> tuple[list[assignment.Person], set[tuple[int, int]]]:
    """The people to seat and who met whom before (one query for the history)."""
    registrations = list(selectors.seatable_registrations(event=plan.event))
    history = selectors.meeting_history(event=plan.event, user_ids={r.user_id for r in registrations})
    return [selectors.person_for(r) for r in registrations], selectors.met_between(registrations, history)


def _current_tables(plan: TablePlan, *, fresh: bool) -> list[assignment.Table]:
    """The plan's tables as the planner's input. Fresh: only the pins carry over, nothing is locked."""
    tables = []
    for group in plan.groups.prefetch_related("seats").order_by("number"):
        seats = list(group.seats.all())
        pinned = frozenset(s.registration_id for s in seats if s.pinned)
        if fresh:
            tables.append(assignment.Table(number=group.number, members=tuple(sorted(pinned)), pinned=pinned))
        else:
            members = tuple(s.registration_id for s in seats)
            tables.append(assignment.Table(number=group.number, members=members, locked=group.locked, pinned=pinned))
    return tables


def _apply(plan: TablePlan, result: assignment.Plan, *, by: User | None, unlock_all: bool) -> None:
    """Write the planner's result: tables added or removed, seats moved, created or removed."""
    groups = {g.number: g for g in plan.groups.all()}
    for number, group in list(groups.items()):
        if number not in result.tables:
            group.delete()  # an empty (or emptied) unlocked table
            del groups[number]
    if unlock_all:
        plan.groups.filter(locked=True).update(locked=False)
    for number in result.tables:
        if number not in groups:
            groups[number] = TableGroup.objects.create(plan=plan, number=number)
    wanted = {key: groups[number].pk for number, keys in result.tables.items() for key in keys}
    seats = {s.registration_id: s for s in Seat.objects.filter(group__plan=plan)}
    Seat.objects.filter(group__plan=plan).exclude(registration_id__in=list(wanted)).delete()
    # Moved seats in one UPDATE with a case per table they move to (bulk_update's case per seat cost
    # more to build in Python than the whole plan, at 200 people).
    moving_to: dict[int, list[int]] = {}
    for registration_id, group_id in wanted.items():
        seat = seats.get(registration_id)
        if seat is not None and seat.group_id != group_id:
            moving_to.setdefault(group_id, []).append(seat.pk)
    if moving_to:
        Seat.objects.filter(pk__in=[pk for ids in moving_to.values() for pk in ids]).update(
            group_id=Case(*(When(pk__in=ids, then=Value(g)) for g, ids in sorted(moving_to.items()))),
            updated_at=timezone.now(),
        )
    Seat.objects.bulk_create(
        [Seat(group_id=group_id, registration_id=rid) for rid, group_id in wanted.items() if rid not in seats]
    )
    plan.generated_at = timezone.now()
    plan.updated_by = by
    plan.save(update_fields=["generated_at", "updated_by", "updated_at", "min_size", "max_size", "seed"])


@transaction.atomic
def plan_generate(
    *,
    event: Event,
    by: User | None,
    min_size: int = 6,
    max_size: int = 8,
    seed: int | None = None,
    effort: int = assignment.DEFAULT_EFFORT,
) -> TablePlan:
    """Plan the tables for `event` from scratch (creating its plan, or re-planning it).

    Pinned people keep their table; every table is unlocked and everyone else is seated afresh.
    Without a seed a new one is drawn (and stored, so the plan can be reproduced).
    """
    event = event_selectors.event_rows().get(pk=event.pk)
    if event.status == Event.Status.CANCELLED:
        raise ValidationError({"event": EVENT_CANCELLED})
    _check_sizes(min_size, max_size)
    if seed is None:
        seed = secrets.randbelow(MAX_SEED)
    elif not (0 <= seed <= MAX_SEED):
        raise ValidationError({"seed": SEED_INVALID})
    # The one plan of the event: the unique event column settles a race between two first plans
    # (get_or_create retries the read), so the event row itself is never locked while planning.
    plan, _ = TablePlan.objects.get_or_create(
        event=event, defaults={"created_by": by, "min_size": min_size, "max_size": max_size, "seed": seed}
    )
    plan = _lock_plan(plan)
    plan.min_size, plan.max_size, plan.seed = min_size, max_size, seed
    people, met = _inputs(plan)
    result = assignment.plan_tables(
        people,
        min_size=min_size,
        max_size=max_size,
        seed=seed,
        met=met,
        tables=_current_tables(plan, fresh=True),
        effort=effort,
    )
    _apply(plan, result, by=by, unlock_all=True)
    return plan


@transaction.atomic
def plan_regenerate_unlocked(*, plan: TablePlan, by: User | None) -> TablePlan:
    """Re-run the planner on the day: walk-ins get seats, no-shows and cancellations lose theirs.

    Locked tables keep exactly their people (minus anyone no longer coming) and pinned people stay
    put; everyone else may move, but the planner prefers to leave people where they were.
    """
    plan = _lock_plan(plan)
    if plan.event.status == Event.Status.CANCELLED:
        raise ValidationError({"event": EVENT_CANCELLED})
    people, met = _inputs(plan)
    result = assignment.plan_tables(
        people,
        min_size=plan.min_size,
        max_size=plan.max_size,
        seed=plan.seed,
        met=met,
        tables=_current_tables(plan, fresh=False),
    )
    _apply(plan, result, by=by, unlock_all=False)
    return plan


def _group_in_plan(plan: TablePlan, group: TableGroup | int) -> TableGroup:
    pk = group if isinstance(group, int) else group.pk
    found = TableGroup.objects.filter(pk=pk, plan=plan).first()
    if found is None:
        raise ValidationError({"group_id": GROUP_NOT_IN_PLAN})
    return found


def _registration_in_plan(plan: TablePlan, registration: Registration | int) -> Registration:
    pk = registration if isinstance(registration, int) else registration.pk
    found = registration_get(registration_id=pk)
    if found is None or found.event_id != plan.event_id:
        raise ValidationError({"registration_id": NOT_IN_EVENT})
    return found


def _touch(plan: TablePlan, by: User | None) -> None:
    plan.updated_by = by
    plan.save(update_fields=["updated_by", "updated_at"])


@transaction.atomic
def seat_move(
    *,
    plan: TablePlan,
    registration: Registration | int,
    group: TableGroup | int,
    by: User | None,
    pin: bool = True,
) -> Seat:
    """Put a person at a table by hand (also a walk-in with no seat yet).

    A hand move pins the person there by default, so a later re-plan keeps the coordinator's decision.
    It may take a table past the largest size (the coordinator can add a chair; the page says so);
    a re-plan then moves unpinned people off it if it can.
    """
    plan = _lock_plan(plan)
    group = _group_in_plan(plan, group)
    registration = _registration_in_plan(plan, registration)
    if not selectors.is_seatable(registration):
        raise ValidationError({"registration_id": NOT_SEATABLE})
    seat = Seat.objects.select_related("group").filter(registration=registration).first()
    if group.locked:
        raise ValidationError({"group_id": GROUP_LOCKED.format(number=group.number)})
    if seat is not None and seat.group_id != group.pk and seat.group.locked:
        raise ValidationError({"registration_id": GROUP_LOCKED.format(number=seat.group.number)})
    if seat is None:
        seat = Seat(registration=registration, group=group, pinned=pin)
    elif pin or seat.group_id != group.pk:
        seat.pinned = pin
    seat.group = group
    seat.save()
    _touch(plan, by)
    return seat


@transaction.atomic
def seat_pin(*, plan: TablePlan, registration: Registration | int, pinned: bool, by: User | None) -> Seat:
    """Pin (or unpin) a person to their table: a pinned person stays put when the plan is re-run."""
    plan = _lock_plan(plan)
    registration = _registration_in_plan(plan, registration)
    seat = Seat.objects.select_related("group").filter(registration=registration).first()
    if seat is None:
        name = registration.user.full_name if registration.user else "This person"
        raise ValidationError({"registration_id": NOT_SEATED.format(name=name)})
    if seat.pinned != pinned:
        seat.pinned = pinned
        seat.save(update_fields=["pinned", "updated_at"])
        _touch(plan, by)
    return seat


def _set_locked(group: TableGroup, locked: bool, by: User | None) -> TableGroup:
    plan = _lock_plan(group.plan_id)
    group = _group_in_plan(plan, group)
    if group.locked != locked:
        group.locked = locked
        group.save(update_fields=["locked"])
        _touch(plan, by)
    return group


@transaction.atomic
def group_lock(*, group: TableGroup, by: User | None) -> TableGroup:
    """Lock a table: re-running the plan leaves its people where they are."""
    return _set_locked(group, True, by)


@transaction.atomic
def group_unlock(*, group: TableGroup, by: User | None) -> TableGroup:
    return _set_locked(group, False, by)


@transaction.atomic
def group_update(
    *, group: TableGroup, by: User | None, label: str | None = None, prompt: str | None = None
) -> TableGroup:
    """Name a table (a room, "window table") and give its facilitator a prompt."""
    plan = _lock_plan(group.plan_id)
    group = _group_in_plan(plan, group)
    if label is not None:
        group.label = label.strip()
    if prompt is not None:
        group.prompt = prompt.strip()
    group.full_clean()
    group.save(update_fields=["label", "prompt"])
    _touch(plan, by)
    return group
