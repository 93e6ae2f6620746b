"""Reads for the map: the graph of a directory's services and pathways, and the pathways to highlight.

The graph and the insights read rows (`values_list`), never a model per service or pathway: each costs a
fixed number of queries whatever the size of the directory, and the rest is done in Python (networkx
for betweenness).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Aggregate, Case, Count, Exists, OuterRef, Q, Subquery, TextField, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from referrals import vocabulary
from referrals.models import Attribute, Directory, Pathway, Service, TaxonomyTerm
from referrals.places import Place
from referrals.selectors import LISTED, age_q, catchment_q

# The map draws at most this many services (the best connected first) so that it stays usable in a
# browser; the filters narrow it, and the page says how many were left out.
MAX_DRAWN_SERVICES = 150
MAX_DRAWN_EDGES = 800  # with MAX_DRAWN_SERVICES: the API's default view; "show more" draws proportionally more
# The API's default level of detail (well under 500 KB at a region's scale) and its most ("show more" doubles
# the limit up to MAX_LIMIT); the whole graph is the streamed export (graph_export_lines).
DEFAULT_LIMIT = 150
DEFAULT_EDGE_LIMIT = 800
MAX_LIMIT = 1000
EXPORT_CHUNK = 2000
# Exact betweenness up to this many nodes; above it, a seeded sample of this many sources (networkx `k`).
BETWEENNESS_SAMPLE = 200
GATEKEEPERS = 10

# Age groups of the vocabulary as month ranges (inclusive) for the catchment-gap check.
AGE_GROUP_MONTHS = {
    "infants": (0, 11),
    "toddlers": (12, 35),
    "preschool": (36, 59),
    "school-age": (60, 143),
    "adolescents": (144, 215),
}

SECTOR_COLOURS = {  # dark enough for white labels; the legend names them
    "health": "#0b5c7a",
    "education-and-care": "#7a3e9d",
    "community-services": "#a34a00",
    "": "#4a525c",
}


@dataclass
class GraphFilters:
    need: TaxonomyTerm | None = None
    sector: TaxonomyTerm | None = None
    age_months: int | None = None
    role: TaxonomyTerm | None = None
    place: Place | None = None
    highlight: set[uuid.UUID] = field(default_factory=set)

    def as_dict(self) -> dict:
        return {
            "need": self.need.code if self.need else None,
            "sector": self.sector.code if self.sector else None,
            "age_months": self.age_months,
            "role": self.role.code if self.role else None,
            "place": self.place.text if self.place and self.place.given else None,
            "highlight": sorted(str(h) for h in self.highlight),
        }


def _terms() -> dict[uuid.UUID, TaxonomyTerm]:
    keys = [vocabulary.NEEDS, vocabulary.SECTORS, vocabulary.REFERRER_ROLES]
    return {t.pk: t for t in TaxonomyTerm.objects.filter(taxonomy__key__in=keys).select_related("taxonomy")}


def _urgency(urgent_days: int | None) -> str:
    return "urgent" if urgent_days is not None else "routine"


SERVICE_COLUMNS = (
    "id",
    "name",
    "organization__name",
    "is_acco",
    "capacity_status",
    "minimum_age_months",
    "maximum_age_months",
    "assured_date",
    "review_due",
)
PATHWAY_COLUMNS = (
    "id",
    "source_service_id",
    "source_role_id",
    "target_service_id",
    "method",
    "urgent_target_days",
    "routine_target_days",
    "typical_wait_days",
    "any_professional",
    "self_referral",
    "min_age_months",
    "max_age_months",
    "target_service__minimum_age_months",
    "target_service__maximum_age_months",
)


def _service_queryset(directory: Directory, filters: GraphFilters):
    """The listed services the filters keep (in SQL): need (an attribute, or an active pathway to it for the
    need), sector, ages and the family's place (catchment)."""
    services = Service.objects.filter(directory=directory, status__in=LISTED)
    if filters.need is not None:
        services = services.filter(
            Exists(
                Attribute.objects.filter(
                    service=OuterRef("pk"), link_type=vocabulary.LINK_NEED, taxonomy_term=filters.need
                )
            )
            | Exists(Pathway.objects.filter(target_service=OuterRef("pk"), is_active=True, needs=filters.need))
        )
    if filters.sector is not None:
        services = services.filter(
            Exists(
                Attribute.objects.filter(
                    service=OuterRef("pk"), link_type=vocabulary.LINK_SECTOR, taxonomy_term=filters.sector
                )
            )
        )
    if filters.age_months is not None:
        services = services.filter(age_q(filters.age_months))
    if filters.place is not None and filters.place.given:
        services = services.filter(catchment_q(filters.place))
    return services


