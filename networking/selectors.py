"""Reads for table plans: a fixed number of queries, whatever the number of tables and people."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.models import Sector, User
from events.models import Event
from registrations.models import Registration

from . import assignment
from .models import Seat, TableGroup, TablePlan


def seatable_filter(prefix: str = "") -> Q:
    """Who gets a seat: confirmed registrations with an account, not marked as no-shows.

    Before the session that is everyone confirmed; after it (attendance finalised) only who attended.
    """
    return Q(**{f"{prefix}status": Registration.Status.CONFIRMED, f"{prefix}user__isnull": False}) & ~Q(
        **{f"{prefix}attendance": Registration.Attendance.NO_SHOW}
    )


def seatable_registrations(*, event: Event) -> QuerySet[Registration]:
    return (
        event.registrations.filter(seatable_filter()).select_related("user", "sector").order_by("user__full_name", "pk")
    )


def is_seatable(registration: Registration) -> bool:
    return (
        registration.status == Registration.Status.CONFIRMED
        and registration.user_id is not None
        and registration.attendance != Registration.Attendance.NO_SHOW
    )


def meeting_history(*, event: Event, user_ids: set[int] | None = None) -> set[tuple[int, int]]:
    """Pairs of people (user ids) who shared a table at an earlier session of the partnership.

    Earlier: sessions that started before this one. Only people who were there count (confirmed and
    not no-shows). One query.
    """
    seats = Seat.objects.filter(
        seatable_filter("registration__"),
        group__plan__event__partnership_id=event.partnership_id,
        group__plan__event__start__lt=event.start,
    ).exclude(group__plan__event__status=Event.Status.CANCELLED)
    if user_ids is not None:
        seats = seats.filter(registration__user_id__in=sorted(user_ids))
    tables: dict[int, list[int]] = {}
    for group_id, user_id in seats.values_list("group_id", "registration__user_id").order_by():
        tables.setdefault(group_id, []).append(user_id)
    pairs = set()
    for members in tables.values():
        for a, b in combinations(sorted(set(members)), 2):
            pairs.add((a, b))
    return pairs


def earlier_plan_count(*, event: Event) -> int:
    return (
        TablePlan.objects.filter(event__partnership_id=event.partnership_id, event__start__lt=event.start)
        .exclude(event__status=Event.Status.CANCELLED)
        .count()
    )


def person_for(registration: Registration) -> assignment.Person:
    return assignment.Person(
        key=registration.pk,
        sector=registration.sector_id,
        organisation=registration.user.organisation if registration.user else "",
    )


def met_between(registrations: list[Registration], history: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """The history (user pairs) as pairs of registration ids."""
    by_user = {r.user_id: r.pk for r in registrations if r.user_id}
    return {assignment.pair_key(by_user[a], by_user[b]) for a, b in history if a in by_user and b in by_user}


def plan_get(*, event: Event) -> TablePlan | None:
    """The event's plan with its tables and seats (people, sectors) — three queries."""
    seats = Seat.objects.select_related("registration", "registration__user", "registration__sector").order_by(
        "registration__user__full_name", "pk"
    )
    return (
        TablePlan.objects.select_related("event", "event__partnership", "created_by", "updated_by")
        .prefetch_related(
            Prefetch(
                "groups", queryset=TableGroup.objects.order_by("number").prefetch_related(Prefetch("seats", seats))
            )
        )
        .filter(event=event)
        .first()
    )


# --- The coordinator's view of a plan ----------------------------------------------------------


@dataclass
class GroupView:
    group: TableGroup
    seats: list[Seat]  # people who are coming (seatable)
    departed: list[Seat]  # seated, but cancelled or marked no-show since
    figures: assignment.TableFigures | None
    sector_mix: list[tuple[str, int]]
    prompts: list[str] = field(default_factory=list)


@dataclass
class PlanView:
    plan: TablePlan
    groups: list[GroupView]
    unseated: list[Registration]
    figures: assignment.Figures
    baseline: assignment.Figures
    earlier_plans: int
    sectors: list[Sector]

    @property
    def departed_count(self) -> int:
        return sum(len(g.departed) for g in self.groups)

    @property
    def seated_count(self) -> int:
        return sum(len(g.seats) for g in self.groups)

    def explanation(self) -> dict:
        return explanation(self)


