"""The directory's API: Open Referral HSDS 3.0 (read-only, public data only) under /api/hsds/, and our
own pathways, "where can I refer?" and suggestions under /api/referrals/."""

import json
import math
import uuid
from datetime import datetime
from typing import Literal

import orjson
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Prefetch
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from accounts.auth import PUBLIC
from accounts.models import Partnership
from accounts.permissions import partnership_get_managed
from core.pagination import MAX_PAGE
from core.schemas import ErrorOut
from core.types import DbId

from . import hsds, selectors, services, vocabulary
from .map_api import router as map_router
from .models import ChangeSuggestion, Organization, Pathway, Service, Taxonomy, TaxonomyTerm
from .places import resolve_place
from .schemas import (
    DecisionIn,
    HsdsOrganization,
    HsdsOrganizationPage,
    HsdsRoot,
    HsdsService,
    HsdsServiceAtLocationFull,
    HsdsServiceAtLocationPage,
    HsdsServicePage,
    HsdsTaxonomy,
    HsdsTaxonomyPage,
    HsdsTaxonomyTerm,
    HsdsTaxonomyTermPage,
    PathwayIn,
    PathwayOut,
    PathwayPatch,
    RevisionOut,
    SuggestionIn,
    SuggestionOut,
    WhereOut,
    service_ref,
    term_out,
)

router = Router(tags=["referrals"])
hsds_router = Router(tags=["hsds"])
router.add_router("/hsds", hsds_router)
# The pathway map, insights and sessions (formerly the servicemap app): still at /api/servicemap/...
router.add_router("", map_router)

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
UNKNOWN_TERM = "Unknown {what}: {code}."
UNKNOWN_SERVICE = "Unknown service: {id}."
TARGET_REQUIRED = "Name the service or the pathway (one of them)."
NOT_NULL = "This field may not be null."

# --- Presenters ----------------------------------------------------------------------------------


def _card_url(pathway: Pathway) -> str:
    return pathway.get_absolute_url()


def option_json(option: selectors.Option, ref=service_ref) -> dict:
    pathway = option.pathway
    return {
        "pathway": {
            "id": pathway.pk,
            "source": pathway.source_label,
            "target": ref(pathway.target_service),
            "method": pathway.method,
            "how_to_refer": pathway.how_to_refer,
            "form_url": pathway.form_url,
            "red_flags": pathway.red_flags,
            "escalation": pathway.escalation,
            "urgent_criteria": pathway.urgent_criteria,
            "information_to_include": pathway.information_to_include,
            "pre_referral_workup": pathway.pre_referral_workup,
            "urgent_target_days": pathway.urgent_target_days,
            "routine_target_days": pathway.routine_target_days,
            "typical_wait_days": pathway.typical_wait_days,
            "wait_as_of": pathway.wait_as_of,
            "last_verified": pathway.last_verified,
            "review_due": pathway.review_due,
            "verification": pathway.verification,
            "card_url": _card_url(pathway),
        },
        "eligible": option.eligible,
        "reasons": option.reasons,
        "misses": option.misses,
        "notes": option.notes,
        "ranking": option.ranking,
        "step_notes": option.step_notes,
        "related_need": term_out(option.related_need) if option.related_need else None,
        "stale": option.stale,
    }


