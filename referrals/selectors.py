"""Reads for the directory: search, service and pathway pages, "where can I refer?", HSDS lists.

Lists cost a fixed number of queries whatever their length; "where can I refer?" loads the
candidate pathways for the need in bulk and decides eligibility, two-step routes and alternatives in
Python (see where_can_i_refer).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.functional import cached_property

from accounts.models import User

from . import vocabulary
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
    verification_state,
)
from .places import Place

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
    services = service_card_queryset().filter(service_visible_q(user))
    if directory is not None:
        services = services.filter(directory=directory)
    for term in (need, sector):
        if term is not None:
            services = services.filter(Exists(Attribute.objects.filter(service=OuterRef("pk"), taxonomy_term=term)))
    if age_months is not None:
        services = services.filter(age_q(age_months))
    if place is not None and place.known:
        services = services.filter(catchment_q(place))
    for word in (q or "").split()[:8]:
        services = services.filter(
            Q(name__icontains=word)
            | Q(alternate_name__icontains=word)
            | Q(description__icontains=word)
            | Q(organization__name__icontains=word)
            | Exists(Attribute.objects.filter(service=OuterRef("pk"), taxonomy_term__name__icontains=word))
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


# The columns judging and ranking read, for every candidate; only what is shown is loaded as models.
CANDIDATE_FIELDS = (
    "id",
    "source_service_id",
    "source_role_id",
    "target_service_id",
    "min_age_months",
    "max_age_months",
    "catchment_postcodes",
    "catchment_lgas",
    "urgent_target_days",
    "typical_wait_days",
    "any_professional",
    "self_referral",
    "last_verified",
    "review_due",
    "alternatives_note",
    "target_service__name",
    "target_service__status",
    "target_service__minimum_age_months",
    "target_service__maximum_age_months",
    "target_service__capacity_status",
    "target_service__capacity_as_of",
    "target_service__is_acco",
    "target_service__has_interpreter",
    "target_service__is_bulk_billed",
    "target_service__is_free",
    "target_service__assured_date",
    "target_service__review_due",
)


@dataclass(eq=False)
class Option:
    """A pathway judged for this query: eligible when there are no reasons against it.

    `row` holds the candidate's columns (CANDIDATE_FIELDS); `pathway` is the model, loaded for the
    options the answer shows.
    """

    row: Any
    reasons: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    focused: bool = True  # for one or two needs: the specialist way for this need, not a general door
    pathway: Pathway | None = None
    key: tuple = ()  # sort_key(query), computed once

    @property
    def eligible(self) -> bool:
        return not self.reasons

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
        row = self.row
        pathway_state = verification_state(row.last_verified, row.review_due)
        service_state = verification_state(row.target_service__assured_date, row.target_service__review_due)
        return pathway_state != "current" or service_state == "overdue"

    def sort_key(self, query: WhereQuery) -> tuple:
        """Focused pathways first, then fresh before stale, taking referrals before waitlists, short waits."""
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
    name: str
    instead: list[Option]  # the direct options it stands in for
    notes: list[str]
    option: Option | None = None  # the direct pathway to it, when there is one
    service: Service | None = None  # loaded for the alternatives the answer shows

    @property
    def instead_of(self) -> list[Service]:
        return [option.service for option in self.instead]


@dataclass
class WhereResult:
    query: WhereQuery
    eligible: list[Option]
    two_step: list[Route]
    alternatives: list[Alternative]
    not_eligible: list[Option]
    checked_at: datetime = field(default_factory=timezone.now)


@dataclass
class Candidates:
    """The pathways for a need (as rows) and the side tables judging them reads."""

    rows: list[Any]
    need_counts: dict[uuid.UUID, int]
    referrer_roles: dict[uuid.UUID, set[uuid.UUID]]
    alternatives: dict[uuid.UUID, list[tuple[uuid.UUID, str]]]  # pathway -> [(listed service, its name)]
    catchments: dict[uuid.UUID, tuple[set[str], set[str]]]  # target service -> (postcodes, councils)
    practitioner_roles: dict[uuid.UUID, set[uuid.UUID]]  # service -> roles its practitioners hold

    def catchment(self, row) -> tuple[set[str], set[str]]:
        if row.catchment_postcodes or row.catchment_lgas:
            return set(row.catchment_postcodes), set(row.catchment_lgas)
        return self.catchments.get(row.target_service_id, (set(), set()))


def where_candidates(*, directory: Directory, need: TaxonomyTerm) -> Candidates:
    """Every active pathway for the need into a listed service, as rows, and its side tables (7 queries).

    Rows, not models: judging thousands of pathways needs a few columns each. The side tables are read
    against a subquery of the candidates (never a list of thousands of ids, nor a prefetch, which
    builds a queryset per pathway).
    """
    chosen = Pathway.objects.filter(directory=directory, is_active=True, needs=need, target_service__status__in=LISTED)
    rows = list(chosen.order_by().values_list(*CANDIDATE_FIELDS, named=True))
    ids = chosen.order_by().values("pk")
    targets = chosen.order_by().values("target_service_id")
    need_counts: dict[uuid.UUID, int] = {}
    for pathway_id in Pathway.needs.through.objects.filter(pathway_id__in=ids).values_list("pathway_id", flat=True):
        need_counts[pathway_id] = need_counts.get(pathway_id, 0) + 1
    referrer_roles: dict[uuid.UUID, set[uuid.UUID]] = {}
    rows_roles = Pathway.referrer_roles.through.objects.filter(pathway_id__in=ids)
    for pathway_id, term_id in rows_roles.values_list("pathway_id", "taxonomyterm_id"):
        referrer_roles.setdefault(pathway_id, set()).add(term_id)
    alternatives: dict[uuid.UUID, list[tuple[uuid.UUID, str]]] = {}
    links = Pathway.alternatives.through.objects.filter(pathway_id__in=ids)
    # Two queries, not one join: with the join SQLite may walk every service and probe the links.
    listed = Service.objects.filter(pk__in=links.values("service_id"), status__in=LISTED)
    names = dict(listed.order_by().values_list("pk", "name"))
    for pathway_id, service_id in links.values_list("pathway_id", "service_id"):
        if service_id in names:
            alternatives.setdefault(pathway_id, []).append((service_id, names[service_id]))
    catchments: dict[uuid.UUID, tuple[set[str], set[str]]] = {}
    areas = ServiceArea.objects.filter(service_id__in=targets).exclude(area_type=ServiceArea.AreaType.OTHER)
    for service_id, area_type, code in areas.order_by().values_list("service_id", "area_type", "code"):
        postcodes, lgas = catchments.setdefault(service_id, (set(), set()))
        (postcodes if area_type == ServiceArea.AreaType.POSTCODE else lgas).add(code)
    practitioner_roles: dict[uuid.UUID, set[uuid.UUID]] = {}
    held = Attribute.objects.filter(service_id__in=targets, link_type=vocabulary.LINK_PRACTITIONER)
    for service_id, term_id in held.order_by().values_list("service_id", "taxonomy_term_id"):
        practitioner_roles.setdefault(service_id, set()).add(term_id)
    return Candidates(rows, need_counts, referrer_roles, alternatives, catchments, practitioner_roles)


def catchment_text(postcodes: set[str], lgas: set[str]) -> str:
    return ", ".join(sorted(lgas) + sorted(postcodes))


def _judge(row, query: WhereQuery, candidates: Candidates) -> Option:
    """Age, catchment, capacity, status and the family's constraints, for one candidate pathway."""
    option = Option(row, focused=candidates.need_counts.get(row.id, 0) <= FOCUSED_NEEDS)
    reasons, notes = option.reasons, option.notes
    if row.target_service__status == Service.Status.TEMPORARILY_CLOSED:
        reasons.append("The service is temporarily closed.")
    low = row.min_age_months if row.min_age_months is not None else row.target_service__minimum_age_months
    high = row.max_age_months if row.max_age_months is not None else row.target_service__maximum_age_months
    age = query.age_months
    if age is not None and ((low is not None and age < low) or (high is not None and age > high)):
        reasons.append(f"For ages {age_label(low, high)}; the child is {age_text(age)}.")
    postcodes, lgas = candidates.catchment(row)
    place = query.place
    if postcodes or lgas:
        where = catchment_text(postcodes, lgas)
        if not place.given:
            notes.append(f"Catchment: {where} (no postcode given, not checked).")
        elif not place.known:
            notes.append(f"Catchment: {where}; “{place.text}” is not a place we know, so check it.")
        elif place.postcode in postcodes:
            pass
        elif place.lgas & lgas:
            if place.spans_councils and not place.lgas <= lgas:
                councils = " and ".join(sorted(place.lgas))
                notes.append(f"Postcode {place.postcode} spans {councils}: check the family's council.")
        else:
            reasons.append(f"{place} is outside the catchment ({where}).")
    capacity, as_of = row.target_service__capacity_status, _as_of(row.target_service__capacity_as_of)
    if capacity == Service.Capacity.CLOSED:
        reasons.append(f"Closed to new referrals{as_of}.")
    elif capacity == Service.Capacity.WAITLIST:
        notes.append(f"Waitlist{as_of}.")
    elif capacity == Service.Capacity.UNKNOWN:
        notes.append("Capacity not known: ask the service.")
    free, bulk_billed = row.target_service__is_free, row.target_service__is_bulk_billed
    if query.free and not (free or bulk_billed):
        reasons.append("Not free for families.")
    elif query.free and bulk_billed and not free:
        notes.append("Bulk-billed: free with a Medicare card.")
    if query.acco and not row.target_service__is_acco:
        reasons.append("Not an Aboriginal Community Controlled Organisation.")
    elif row.target_service__is_acco and not query.acco:
        notes.append("An Aboriginal Community Controlled Organisation: check who it is for.")
    if query.interpreter and not row.target_service__has_interpreter:
        reasons.append("No interpreter service listed.")
    if query.urgency == URGENT and row.urgent_target_days is None:
        notes.append("No urgent tier: see the red flags and escalation route.")
    return option