def _pathway_queryset(directory: Directory, filters: GraphFilters, services):
    """The active pathways the filters keep (in SQL), both ends among `services`."""
    pathways = Pathway.objects.filter(directory=directory, is_active=True, target_service__in=services).filter(
        Q(source_service__isnull=True) | Q(source_service__in=services)
    )
    if filters.need is not None:
        pathways = pathways.filter(
            Exists(Pathway.needs.through.objects.filter(pathway=OuterRef("pk"), taxonomyterm=filters.need))
        )
    if filters.age_months is not None:
        age = filters.age_months
        pathways = pathways.alias(
            low=Coalesce("min_age_months", "target_service__minimum_age_months"),
            high=Coalesce("max_age_months", "target_service__maximum_age_months"),
        ).filter(Q(low__isnull=True) | Q(low__lte=age), Q(high__isnull=True) | Q(high__gte=age))
    role = filters.role
    if role is not None:
        listed = Exists(Pathway.referrer_roles.through.objects.filter(pathway=OuterRef("pk"), taxonomyterm=role))
        open_to = Q(self_referral=True) if role.code == vocabulary.PARENT_SELF else Q(any_professional=True)
        pathways = pathways.filter(Q(source_role=role) | open_to | listed)
    return pathways


class _JoinedIds(Aggregate):
    """The ids of a group as one comma-separated text (PostgreSQL's string_agg, SQLite's group_concat)."""

    function = "STRING_AGG"
    template = "%(function)s(CAST(%(expressions)s AS text), ',')"
    output_field = TextField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            function="GROUP_CONCAT",
            template="%(function)s(%(expressions)s, ',')",
            **extra_context,
        )


def _need_ids() -> Subquery:
    """A pathway's need ids as one text (see _parse_ids)."""
    needs = Pathway.needs.through.objects.filter(pathway=OuterRef("pk")).order_by().values("pathway")
    return Subquery(needs.annotate(ids=_JoinedIds("taxonomyterm_id")).values("ids")[:1], output_field=TextField())


def _parse_ids(text: str | None) -> list[uuid.UUID]:
    return [uuid.UUID(part) for part in text.split(",")] if text else []


def _degrees(edges_qs) -> tuple[dict[uuid.UUID, int], int]:
    """Each service's number of kept pathways in and out, and the number of kept pathways. On PostgreSQL one
    scan counts both ends (GROUPING SETS); elsewhere two queries."""
    degree: dict[uuid.UUID, int] = {}
    total_edges = 0
    if connection.vendor == "postgresql":
        sql, params = edges_qs.order_by().values("target_service_id", "source_service_id").query.sql_with_params()
        both = "GROUP BY GROUPING SETS ((e.target_service_id), (e.source_service_id))"
        query = f"SELECT GROUPING(e.target_service_id), e.target_service_id, e.source_service_id, COUNT(*) FROM ({sql}) e {both}"  # noqa: E501, S608 - the ORM's own SQL, its values as parameters
        with connection.cursor() as cursor:
            cursor.execute(query, params)
            for by_source, target_id, source_id, n in cursor.fetchall():
                if not by_source:
                    degree[target_id] = degree.get(target_id, 0) + n
                    total_edges += n
                elif source_id is not None:  # pathways from a referrer role have no source service
                    degree[source_id] = degree.get(source_id, 0) + n
        return degree, total_edges
    for target_id, n in edges_qs.order_by().values_list("target_service_id").annotate(n=Count("id")):
        degree[target_id] = degree.get(target_id, 0) + n
        total_edges += n
    for source_id, n in (
        edges_qs.filter(source_service__isnull=False)
        .order_by()
        .values_list("source_service_id")
        .annotate(n=Count("id"))
    ):
        degree[source_id] = degree.get(source_id, 0) + n
    return degree, total_edges