def where_out(result: selectors.WhereResult) -> dict:
    query = result.query
    # One service or option is often shown several times (a first step of many routes): each is
    # described once and the same value used again.
    refs: dict = {}
    outs: dict = {}

    def ref(service) -> dict:
        found = refs.get(service.pk)
        if found is None:
            found = refs[service.pk] = service_ref(service)
        return found

    def option_out(option: selectors.Option) -> dict:
        found = outs.get(id(option))
        if found is None:
            found = outs[id(option)] = option_json(option, ref)
        return found

    return {
        "query": {
            "partnership": query.directory.partnership.slug,
            "need": term_out(query.need),
            "role": term_out(query.role),
            "age_months": query.age_months,
            "place": {
                "text": query.place.text,
                "postcode": query.place.postcode,
                "suburb": query.place.suburb,
                "lgas": sorted(query.place.lgas),
            },
            "urgency": query.urgency,
            "free": query.free,
            "acco": query.acco,
            "interpreter": query.interpreter,
        },
        "danger": {"number": result.danger.number, "prompt": result.danger.prompt} if result.danger else None,
        "related_needs": [term_out(t) for t in result.related_needs],
        "nothing_meets_constraints": result.nothing_meets_constraints,
        "eligible": [option_out(o) for o in result.eligible],
        "two_step": [
            {
                "first_steps": [option_out(o) for o in route.firsts],
                "second_step": option_out(route.second),
                "wait_days": route.wait_days,
                "stale": route.stale,
            }
            for route in result.two_step
        ],
        "alternatives": [
            {
                "service": ref(a.service),
                "instead_of": [ref(s) for s in a.instead_of],
                "notes": a.notes,
                "option": option_out(a.option) if a.option else None,
            }
            for a in result.alternatives
        ],
        "not_eligible": [option_out(o) for o in result.not_eligible],
    }


# --- Helpers -------------------------------------------------------------------------------------


def _directory(request, slug: str):
    """The partnership's directory, if the caller may read it (else 404)."""
    directory = selectors.directory_list_visible(user=request.user).filter(partnership__slug=slug).first()
    if directory is None:
        raise Http404
    return directory


def _term(key: str, code: str, field: str, what: str) -> TaxonomyTerm:
    term = selectors.term_by_code(key, code)
    if term is None:
        raise ValidationError({field: UNKNOWN_TERM.format(what=what, code=code)})
    return term


def _terms(key: str, codes: list[str] | None, field: str, what: str) -> list[TaxonomyTerm] | None:
    if codes is None:
        return None
    return [_term(key, code, field, what) for code in dict.fromkeys(codes)]


def _coordinated_directory(request, slug: str):
    partnership = partnership_get_managed(user=request.auth, slug=slug, field="partnership")
    return services.directory_get_or_create(partnership=partnership)


def _service_in(directory, service_id: uuid.UUID | None, field: str) -> Service | None:
    if service_id is None:
        return None
    service = Service.objects.filter(pk=service_id, directory=directory).first()
    if service is None:
        raise ValidationError({field: UNKNOWN_SERVICE.format(id=service_id)})
    return service


def _pathway_changes(directory, data: dict) -> dict:
    """The body's scalar fields as pathway_create/pathway_update take them."""
    changes = {}
    for key, value in data.items():
        if key in ("partnership", "note", "verified", "needs", "referrer_roles", "alternatives"):
            continue
        if key == "source_service_id":
            changes["source_service"] = _service_in(directory, value, key)
        elif key == "target_service_id":
            if value is None:
                raise ValidationError({key: NOT_NULL})
            changes["target_service"] = _service_in(directory, value, key)
        elif key == "source_role":
            changes["source_role"] = _term(vocabulary.REFERRER_ROLES, value, key, "referrer role") if value else None
        elif value is None and key in ("catchment_postcodes", "catchment_lgas"):
            changes[key] = []
        elif value is None and isinstance(Pathway._meta.get_field(key), models.CharField | models.TextField):
            if key == "method":
                raise ValidationError({key: NOT_NULL})
            changes[key] = ""
        elif value is None and isinstance(Pathway._meta.get_field(key), models.BooleanField):
            raise ValidationError({key: NOT_NULL})
        else:
            changes[key] = value
    return changes


def _pathway_for_coordinator(request, pathway_id: uuid.UUID) -> Pathway:
    pathway = Pathway.objects.select_related("directory").filter(pk=pathway_id).first()
    if pathway is None or not request.auth.is_coordinator_of(pathway.directory.partnership_id):
        raise Http404
    return pathway


def _reload(request, pathway: Pathway) -> Pathway:
    return selectors.pathway_list(user=request.auth, include_retired=True).get(pk=pathway.pk)


# --- "Where can I refer?" and pathways -----------------------------------------------------------


_DJANGO_JSON = DjangoJSONEncoder()


