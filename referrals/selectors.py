"""Reads for the directory: search, service and pathway pages, "where can I refer?", HSDS lists.

Lists cost a fixed number of queries whatever their length; "where can I refer?" filters eligibility
in the database and ranks only the rows that fit in Python (see where_can_i_refer).
"""

from __future__ import annotations

import bisect
import copy
import json
import logging
import operator
import uuid
from collections import namedtuple
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import reduce
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce
from django.db.models.lookups import Contains
from django.utils import timezone
from django.utils.functional import cached_property

from accounts.models import User

from . import vocabulary, where_sql
from .hsds import age_label, age_text
from .models import (
    Attribute,
    ChangeSuggestion,
    Directory,
    HsdsImport,
    Organization,
    Pathway,
    PathwayRevision,
    Service,
    ServiceArea,
    Taxonomy,
    TaxonomyTerm,
    WhereIndexEntry,
)
from .places import Place
from .search import fold
from .where_index import IdSet, place_tokens

logger = logging.getLogger(__name__)

LISTED = [Service.Status.ACTIVE, Service.Status.TEMPORARILY_CLOSED]


# --- Visibility ----------------------------------------------------------------------------------


def directory_visible_q(user: User | None, prefix: str = "") -> Q:
    """Public directories for everyone; private ones for their partnership's coordinators (and staff)."""
    visible = Q(**{f"{prefix}is_public": True})
    if user is not None and user.is_authenticated:
        if user.is_staff:
            return Q()
        if user.coordinated_partnership_ids:
            visible |= Q(**{f"{prefix}partnership_id__in": user.coordinated_partnership_ids})
    return visible


def directory_list_visible(*, user: User | None) -> QuerySet[Directory]:
    return Directory.objects.filter(directory_visible_q(user)).select_related("partnership").order_by("name")


def directory_for_partnership(*, partnership) -> Directory | None:
    return Directory.objects.filter(partnership=partnership).first()


def can_curate(user: User | None, directory: Directory) -> bool:
    return bool(user and user.is_authenticated and user.is_coordinator_of(directory.partnership_id))


def service_visible_q(user: User | None) -> Q:
    """Listed services (active, temporarily closed) of visible directories; coordinators see all of theirs."""
    visible = directory_visible_q(user, "directory__") & Q(status__in=LISTED)
    if user is not None and user.is_authenticated:
        if user.is_staff:
            return Q()
        if user.coordinated_partnership_ids:
            visible |= Q(directory__partnership_id__in=user.coordinated_partnership_ids)
    return visible


# --- Vocabulary ----------------------------------------------------------------------------------


def taxonomy_terms(key: str) -> QuerySet[TaxonomyTerm]:
    return TaxonomyTerm.objects.filter(taxonomy__key=key).select_related("taxonomy").order_by("ordering", "name")


def term_by_code(key: str, code: str) -> TaxonomyTerm | None:
    return taxonomy_terms(key).filter(code=code).first()


# --- Services ------------------------------------------------------------------------------------


def service_card_queryset() -> QuerySet[Service]:
    return Service.objects.select_related("organization", "directory__partnership", "access_point").prefetch_related(
        Prefetch("attributes", queryset=Attribute.objects.select_related("taxonomy_term__taxonomy")),
        Prefetch("service_areas", queryset=ServiceArea.objects.order_by("area_type", "code")),
        "phones",
    )


def age_q(age_months: int, prefix: str = "") -> Q:
    return (
        Q(**{f"{prefix}minimum_age_months__isnull": True}) | Q(**{f"{prefix}minimum_age_months__lte": age_months})
    ) & (Q(**{f"{prefix}maximum_age_months__isnull": True}) | Q(**{f"{prefix}maximum_age_months__gte": age_months}))


def catchment_q(place: Place) -> Q:
    """Services whose catchment covers the place, or that have no typed catchment at all."""
    typed = ServiceArea.objects.filter(service=OuterRef("pk")).exclude(area_type=ServiceArea.AreaType.OTHER)
    covers = Q()
    if place.postcode:
        covers |= Q(area_type=ServiceArea.AreaType.POSTCODE, code=place.postcode)
    if place.lgas:
        covers |= Q(area_type=ServiceArea.AreaType.LGA, code__in=place.lgas)
    if not covers:
        return Q()
    return ~Exists(typed) | Exists(typed.filter(covers))


def service_search(
    *,
    user: User | None,
    directory: Directory | None = None,
    q: str = "",
    need: TaxonomyTerm | None = None,
    sector: TaxonomyTerm | None = None,
    age_months: int | None = None,
    place: Place | None = None,
) -> QuerySet[Service]:
    # What a search result card shows: its organisation and its terms (not the catchments and phones of the
    # service page's card).
    services = (
        Service.objects.select_related("organization")
        .prefetch_related(Prefetch("attributes", queryset=Attribute.objects.select_related("taxonomy_term__taxonomy")))
        .filter(service_visible_q(user))
    )
    if directory is not None:
        services = services.filter(directory=directory)
    for term in (need, sector):
        if term is not None:
            services = services.filter(Exists(Attribute.objects.filter(service=OuterRef("pk"), taxonomy_term=term)))
    if age_months is not None:
        services = services.filter(age_q(age_months))
    if place is not None and place.known:
        services = services.filter(catchment_q(place))
    for word in fold(q or "").split()[:8]:  # accent-insensitive: "nguyen" finds "Nguyễn"
        services = services.filter(
            Q(name__unaccented__icontains=word)
            | Q(alternate_name__unaccented__icontains=word)
            | Q(description__unaccented__icontains=word)
            | Q(organization__name__unaccented__icontains=word)
            | Exists(Attribute.objects.filter(service=OuterRef("pk"), taxonomy_term__name__unaccented__icontains=word))
        )
    return services.order_by("name", "pk")


def service_get_visible(*, user: User | None, service_id: uuid.UUID) -> Service | None:
    return service_card_queryset().filter(service_visible_q(user)).filter(pk=service_id).first()


