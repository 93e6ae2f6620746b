"""API schemas: HSDS 3.0 shapes (for /api/hsds) and our own (pathways, "where can I refer?", suggestions).

HSDS output is built as dicts by referrals.hsds and sent with `exclude_none`, so a field without a
value is left out (HSDS has no nulls). The HSDS models below document the shape in the OpenAPI docs.
"""

import uuid
from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema

Number = int | float

# --- HSDS ----------------------------------------------------------------------------------------


class HsdsRoot(Schema):
    version: str
    profile: str
    openapi_url: str


class HsdsTaxonomy(Schema):
    id: uuid.UUID
    name: str
    description: str
    uri: str | None = None
    version: str | None = None


class HsdsTaxonomyTerm(Schema):
    id: uuid.UUID
    code: str | None = None
    name: str
    description: str
    parent_id: uuid.UUID | None = None
    taxonomy: str | None = None
    taxonomy_detail: HsdsTaxonomy | None = None
    language: str | None = None
    taxonomy_id: uuid.UUID | None = None
    term_uri: str | None = None


class HsdsLanguage(Schema):
    id: uuid.UUID
    service_id: uuid.UUID | None = None
    location_id: uuid.UUID | None = None
    phone_id: uuid.UUID | None = None
    name: str | None = None
    code: str | None = None
    note: str | None = None


class HsdsPhone(Schema):
    id: uuid.UUID
    location_id: uuid.UUID | None = None
    service_id: uuid.UUID | None = None
    organization_id: uuid.UUID | None = None
    contact_id: uuid.UUID | None = None
    service_at_location_id: uuid.UUID | None = None
    number: str
    extension: int | None = None
    type: str | None = None
    description: str | None = None
    languages: list[HsdsLanguage] | None = None


class HsdsContact(Schema):
    id: uuid.UUID
    organization_id: uuid.UUID | None = None
    service_id: uuid.UUID | None = None
    service_at_location_id: uuid.UUID | None = None
    location_id: uuid.UUID | None = None
    name: str | None = None
    title: str | None = None
    department: str | None = None
    email: str | None = None
    phones: list[HsdsPhone] | None = None


class HsdsSchedule(Schema):
    id: uuid.UUID
    service_id: uuid.UUID | None = None
    location_id: uuid.UUID | None = None
    service_at_location_id: uuid.UUID | None = None
    valid_from: str | None = None
    valid_to: str | None = None
    dtstart: str | None = None
    timezone: Number | None = None
    until: str | None = None
    count: int | None = None
    wkst: str | None = None
    freq: str | None = None
    interval: int | None = None
    byday: str | None = None
    byweekno: str | None = None
    bymonthday: str | None = None
    byyearday: str | None = None
    description: str | None = None
    opens_at: str | None = None
    closes_at: str | None = None
    schedule_link: str | None = None
    attending_type: str | None = None
    notes: str | None = None


class HsdsAddress(Schema):
    id: uuid.UUID
    location_id: uuid.UUID | None = None
    attention: str | None = None
    address_1: str
    address_2: str | None = None
    city: str
    region: str | None = None
    state_province: str
    postal_code: str
    country: str
    address_type: str


class HsdsAccessibility(Schema):
    id: uuid.UUID
    location_id: uuid.UUID | None = None
    description: str | None = None
    details: str | None = None
    url: str | None = None


class HsdsLocation(Schema):
    id: uuid.UUID
    location_type: str
    url: str | None = None
    organization_id: uuid.UUID | None = None
    name: str | None = None
    alternate_name: str | None = None
    description: str | None = None
    transportation: str | None = None
    latitude: Number | None = None
    longitude: Number | None = None
    external_identifier: str | None = None
    external_identifier_type: str | None = None
    languages: list[HsdsLanguage] | None = None
    addresses: list[HsdsAddress] | None = None
    contacts: list[HsdsContact] | None = None
    accessibility: list[HsdsAccessibility] | None = None
    phones: list[HsdsPhone] | None = None
    schedules: list[HsdsSchedule] | None = None