def graph_build(
    *,
    directory: Directory,
    filters: GraphFilters | None = None,
    limit: int | None = None,
    edge_limit: int | None = None,
) -> dict:
    """The directory's listed services and active pathways as nodes and edges, filtered (a fixed number of
    queries: 6, 5 on PostgreSQL, and 1 more with highlighted pathways).

    A service is kept when it offers the need (an attribute, or an inbound pathway for it), is in the
    sector, its ages cover the age and its catchment the place; a pathway when it is for the need,
    covers the age, the role may use it (its source role, another referrer role, any professional, or
    self-referral for families) and both ends are kept. With a role, only the services those pathways
    touch are shown. Referrer roles that are a pathway's source are nodes too (kind "role").

    The level of detail: `limit` keeps the best connected services (on a highlighted route first, then by
    the number of kept pathways in and out, then by name) and `edge_limit` the first pathways among them
    (highlighted ones first); the totals say how many there were. The filtering and the degree counts are
    done in the database, so only the rows drawn are read.
    """
    filters = filters or GraphFilters()
    terms = _terms()
    services_qs = _service_queryset(directory, filters)
    edges_qs = _pathway_queryset(directory, filters, services_qs)

    degree, total_edges = _degrees(edges_qs)
    names = dict(services_qs.values_list("id", "name"))
    kept_services = set(names) if filters.role is None else set(degree)
    total_services = len(kept_services)

    on_route: set[uuid.UUID] = set()
    if filters.highlight:
        for source_id, target_id in edges_qs.filter(pk__in=filters.highlight).values_list(
            "source_service_id", "target_service_id"
        ):
            on_route |= {source_id, target_id} - {None}
    if limit is not None and len(kept_services) > limit:
        ranked = sorted(kept_services, key=lambda sid: (sid not in on_route, -degree.get(sid, 0), names[sid], sid))
        kept_services = set(ranked[:limit])

    services = {
        row.id: row for row in Service.objects.filter(pk__in=kept_services).values_list(*SERVICE_COLUMNS, named=True)
    }
    kept_ids = list(kept_services)
    drawn = edges_qs.filter(target_service__in=kept_ids).filter(
        Q(source_service__isnull=True) | Q(source_service__in=kept_ids)
    )
    # The first `edge_limit` pathways (highlighted ones first, then by id: a UUID's order in the database is
    # its text's), each with its needs (a correlated aggregate: an index lookup per pathway drawn).
    drawn = drawn.annotate(
        later=Case(When(pk__in=list(filters.highlight), then=Value(0)), default=Value(1))
        if filters.highlight
        else Value(1),
        need_ids=_need_ids(),
    ).order_by("later", "id")
    rows = drawn.values_list(*PATHWAY_COLUMNS, "need_ids", named=True)
    edges = list(rows[:edge_limit] if edge_limit is not None else rows)

    attrs: dict[uuid.UUID, dict[str, list[uuid.UUID]]] = {}
    attribute_rows = Attribute.objects.filter(
        service__in=kept_services, link_type__in=[vocabulary.LINK_NEED, vocabulary.LINK_SECTOR]
    ).values_list("service_id", "link_type", "taxonomy_term_id")
    for service_id, link_type, term_id in attribute_rows:
        attrs.setdefault(service_id, {}).setdefault(link_type, []).append(term_id)
    pathway_needs = {p.id: _parse_ids(p.need_ids) for p in edges}

    highlighted_nodes = set()
    for p in edges:
        if p.id in filters.highlight:
            highlighted_nodes.add(p.target_service_id)
            highlighted_nodes.add(p.source_service_id or p.source_role_id)

    inbound: dict[uuid.UUID, int] = {}
    outbound: dict[uuid.UUID, int] = {}
    for p in edges:
        inbound[p.target_service_id] = inbound.get(p.target_service_id, 0) + 1
        source = p.source_service_id or p.source_role_id
        outbound[source] = outbound.get(source, 0) + 1

    today = timezone.localdate()
    nodes = []
    for sid in sorted(kept_services, key=lambda s: (services[s].name, str(s))):
        nodes.append(
            _service_node(services[sid], attrs.get(sid, {}), terms, today, inbound, outbound, highlighted_nodes)
        )
    role_ids = sorted({p.source_role_id for p in edges if p.source_role_id}, key=lambda r: terms[r].ordering)
    for rid in role_ids:
        nodes.append(_role_node(terms[rid], outbound.get(rid, 0), rid in highlighted_nodes))
    labels = {str(sid): services[sid].name for sid in kept_services} | {str(r): terms[r].name for r in role_ids}
    edge_list = [_edge(p, labels, pathway_needs.get(p.id, ()), terms, p.id in filters.highlight) for p in edges]
    edge_list.sort(key=lambda e: e["label"])
    return {
        "directory": directory.partnership.slug,
        "filters": filters.as_dict(),
        "nodes": nodes,
        "edges": edge_list,
        "total_services": total_services,
        "shown_services": len(kept_services),
        "total_edges": total_edges,
        "limit": limit,
        "edge_limit": edge_limit,
        "more_limit": min(limit * 2, MAX_LIMIT)
        if limit is not None and limit < min(total_services, MAX_LIMIT)
        else None,
    }