def _pathway_queryset() -> QuerySet[Pathway]:
    return Pathway.objects.select_related(
        "source_service__organization", "source_role", "target_service__organization", "directory__partnership"
    ).prefetch_related(
        Prefetch("needs", queryset=TaxonomyTerm.objects.order_by("ordering", "name")),
        Prefetch("referrer_roles", queryset=TaxonomyTerm.objects.order_by("ordering", "name")),
        Prefetch("alternatives", queryset=Service.objects.select_related("organization").order_by("name")),
    )


def pathway_list(
    *,
    user: User | None,
    directory: Directory | None = None,
    need: TaxonomyTerm | None = None,
    service: Service | None = None,
    include_retired: bool = False,
) -> QuerySet[Pathway]:
    pathways = _pathway_queryset().filter(directory_visible_q(user, "directory__"))
    if not include_retired:
        pathways = pathways.filter(is_active=True)
    if directory is not None:
        pathways = pathways.filter(directory=directory)
    if need is not None:
        pathways = pathways.filter(needs=need)
    if service is not None:
        pathways = pathways.filter(Q(source_service=service) | Q(target_service=service))
    return pathways.order_by("target_service__name", "source_role__ordering", "source_service__name", "pk")


def service_pathways(*, service: Service) -> tuple[list[Pathway], list[Pathway]]:
    """(inbound, outbound) active pathways of a service, in two queries plus prefetches."""
    base = _pathway_queryset().filter(is_active=True)
    inbound = list(base.filter(target_service=service).order_by("source_role__ordering", "source_service__name"))
    outbound = list(base.filter(source_service=service).order_by("target_service__name"))
    return inbound, outbound


def pathway_get_visible(*, user: User | None, pathway_id: uuid.UUID) -> Pathway | None:
    pathway = _pathway_queryset().filter(directory_visible_q(user, "directory__")).filter(pk=pathway_id).first()
    if pathway is None:
        return None
    hidden = not pathway.is_active or pathway.target_service.status not in LISTED
    if hidden and not can_curate(user, pathway.directory):
        return None
    return pathway


def pathway_revisions(*, pathway: Pathway) -> QuerySet[PathwayRevision]:
    return pathway.revisions.select_related("changed_by").order_by("-number")


def suggestion_list(*, directory: Directory, status: str | None = ChangeSuggestion.Status.PENDING):
    suggestions = ChangeSuggestion.objects.filter(directory=directory).select_related(
        "service",
        "pathway__target_service",
        "pathway__source_service",
        "pathway__source_role",
        "suggested_by",
        "decided_by",
    )
    if status:
        suggestions = suggestions.filter(status=status)
    return suggestions.order_by("-created_at", "-pk")


def import_list(*, directory: Directory) -> QuerySet[HsdsImport]:
    return (
        HsdsImport.objects.filter(directory=directory)
        .select_related("uploaded_by")
        .defer("payload", "source", "report")
    )


def curation_overview(*, directory: Directory) -> dict:
    """What the coordinators' directory page lists: services and pathways, with what needs a look."""
    services = list(Service.objects.filter(directory=directory).select_related("organization").order_by("name", "pk"))
    pathways = list(
        Pathway.objects.filter(directory=directory)
        .select_related("source_service", "source_role", "target_service")
        .prefetch_related(Prefetch("needs", queryset=TaxonomyTerm.objects.order_by("ordering")))
        .order_by("target_service__name", "pk")
    )
    return {
        "services": services,
        "pathways": pathways,
        "overdue_services": [s for s in services if s.verification != "current"],
        "overdue_pathways": [p for p in pathways if p.is_active and p.verification != "current"],
        "pending_suggestions": ChangeSuggestion.objects.filter(
            directory=directory, status=ChangeSuggestion.Status.PENDING
        ).count(),
    }


def directory_print(*, directory: Directory) -> list[tuple[TaxonomyTerm | None, list[Service]]]:
    """Listed services grouped by sector (a service in two sectors appears under both)."""
    services = list(service_card_queryset().filter(directory=directory, status__in=LISTED).order_by("name"))
    groups: dict[TaxonomyTerm | None, list[Service]] = {}
    for service in services:
        for sector in service.sectors or [None]:
            groups.setdefault(sector, []).append(service)
    order = {term.pk: term.ordering for term in groups if term is not None}
    return sorted(groups.items(), key=lambda item: (item[0] is None, order.get(getattr(item[0], "pk", None), 0)))


# --- "Where can I refer?" ------------------------------------------------------------------------

URGENT = "urgent"
ROUTINE = "routine"
FOCUSED_NEEDS = 2
NEAR_MISS_ROWS = 4  # rows read for each "doesn't fit now" place (several pathways may lead to one service)
SECOND_ROWS = 4  # second steps read for each two-step route shown (more only when these do not settle it)

CONSTRAINT_LABELS = {"acco": "ACCO", "free": "free", "interpreter": "interpreter"}


@dataclass(frozen=True)
class WhereQuery:
    directory: Directory
    need: TaxonomyTerm
    role: TaxonomyTerm
    age_months: int | None = None
    place: Place = field(default_factory=Place)
    urgency: str = ROUTINE
    free: bool = False
    acco: bool = False
    interpreter: bool = False

    @property
    def constraints(self) -> list[str]:
        """The family's constraints (they judge where the family ends up, never an intermediary step)."""
        return [label for name, label in CONSTRAINT_LABELS.items() if getattr(self, name)]

    @property
    def about_safety(self) -> bool:
        """Family violence, child safety, or urgent: the answer opens with the immediate-danger prompt."""
        return self.urgency == URGENT or self.need.code in vocabulary.SAFETY_NEEDS

    @property
    def is_family(self) -> bool:
        return self.role.code == vocabulary.PARENT_SELF


def days_text(days: int) -> str:
    """ "1 day", "3 days"."""
    return f"{days} day" if days == 1 else f"{days} days"


