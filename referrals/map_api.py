"""The map as JSON (public for public directories), the insights, and what sessions feature
(the partnership's coordinators; 404 for everyone else)."""

import json
import uuid

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, StreamingHttpResponse
from ninja import Query, Router, Status

from accounts.auth import PUBLIC
from core.schemas import ErrorOut
from core.types import DbId
from events import selectors as event_selectors
from events.models import Event
from events.permissions import event_get_managed
from referrals import selectors as referral_selectors
from referrals import vocabulary
from referrals.models import Directory, Pathway, Service

from . import featured, insights_store
from . import graph as map_graph
from .map_schemas import DigestOut, FeaturedIn, FeaturedSetOut, GraphFilters, GraphOut, InsightsOut, InsightsPendingOut
from .places import resolve_place

router = Router(tags=["servicemap"])

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
UNKNOWN_TERM = "Unknown {what}: {code}."
BAD_HIGHLIGHT = "Give pathway ids separated by commas."
UNKNOWN_IDS = "Not in this partnership's directory: {ids}."


def _term(key: str, code: str, field: str, what: str):
    if not code:
        return None
    term = referral_selectors.term_by_code(key, code)
    if term is None:
        raise ValidationError({field: UNKNOWN_TERM.format(what=what, code=code)})
    return term


def parse_highlight(text: str) -> set[uuid.UUID]:
    try:
        return {uuid.UUID(part.strip()) for part in text.split(",") if part.strip()}
    except ValueError:
        raise ValidationError({"highlight": BAD_HIGHLIGHT}) from None


def _visible_directory(request, slug: str) -> Directory:
    directory = referral_selectors.directory_list_visible(user=request.user).filter(partnership__slug=slug).first()
    if directory is None:
        raise Http404
    return directory


def _coordinated_directory(user, slug: str) -> Directory:
    directory = Directory.objects.select_related("partnership").filter(partnership__slug=slug).first()
    if directory is None or not user.is_coordinator_of(directory.partnership_id):
        raise Http404
    return directory


@router.get(
    "/servicemap/{slug}/graph", response={200: GraphOut, **ERRORS}, auth=PUBLIC, operation_id="servicemap_api_get_graph"
)
def get_graph(request, slug: str, filters: Query[GraphFilters]):
    """The directory as a network: listed services (and the referrer roles pathways start from) as
    nodes, active pathways as directed edges; filtered by need, sector, age, place and referrer role.
    Level of detail: the `limit` best connected services (default 150) and at most `edge_limit` pathways among
    them; `more_limit` is the limit to ask for to see more. The whole graph: `GET …/graph/export`."""
    directory = _visible_directory(request, slug)
    graph = map_graph.graph_build(
        directory=directory,
        filters=map_graph.GraphFilters(
            need=_term(vocabulary.NEEDS, filters.need, "need", "need"),
            sector=_term(vocabulary.SECTORS, filters.sector, "sector", "sector"),
            role=_term(vocabulary.REFERRER_ROLES, filters.role, "role", "referrer role"),
            age_months=filters.age_months,
            place=resolve_place(filters.place) if filters.place else None,
            highlight=parse_highlight(filters.highlight),
        ),
        limit=filters.limit,
        edge_limit=filters.edge_limit,
    )
    # graph_build returns GraphOut's fields and types (tests check the answer against the schema): sent as it is,
    # not validated again node by node and edge by edge (a thousand of them at the default level of detail).
    return _json(graph)


def _json(data: dict) -> HttpResponse:
    return HttpResponse(json.dumps(data, separators=(",", ":")), content_type="application/json")