class HsdsServiceAtLocation(Schema):
    id: uuid.UUID
    service_id: uuid.UUID | None = None
    location_id: uuid.UUID | None = None
    description: str | None = None
    contacts: list[HsdsContact] | None = None
    phones: list[HsdsPhone] | None = None
    schedules: list[HsdsSchedule] | None = None
    location: HsdsLocation | None = None


class HsdsServiceArea(Schema):
    id: uuid.UUID
    service_id: uuid.UUID | None = None
    name: str | None = None
    description: str | None = None
    extent: str | None = None
    extent_type: str | None = None
    uri: str | None = None


class HsdsCostOption(Schema):
    id: uuid.UUID
    service_id: uuid.UUID | None = None
    valid_from: str | None = None
    valid_to: str | None = None
    option: str | None = None
    currency: str | None = None
    amount: Number | None = None
    amount_description: str | None = None


class HsdsAttribute(Schema):
    id: uuid.UUID
    link_id: uuid.UUID | None = None
    taxonomy_term_id: uuid.UUID | None = None
    link_type: str | None = None
    link_entity: str | None = None
    value: str | None = None
    taxonomy_term: HsdsTaxonomyTerm | None = None


class HsdsOrganizationBrief(Schema):
    id: uuid.UUID
    name: str
    alternate_name: str | None = None
    description: str
    email: str | None = None
    website: str | None = None
    tax_status: str | None = None
    year_incorporated: int | None = None
    legal_status: str | None = None
    logo: str | None = None
    uri: str | None = None
    parent_organization_id: uuid.UUID | None = None


class HsdsService(Schema):
    """An HSDS service: the list shape (one-to-one fields and `organization`), or fully nested."""

    id: uuid.UUID
    organization_id: uuid.UUID | None = None
    name: str
    alternate_name: str | None = None
    description: str | None = None
    url: str | None = None
    email: str | None = None
    status: Literal["active", "inactive", "defunct", "temporarily closed"]
    interpretation_services: str | None = None
    application_process: str | None = None
    fees_description: str | None = None
    accreditations: str | None = None
    eligibility_description: str | None = None
    minimum_age: Number | None = Field(None, description="Years (HSDS); kept in months here.")
    maximum_age: Number | None = Field(None, description="Years (HSDS); kept in months here.")
    assured_date: str | None = Field(None, description="When the record was last verified.")
    assurer_email: str | None = None
    alert: str | None = None
    last_modified: str | None = None
    phones: list[HsdsPhone] | None = None
    schedules: list[HsdsSchedule] | None = None
    service_areas: list[HsdsServiceArea] | None = None
    service_at_locations: list[HsdsServiceAtLocation] | None = None
    languages: list[HsdsLanguage] | None = None
    organization: HsdsOrganizationBrief | None = None
    cost_options: list[HsdsCostOption] | None = None
    contacts: list[HsdsContact] | None = None
    attributes: list[HsdsAttribute] | None = None


class HsdsOrganization(HsdsOrganizationBrief):
    contacts: list[HsdsContact] | None = None
    phones: list[HsdsPhone] | None = None
    locations: list[HsdsLocation] | None = None
    services: list[HsdsService] | None = None


class HsdsPage(Schema):
    total_items: int
    total_pages: int
    page_number: int
    size: int = Field(..., description="The number of entities in this page.")
    first_page: bool
    last_page: bool
    empty: bool


class HsdsServicePage(HsdsPage):
    contents: list[HsdsService]


class HsdsOrganizationPage(HsdsPage):
    contents: list[HsdsOrganization] = Field(
        ..., description="One-to-one fields; fully nested with `full`, services fully nested with `full_service`."
    )


class HsdsServiceAtLocationFull(HsdsServiceAtLocation):
    """A service at a location: the list shape (its location and service, one-to-one fields), or fully nested."""

    service: HsdsService | None = None


class HsdsServiceAtLocationPage(HsdsPage):
    contents: list[HsdsServiceAtLocationFull]


class HsdsTaxonomyPage(HsdsPage):
    contents: list[HsdsTaxonomy]


class HsdsTaxonomyTermPage(HsdsPage):
    contents: list[HsdsTaxonomyTerm]


# --- Our own: pathways, "where can I refer?", suggestions ----------------------------------------