@dataclass(eq=False)
class Option:
    """A pathway judged for this query: eligible when there are no reasons against it.

    `row` holds the candidate's columns (a WhereRow), enough to rank it; `pathway` is the model,
    loaded (and the option judged in words: reasons, misses, notes, ranking) for the options shown.
    `misses` are the family's constraints among the reasons (ACCO, free, interpreter): an intermediary
    step of a two-step route need not meet them, and says so in `step_notes`.
    """

    row: Any
    reasons: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    ranking: list[str] = field(default_factory=list)  # why it is ranked where it is
    step_notes: list[str] = field(default_factory=list)
    related_need: TaxonomyTerm | None = None  # listed for this need, related to the one asked about
    pathway: Pathway | None = None
    key: tuple = ()  # sort_key(query), computed once
    meets_constraints: bool = True  # the target meets the family's constraints (from the row)
    today: date | None = None  # for staleness (one date for the whole answer)

    @property
    def eligible(self) -> bool:
        return not self.reasons

    @property
    def focused(self) -> bool:
        """For one or two needs: the specialist way for this need, not a general door."""
        return (self.row.need_count or 0) <= FOCUSED_NEEDS

    @classmethod
    def ranked(cls, row, query: WhereQuery, today: date | None = None) -> Option:
        """An option for a row, with its sort key and whether its target meets the family's constraints."""
        option = cls(row, today=today)
        option.key = option.sort_key(query)
        option.meets_constraints = _meets(row, query)
        return option

    @property
    def service(self) -> Service:
        return self.pathway.target_service

    @property
    def target_id(self) -> uuid.UUID:
        return self.row.target_service_id

    @property
    def wait_days(self) -> int | None:
        return self.row.typical_wait_days

    @cached_property
    def stale(self) -> bool:
        """The pathway is not current (unverified or overdue), or its service is overdue (verification_state)."""
        row, today = self.row, self.today or timezone.localdate()
        pathway_overdue = row.review_due is not None and row.review_due < today
        service_overdue = row.target_service__review_due is not None and row.target_service__review_due < today
        return pathway_overdue or row.last_verified is None or service_overdue

    def sort_key(self, query: WhereQuery) -> tuple:
        """Urgent tier first (when urgent), focused pathways, fresh before stale, taking referrals, short waits."""
        row = self.row
        no_urgent_tier = query.urgency == URGENT and row.urgent_target_days is None
        wait = row.urgent_target_days if query.urgency == URGENT and not no_urgent_tier else row.typical_wait_days
        return (
            no_urgent_tier,
            not self.focused,
            self.stale,
            row.target_service__capacity_status != Service.Capacity.TAKING,
            wait if wait is not None else 10**6,
            row.target_service__name,
            str(row.id),
        )


NOT_FREE = "Not free for families."
NOT_ACCO = "Not an Aboriginal Community Controlled Organisation."
NO_INTERPRETER = "No interpreter service listed."
CONSTRAINT_REASONS = {NOT_FREE: "free", NOT_ACCO: "ACCO", NO_INTERPRETER: "interpreter"}


@dataclass(eq=False)
class Route:
    """A two-step route: reach one of `firsts`' services, whose practitioners then refer by `second`."""

    second: Option
    firsts: list[Option]

    @property
    def wait_days(self) -> int | None:
        first = min((o.wait_days for o in self.firsts if o.wait_days is not None), default=None)
        if first is None and self.second.wait_days is None:
            return None
        return (first or 0) + (self.second.wait_days or 0)

    @property
    def stale(self) -> bool:
        return self.second.stale or all(o.stale for o in self.firsts)


@dataclass(eq=False)
class Alternative:
    service_id: uuid.UUID
    instead_ids: list[uuid.UUID]  # the services (of pathways for the need) it stands in for
    notes: list[str]
    option: Option | None = None  # a direct pathway to it that does not fit now, when there is one
    service: Service | None = None
    instead_of: list[Service] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.service.name if self.service else ""


@dataclass
class Danger:
    number: str
    prompt: str


@dataclass
class WhereResult:
    query: WhereQuery
    eligible: list[Option]
    two_step: list[Route]
    alternatives: list[Alternative]
    not_eligible: list[Option]
    related_needs: list[TaxonomyTerm] = field(default_factory=list)
    danger: Danger | None = None
    checked_at: datetime = field(default_factory=timezone.now)

    @property
    def nothing_meets_constraints(self) -> bool:
        """Constraints were asked for and no way meets them all: the closest options are shown instead."""
        return bool(self.query.constraints) and not self.eligible and not self.two_step

    @property
    def empty(self) -> bool:
        return not (self.eligible or self.two_step or self.alternatives or self.not_eligible)


def pathway_danger(*, pathway: Pathway) -> Danger | None:
    """The immediate-danger prompt for a pathway's card, when it is for a safety need (uses prefetched needs)."""
    if any(term.code in vocabulary.SAFETY_NEEDS for term in pathway.needs.all()):
        return Danger(pathway.directory.danger_number, pathway.directory.danger_prompt)
    return None


def need_relations(*, directory: Directory) -> QuerySet:
    from .models import NeedRelation

    return NeedRelation.objects.filter(directory=directory).select_related("need", "related_need")


def related_needs(*, directory: Directory, need: TaxonomyTerm) -> list[TaxonomyTerm]:
    """The needs related to `need` in the directory (relations read both ways), one query."""
    found: dict[uuid.UUID, TaxonomyTerm] = {}
    for relation in need_relations(directory=directory).filter(Q(need=need) | Q(related_need=need)):
        other = relation.related_need if relation.need_id == need.pk else relation.need
        found.setdefault(other.pk, other)
    return sorted(found.values(), key=lambda t: (t.ordering, t.name))


def _json_list_has(column: str, value: str) -> Q:
    """The JSON list in `column` holds `value`: jsonb @> on PostgreSQL (GIN-indexable), text match on SQLite."""
    if connection.vendor == "postgresql":
        return Q(**{f"{column}__contains": [value]})
    return Q(Contains(Cast(column, TextField()), json.dumps(value)))


def _json_list_has_any(column: str, values: list[str]) -> Q:
    """The JSON list of strings in `column` holds one of `values`: jsonb ?| on PostgreSQL, text matches on SQLite."""
    if not values:
        return Q(pk__in=[])
    if connection.vendor == "postgresql":
        return Q(**{f"{column}__has_any_keys": sorted(values)})
    return reduce(operator.or_, (_json_list_has(column, value) for value in sorted(values)))


