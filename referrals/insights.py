"""Network insights: what needs attention in a directory's referral network.

Like the graph (graph.py), these read rows (`values_list`), never a model per service or pathway, so the cost is
a fixed number of queries whatever the size of the directory; betweenness is computed with networkx.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

import networkx as nx
from django.utils import timezone

from . import places, vocabulary
from .graph import AGE_GROUP_MONTHS, BETWEENNESS_SAMPLE, GATEKEEPERS, _terms
from .models import Attribute, Directory, Pathway, Service, ServiceArea, TaxonomyTerm
from .selectors import LISTED


@dataclass
class Insights:
    directory: Directory
    gatekeepers: list[dict]
    orphans: list[dict]
    dead_ends: list[dict]
    gaps: list[dict]
    overdue: list[dict]
    betweenness_sampled: bool = False
    computed_at: datetime = field(default_factory=timezone.now)

    def as_dict(self) -> dict:
        return {
            "gatekeepers": self.gatekeepers,
            "orphans": self.orphans,
            "dead_ends": self.dead_ends,
            "gaps": self.gaps,
            "overdue": self.overdue,
            "betweenness_sampled": self.betweenness_sampled,
        }


def _service_link(sid, name) -> dict:
    return {"service_id": str(sid), "service": name, "url": f"/directory/services/{sid}/"}


def network_insights(*, directory: Directory, today: date | None = None) -> Insights:
    """What needs attention in the network (10 queries whatever its size).

    - gatekeepers: services with the highest betweenness centrality (routes from referrer roles and
      services pass through them); exact up to BETWEENNESS_SAMPLE nodes, sampled above.
    - orphans: listed services no active pathway leads to.
    - dead ends: a pathway and one of its needs where, if the family is declined, the referrer has no
      other way: the pathway names no listed alternative, and no other active pathway from the same
      source (service or role) for that need leads to another service.
    - gaps: need × postcode × age group with no listed service offering the need (an attribute, or
      an inbound pathway for it) whose ages overlap the group and whose catchment covers the postcode
      (no typed catchment covers all; councils by the postcode's councils). Postcodes: those of the
      directory's catchments and of the region's places in its councils.
    - overdue: listed services and active pathways whose review date has passed.
    """
    today = today or timezone.localdate()
    terms = _terms()
    services = {
        sid: (name, low, high, review_due)
        for sid, name, low, high, review_due in Service.objects.filter(
            directory=directory, status__in=LISTED
        ).values_list("id", "name", "minimum_age_months", "maximum_age_months", "review_due")
    }
    chosen = Pathway.objects.filter(directory=directory, is_active=True, target_service__status__in=LISTED)
    pathways = list(
        chosen.values_list(
            "id",
            "source_service_id",
            "source_role_id",
            "target_service_id",
            "review_due",
            "target_service__name",
            named=True,
        )
    )
    pathway_needs: dict[uuid.UUID, list[uuid.UUID]] = {}
    for pathway_id, term_id in Pathway.needs.through.objects.filter(pathway__in=chosen.values("pk")).values_list(
        "pathway_id", "taxonomyterm_id"
    ):
        pathway_needs.setdefault(pathway_id, []).append(term_id)
    alternatives: dict[uuid.UUID, set[uuid.UUID]] = {}
    for pathway_id, service_id in Pathway.alternatives.through.objects.filter(
        pathway__in=chosen.values("pk"), service__status__in=LISTED
    ).values_list("pathway_id", "service_id"):
        alternatives.setdefault(pathway_id, set()).add(service_id)
    service_needs: dict[uuid.UUID, set[uuid.UUID]] = {}
    for service_id, term_id in Attribute.objects.filter(
        service__directory=directory, link_type=vocabulary.LINK_NEED
    ).values_list("service_id", "taxonomy_term_id"):
        service_needs.setdefault(service_id, set()).add(term_id)
    catchments: dict[uuid.UUID, tuple[set[str], set[str]]] = {}
    for service_id, area_type, code in (
        ServiceArea.objects.filter(service__directory=directory)
        .exclude(area_type=ServiceArea.AreaType.OTHER)
        .values_list("service_id", "area_type", "code")
    ):
        postcodes, lgas = catchments.setdefault(service_id, (set(), set()))
        (postcodes if area_type == ServiceArea.AreaType.POSTCODE else lgas).add(code)

    # Gatekeepers: betweenness over services and referrer roles.
    index: dict[uuid.UUID, int] = {sid: i for i, sid in enumerate(services)}  # ints hash faster than UUIDs
    graph = nx.DiGraph()
    graph.add_nodes_from(range(len(index)))
    for p in pathways:
        source = p.source_service_id or p.source_role_id
        graph.add_edge(index.setdefault(source, len(index)), index[p.target_service_id])
    sampled = graph.number_of_nodes() > BETWEENNESS_SAMPLE
    centrality = nx.betweenness_centrality(graph, k=BETWEENNESS_SAMPLE if sampled else None, seed=7)
    by_index = {i: sid for sid, i in index.items()}
    ranked = sorted(
        ((score, by_index[i]) for i, score in centrality.items() if by_index[i] in services and score > 0),
        key=lambda pair: (-pair[0], services[pair[1]][0]),
    )
    gatekeepers = [
        {**_service_link(sid, services[sid][0]), "betweenness": round(score, 4)} for score, sid in ranked[:GATEKEEPERS]
    ]

    targets = {p.target_service_id for p in pathways}
    orphans = [_service_link(sid, name) for sid, (name, *_rest) in services.items() if sid not in targets]
    orphans.sort(key=lambda o: o["service"])

    by_source_need: dict[tuple, set[uuid.UUID]] = {}
    for p in pathways:
        for need_id in pathway_needs.get(p.id, ()):
            by_source_need.setdefault((p.source_service_id or p.source_role_id, need_id), set()).add(
                p.target_service_id
            )
    dead_ends = []
    for p in pathways:
        if alternatives.get(p.id):
            continue
        source = p.source_service_id or p.source_role_id
        for need_id in pathway_needs.get(p.id, ()):
            if by_source_need[(source, need_id)] - {p.target_service_id}:
                continue
            source_name = services[source][0] if source in services else terms[source].name if source in terms else "?"
            dead_ends.append(
                {
                    "pathway_id": str(p.id),
                    "pathway": f"{source_name} → {p.target_service__name}",
                    "url": f"/directory/pathways/{p.id}/",
                    "need": terms[need_id].name if need_id in terms else "?",
                }
            )
    dead_ends.sort(key=lambda d: (d["need"], d["pathway"]))

    offers: dict[uuid.UUID, set[uuid.UUID]] = {}  # need -> services offering it
    for sid, need_ids in service_needs.items():
        if sid in services:
            for need_id in need_ids:
                offers.setdefault(need_id, set()).add(sid)
    for p in pathways:
        for need_id in pathway_needs.get(p.id, ()):
            offers.setdefault(need_id, set()).add(p.target_service_id)
    all_lgas = set().union(*(lgas for _, lgas in catchments.values())) if catchments else set()
    postcodes = {code for pcs, _ in catchments.values() for code in pcs}
    postcodes |= {code for _, code, lga in places.SUBURBS if lga in all_lgas}
    postcode_lgas = {code: places.lgas_for_postcode(code) for code in postcodes}
    age_groups = list(AGE_GROUP_MONTHS.items())
    age_names = dict(TaxonomyTerm.objects.filter(taxonomy__key=vocabulary.AGE_GROUPS).values_list("code", "name"))
    needs = sorted((t for t in terms.values() if t.taxonomy.key == vocabulary.NEEDS), key=lambda t: t.ordering)
    gaps = []
    for need in needs:
        offering = offers.get(need.pk, set())
        for code in sorted(postcodes):
            covering = [
                sid
                for sid in offering
                if sid not in catchments or code in catchments[sid][0] or (catchments[sid][1] & postcode_lgas[code])
            ]
            for group, (low, high) in age_groups:
                if not any(
                    (services[sid][1] is None or services[sid][1] <= high)
                    and (services[sid][2] is None or services[sid][2] >= low)
                    for sid in covering
                ):
                    gaps.append(
                        {
                            "need": need.name,
                            "need_code": need.code,
                            "postcode": code,
                            "age_group": age_names.get(group, group),
                            "age_group_code": group,
                        }
                    )

    overdue = [
        {**_service_link(sid, name), "kind": "service", "review_due": due.isoformat()}
        for sid, (name, _low, _high, due) in services.items()
        if due is not None and due < today
    ]
    overdue.sort(key=lambda o: (o["review_due"], o["service"]))
    overdue_pathways = []
    for p in pathways:
        if p.review_due is not None and p.review_due < today:
            source = p.source_service_id or p.source_role_id
            source_name = services[source][0] if source in services else terms[source].name if source in terms else "?"
            overdue_pathways.append(
                {
                    "kind": "pathway",
                    "pathway_id": str(p.id),
                    "service": f"{source_name} → {p.target_service__name}",
                    "service_id": str(p.target_service_id),
                    "url": f"/directory/pathways/{p.id}/",
                    "review_due": p.review_due.isoformat(),
                }
            )
    overdue_pathways.sort(key=lambda o: (o["review_due"], o["service"]))
    return Insights(
        directory=directory,
        gatekeepers=gatekeepers,
        orphans=orphans,
        dead_ends=dead_ends,
        gaps=gaps,
        overdue=overdue + overdue_pathways,
        betweenness_sampled=sampled,
    )