def _service_node(row, mine: dict, terms: dict, today, inbound: dict, outbound: dict, highlighted: set) -> dict:
    sectors = sorted((terms[t] for t in mine.get(vocabulary.LINK_SECTOR, ()) if t in terms), key=lambda t: t.ordering)
    needs = sorted((terms[t] for t in mine.get(vocabulary.LINK_NEED, ()) if t in terms), key=lambda t: t.ordering)
    overdue = row.review_due is not None and row.review_due < today
    return {
        "id": str(row.id),
        "kind": "service",
        "label": row.name,
        "organization": row.organization__name or "",
        "sector": sectors[0].code if sectors else "",
        "sector_name": sectors[0].name if sectors else "No sector given",
        "needs": [t.name for t in needs],
        "is_acco": row.is_acco,
        "capacity": row.capacity_status,
        "age_min_months": row.minimum_age_months,
        "age_max_months": row.maximum_age_months,
        "verification": "overdue" if overdue else ("unverified" if row.assured_date is None else "current"),
        "inbound": inbound.get(row.id, 0),
        "outbound": outbound.get(row.id, 0),
        "highlighted": row.id in highlighted,
        "url": f"/directory/services/{row.id}/",
    }


def _role_node(term: TaxonomyTerm, outbound: int, highlighted: bool) -> dict:
    return {
        "id": str(term.pk),
        "kind": "role",
        "label": term.name,
        "organization": "",
        "sector": "",
        "sector_name": "Referrer role",
        "needs": [],
        "is_acco": False,
        "capacity": "",
        "age_min_months": None,
        "age_max_months": None,
        "verification": "",
        "inbound": 0,
        "outbound": outbound,
        "highlighted": highlighted,
        "url": "",
    }


def _edge(p, labels: dict, need_ids, terms: dict, highlighted: bool) -> dict:
    source = str(p.source_service_id or p.source_role_id)
    target = str(p.target_service_id)
    return {
        "id": str(p.id),
        "source": source,
        "target": target,
        "label": f"{labels.get(source, '?')} → {labels.get(target, '?')}",
        "needs": sorted(terms[t].name for t in need_ids if t in terms),
        "method": p.method,
        "method_name": Pathway.Method(p.method).label,
        "urgency": _urgency(p.urgent_target_days),
        "urgent_target_days": p.urgent_target_days,
        "typical_wait_days": p.typical_wait_days,
        "highlighted": highlighted,
        "url": f"/directory/pathways/{p.id}/",
    }