def _fit_conditions(query: WhereQuery) -> dict[str, Q]:
    """What rules a pathway out now (status, capacity, age, catchment), as conditions on the where index."""
    conditions = {
        "open": Q(target_status=Service.Status.ACTIVE),
        "capacity": ~Q(target_capacity=Service.Capacity.CLOSED),
    }
    if query.age_months is not None:
        age = query.age_months
        conditions["age"] = (Q(low_age__isnull=True) | Q(low_age__lte=age)) & (
            Q(high_age__isnull=True) | Q(high_age__gte=age)
        )
    if query.place.known:  # the pathway's own catchment, or else its service's; none: anywhere
        conditions["catchment"] = Q(has_catchment=False) | _json_list_has_any("catchment", place_tokens(query.place))
    return conditions


def _constraint_conditions(query: WhereQuery) -> dict[str, Q]:
    """The family's constraints, judged on the service the family is referred to."""
    conditions = {}
    if query.free:
        conditions["free"] = Q(target_is_free=True) | Q(target_is_bulk_billed=True)
    if query.acco:
        conditions["acco"] = Q(target_is_acco=True)
    if query.interpreter:
        conditions["interpreter"] = Q(target_has_interpreter=True)
    return conditions


def _all(conditions) -> Q:
    return reduce(operator.and_, conditions, Q())


def _may_use_q(query: WhereQuery) -> Q:
    """My role may use the pathway: its source role, one of its other referrer roles, any professional, or families."""
    q = _json_list_has("referrers", str(query.role.pk))
    return q | (Q(self_referral=True) if query.is_family else Q(any_professional=True))


# The where index's columns that ranking reads, for every eligible row, each with its name on the row
# (`WhereRow`, named as the pathway and its target service are); the answer's options are then loaded as
# models. Last come who may refer (JSON, read only when asked for) and, for what does not fit now, how
# many conditions it misses.
ROW_COLUMNS = (
    ("id", "pathway_id"),
    ("source_service_id", "source_service_id"),
    ("source_role_id", "source_role_id"),
    ("target_service_id", "target_service_id"),
    ("urgent_target_days", "urgent_target_days"),
    ("typical_wait_days", "typical_wait_days"),
    ("any_professional", "any_professional"),
    ("last_verified", "last_verified"),
    ("review_due", "review_due"),
    ("need_count", "need_count"),
    ("primary", "need_id"),  # the need asked about (not a related one)
    ("target_service__name", "target_name"),
    ("target_service__capacity_status", "target_capacity"),
    ("target_service__is_acco", "target_is_acco"),
    ("target_service__has_interpreter", "target_has_interpreter"),
    ("target_service__is_bulk_billed", "target_is_bulk_billed"),
    ("target_service__is_free", "target_is_free"),
    ("target_service__assured_date", "target_assured_date"),
    ("target_service__review_due", "target_review_due"),
    ("referrers", "referrers"),
)
INDEX_COLUMNS = tuple(column for _, column in ROW_COLUMNS)
WhereRow = namedtuple("WhereRow", (*(name for name, _ in ROW_COLUMNS), "misses"), defaults=(None,))


PRIMARY, REFERRERS = INDEX_COLUMNS.index("need_id"), INDEX_COLUMNS.index("referrers")


def _row_values(entries: QuerySet, *extra: str, with_referrers: bool = False) -> list[list]:
    """The index columns of these entries (who may refer, JSON, only when asked for)."""
    columns = INDEX_COLUMNS if with_referrers else INDEX_COLUMNS[:-1]
    found = [list(values) for values in entries.values_list(*columns, *extra)]
    if not with_referrers:
        for values in found:
            values.insert(REFERRERS, None)
    return found


def _rows_of(found: list[list], query: WhereQuery) -> list:
    """The rows, one per pathway (a pathway listed for the need and a related one comes once, as the need's
    own), in the order found."""
    rows: dict[uuid.UUID, Any] = {}
    need_id = query.need.pk
    for values in found:
        values = list(values)
        values[PRIMARY] = values[PRIMARY] == need_id
        row = WhereRow(*values)
        if row.id not in rows or (row.primary and not rows[row.id].primary):
            rows[row.id] = row
    return list(rows.values())


def _where_entries(query: WhereQuery, need_ids: list[uuid.UUID]) -> QuerySet[WhereIndexEntry]:
    """The where index's rows of the directory for the need (or a related one): active pathways into listed
    services, one index scan on (directory, need)."""
    return WhereIndexEntry.objects.filter(directory=query.directory, need_id__in=need_ids).order_by()