class TermOut(Schema):
    id: uuid.UUID
    code: str
    name: str


class ServiceRefOut(Schema):
    id: uuid.UUID
    name: str
    organization: str | None
    status: str
    capacity_status: str
    capacity_as_of: date | None
    last_verified: date | None
    review_due: date | None
    verification: Literal["current", "overdue", "unverified"]
    url: str


class PathwaySourceOut(Schema):
    service: ServiceRefOut | None
    role: TermOut | None


def term_out(term) -> dict:
    return {"id": term.pk, "code": term.code, "name": term.name}


def service_ref(service) -> dict:
    return {
        "id": service.pk,
        "name": service.name,
        "organization": service.organization.name if service.organization_id else None,
        "status": service.status,
        "capacity_status": service.capacity_status,
        "capacity_as_of": service.capacity_as_of,
        "last_verified": service.assured_date,
        "review_due": service.review_due,
        "verification": service.verification,
        "url": service.get_absolute_url(),
    }


class PathwayOut(Schema):
    """A pathway, read from the model (with its relations prefetched)."""

    id: uuid.UUID
    partnership: str
    source: PathwaySourceOut
    target: ServiceRefOut
    needs: list[TermOut]
    min_age_months: int | None
    max_age_months: int | None
    catchment_postcodes: list[str]
    catchment_lgas: list[str]
    inclusion_criteria: str
    exclusion_criteria: str
    red_flags: str
    escalation: str
    urgent_target_days: int | None
    urgent_criteria: str
    routine_target_days: int | None
    referrer_roles: list[TermOut]
    any_professional: bool
    self_referral: bool
    method: str
    form_url: str
    how_to_refer: str
    information_to_include: str
    pre_referral_workup: str
    consent_basis: str
    cost: str
    typical_wait_days: int | None
    wait_as_of: date | None
    alternatives: list[ServiceRefOut]
    alternatives_note: str
    evidence_source: str
    last_verified: date | None
    review_due: date | None
    verification: Literal["current", "overdue", "unverified"]
    is_active: bool
    card_url: str

    @staticmethod
    def resolve_partnership(obj) -> str:
        return obj.directory.partnership.slug

    @staticmethod
    def resolve_source(obj) -> dict:
        return {
            "service": service_ref(obj.source_service) if obj.source_service_id else None,
            "role": term_out(obj.source_role) if obj.source_role_id else None,
        }

    @staticmethod
    def resolve_target(obj) -> dict:
        return service_ref(obj.target_service)

    @staticmethod
    def resolve_needs(obj) -> list[dict]:
        return [term_out(t) for t in obj.needs.all()]

    @staticmethod
    def resolve_referrer_roles(obj) -> list[dict]:
        return [term_out(t) for t in obj.referrer_roles.all()]

    @staticmethod
    def resolve_alternatives(obj) -> list[dict]:
        return [service_ref(s) for s in obj.alternatives.all()]

    @staticmethod
    def resolve_card_url(obj) -> str:
        return obj.get_absolute_url()


MethodLiteral = Literal["online_form", "e_referral", "email", "phone", "warm_handover", "letter"]
Postcode = str


class PathwayFields(Schema):
    min_age_months: int | None = Field(None, ge=0, le=300)
    max_age_months: int | None = Field(None, ge=0, le=300)
    catchment_postcodes: list[Postcode] | None = Field(None, max_length=200)
    catchment_lgas: list[str] | None = Field(None, max_length=50)
    inclusion_criteria: str | None = Field(None, max_length=4000)
    exclusion_criteria: str | None = Field(None, max_length=4000)
    red_flags: str | None = Field(None, max_length=4000)
    escalation: str | None = Field(None, max_length=4000)
    urgent_target_days: int | None = Field(None, ge=0, le=3650)
    urgent_criteria: str | None = Field(None, max_length=4000)
    routine_target_days: int | None = Field(None, ge=0, le=3650)
    referrer_roles: list[str] | None = Field(None, max_length=20, description="Referrer role codes.")
    any_professional: bool | None = None
    self_referral: bool | None = None
    method: MethodLiteral | None = None
    form_url: str | None = Field(None, max_length=500)
    how_to_refer: str | None = Field(None, max_length=4000)
    information_to_include: str | None = Field(None, max_length=4000)
    pre_referral_workup: str | None = Field(None, max_length=4000)
    consent_basis: str | None = Field(None, max_length=4000)
    cost: str | None = Field(None, max_length=4000)
    typical_wait_days: int | None = Field(None, ge=0, le=3650)
    wait_as_of: date | None = None
    alternatives: list[uuid.UUID] | None = Field(None, max_length=50, description="Service ids.")
    alternatives_note: str | None = Field(None, max_length=4000)
    evidence_source: str | None = Field(None, max_length=4000)
    review_due: date | None = None
    is_active: bool | None = None
    verified: bool = Field(False, description="Mark it verified by you today.")
    note: str = Field("", max_length=300, description="What changed, for the revision history.")