class WhereFilters(Schema):
    partnership: str = Field(..., max_length=80, description="The partnership whose directory to search.")
    need: str = Field(..., max_length=100, description="A need code, e.g. speech-language.")
    role: str = Field(
        ..., max_length=100, description="Your referrer role code, e.g. mch-nurse (parent-self for families)."
    )
    age_months: int | None = Field(None, ge=0, le=300, description="The child's age in months.")
    place: str = Field("", max_length=100, description="The family's postcode or suburb.")
    urgency: Literal["routine", "urgent"] = "routine"
    free: bool = False
    acco: bool = False
    interpreter: bool = False
    limit: int = Field(20, ge=1, le=100, description="At most this many in each section.")


@router.get("/referrals/where", response={200: WhereOut, **ERRORS}, auth=PUBLIC)
def where_can_i_refer(request, filters: Query[WhereFilters]):
    """Where can I refer? Eligible pathways first, then two-step routes, then alternatives.

    Each comes with how to refer, what to include, the wait and when it was last verified; `stale`
    says the pathway (or its service) is overdue for review.
    """
    directory = _directory(request, filters.partnership)
    query = selectors.WhereQuery(
        directory=directory,
        need=_term(vocabulary.NEEDS, filters.need, "need", "need"),
        role=_term(vocabulary.REFERRER_ROLES, filters.role, "role", "referrer role"),
        age_months=filters.age_months,
        place=resolve_place(filters.place),
        urgency=filters.urgency,
        free=filters.free,
        acco=filters.acco,
        interpreter=filters.interpreter,
    )
    # The answer is built as plain JSON values (where_out) and sent as it is: validating a few hundred
    # nested objects through ninja's schemas would cost more than finding them. WhereOut documents the
    # shape, and the tests validate answers against it.
    # orjson writes the few hundred KB of an answer 15x faster than json; anything it does not know (and
    # datetimes, to keep Django's format) goes through Django's encoder, as elsewhere in the API.
    answer = where_out(selectors.where_can_i_refer(query, limit=filters.limit))
    body = orjson.dumps(answer, default=_DJANGO_JSON.default, option=orjson.OPT_PASSTHROUGH_DATETIME)
    return HttpResponse(body, content_type="application/json")


class PathwayFilters(Schema):
    partnership: str | None = Field(None, max_length=80)
    need: str | None = Field(None, max_length=100, description="A need code.")
    service: uuid.UUID | None = Field(None, description="Pathways from or to this service.")


@router.get("/referrals/pathways", response={200: list[PathwayOut], **ERRORS}, auth=PUBLIC)
@paginate
def list_pathways(request, filters: Query[PathwayFilters]):
    """Active pathways of the directories the caller may read."""
    directory = _directory(request, filters.partnership) if filters.partnership else None
    need = _term(vocabulary.NEEDS, filters.need, "need", "need") if filters.need else None
    service = None
    if filters.service:
        service = selectors.service_get_visible(user=request.user, service_id=filters.service)
        if service is None:
            return Pathway.objects.none()
    return selectors.pathway_list(user=request.user, directory=directory, need=need, service=service)


@router.get("/referrals/pathways/{pathway_id}", response={200: PathwayOut, **ERRORS}, auth=PUBLIC)
def get_pathway(request, pathway_id: uuid.UUID):
    pathway = selectors.pathway_get_visible(user=request.user, pathway_id=pathway_id)
    if pathway is None:
        raise Http404
    return pathway


@router.get("/referrals/pathways/{pathway_id}/revisions", response={200: list[RevisionOut], **ERRORS})
@paginate
def list_pathway_revisions(request, pathway_id: uuid.UUID):
    """A pathway's revision history, newest first (its partnership's coordinators)."""
    pathway = _pathway_for_coordinator(request, pathway_id)
    return [
        {
            "number": r.number,
            "changed_at": r.changed_at,
            "changed_by": str(r.changed_by) if r.changed_by_id else None,
            "changed_fields": r.changed_fields,
            "note": r.note,
            "snapshot": r.snapshot,
        }
        for r in selectors.pathway_revisions(pathway=pathway)
    ]