def where_can_i_refer(query: WhereQuery, *, limit: int = 20, max_first_steps: int = 5) -> WhereResult:
    """Ranked ways to refer: eligible now, then two-step routes, then alternatives and what does not fit.

    - Eligible now: a pathway for the need (or a related need) that my role may use (its source role,
      one of its other referrer roles, "any professional", or self-referral for families) and whose
      age range, catchment, capacity, status and the family's constraints all fit.
    - Two-step: I refer to a service (eligibly, though it need not meet the family's constraints: it is
      only a step on the way), and that service's practitioners refer on by a pathway for the need
      (from that service, or from a role its practitioners hold, or one open to any professional), to
      a service that fits everything and that I cannot reach directly.
    - Alternatives: services the pathways I may use name for when the family is not eligible or
      declines, when they fit every filter; and the pathways I may use that do not fit now, each
      service once with its reasons, the closest first (one constraint missed before two).

    The database does the filtering (need, who may refer, status, capacity, age, catchment, the
    constraints) on the where index (where_index.py: one row per need and pathway, with the columns
    these read): in one statement on PostgreSQL (where_sql.py), through the ORM elsewhere
    (_candidates_orm). Python ranks the rows that fit. A constant number of queries whatever the size.
    """
    related = related_needs(directory=query.directory, need=query.need)
    need_ids = [query.need.pk, *(t.pk for t in related)]
    related_by_id = {t.pk: t for t in related}
    today = timezone.localdate()
    cap = limit * SECOND_ROWS
    read = where_sql.where_candidates if connection.vendor == "postgresql" else _candidates_orm
    found = read(
        query, need_ids, today, columns=INDEX_COLUMNS, seconds=cap + 1, near=limit * NEAR_MISS_ROWS, alternatives=limit
    )

    # Eligible now, and the first steps of two-step routes (which need not meet the constraints).
    pool = [Option.ranked(row, query, today) for row in _rows_of(found.pool, query)]
    pool = _one_per_target(sorted(pool, key=lambda o: o.key))
    eligible = [o for o in pool if o.meets_constraints]

    # Second steps: pathways that fit everything, into a service I cannot reach, from a first step's
    # service, a role held there (its source role or another referrer role), or any professional. Read
    # in the order routes can rank (fresh second steps first, then by their wait): the best few rows are
    # enough, unless none of them ends the search (then all of them; rare).
    roles_held: dict[uuid.UUID, set[uuid.UUID]] = {}
    for service_id, term_id in found.held:
        roles_held.setdefault(term_id, set()).add(service_id)
    values = found.seconds
    seconds = [Option.ranked(row, query, today) for row in _rows_of(values, query)]
    routes, exhausted = _routes(query, pool, seconds, roles_held, max_first_steps, limit)
    if exhausted and len(values) > cap:
        every_second = _seconds_queryset(
            query,
            need_ids,
            today,
            everything=_all([*_fit_conditions(query).values(), *_constraint_conditions(query).values()]),
            targets=IdSet(o.target_id for o in pool),
            eligible=IdSet(o.target_id for o in eligible),
            held_roles={str(role_id) for role_id in roles_held},
        )
        values = _row_values(every_second, with_referrers=True)
        seconds = [Option.ranked(row, query, today) for row in _rows_of(values, query)]
        routes, _ = _routes(query, pool, seconds, roles_held, max_first_steps, limit)

    # What does not fit now: the pathways I may use that miss something, each service once (its closest
    # pathway), the closest first.
    near_rows = _rows_of(found.near, query)
    near = sorted((Option.ranked(row, query, today) for row in near_rows), key=lambda o: (o.row.misses, o.key))
    near = _one_per_target(near)[:limit]

    result = WhereResult(
        query=query,
        eligible=eligible[:limit],
        two_step=routes[:limit],
        alternatives=_alternatives(found),
        not_eligible=near,
        related_needs=related,
        danger=Danger(query.directory.danger_number, query.directory.danger_prompt) if query.about_safety else None,
    )
    _load_shown(result, related_by_id, limit)
    return result


TARGET = INDEX_COLUMNS.index("target_service_id")
FREE, BULK_BILLED, ACCO, INTERPRETER = (
    INDEX_COLUMNS.index(c)
    for c in ("target_is_free", "target_is_bulk_billed", "target_is_acco", "target_has_interpreter")
)


def _meets(values, query: WhereQuery) -> bool:
    """The row's target (a WhereRow, or its column values) meets the family's constraints."""
    return not (
        (query.free and not (values[FREE] or values[BULK_BILLED]))
        or (query.acco and not values[ACCO])
        or (query.interpreter and not values[INTERPRETER])
    )


def _candidates_orm(
    query: WhereQuery, need_ids: list, today: date, *, columns: tuple, seconds: int, near: int, alternatives: int
) -> where_sql.Candidates:
    """What the answer is built from, through the ORM (six queries; where_sql reads the same in one)."""
    entries = _where_entries(query, need_ids)
    fit, constraints = _fit_conditions(query), _constraint_conditions(query)
    fits_q, meets_q = _all(fit.values()), _all(constraints.values())
    mine = entries.filter(_may_use_q(query))
    pool = _row_values(mine.filter(fits_q))
    # Ids, not subqueries: the pool is what I may refer to (a few hundred services at most), and
    # repeating its query inside the next ones costs more to build and plan than the list.
    targets = IdSet(values[TARGET] for values in pool)
    eligible = IdSet(values[TARGET] for values in pool if _meets(values, query))
    held = Attribute.objects.filter(service_id__in_array=targets, link_type=vocabulary.LINK_PRACTITIONER)
    held = list(held.order_by().values_list("service_id", "taxonomy_term_id"))
    held_roles = {str(role_id) for _, role_id in held}
    second_rows = _row_values(
        _seconds_queryset(
            query,
            need_ids,
            today,
            everything=fits_q & meets_q,
            targets=targets,
            eligible=eligible,
            held_roles=held_roles,
        )[:seconds],
        with_referrers=True,
    )
    misses = reduce(
        operator.add, (Case(When(c, then=Value(0)), default=Value(1)) for c in [*fit.values(), *constraints.values()])
    )
    near_rows = _row_values(
        mine.exclude(fits_q & meets_q)
        .exclude(target_service_id__in_array=eligible)
        .annotate(misses=misses)
        .order_by("misses", "target_name", "target_service_id", "pathway_id")[:near],
        "misses",
    )
    alternative_ids, alternative_links = _alternatives_orm(query, mine, eligible, alternatives)
    return where_sql.Candidates(pool, held, second_rows, near_rows, alternative_ids, alternative_links)


def _seconds_queryset(
    query: WhereQuery,
    need_ids: list,
    today: date,
    *,
    everything: Q,
    targets: IdSet,
    eligible: IdSet,
    held_roles: set[str],
) -> QuerySet:
    """Second steps: rows that fit `everything` (now and the constraints), into a service not eligible
    directly, from one of the first steps' services (`targets`), a role held there, or any professional;
    fresh first, then by wait."""
    seconds = (
        _where_entries(query, need_ids)
        .filter(everything)
        .exclude(target_service_id__in_array=eligible)
        .filter(
            Q(source_service_id__in_array=targets)
            | _json_list_has_any("referrers", sorted(held_roles))
            | (Q(any_professional=True) if targets else Q(pk__in=[]))
        )
    )
    stale = Q(last_verified__isnull=True) | Q(review_due__lt=today) | Q(target_review_due__lt=today)
    return seconds.annotate(
        stale_first=Case(When(stale, then=Value(1)), default=Value(0)),
        wait_bound=Coalesce("typical_wait_days", Value(0)),
    ).order_by("stale_first", "wait_bound", "pathway_id")


