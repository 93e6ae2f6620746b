"""Reads for the map: the graph of a directory's services and pathways, and the pathways to highlight.

The graph and the insights read rows (`values_list`), never a model per service or pathway: each costs a
fixed number of queries whatever the size of the directory, and the rest is done in Python (networkx
for betweenness).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.utils import timezone

from referrals import vocabulary
from referrals.models import Attribute, Directory, Pathway, Service, TaxonomyTerm
from referrals.selectors import LISTED

# The map draws at most this many services (the best connected first) so that it stays usable in a
# browser; the filters narrow it, and the page says how many were left out.
MAX_DRAWN_SERVICES = 150
MAX_DRAWN_EDGES = 1500
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
    highlight: set[uuid.UUID] = field(default_factory=set)

    def as_dict(self) -> dict:
        return {
            "need": self.need.code if self.need else None,
            "sector": self.sector.code if self.sector else None,
            "age_months": self.age_months,
            "role": self.role.code if self.role else None,
            "highlight": sorted(str(h) for h in self.highlight),
        }


def _covers(low: int | None, high: int | None, age: int) -> bool:
    return (low is None or low <= age) and (high is None or high >= age)


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


def graph_build(
    *,
    directory: Directory,
    filters: GraphFilters | None = None,
    limit: int | None = None,
    edge_limit: int | None = None,
) -> dict:
    """The directory's listed services and active pathways as nodes and edges, filtered (6 queries).

    A service is kept when it offers the need (an attribute, or an inbound pathway for it), is in the
    sector and its ages cover the age; a pathway when it is for the need, covers the age, the role may
    use it (its source role, another referrer role, any professional, or self-referral for families)
    and both ends are kept. With a role, only the services those pathways touch are shown. Referrer
    roles that are a pathway's source are nodes too (kind "role"). `limit` keeps the best connected
    services and `edge_limit` the first pathways among them (highlighted ones first); the totals say
    how many there were.
    """
    filters = filters or GraphFilters()
    terms = _terms()
    services = {
        row.id: row
        for row in Service.objects.filter(directory=directory, status__in=LISTED).values_list(
            *SERVICE_COLUMNS, named=True
        )
    }
    attrs: dict[uuid.UUID, dict[str, list[uuid.UUID]]] = {}
    attribute_rows = Attribute.objects.filter(
        service__directory=directory, link_type__in=[vocabulary.LINK_NEED, vocabulary.LINK_SECTOR]
    ).values_list("service_id", "link_type", "taxonomy_term_id")
    for service_id, link_type, term_id in attribute_rows:
        attrs.setdefault(service_id, {}).setdefault(link_type, []).append(term_id)
    chosen = Pathway.objects.filter(directory=directory, is_active=True, target_service__status__in=LISTED)
    pathways = list(chosen.values_list(*PATHWAY_COLUMNS, named=True))
    pathway_needs: dict[uuid.UUID, list[uuid.UUID]] = {}
    for pathway_id, term_id in Pathway.needs.through.objects.filter(pathway__in=chosen.values("pk")).values_list(
        "pathway_id", "taxonomyterm_id"
    ):
        pathway_needs.setdefault(pathway_id, []).append(term_id)
    pathway_roles: dict[uuid.UUID, set[uuid.UUID]] = {}
    for pathway_id, term_id in Pathway.referrer_roles.through.objects.filter(
        pathway__in=chosen.values("pk")
    ).values_list("pathway_id", "taxonomyterm_id"):
        pathway_roles.setdefault(pathway_id, set()).add(term_id)

    need_targets = set()
    if filters.need is not None:
        need_targets = {p.target_service_id for p in pathways if filters.need.pk in pathway_needs.get(p.id, ())}

    def service_ok(service_id) -> bool:
        row = services.get(service_id)
        if row is None:
            return False
        mine = attrs.get(service_id, {})
        if filters.need is not None and not (
            filters.need.pk in mine.get(vocabulary.LINK_NEED, ()) or service_id in need_targets
        ):
            return False
        if filters.sector is not None and filters.sector.pk not in mine.get(vocabulary.LINK_SECTOR, ()):
            return False
        return filters.age_months is None or _covers(row.minimum_age_months, row.maximum_age_months, filters.age_months)

    def role_may_use(p) -> bool:
        role = filters.role
        if role is None:
            return True
        if role.code == vocabulary.PARENT_SELF:
            return p.source_role_id == role.pk or p.self_referral or role.pk in pathway_roles.get(p.id, ())
        return p.source_role_id == role.pk or p.any_professional or role.pk in pathway_roles.get(p.id, ())

    kept_services = {sid for sid in services if service_ok(sid)}
    edges = []
    for p in pathways:
        if filters.need is not None and filters.need.pk not in pathway_needs.get(p.id, ()):
            continue
        if filters.age_months is not None:
            low = p.min_age_months if p.min_age_months is not None else p.target_service__minimum_age_months
            high = p.max_age_months if p.max_age_months is not None else p.target_service__maximum_age_months
            if not _covers(low, high, filters.age_months):
                continue
        if not role_may_use(p) or p.target_service_id not in kept_services:
            continue
        if p.source_service_id is not None and p.source_service_id not in kept_services:
            continue
        edges.append(p)
    if filters.role is not None:
        touched = {p.target_service_id for p in edges} | {p.source_service_id for p in edges if p.source_service_id}
        kept_services &= touched

    total_services, total_edges = len(kept_services), len(edges)
    if limit is not None and len(kept_services) > limit:
        degree: dict[uuid.UUID, int] = {}
        for p in edges:
            for end in (p.source_service_id, p.target_service_id):
                if end is not None:
                    degree[end] = degree.get(end, 0) + 1
        on_route = {
            end for p in edges if p.id in filters.highlight for end in (p.source_service_id, p.target_service_id)
        }
        ranked = sorted(kept_services, key=lambda sid: (sid not in on_route, -degree.get(sid, 0), services[sid].name))
        kept_services = set(ranked[:limit])
        edges = [
            p
            for p in edges
            if p.target_service_id in kept_services
            and (p.source_service_id is None or p.source_service_id in kept_services)
        ]

    if edge_limit is not None and len(edges) > edge_limit:
        edges = sorted(edges, key=lambda p: (p.id not in filters.highlight, str(p.id)))[:edge_limit]

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
        row = services[sid]
        mine = attrs.get(sid, {})
        sectors = [terms[t] for t in mine.get(vocabulary.LINK_SECTOR, ()) if t in terms]
        sectors.sort(key=lambda t: t.ordering)
        needs = sorted((terms[t] for t in mine.get(vocabulary.LINK_NEED, ()) if t in terms), key=lambda t: t.ordering)
        overdue = row.review_due is not None and row.review_due < today
        nodes.append(
            {
                "id": str(sid),
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
                "inbound": inbound.get(sid, 0),
                "outbound": outbound.get(sid, 0),
                "highlighted": sid in highlighted_nodes,
                "url": f"/directory/services/{sid}/",
            }
        )
    role_ids = sorted({p.source_role_id for p in edges if p.source_role_id}, key=lambda r: terms[r].ordering)
    for rid in role_ids:
        nodes.append(
            {
                "id": str(rid),
                "kind": "role",
                "label": terms[rid].name,
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
                "outbound": outbound.get(rid, 0),
                "highlighted": rid in highlighted_nodes,
                "url": "",
            }
        )
    names = {str(sid): services[sid].name for sid in kept_services} | {str(r): terms[r].name for r in role_ids}
    edge_list = []
    for p in edges:
        source = str(p.source_service_id or p.source_role_id)
        target = str(p.target_service_id)
        edge_list.append(
            {
                "id": str(p.id),
                "source": source,
                "target": target,
                "label": f"{names[source]} → {names[target]}",
                "needs": sorted(terms[t].name for t in pathway_needs.get(p.id, ()) if t in terms),
                "method": p.method,
                "method_name": Pathway.Method(p.method).label,
                "urgency": _urgency(p.urgent_target_days),
                "urgent_target_days": p.urgent_target_days,
                "typical_wait_days": p.typical_wait_days,
                "highlighted": p.id in filters.highlight,
                "url": f"/directory/pathways/{p.id}/",
            }
        )
    edge_list.sort(key=lambda e: e["label"])
    return {
        "directory": directory.partnership.slug,
        "filters": filters.as_dict(),
        "nodes": nodes,
        "edges": edge_list,
        "total_services": total_services,
        "shown_services": len(kept_services),
        "total_edges": total_edges,
    }


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