@router.post("/referrals/pathways", response={201: PathwayOut, **ERRORS})
def create_pathway(request, payload: PathwayIn):
    """Add a pathway (coordinators): from a service or a referrer role, to a service, for needs."""
    directory = _coordinated_directory(request, payload.partnership)
    data = payload.dict(exclude_unset=True)
    pathway = services.pathway_create(
        directory=directory,
        changed_by=request.auth,
        note=payload.note,
        verified=payload.verified,
        needs=_terms(vocabulary.NEEDS, payload.needs, "needs", "need"),
        referrer_roles=_terms(vocabulary.REFERRER_ROLES, data.get("referrer_roles"), "referrer_roles", "referrer role"),
        alternatives=[_service_in(directory, sid, "alternatives") for sid in data.get("alternatives") or []],
        **_pathway_changes(directory, data),
    )
    return Status(201, _reload(request, pathway))


@router.patch("/referrals/pathways/{pathway_id}", response={200: PathwayOut, **ERRORS})
def update_pathway(request, pathway_id: uuid.UUID, payload: PathwayPatch):
    """Change a pathway; a revision records what changed."""
    pathway = _pathway_for_coordinator(request, pathway_id)
    data = payload.dict(exclude_unset=True)
    alternatives = data.get("alternatives")
    pathway = services.pathway_update(
        pathway=pathway,
        changed_by=request.auth,
        note=payload.note,
        verified=payload.verified,
        needs=_terms(vocabulary.NEEDS, data.get("needs"), "needs", "need"),
        referrer_roles=_terms(vocabulary.REFERRER_ROLES, data.get("referrer_roles"), "referrer_roles", "referrer role"),
        alternatives=None
        if alternatives is None
        else [_service_in(pathway.directory, sid, "alternatives") for sid in alternatives],
        **_pathway_changes(pathway.directory, data),
    )
    return _reload(request, pathway)


# --- Suggestions ---------------------------------------------------------------------------------


@router.post("/referrals/suggestions", response={201: SuggestionOut, **ERRORS})
def create_suggestion(request, payload: SuggestionIn):
    """Suggest a change to a service or pathway (anyone signed in); coordinators decide."""
    if (payload.service_id is None) == (payload.pathway_id is None):
        raise ValidationError({"service_id": TARGET_REQUIRED})
    service = pathway = None
    if payload.service_id:
        service = selectors.service_get_visible(user=request.auth, service_id=payload.service_id)
        if service is None:
            raise Http404
    else:
        pathway = selectors.pathway_get_visible(user=request.auth, pathway_id=payload.pathway_id)
        if pathway is None:
            raise Http404
    suggestion = services.suggestion_create(
        user=request.auth,
        service=service,
        pathway=pathway,
        field=payload.field,
        proposed_value=payload.proposed_value,
        note=payload.note,
    )
    return Status(201, suggestion)


class SuggestionFilters(Schema):
    partnership: str = Field(..., max_length=80)
    status: Literal["pending", "accepted", "rejected"] | None = "pending"


@router.get("/referrals/suggestions", response={200: list[SuggestionOut], **ERRORS})
@paginate
def list_suggestions(request, filters: Query[SuggestionFilters]):
    """Suggestions for a partnership's directory (its coordinators); pending ones by default."""
    partnership = get_object_or_404(Partnership, slug=filters.partnership)
    if not request.auth.is_coordinator_of(partnership):
        raise Http404
    directory = selectors.directory_for_partnership(partnership=partnership)
    if directory is None:
        return ChangeSuggestion.objects.none()
    return selectors.suggestion_list(directory=directory, status=filters.status)


def _suggestion_for_coordinator(request, suggestion_id: int) -> ChangeSuggestion:
    suggestion = ChangeSuggestion.objects.select_related("directory").filter(pk=suggestion_id).first()
    if suggestion is None or not request.auth.is_coordinator_of(suggestion.directory.partnership_id):
        raise Http404
    return suggestion