def plan_view(*, plan: TablePlan, with_prompts: bool = True) -> PlanView:
    """Tables with their people and figures, who is not seated yet, and the random baseline.

    Queries: the plan's three (if not prefetched), seatable registrations, the history, the sectors
    and (optionally) the referral directory's prompts — a fixed number.
    """
    if not hasattr(plan, "_prefetched_objects_cache") or "groups" not in plan._prefetched_objects_cache:
        plan = plan_get(event=plan.event)
    event = plan.event
    registrations = list(seatable_registrations(event=event))
    coming = {r.pk: r for r in registrations}
    history = meeting_history(event=event, user_ids={r.user_id for r in registrations})
    met = met_between(registrations, history)
    people = {r.pk: person_for(r) for r in registrations}
    sectors = {s.pk: s for s in Sector.objects.all()}

    groups_all = list(plan.groups.all())
    tables: dict[int, list[int]] = {}
    seated: set[int] = set()
    for group in groups_all:
        tables[group.number] = [s.registration_id for s in group.seats.all() if s.registration_id in coming]
        seated.update(tables[group.number])
    figures = assignment.evaluate(tables, people, met)
    by_number = {row.number: row for row in figures.tables}
    sizes = [len(members) for _, members in sorted(tables.items())]
    baseline_keys = sorted(seated)
    baseline = assignment.evaluate(assignment.random_tables(baseline_keys, sizes, seed=plan.seed), people, met)
    prompts = {}
    if with_prompts:
        from .prompts import prompts_for_groups

        prompts = prompts_for_groups(groups_all)
    views = []
    for group in groups_all:
        seats = [s for s in group.seats.all() if s.registration_id in coming]
        departed = [s for s in group.seats.all() if s.registration_id not in coming]
        row = by_number.get(group.number)
        mix = []
        if row is not None:
            for sector_id, count in row.sectors.items():
                name = sectors[sector_id].name if sector_id in sectors else "Sector not given"
                mix.append((name, count))
        views.append(
            GroupView(
                group=group,
                seats=seats,
                departed=departed,
                figures=row,
                sector_mix=mix,
                prompts=prompts.get(group.pk, []),
            )
        )
    room_sector_ids = {r.sector_id for r in registrations if r.sector_id}
    return PlanView(
        plan=plan,
        groups=views,
        unseated=[r for r in registrations if r.pk not in seated],
        figures=figures,
        baseline=baseline,
        earlier_plans=earlier_plan_count(event=event),
        sectors=[sectors[s] for s in sorted(room_sector_ids, key=lambda s: (sectors[s].ordering, sectors[s].name))],
    )


def _share(figures: assignment.Figures) -> float | None:
    share = figures.first_time_share
    return round(share, 4) if share is not None else None


def explanation(view: PlanView) -> dict:
    figures, baseline = view.figures, view.baseline
    return {
        "first_time_pairs": figures.first_time_pairs,
        "pairs": figures.pairs,
        "first_time_share": _share(figures),
        "groups_with_all_sectors": figures.groups_with_all_sectors,
        "group_count": len([g for g in view.groups if g.seats]),
        "sector_count": figures.sector_count,
        "same_organisation_pairs": figures.same_organisation_pairs,
        "earlier_sessions": view.earlier_plans,
        "baseline": {
            "first_time_pairs": baseline.first_time_pairs,
            "pairs": baseline.pairs,
            "first_time_share": _share(baseline),
            "groups_with_all_sectors": baseline.groups_with_all_sectors,
            "same_organisation_pairs": baseline.same_organisation_pairs,
        },
    }


# --- After the session: who was at my table ------------------------------------------------


@dataclass
class MyTable:
    available: bool  # the session has ended and the person was seated
    registration: Registration | None
    group: TableGroup | None
    tablemates: list[Registration]
    hidden: int  # tablemates who did not agree to be listed


def my_table(*, event: Event, user: User) -> MyTable:
    """The person's table after the session: tablemates who were there and agreed to be listed."""
    registration = (
        event.registrations.filter(user=user).select_related("table_seat", "table_seat__group").first()
        if user.is_authenticated
        else None
    )
    seat = getattr(registration, "table_seat", None) if registration else None
    ended = event.end <= timezone.now()
    if registration is None or seat is None or not ended or not is_seatable(registration):
        return MyTable(available=False, registration=registration, group=None, tablemates=[], hidden=0)
    others = [
        tablemate.registration
        for tablemate in Seat.objects.filter(seatable_filter("registration__"), group_id=seat.group_id)
        .exclude(registration_id=registration.pk)
        .select_related("registration__user", "registration__sector")
        .order_by("registration__user__full_name", "registration_id")
    ]
    listed = [r for r in others if r.consent_attendee_list]
    return MyTable(
        available=True,
        registration=registration,
        group=seat.group,
        tablemates=listed,
        hidden=len(others) - len(listed),
    )


def can_see_my_table_page(*, event: Event, user: User) -> bool:
    """The page is for the session's confirmed registrants and the partnership's coordinators."""
    if not user.is_authenticated:
        return False
    if user.is_coordinator_of(event.partnership_id):
        return True
    return event.registrations.filter(user=user, status=Registration.Status.CONFIRMED).exists()


def networking_card(*, event: Event, registration_id: int) -> Registration | None:
    """A practitioner's card for this session, if they are confirmed and agreed to the attendee list."""
    return (
        event.registrations.filter(
            pk=registration_id,
            status=Registration.Status.CONFIRMED,
            consent_attendee_list=True,
            user__isnull=False,
        )
        .select_related("user", "sector")
        .first()
    )