def graph_export_lines(*, directory: Directory):
    """The whole graph as JSON lines (NDJSON), read in chunks of EXPORT_CHUNK rows by primary key (4 queries a
    chunk, whatever the size, so memory stays flat): a header, every listed service, every referrer role a
    pathway starts from, then every active pathway to a listed service. Each line is one JSON object with a
    "type" (directory, node or edge); nodes and edges have the graph API's fields."""
    import json

    terms = _terms()
    today = timezone.localdate()
    listed = Service.objects.filter(directory=directory, status__in=LISTED)
    pathways = Pathway.objects.filter(directory=directory, is_active=True, target_service__status__in=LISTED)
    yield (
        json.dumps(
            {
                "type": "directory",
                "directory": directory.partnership.slug,
                "name": directory.name,
                "services": listed.count(),
                "pathways": pathways.count(),
                "exported_at": timezone.now().isoformat(),
            }
        )
        + "\n"
    )
    last = None
    while True:
        chunk = listed.order_by("pk")
        if last is not None:
            chunk = chunk.filter(pk__gt=last)
        rows = list(chunk.values_list(*SERVICE_COLUMNS, named=True)[:EXPORT_CHUNK])
        if not rows:
            break
        last = rows[-1].id
        ids = [r.id for r in rows]
        attrs: dict[uuid.UUID, dict[str, list[uuid.UUID]]] = {}
        for service_id, link_type, term_id in Attribute.objects.filter(
            service__in=ids, link_type__in=[vocabulary.LINK_NEED, vocabulary.LINK_SECTOR]
        ).values_list("service_id", "link_type", "taxonomy_term_id"):
            attrs.setdefault(service_id, {}).setdefault(link_type, []).append(term_id)
        inbound = dict(
            pathways.filter(target_service__in=ids).order_by().values_list("target_service_id").annotate(n=Count("id"))
        )
        outbound = dict(
            pathways.filter(source_service__in=ids).order_by().values_list("source_service_id").annotate(n=Count("id"))
        )
        for row in rows:
            node = _service_node(row, attrs.get(row.id, {}), terms, today, inbound, outbound, set())
            yield json.dumps({"type": "node", **node}) + "\n"
    role_counts = dict(
        pathways.filter(source_role__isnull=False).order_by().values_list("source_role_id").annotate(n=Count("id"))
    )
    for rid in sorted(role_counts, key=lambda r: terms[r].ordering if r in terms else 0):
        if rid in terms:
            yield json.dumps({"type": "node", **_role_node(terms[rid], role_counts[rid], False)}) + "\n"
    last = None
    while True:
        chunk = pathways.order_by("pk")
        if last is not None:
            chunk = chunk.filter(pk__gt=last)
        rows = list(
            chunk.values_list(*PATHWAY_COLUMNS, "source_service__name", "target_service__name", named=True)[
                :EXPORT_CHUNK
            ]
        )
        if not rows:
            break
        last = rows[-1].id
        needs: dict[uuid.UUID, list[uuid.UUID]] = {}
        for pathway_id, term_id in Pathway.needs.through.objects.filter(pathway__in=[r.id for r in rows]).values_list(
            "pathway_id", "taxonomyterm_id"
        ):
            needs.setdefault(pathway_id, []).append(term_id)
        for p in rows:
            labels = {
                str(p.target_service_id): p.target_service__name,
                str(p.source_service_id or p.source_role_id): p.source_service__name
                or (terms[p.source_role_id].name if p.source_role_id in terms else "?"),
            }
            yield json.dumps({"type": "edge", **_edge(p, labels, needs.get(p.id, ()), terms, False)}) + "\n"


def graph_rows(graph: dict) -> list[dict]:
    """The text alternative: each node with its inbound and outbound pathways (from the same graph)."""
    inbound: dict[str, list[dict]] = {}
    outbound: dict[str, list[dict]] = {}
    for edge in graph["edges"]:
        inbound.setdefault(edge["target"], []).append(edge)
        outbound.setdefault(edge["source"], []).append(edge)
    return [
        {"node": n, "inbound": inbound.get(n["id"], []), "outbound": outbound.get(n["id"], [])} for n in graph["nodes"]
    ]


# --- Insights ------------------------------------------------------------------------------------


def where_highlight(query) -> set[uuid.UUID]:
    """The pathways "where can I refer?" answers with (eligible now, and both steps of two-step routes)."""
    from referrals.selectors import where_can_i_refer

    result = where_can_i_refer(query)
    ids = {option.row.id for option in result.eligible}
    for route in result.two_step:
        ids.add(route.second.row.id)
        ids |= {option.row.id for option in route.firsts}
    return ids