@router.post("/referrals/suggestions/{suggestion_id}/accept", response={200: SuggestionOut, **ERRORS})
def accept_suggestion(request, suggestion_id: DbId, payload: DecisionIn):
    """Accept: the change is applied and the record's last-verified date becomes today."""
    suggestion = services.suggestion_accept(
        suggestion=_suggestion_for_coordinator(request, suggestion_id), user=request.auth, note=payload.note
    )
    return suggestion


@router.post("/referrals/suggestions/{suggestion_id}/reject", response={200: SuggestionOut, **ERRORS})
def reject_suggestion(request, suggestion_id: DbId, payload: DecisionIn):
    suggestion = services.suggestion_reject(
        suggestion=_suggestion_for_coordinator(request, suggestion_id), user=request.auth, note=payload.note
    )
    return suggestion


# --- HSDS 3.0 ------------------------------------------------------------------------------------


HSDS_FORMATS = ("json", "ndjson")
UNKNOWN_FORMAT = "Use json (pages, the default) or ndjson (every result, one per line, not paged)."
NO_MINIMAL = "Not supported: ask for the list's one-to-one fields (the default) or, for services, modified_after."
NO_PROXIMITY = "Not supported: this directory has no postcode centroids; use postcode for catchment coverage."


class HsdsPaging(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="Page number.")
    per_page: int = Field(
        settings.NINJA_PAGINATION_PER_PAGE, ge=1, le=settings.NINJA_MAX_PER_PAGE_SIZE, description="Items per page."
    )
    format: str = Field(
        "json", max_length=20, description="json (pages) or ndjson (every result, one JSON object a line, not paged)."
    )


def _check_options(filters, *, minimal: bool | None = None, proximity: str | None = None) -> None:
    """HSDS parameters we cannot honour are refused with a 400 naming them, never silently ignored."""
    if filters.format not in HSDS_FORMATS:
        raise ValidationError({"format": UNKNOWN_FORMAT})
    if minimal:
        raise ValidationError({"minimal": NO_MINIMAL})
    if proximity:
        raise ValidationError({"proximity": NO_PROXIMITY})


def _hsds_list(queryset, paging: HsdsPaging, present):
    """An HSDS page, or with format=ndjson every result streamed one a line."""
    if paging.format == "ndjson":

        def lines():
            for item in queryset.iterator(chunk_size=500):
                yield json.dumps(present(item), cls=DjangoJSONEncoder, ensure_ascii=False) + "\n"

        return StreamingHttpResponse(lines(), content_type="application/x-ndjson")
    return _hsds_page(queryset, paging, present)


def _hsds_page(queryset, paging: HsdsPaging, present) -> dict:
    total = queryset.count()
    offset = (paging.page - 1) * paging.per_page
    contents = [present(item) for item in queryset[offset : offset + paging.per_page]]
    total_pages = math.ceil(total / paging.per_page)
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": paging.page,
        "size": len(contents),
        "first_page": paging.page == 1,
        "last_page": paging.page >= total_pages,
        "empty": not contents,
        "contents": contents,
    }