@router.get(
    "/servicemap/{slug}/graph/export",
    response={200: None, **ERRORS},
    auth=PUBLIC,
    operation_id="servicemap_api_export_graph",
    openapi_extra={
        "responses": {
            200: {
                "description": "NDJSON, streamed: a `directory` line, then one `node` line per listed service and "
                "referrer role, then one `edge` line per active pathway (the graph's fields).",
                "content": {"application/x-ndjson": {"schema": {"type": "string"}}},
            }
        }
    },
)
def export_graph(request, slug: str):
    """The whole graph, streamed as JSON lines (NDJSON), read in chunks so it costs the same memory at any size."""
    directory = _visible_directory(request, slug)
    response = StreamingHttpResponse(
        map_graph.graph_export_lines(directory=directory), content_type="application/x-ndjson; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{slug}-graph.ndjson"'
    return response


@router.get(
    "/servicemap/{slug}/insights",
    response={200: InsightsOut, 202: InsightsPendingOut, **ERRORS},
    operation_id="servicemap_api_get_insights",
)
def get_insights(request, slug: str):
    """What needs attention: gatekeepers, services nobody refers to, dead ends, catchment gaps and
    overdue entries (the partnership's coordinators). Served from the store with `computed_at`; a Celery task
    recomputes them when the directory changes (`recomputing` is true until it has). 202 while the first
    computation is running."""
    directory = _coordinated_directory(request.auth, slug)
    stored = insights_store.insights_stored(directory=directory, as_text=True)
    if stored is None:
        return Status(202, {"status": "computing", "detail": "The insights are being computed; ask again in a minute."})
    # The stored JSON was written from Insights.as_dict() (the schema above): sent as the database's text of it,
    # neither parsed nor validated again item by item (tens of thousands of dead ends at a region's scale), with
    # computed_at and recomputing added to the object.
    data = stored.data_text.strip()
    extra = json.dumps(
        {"computed_at": stored.computed_at.isoformat(), "recomputing": stored.scheduled_for is not None},
        separators=(",", ":"),
    )
    body = data[:-1].rstrip() + ("," if data[:-1].strip() != "{" else "") + extra[1:]
    return HttpResponse(body, content_type="application/json")


def _featured_out(event: Event) -> dict:
    featured_services, featured_pathways = featured.featured_for_event(event=event)
    return {
        "event_id": event.pk,
        "services": [
            {"service_id": str(f.service_id), "service": f.service.name, "url": f.service.get_absolute_url()}
            for f in featured_services
        ],
        "pathways": [
            {"pathway_id": str(f.pathway_id), "pathway": str(f.pathway), "url": f.pathway.get_absolute_url()}
            for f in featured_pathways
        ],
    }


@router.get(
    "/servicemap/events/{event_id}/featured",
    response={200: FeaturedSetOut, **ERRORS},
    operation_id="servicemap_api_get_featured",
)
def get_featured(request, event_id: DbId):
    """The services presented and the pathways discussed at a session (its coordinators)."""
    return _featured_out(event_get_managed(user=request.auth, event_id=event_id, related=("partnership", "series")))


@router.put(
    "/servicemap/events/{event_id}/featured",
    response={200: FeaturedSetOut, **ERRORS},
    operation_id="servicemap_api_set_featured",
)
def set_featured(request, event_id: DbId, payload: FeaturedIn):
    """Replace what a session features (its coordinators)."""
    event = event_get_managed(user=request.auth, event_id=event_id, related=("partnership", "series"))
    chosen_services = list(
        Service.objects.select_related("directory").filter(
            pk__in=payload.service_ids, directory__partnership=event.partnership
        )
    )
    chosen_pathways = list(
        Pathway.objects.select_related("directory").filter(
            pk__in=payload.pathway_ids, directory__partnership=event.partnership
        )
    )
    missing = set(payload.service_ids) - {s.pk for s in chosen_services}
    if missing:
        raise ValidationError({"service_ids": UNKNOWN_IDS.format(ids=", ".join(sorted(map(str, missing))))})
    missing = set(payload.pathway_ids) - {p.pk for p in chosen_pathways}
    if missing:
        raise ValidationError({"pathway_ids": UNKNOWN_IDS.format(ids=", ".join(sorted(map(str, missing))))})
    featured.featured_set(event=event, services=chosen_services, pathways=chosen_pathways)
    return _featured_out(event)


def digest_out(event: Event, previous: Event | None, revisions) -> dict:
    return {
        "event_id": event.pk,
        "previous_event_id": previous.pk if previous else None,
        "since": previous.start if previous else None,
        "revisions": [
            {
                "pathway_id": str(r.pathway_id),
                "pathway": str(r.pathway),
                "url": r.pathway.get_absolute_url(),
                "number": r.number,
                "changed_at": r.changed_at,
                "changed_fields": list(r.changed_fields or []),
                "note": r.note,
            }
            for r in revisions
        ],
    }


@router.get(
    "/servicemap/events/{event_id}/digest",
    response={200: DigestOut, **ERRORS},
    operation_id="servicemap_api_get_digest",
)
def get_digest(request, event_id: DbId):
    """What changed since the last session: pathway revisions since the previous session of the same
    series (or partnership), for the coordinator to present."""
    event = event_get_managed(user=request.auth, event_id=event_id, related=("partnership", "series"))
    directory = Directory.objects.filter(partnership_id=event.partnership_id).first()
    if directory is None:
        return digest_out(event, event_selectors.event_previous_session(event=event), [])
    previous, revisions = featured.revisions_since_previous_session(event=event, directory=directory)
    return digest_out(event, previous, revisions)