def _route_key(route: Route) -> tuple:
    wait = route.wait_days
    return (
        route.stale,
        wait if wait is not None else 10**6,
        route.second.row.target_service__name,
        str(route.second.row.id),
    )


def _routes(query, pool, seconds, roles_held, max_first_steps, limit) -> tuple[list[Route], bool]:
    """The best `limit` two-step routes, fresh before stale, then by the total wait; and whether every
    second step was looked at (no later second step could still enter: there may be more to read)."""
    first_by_service = {o.target_id: o for o in pool}
    held_by_text = {str(role_id): role_id for role_id in roles_held}  # the seconds' referrers are text
    firsts_by_role: dict[uuid.UUID, list[Option]] = {}
    for role_id, service_ids in roles_held.items():
        # Only the best few of each role can be among a route's first steps: one more than shown, in case
        # one of them is the route's own target (left out below).
        firsts = [first_by_service[s] for s in service_ids if s in first_by_service]
        firsts.sort(key=lambda o: (not o.meets_constraints, o.key))
        firsts_by_role[role_id] = firsts[: max_first_steps + 1]
    any_professional_firsts = pool[: max_first_steps + 1]

    # A route is never better than its second step allows: stale if the second step is, and a wait of at
    # least the second step's. Seconds in that order, stopping once no later one can enter the best `limit`.
    def bound(second: Option) -> tuple:
        return (second.stale, second.wait_days if second.wait_days is not None else 0)

    best: list[tuple[tuple, Route]] = []
    exhausted = True
    for second in sorted(seconds, key=bound):
        if len(best) >= limit and bound(second) > best[-1][0][:2]:
            exhausted = False
            break
        row = second.row
        firsts: dict[uuid.UUID, Option] = {}
        if row.source_service_id in first_by_service:
            firsts[row.source_service_id] = first_by_service[row.source_service_id]
        referrers = (held_by_text[r] for r in row.referrers or () if r in held_by_text)
        for role_id in {row.source_role_id, *referrers}:
            for first in firsts_by_role.get(role_id, ()):
                firsts.setdefault(first.target_id, first)
        if row.any_professional:  # every service's practitioners are professionals
            for first in any_professional_firsts:
                firsts.setdefault(first.target_id, first)
        firsts.pop(row.target_service_id, None)
        if firsts:
            # Steps that meet the family's constraints first, then the usual ranking.
            ranked = sorted(firsts.values(), key=lambda o: (not o.meets_constraints, o.key))[:max_first_steps]
            route = Route(second=second, firsts=ranked)
            bisect.insort(best, (_route_key(route), route), key=lambda item: item[0])
            del best[limit:]
    return [route for _, route in best], exhausted


# What an answer shows of a service (its card in the answer, service_ref in the API, _judge): loading only
# these keeps the few hundred services of an answer cheap (a service has many long HSDS text fields).
SHOWN_SERVICE_FIELDS = (
    "directory_id",
    "organization__name",
    "name",
    "status",
    "capacity_status",
    "capacity_as_of",
    "assured_date",
    "review_due",
    "is_free",
    "is_bulk_billed",
    "is_acco",
    "has_interpreter",
    "minimum_age_months",  # a pathway's age range falls back on its service's
    "maximum_age_months",
)


def _shown_services() -> QuerySet[Service]:
    return Service.objects.select_related("organization").only(*SHOWN_SERVICE_FIELDS)


def _alternatives_orm(query: WhereQuery, mine: QuerySet, eligible: IdSet, limit: int) -> tuple[list, list]:
    """The alternative services named by the pathways I may use that fit every filter of the query (not
    already eligible), in order, and their links to those pathways: (service, pathway's target, note)."""
    Links = Pathway.alternatives.through
    links = Links.objects.filter(pathway_id__in=mine.values("pathway_id"))
    services = Service.objects.filter(
        pk__in=links.values("service_id"),
        directory=query.directory,
        status=Service.Status.ACTIVE,
    ).exclude(capacity_status=Service.Capacity.CLOSED)
    services = services.exclude(pk__in_array=eligible)
    if query.age_months is not None:
        services = services.filter(age_q(query.age_months))
    if query.place.known:
        services = services.filter(catchment_q(query.place))
    if query.free:
        services = services.filter(Q(is_free=True) | Q(is_bulk_billed=True))
    if query.acco:
        services = services.filter(is_acco=True)
    if query.interpreter:
        services = services.filter(has_interpreter=True)
    chosen = list(services.order_by("name", "pk").values_list("pk", flat=True)[:limit])
    found = links.filter(service_id__in=chosen).order_by("pk")
    return chosen, list(found.values_list("service_id", "pathway__target_service_id", "pathway__alternatives_note"))


def _alternatives(found: where_sql.Candidates) -> list[Alternative]:
    """The alternatives, each with the services it stands in for and the notes of the pathways naming it
    (their services are loaded with the rest of the answer's, in _load_shown)."""
    by_id = {service_id: Alternative(service_id, [], []) for service_id in found.alternative_ids}
    for service_id, target_id, note in found.alternative_links:
        alternative = by_id[service_id]
        if target_id != service_id and target_id not in alternative.instead_ids:
            alternative.instead_ids.append(target_id)
        note = (note or "").strip()
        if note and note not in alternative.notes:
            alternative.notes.append(note)
    return list(by_id.values())