class PathwayIn(PathwayFields):
    partnership: str = Field(..., max_length=80)
    source_service_id: uuid.UUID | None = None
    source_role: str | None = Field(None, max_length=100, description="A referrer role code (mch-nurse, gp …).")
    target_service_id: uuid.UUID
    needs: list[str] = Field(..., min_length=1, max_length=20, description="Need codes.")


class PathwayPatch(PathwayFields):
    source_service_id: uuid.UUID | None = None
    source_role: str | None = Field(None, max_length=100)
    target_service_id: uuid.UUID | None = None
    needs: list[str] | None = Field(None, min_length=1, max_length=20)


class RevisionOut(Schema):
    number: int
    changed_at: datetime
    changed_by: str | None
    changed_fields: list[str]
    note: str
    snapshot: dict


class PlaceOut(Schema):
    text: str
    postcode: str
    suburb: str
    lgas: list[str]


class WhereQueryOut(Schema):
    partnership: str
    need: TermOut
    role: TermOut
    age_months: int | None
    place: PlaceOut
    urgency: Literal["routine", "urgent"]
    free: bool
    acco: bool
    interpreter: bool


class PathwayBriefOut(Schema):
    id: uuid.UUID
    source: str
    target: ServiceRefOut
    method: str
    how_to_refer: str
    form_url: str
    information_to_include: str
    pre_referral_workup: str
    urgent_target_days: int | None
    routine_target_days: int | None
    typical_wait_days: int | None
    wait_as_of: date | None
    last_verified: date | None
    review_due: date | None
    verification: Literal["current", "overdue", "unverified"]
    card_url: str


class OptionOut(Schema):
    pathway: PathwayBriefOut
    eligible: bool
    reasons: list[str]
    notes: list[str]
    stale: bool


class RouteOut(Schema):
    first_steps: list[OptionOut] = Field(..., description="Ways to reach a service whose practitioners refer on.")
    second_step: OptionOut
    wait_days: int | None
    stale: bool


class AlternativeOut(Schema):
    service: ServiceRefOut
    instead_of: list[ServiceRefOut]
    notes: list[str]
    option: OptionOut | None


class WhereOut(Schema):
    query: WhereQueryOut
    eligible: list[OptionOut]
    two_step: list[RouteOut]
    alternatives: list[AlternativeOut]
    not_eligible: list[OptionOut]


class SuggestionIn(Schema):
    service_id: uuid.UUID | None = None
    pathway_id: uuid.UUID | None = None
    field: str = Field(..., max_length=50)
    proposed_value: str = Field("", max_length=4000)
    note: str = Field("", max_length=4000)


class SuggestionOut(Schema):
    """A suggestion, read from the model."""

    id: int
    service_id: uuid.UUID | None
    pathway_id: uuid.UUID | None
    target: str
    field: str
    proposed_value: str
    note: str
    suggested_by: str | None
    status: Literal["pending", "accepted", "rejected"]
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str
    created_at: datetime

    @staticmethod
    def resolve_target(obj) -> str:
        return str(obj.target)

    @staticmethod
    def resolve_suggested_by(obj) -> str | None:
        return str(obj.suggested_by) if obj.suggested_by_id else None

    @staticmethod
    def resolve_decided_by(obj) -> str | None:
        return str(obj.decided_by) if obj.decided_by_id else None


class DecisionIn(Schema):
    note: str = Field("", max_length=2000)