def _as_of(day) -> str:
    return f" (as of {day:%-d %b %Y})" if day else ""


def where_can_i_refer(query: WhereQuery, *, limit: int = 20, max_first_steps: int = 5) -> WhereResult:
    """Ranked ways to refer: eligible now, then two-step routes, then alternatives.

    - Eligible now: a pathway for the need that my role may use (its source role, one of its other
      referrer roles, "any professional", or self-referral for families) and whose age range,
      catchment, capacity, status and the family's constraints all fit.
    - Two-step: I refer to a service (eligibly), and that service's practitioners refer on by a
      pathway for the same need (from that service, or from a role its practitioners hold, or one
      open to any professional), to a service I cannot reach directly. Routes are grouped by their
      second step, with the best few first steps; so one target can appear by two routes.
    - Alternatives: services the matched pathways name for when the family is not eligible or
      declines, and the pathways I may use that do not fit now, with the reasons.
    Constant queries (at most 9): the candidates in bulk as rows (where_candidates), the ranking in
    Python, then the pathways and alternative services the answer shows, as models.
    """
    candidates = where_candidates(directory=query.directory, need=query.need)
    family = query.role.code == vocabulary.PARENT_SELF
    professional = not family
    mine = query.role.pk

    def may_use(row) -> bool:
        return (
            row.source_role_id == mine
            or mine in candidates.referrer_roles.get(row.id, ())
            or (row.any_professional and professional)
            or (row.self_referral and family)
        )

    judged = [_judge(row, query, candidates) for row in candidates.rows]
    for option in judged:
        option.key = option.sort_key(query)
    direct = [option for option in judged if may_use(option.row)]
    eligible = _one_per_target(sorted((o for o in direct if o.eligible), key=lambda o: o.key))
    reachable = {o.target_id for o in eligible}

    # Who could take a second step: the eligible first steps, by their service and the roles held there.
    first_by_service = {o.target_id: o for o in eligible}
    firsts_by_role: dict[uuid.UUID, list[Option]] = {}
    for option in eligible:
        for role_id in candidates.practitioner_roles.get(option.target_id, ()):
            firsts_by_role.setdefault(role_id, []).append(option)
    routes = []
    for second in judged:
        row = second.row
        if not second.eligible or row.target_service_id in reachable:
            continue
        firsts: dict[uuid.UUID, Option] = {}
        if row.source_service_id in first_by_service:
            firsts[row.source_service_id] = first_by_service[row.source_service_id]
        for role_id in {row.source_role_id, *candidates.referrer_roles.get(row.id, ())}:
            for first in firsts_by_role.get(role_id, ()):
                firsts.setdefault(first.target_id, first)
        if row.any_professional:  # every service's practitioners are professionals
            for first in eligible[: max_first_steps + 1]:
                firsts.setdefault(first.target_id, first)
        firsts.pop(row.target_service_id, None)
        if firsts:
            ranked = sorted(firsts.values(), key=lambda o: o.key)[:max_first_steps]
            routes.append(Route(second=second, firsts=ranked))
    routes.sort(
        key=lambda r: (
            r.stale,
            r.wait_days if r.wait_days is not None else 10**6,
            r.second.row.target_service__name,
            str(r.second.row.id),
        )
    )

    not_eligible = sorted((o for o in direct if not o.eligible), key=lambda o: (len(o.reasons), o.key))
    options_by_target: dict[uuid.UUID, Option] = {}
    for option in sorted(direct, key=lambda o: (not o.eligible, o.key)):
        options_by_target.setdefault(option.target_id, option)
    alternatives: dict[uuid.UUID, Alternative] = {}
    for option in direct:
        for service_id, name in candidates.alternatives.get(option.row.id, ()):
            if service_id in reachable or service_id == option.target_id:
                continue
            alternative = alternatives.get(service_id)
            if alternative is None:
                alternative = Alternative(service_id, name, [], [], options_by_target.get(service_id))
                alternatives[service_id] = alternative
            if len(alternative.instead) < max_first_steps and all(
                o.target_id != option.target_id for o in alternative.instead
            ):
                alternative.instead.append(option)
            note = option.row.alternatives_note.strip()
            if note and note not in alternative.notes:
                alternative.notes.append(note)

    result = WhereResult(
        query=query,
        eligible=eligible[:limit],
        two_step=routes[:limit],
        alternatives=sorted(alternatives.values(), key=lambda a: (a.name, str(a.service_id)))[:limit],
        not_eligible=not_eligible[:limit],
    )
    _load_shown(result)
    return result


def _load_shown(result: WhereResult) -> None:
    """Load, as models, the pathways and services the answer shows (two queries, a few hundred rows)."""
    shown: list[Option] = [*result.eligible, *result.not_eligible]
    for route in result.two_step:
        shown += [route.second, *route.firsts]
    for alternative in result.alternatives:
        shown += alternative.instead + ([alternative.option] if alternative.option else [])
    pathways = Pathway.objects.filter(pk__in={o.row.id for o in shown}).select_related(
        "target_service__organization", "source_service", "source_role", "directory"
    )
    by_id = {pathway.pk: pathway for pathway in pathways}
    for option in shown:
        option.pathway = by_id[option.row.id]
    services = Service.objects.filter(pk__in=[a.service_id for a in result.alternatives]).select_related("organization")
    by_service = {service.pk: service for service in services}
    for alternative in result.alternatives:
        alternative.service = by_service[alternative.service_id]


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
    for word in (search or "").split()[:8]:
        services = services.filter(Q(name__icontains=word) | Q(description__icontains=word))
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