def _uuid_or_404(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise Http404


@hsds_router.get("/", response={200: HsdsRoot}, auth=PUBLIC, exclude_none=True)
def hsds_root(request):
    """The HSDS version and profile of this API."""
    return {
        "version": hsds.HSDS_VERSION,
        "profile": f"{settings.SITE_URL}{reverse('directory-hsds-profile')}",
        "openapi_url": f"{settings.SITE_URL}{reverse('api:openapi-json')}",
    }


class HsdsServiceFilters(HsdsPaging):
    search: str = Field("", max_length=200, description="Full-text search in names and descriptions.")
    directory: str = Field("", max_length=80, description="Only this partnership's directory (its slug).")
    organization_id: uuid.UUID | None = None
    taxonomy_term_id: uuid.UUID | None = None
    taxonomy_id: uuid.UUID | None = None
    modified_after: datetime | None = None
    postcode: str = Field("", max_length=10, description="Services whose catchment covers this postcode.")
    full: bool = Field(False, description="Fully nested services instead of their one-to-one fields.")
    minimal: bool | None = Field(None, description="Not supported: true is refused with a 400.")


def _service_filters(filters) -> dict:
    data = filters.dict()
    for key in ("page", "per_page", "format", "full", "minimal", "proximity"):
        data.pop(key, None)
    return data


@hsds_router.get(
    "/services", response={200: HsdsServicePage, 400: ErrorOut, 422: ErrorOut}, auth=PUBLIC, exclude_none=True
)
def hsds_list_services(request, filters: Query[HsdsServiceFilters]):
    """Active services of public directories, in HSDS pages (`contents`), or every one as ndjson."""
    _check_options(filters, minimal=filters.minimal)
    full = filters.full
    queryset = hsds.with_hsds(selectors.hsds_services(**_service_filters(filters)), full=full)
    flag_terms = hsds.flag_terms_by_code() if full else {}
    return _hsds_list(queryset, filters, lambda s: hsds.service_to_hsds(s, full=full, flag_terms=flag_terms))


@hsds_router.get("/services/{id}", response={200: HsdsService, 404: ErrorOut}, auth=PUBLIC, exclude_none=True)
def hsds_get_service(request, id: str):  # noqa: A002 - HSDS names it id
    """One active service, fully nested."""
    service = hsds.with_hsds(selectors.hsds_services(), full=True).filter(pk=_uuid_or_404(id)).first()
    if service is None:
        raise Http404
    return hsds.service_to_hsds(service)


class HsdsSearch(HsdsPaging):
    search: str = Field("", max_length=200)


class HsdsOrganizationFilters(HsdsSearch):
    directory: str = Field("", max_length=80, description="Only this partnership's directory (its slug).")
    full: bool = Field(False, description="Fully nested organisations (contacts, phones, locations, services).")
    full_service: bool = Field(False, description="Fully nested organisations with fully nested services.")
    minimal: bool | None = Field(None, description="Not supported: true is refused with a 400.")


def _organizations_full(queryset):
    return queryset.prefetch_related(
        Prefetch("contacts", queryset=hsds._contacts()),
        Prefetch("phones", queryset=hsds._phones()),
        Prefetch("locations", queryset=hsds.Location.objects.prefetch_related(*hsds.location_prefetches())),
    )


@hsds_router.get(
    "/organizations", response={200: HsdsOrganizationPage, 400: ErrorOut, 422: ErrorOut}, auth=PUBLIC, exclude_none=True
)
def hsds_list_organizations(request, filters: Query[HsdsOrganizationFilters]):
    """Organisations of public directories: their one-to-one fields; fully nested with `full` (services in
    the list shape) or `full_service` (services fully nested too)."""
    _check_options(filters, minimal=filters.minimal)
    queryset = selectors.hsds_organizations(search=filters.search, directory=filters.directory)
    if not (filters.full or filters.full_service):
        return _hsds_list(queryset, filters, hsds.organization_fields)
    full_service = filters.full_service
    services_qs = hsds.with_hsds(selectors.hsds_services(), full=full_service)
    queryset = _organizations_full(queryset).prefetch_related(
        Prefetch("services", queryset=services_qs, to_attr="hsds_services")
    )
    flag_terms = hsds.flag_terms_by_code() if full_service else {}
    return _hsds_list(
        queryset,
        filters,
        lambda o: hsds.organization_to_hsds(
            o, services=o.hsds_services, full_services=full_service, flag_terms=flag_terms
        ),
    )


@hsds_router.get(
    "/organizations/{id}",
    response={200: HsdsOrganization, 404: ErrorOut, 422: ErrorOut},
    auth=PUBLIC,
    exclude_none=True,
)
def hsds_get_organization(request, id: str, full_service: bool = False):  # noqa: A002
    """One organisation, with its locations and its active services (fully nested with `full_service`)."""
    organization = _organizations_full(
        Organization.objects.filter(directory__is_public=True, pk=_uuid_or_404(id))
    ).first()
    if organization is None:
        raise Http404
    services_qs = hsds.with_hsds(selectors.hsds_services(organization_id=organization.pk), full=full_service)
    return hsds.organization_to_hsds(organization, services=list(services_qs), full_services=full_service)


@hsds_router.get(
    "/taxonomies", response={200: HsdsTaxonomyPage, 400: ErrorOut, 422: ErrorOut}, auth=PUBLIC, exclude_none=True
)
def hsds_list_taxonomies(request, filters: Query[HsdsSearch]):
    _check_options(filters)
    return _hsds_list(selectors.hsds_taxonomies(search=filters.search), filters, hsds.taxonomy_to_hsds)


@hsds_router.get("/taxonomies/{id}", response={200: HsdsTaxonomy, 404: ErrorOut}, auth=PUBLIC, exclude_none=True)
def hsds_get_taxonomy(request, id: str):  # noqa: A002
    return hsds.taxonomy_to_hsds(get_object_or_404(Taxonomy, pk=_uuid_or_404(id)))


class HsdsTermFilters(HsdsSearch):
    taxonomy_id: uuid.UUID | None = None
    parent_id: uuid.UUID | None = None
    top_only: bool = False


@hsds_router.get(
    "/taxonomy_terms",
    response={200: HsdsTaxonomyTermPage, 400: ErrorOut, 422: ErrorOut},
    auth=PUBLIC,
    exclude_none=True,
)
def hsds_list_taxonomy_terms(request, filters: Query[HsdsTermFilters]):
    _check_options(filters)
    queryset = selectors.hsds_terms(
        search=filters.search, taxonomy_id=filters.taxonomy_id, parent_id=filters.parent_id, top_only=filters.top_only
    )
    return _hsds_list(queryset, filters, hsds.term_to_hsds)


@hsds_router.get(
    "/taxonomy_terms/{id}", response={200: HsdsTaxonomyTerm, 404: ErrorOut}, auth=PUBLIC, exclude_none=True
)
def hsds_get_taxonomy_term(request, id: str):  # noqa: A002
    term = get_object_or_404(TaxonomyTerm.objects.select_related("taxonomy"), pk=_uuid_or_404(id))
    return hsds.term_to_hsds(term)


class HsdsServiceAtLocationFilters(HsdsServiceFilters):
    proximity: str | None = Field(None, max_length=20, description="Not supported: refused with a 400.")


@hsds_router.get(
    "/service_at_locations",
    response={200: HsdsServiceAtLocationPage, 400: ErrorOut, 422: ErrorOut},
    auth=PUBLIC,
    exclude_none=True,
)
def hsds_list_service_at_locations(request, filters: Query[HsdsServiceAtLocationFilters]):
    """Where each published service is delivered: one-to-one fields with the location's and the service's
    (fully nested with `full`); filtered by the service, as /services is."""
    _check_options(filters, minimal=filters.minimal, proximity=filters.proximity)
    full = filters.full
    queryset = hsds.with_hsds_sal(selectors.hsds_service_at_locations(**_service_filters(filters)), full=full)
    if not full:
        return _hsds_list(queryset, filters, hsds.service_at_location_brief)
    flag_terms = hsds.flag_terms_by_code()
    return _hsds_list(queryset, filters, lambda sal: hsds.service_at_location_full(sal, flag_terms=flag_terms))


@hsds_router.get(
    "/service_at_locations/{id}",
    response={200: HsdsServiceAtLocationFull, 404: ErrorOut},
    auth=PUBLIC,
    exclude_none=True,
)
def hsds_get_service_at_location(request, id: str):  # noqa: A002
    """One service at a location, fully nested (its contacts, phones, schedules, location and service)."""
    queryset = hsds.with_hsds_sal(selectors.hsds_service_at_locations(), full=True)
    sal = queryset.filter(pk=_uuid_or_404(id)).first()
    if sal is None:
        raise Http404
    return hsds.service_at_location_full(sal)


@hsds_router.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", auth=PUBLIC, include_in_schema=False
)
def hsds_unknown_path(request, rest: str):
    """Any other path under /api/hsds/ is a JSON 404 (never the HTML page)."""
    raise Http404