def _load_shown(result: WhereResult, related_by_id: dict, limit: int) -> None:
    """Load what the answer shows as models (pathways, services, catchments: three queries), and judge it in words."""
    query = result.query
    shown: list[Option] = [*result.eligible, *result.not_eligible]
    for route in result.two_step:
        shown += [route.second, *route.firsts]
    pathways = Pathway.objects.filter(pk__in_array={o.row.id for o in shown}).select_related("source_role").order_by()
    if related_by_id:  # which related need each pathway is listed for
        pathways = pathways.prefetch_related(Prefetch("needs", queryset=TaxonomyTerm.objects.order_by("ordering")))
    by_id = {pathway.pk: pathway for pathway in pathways}
    # Their services (targets and sources, as the pathways say: an index row changed behind the app's back
    # must not break the answer), the alternatives and the services they stand in for, in one query by
    # their keys (joined in, PostgreSQL would hash every service).
    wanted_services = {p.target_service_id for p in by_id.values()} | {
        p.source_service_id for p in by_id.values() if p.source_service_id
    }
    stale_rows = sorted(str(o.row.id) for o in shown if by_id[o.row.id].target_service_id != o.row.target_service_id)
    if stale_rows:
        logger.warning("where index out of date for pathways %s: run manage.py where_index_rebuild", stale_rows)
    for alternative in result.alternatives:
        wanted_services.add(alternative.service_id)
        wanted_services.update(alternative.instead_ids)
    services_by_id = {
        service.pk: service for service in _shown_services().filter(pk__in_array=wanted_services).order_by()
    }
    for pathway in by_id.values():
        pathway.target_service = services_by_id[pathway.target_service_id]
        if pathway.source_service_id:
            pathway.source_service = services_by_id[pathway.source_service_id]
    targets = {p.target_service_id for p in by_id.values()}
    catchments: dict[uuid.UUID, tuple[set[str], set[str]]] = {}
    areas = ServiceArea.objects.filter(service_id__in_array=targets).exclude(area_type=ServiceArea.AreaType.OTHER)
    for service_id, area_type, code in areas.order_by().values_list("service_id", "area_type", "code"):
        postcodes, lgas = catchments.setdefault(service_id, (set(), set()))
        (postcodes if area_type == ServiceArea.AreaType.POSTCODE else lgas).add(code)
    for option in {id(o): o for o in shown}.values():  # a first step of several routes is judged once
        option.pathway = by_id[option.row.id]
        if not option.row.primary:
            option.related_need = next(
                (related_by_id[t.pk] for t in option.pathway.needs.all() if t.pk in related_by_id), None
            )
        _judge(option, query, catchments)
    for route in result.two_step:
        # A first step can be shared by several routes (one option): its note names this route's destination,
        # so the route gets a copy of its own.
        route.firsts = [copy.copy(first) if first.misses else first for first in route.firsts]
        for first in route.firsts:
            if first.misses:
                wanted = " or ".join(CONSTRAINT_REASONS[m] for m in first.misses)
                first.step_notes = [*first.step_notes]
                first.step_notes.append(
                    f"Only a step on the way: {first.service.name} is not {wanted}; "
                    f"{route.second.service.name}, where the family is referred to, is."
                )

    # Doesn't fit now: the closest first (by the reasons, now in words).
    result.not_eligible.sort(key=lambda o: (len(o.reasons), o.key))
    near_by_target = {o.target_id: o for o in result.not_eligible}
    for alternative in result.alternatives:
        alternative.service = services_by_id[alternative.service_id]
        alternative.instead_of = sorted(
            (services_by_id[s] for s in alternative.instead_ids if s in services_by_id), key=lambda s: s.name
        )
        alternative.option = near_by_target.get(alternative.service_id)


def catchment_text(postcodes: set[str], lgas: set[str]) -> str:
    return ", ".join(sorted(lgas) + sorted(postcodes))


def _judge(option: Option, query: WhereQuery, catchments: dict) -> None:
    """Age, catchment, capacity, status and the family's constraints, in words, and why it ranks where it does."""
    pathway = option.pathway
    service = pathway.target_service
    reasons, notes, ranking = option.reasons, option.notes, option.ranking
    reasons.clear(), notes.clear(), ranking.clear(), option.misses.clear()
    if service.status == Service.Status.TEMPORARILY_CLOSED:
        reasons.append("The service is temporarily closed.")
    low, high = pathway.age_range
    age = query.age_months
    if age is not None and ((low is not None and age < low) or (high is not None and age > high)):
        reasons.append(f"For ages {age_label(low, high)}; the child is {age_text(age)}.")
    if pathway.catchment_postcodes or pathway.catchment_lgas:
        postcodes, lgas = set(pathway.catchment_postcodes), set(pathway.catchment_lgas)
    else:
        postcodes, lgas = catchments.get(service.pk, (set(), set()))
    place = query.place
    if postcodes or lgas:
        where = catchment_text(postcodes, lgas)
        if not place.given:
            notes.append(f"Catchment: {where} (no postcode given, not checked).")
            ranking.append("catchment not checked (no postcode given)")
        elif not place.known:
            notes.append(f"Catchment: {where}; “{place.text}” is not a place we know, so check it.")
            ranking.append("catchment not checked (place not known)")
        elif place.postcode in postcodes:
            ranking.append(f"in the catchment ({place.postcode})")
        elif place.lgas & lgas:
            ranking.append(f"in the catchment ({', '.join(sorted(place.lgas & lgas))})")
            if place.spans_councils and not place.lgas <= lgas:
                councils = " and ".join(sorted(place.lgas))
                notes.append(f"Postcode {place.postcode} spans {councils}: check the family's council.")
        else:
            reasons.append(f"{place} is outside the catchment ({where}).")
    else:
        ranking.append("no catchment limit")
    capacity, as_of = service.capacity_status, _as_of(service.capacity_as_of)
    if capacity == Service.Capacity.CLOSED:
        reasons.append(f"Closed to new referrals{as_of}.")
    elif capacity == Service.Capacity.WAITLIST:
        notes.append(f"Waitlist{as_of}.")
    elif capacity == Service.Capacity.UNKNOWN:
        notes.append("Capacity not known: ask the service.")
    if query.free and not (service.is_free or service.is_bulk_billed):
        reasons.append(NOT_FREE)
    elif query.free and service.is_bulk_billed and not service.is_free:
        notes.append("Bulk-billed: free with a Medicare card.")
    if query.acco and not service.is_acco:
        reasons.append(NOT_ACCO)
    elif service.is_acco and not query.acco:
        notes.append("An Aboriginal Community Controlled Organisation: check who it is for.")
    if query.interpreter and not service.has_interpreter:
        reasons.append(NO_INTERPRETER)
    option.misses.extend(r for r in reasons if r in CONSTRAINT_REASONS)
    if query.urgency == URGENT and pathway.urgent_target_days is None:
        if pathway.red_flags or pathway.escalation:
            notes.append("No urgent tier: see the red flags and escalation route.")
        else:
            notes.append("No urgent tier: call the service to ask how it handles urgent referrals.")
    if option.related_need is not None:
        notes.append(f"Listed for {option.related_need.name.lower()}, a need related to {query.need.name.lower()}.")

    # Why it ranks where it does: urgency fit, wait, catchment (above), capacity, last verified.
    if query.urgency == URGENT:
        if pathway.urgent_target_days is None:
            ranking.insert(0, "no urgent tier (ranked after those with one)")
        elif pathway.urgent_target_days == 0:
            ranking.insert(0, "urgent: seen the same day")
        else:
            ranking.insert(0, f"urgent: seen within {days_text(pathway.urgent_target_days)}")
    wait = pathway.typical_wait_days
    ranking.insert(
        1 if query.urgency == URGENT else 0,
        "wait not known" if wait is None else ("no wait" if wait == 0 else f"wait about {days_text(wait)}"),
    )
    ranking.append(dict(Service.Capacity.choices).get(capacity, capacity).lower())
    state = pathway.verification
    if state == "unverified":
        ranking.append("not yet verified (ranked after verified pathways)")
    elif state == "overdue":
        last = f", last verified {pathway.last_verified:%-d %b %Y}" if pathway.last_verified else ""
        ranking.append(f"review overdue{last} (ranked after current pathways)")
    else:
        ranking.append(f"last verified {pathway.last_verified:%-d %b %Y}")
    if not option.focused:
        ranking.append("a general door for many needs (after the specialist ones)")


def _as_of(day) -> str:
    return f" (as of {day:%-d %b %Y})" if day else ""


def _one_per_target(options: list[Option]) -> list[Option]:
    """The best-ranked pathway to each service (options come sorted)."""
    seen, kept = set(), []
    for option in options:
        if option.target_id not in seen:
            seen.add(option.target_id)
            kept.append(option)
    return kept


# --- HSDS ----------------------------------------------------------------------------------------


def hsds_services(
    *,
    search: str = "",
    directory: str = "",
    organization_id: uuid.UUID | None = None,
    taxonomy_term_id: uuid.UUID | None = None,
    taxonomy_id: uuid.UUID | None = None,
    modified_after: datetime | None = None,
    postcode: str = "",
) -> QuerySet[Service]:
    """Active services of public directories, for the HSDS API (never anything private)."""
    services = Service.objects.filter(directory__is_public=True, status=Service.Status.ACTIVE)
    if directory:
        services = services.filter(directory__partnership__slug=directory)
    if organization_id:
        services = services.filter(organization_id=organization_id)
    if taxonomy_term_id:
        services = services.filter(
            Exists(Attribute.objects.filter(service=OuterRef("pk"), taxonomy_term_id=taxonomy_term_id))
        )
    if taxonomy_id:
        services = services.filter(
            Exists(Attribute.objects.filter(service=OuterRef("pk"), taxonomy_term__taxonomy_id=taxonomy_id))
        )
    if modified_after:
        services = services.filter(last_modified__gte=modified_after)
    if postcode:
        from .places import lgas_for_postcode

        services = services.filter(catchment_q(Place(postcode=postcode, lgas=frozenset(lgas_for_postcode(postcode)))))
    for word in fold(search or "").split()[:8]:
        services = services.filter(Q(name__unaccented__icontains=word) | Q(description__unaccented__icontains=word))
    return services.order_by("name", "pk")


def hsds_service_at_locations(**filters) -> QuerySet:
    """Services at locations of the services hsds_services(**filters) publishes (never anything private)."""
    from .models import ServiceAtLocation

    services = hsds_services(**filters).order_by().values("pk")
    return ServiceAtLocation.objects.filter(service__in=services).order_by("service__name", "location__name", "pk")


def hsds_organizations(*, search: str = "", directory: str = "") -> QuerySet[Organization]:
    organizations = Organization.objects.filter(directory__is_public=True)
    if directory:
        organizations = organizations.filter(directory__partnership__slug=directory)
    for word in (search or "").split()[:8]:
        organizations = organizations.filter(Q(name__icontains=word) | Q(description__icontains=word))
    return organizations.order_by("name", "pk")


def hsds_taxonomies(*, search: str = "") -> QuerySet[Taxonomy]:
    taxonomies = Taxonomy.objects.all()
    for word in (search or "").split()[:8]:
        taxonomies = taxonomies.filter(Q(name__icontains=word) | Q(description__icontains=word))
    return taxonomies.order_by("name", "pk")


def hsds_terms(
    *,
    search: str = "",
    taxonomy_id: uuid.UUID | None = None,
    parent_id: uuid.UUID | None = None,
    top_only: bool = False,
) -> QuerySet[TaxonomyTerm]:
    terms = TaxonomyTerm.objects.select_related("taxonomy")
    if taxonomy_id:
        terms = terms.filter(taxonomy_id=taxonomy_id)
    if parent_id:
        terms = terms.filter(parent_id=parent_id)
    if top_only:
        terms = terms.filter(parent_id__isnull=True)
    for word in (search or "").split()[:8]:
        terms = terms.filter(Q(name__icontains=word) | Q(description__icontains=word) | Q(code__icontains=word))
    return terms.order_by("taxonomy__name", "ordering", "name", "pk")


def service_rows_with_organisation(*, partnership_ids) -> QuerySet:
    """Listed services that belong to an organisation, of these partnerships' directories, as rows
    (id, name, organisation id, organisation name, alternate name); for networking's table prompts."""
    return (
        Service.objects.filter(
            directory__partnership_id__in=partnership_ids, status__in=LISTED, organization__isnull=False
        )
        .order_by("organization__name", "name", "pk")
        .values_list("pk", "name", "organization_id", "organization__name", "organization__alternate_name")
    )


def pathway_pairs_between(*, service_ids) -> list[tuple]:
    """(source service id, target service id) of the active pathways among these services."""
    return list(
        Pathway.objects.filter(is_active=True, source_service_id__in=service_ids, target_service_id__in=service_ids)
        .order_by("target_service__name", "pk")
        .values_list("source_service_id", "target_service_id")
    )
