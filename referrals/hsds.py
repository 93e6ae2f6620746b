"""Export to Open Referral HSDS 3.0: services, organisations, locations, taxonomies and terms as JSON.

Only HSDS field names appear (the API's tests validate every service against the official schema,
and again with `additionalProperties: false`). Keys without a value are left out rather than sent
as null or "" (HSDS has no nulls), except the fields HSDS requires. Our extensions travel in HSDS's
own places:

- needs, sectors, age groups and referrer roles are attributes of our taxonomies (link_type says how);
- flags (ACCO, culturally safe, interpreter, bulk-billed, NDIS early childhood, free, self-referral,
  any professional) are attributes of the flags taxonomy, with ids derived from the service's;
- ages are months here and years in HSDS (`minimum_age`, `maximum_age`);
- who can refer, the access point, intake, capacity and the service's inbound pathways are written
  into `application_process`, and ineligibility and pathway criteria into `eligibility_description`,
  after MARKER, which the import cuts off again. Full pathways are served by our own API.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.db.models.functions import Coalesce

from . import vocabulary
from .models import (
    Accessibility,
    Address,
    Attribute,
    Contact,
    CostOption,
    Language,
    Location,
    Organization,
    Pathway,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)

HSDS_VERSION = "3.0"
MARKER = "[Referral facts from Crossroads]"


# --- Helpers -------------------------------------------------------------------------------------


def _clean(data: dict[str, Any], keep: tuple[str, ...] = ("id",)) -> dict[str, Any]:
    """Drop keys without a value (None or ""), except those HSDS requires."""
    return {k: v for k, v in data.items() if k in keep or (v is not None and v != "")}


def _id(value) -> str | None:
    return str(value) if value else None


def _date(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _datetime(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _number(value) -> int | float | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        value = float(value)
    return int(value) if float(value).is_integer() else value


def years(months: int | None) -> int | float | None:
    """Months (ours) as years (HSDS)."""
    if months is None:
        return None
    return months // 12 if months % 12 == 0 else round(months / 12, 2)


def age_text(months: int) -> str:
    """24 → "2 years", 30 → "30 months", 1 → "1 month"."""
    if months % 12 == 0 and months:
        n = months // 12
        return f"{n} year{'s' if n != 1 else ''}"
    return f"{months} month{'s' if months != 1 else ''}"


def age_label(low: int | None, high: int | None) -> str:
    """The range in words: "birth to 6 years", "from 3 years", "18 months to 5 years"."""

    def one(months: int) -> str:
        return "birth" if months == 0 else age_text(months)

    if low == 0 and high is None:
        return "any age"
    if low is None and high is None:
        return "any age"
    if low is None:
        return f"up to {one(high)}"
    if high is None:
        return f"from {one(low)}"
    return f"{one(low)} to {one(high)}"


def _with_facts(text: str, lines: list[str]) -> str:
    if not lines:
        return text
    facts = "\n".join(lines)
    return f"{text}\n\n{MARKER}\n{facts}" if text else f"{MARKER}\n{facts}"


def _links(obj, names: tuple[str, ...]) -> dict[str, str | None]:
    return {name: _id(getattr(obj, name)) for name in names}


# --- Records -------------------------------------------------------------------------------------


def taxonomy_to_hsds(taxonomy: Taxonomy) -> dict:
    return _clean(
        {
            "id": str(taxonomy.pk),
            "name": taxonomy.name,
            "description": taxonomy.description,
            "uri": taxonomy.uri,
            "version": taxonomy.version,
        },
        keep=("id", "name", "description"),
    )


def term_to_hsds(term: TaxonomyTerm) -> dict:
    data = {
        "id": str(term.pk),
        "code": term.code,
        "name": term.name,
        "description": term.description,
        "parent_id": _id(term.parent_id),
        "taxonomy": term.taxonomy_name or (term.taxonomy.name if term.taxonomy_id else ""),
        "taxonomy_id": _id(term.taxonomy_id),
        "language": term.language,
        "term_uri": term.term_uri,
    }
    if term.taxonomy_id:
        data["taxonomy_detail"] = taxonomy_to_hsds(term.taxonomy)
    return _clean(data, keep=("id", "name", "description"))


def language_to_hsds(language: Language) -> dict:
    return _clean(
        {
            "id": str(language.pk),
            **_links(language, ("service_id", "location_id", "phone_id")),
            "name": language.name,
            "code": language.code,
            "note": language.note,
        }
    )


def phone_to_hsds(phone: Phone) -> dict:
    return _clean(
        {
            "id": str(phone.pk),
            **_links(phone, ("location_id", "service_id", "organization_id", "contact_id", "service_at_location_id")),
            "number": phone.number,
            "extension": phone.extension,
            "type": phone.type,
            "description": phone.description,
            "languages": [language_to_hsds(x) for x in phone.languages.all()],
        },
        keep=("id", "number"),
    )


def contact_to_hsds(contact: Contact) -> dict:
    return _clean(
        {
            "id": str(contact.pk),
            **_links(contact, ("organization_id", "service_id", "service_at_location_id", "location_id")),
            "name": contact.name,
            "title": contact.title,
            "department": contact.department,
            "email": contact.email,
            "phones": [phone_to_hsds(x) for x in contact.phones.all()],
        }
    )


SCHEDULE_TEXT = (
    "wkst",
    "freq",
    "byday",
    "byweekno",
    "bymonthday",
    "byyearday",
    "description",
    "opens_at",
    "closes_at",
    "schedule_link",
    "attending_type",
    "notes",
)


def schedule_to_hsds(schedule: Schedule) -> dict:
    return _clean(
        {
            "id": str(schedule.pk),
            **_links(schedule, ("service_id", "location_id", "service_at_location_id")),
            "valid_from": _date(schedule.valid_from),
            "valid_to": _date(schedule.valid_to),
            "dtstart": _date(schedule.dtstart),
            "timezone": _number(schedule.timezone),
            "until": _date(schedule.until),
            "count": schedule.count,
            "interval": schedule.interval,
            **{name: getattr(schedule, name) for name in SCHEDULE_TEXT},
        }
    )


def address_to_hsds(address: Address) -> dict:
    return _clean(
        {
            "id": str(address.pk),
            "location_id": str(address.location_id),
            "attention": address.attention,
            "address_1": address.address_1,
            "address_2": address.address_2,
            "city": address.city,
            "region": address.region,
            "state_province": address.state_province,
            "postal_code": address.postal_code,
            "country": address.country,
            "address_type": address.address_type,
        },
        keep=("id", "address_1", "city", "state_province", "postal_code", "country", "address_type"),
    )


def accessibility_to_hsds(accessibility: Accessibility) -> dict:
    return _clean(
        {
            "id": str(accessibility.pk),
            "location_id": str(accessibility.location_id),
            "description": accessibility.description,
            "details": accessibility.details,
            "url": accessibility.url,
        }
    )


def location_fields(location: Location) -> dict:
    """A location's one-to-one fields (the shape service_at_location lists nest)."""
    return _clean(
        {
            "id": str(location.pk),
            "location_type": location.location_type,
            "url": location.url,
            "organization_id": _id(location.organization_id),
            "name": location.name,
            "alternate_name": location.alternate_name,
            "description": location.description,
            "transportation": location.transportation,
            "latitude": location.latitude,
            "longitude": location.longitude,
            "external_identifier": location.external_identifier,
            "external_identifier_type": location.external_identifier_type,
        },
        keep=("id", "location_type"),
    )


def location_to_hsds(location: Location) -> dict:
    return {
        **location_fields(location),
        **_clean(
            {
                "languages": [language_to_hsds(x) for x in location.languages.all()],
                "addresses": [address_to_hsds(x) for x in location.addresses.all()],
                "contacts": [contact_to_hsds(x) for x in location.contacts.all()],
                "accessibility": [accessibility_to_hsds(x) for x in location.accessibility.all()],
                "phones": [phone_to_hsds(x) for x in location.phones.all()],
                "schedules": [schedule_to_hsds(x) for x in location.schedules.all()],
            },
            keep=(),
        ),
    }


def service_at_location_to_hsds(sal: ServiceAtLocation) -> dict:
    return _clean(
        {
            "id": str(sal.pk),
            "service_id": str(sal.service_id),
            "location_id": str(sal.location_id),
            "description": sal.description,
            "contacts": [contact_to_hsds(x) for x in sal.contacts.all()],
            "phones": [phone_to_hsds(x) for x in sal.phones.all()],
            "schedules": [schedule_to_hsds(x) for x in sal.schedules.all()],
            "location": location_to_hsds(sal.location),
        }
    )


def service_at_location_brief(sal: ServiceAtLocation) -> dict:
    """The service_at_location list shape: one-to-one fields, its location's and its service's."""
    return _clean(
        {
            "id": str(sal.pk),
            "service_id": str(sal.service_id),
            "location_id": str(sal.location_id),
            "description": sal.description,
            "location": location_fields(sal.location),
            "service": service_to_hsds(sal.service, full=False),
        }
    )


def service_at_location_full(sal: ServiceAtLocation, *, flag_terms: dict[str, TaxonomyTerm] | None = None) -> dict:
    """A fully nested service_at_location (as the official example): its location and its service in full."""
    data = service_at_location_to_hsds(sal)
    data["service"] = service_to_hsds(sal.service, full=True, flag_terms=flag_terms)
    return data


def service_area_to_hsds(area: ServiceArea) -> dict:
    return _clean(
        {
            "id": str(area.pk),
            "service_id": str(area.service_id),
            "name": area.name,
            "description": area.description,
            "extent": area.extent,
            "extent_type": area.extent_type,
            "uri": area.uri,
        }
    )


def cost_option_to_hsds(option: CostOption) -> dict:
    return _clean(
        {
            "id": str(option.pk),
            "service_id": str(option.service_id),
            "valid_from": _date(option.valid_from),
            "valid_to": _date(option.valid_to),
            "option": option.option,
            "currency": option.currency,
            "amount": _number(option.amount),
            "amount_description": option.amount_description,
        }
    )


def attribute_to_hsds(attribute: Attribute) -> dict:
    return _clean(
        {
            "id": str(attribute.pk),
            "link_id": str(attribute.service_id),
            "taxonomy_term_id": str(attribute.taxonomy_term_id),
            "link_type": attribute.link_type,
            "link_entity": attribute.link_entity or "service",
            "value": attribute.value,
            "taxonomy_term": term_to_hsds(attribute.taxonomy_term),
        }
    )


def flag_attributes(service: Service, flag_terms: dict[str, TaxonomyTerm]) -> list[dict]:
    """Our flags as attributes of the flags taxonomy (ids derived, so they stay the same)."""
    found = []
    for code, field in vocabulary.FLAG_FIELDS.items():
        term = flag_terms.get(code)
        if term is None or not getattr(service, field):
            continue
        found.append(
            {
                "id": str(vocabulary.derived_id("flag", service.pk, code)),
                "link_id": str(service.pk),
                "taxonomy_term_id": str(term.pk),
                "link_type": vocabulary.LINK_FLAG,
                "link_entity": "service",
                "value": "true",
                "taxonomy_term": term_to_hsds(term),
            }
        )
    return found


def organization_fields(organization: Organization) -> dict:
    """An organisation's one-to-one fields (the organization_list shape)."""
    return _clean(
        {
            "id": str(organization.pk),
            "name": organization.name,
            "alternate_name": organization.alternate_name,
            "description": organization.description,
            "email": organization.email,
            "website": organization.website,
            "tax_status": organization.tax_status,
            "year_incorporated": organization.year_incorporated,
            "legal_status": organization.legal_status,
            "logo": organization.logo,
            "uri": organization.uri,
            "parent_organization_id": _id(organization.parent_organization_id),
        },
        keep=("id", "name", "description"),
    )


# --- Pathway facts, flattened --------------------------------------------------------------------


def _inbound(service: Service) -> list[Pathway]:
    found = getattr(service, "active_inbound", None)
    if found is None:
        found = list(service.inbound_pathways.filter(is_active=True).select_related("source_service", "source_role"))
    return found


def _source(pathway: Pathway) -> str:
    """Where the pathway starts (`source_name` when with_hsds read it)."""
    return getattr(pathway, "source_name", None) or pathway.source_label


def referral_lines(service: Service) -> list[str]:
    """Who can refer, the access point, intake, capacity, and how each inbound pathway works."""
    who = []
    if service.accepts_self_referral:
        who.append("families themselves")
    if service.accepts_any_professional:
        who.append("any professional")
    who += [term.name for term in service.referrer_roles]
    lines = []
    if who:
        lines.append(f"Who can refer: {', '.join(who)}.")
    if service.access_point_id:
        lines.append(f"Referrals go through {service.access_point.name}.")
    if service.intake_point:
        lines.append(f"Intake: {service.intake_point}")
    if service.capacity_status != Service.Capacity.UNKNOWN:
        as_of = f" (as of {service.capacity_as_of.isoformat()})" if service.capacity_as_of else ""
        lines.append(f"Capacity: {service.get_capacity_status_display()}{as_of}.")
    for pathway in _inbound(service):
        parts = [f"From {_source(pathway)}: {pathway.get_method_display()}."]
        if pathway.how_to_refer:
            parts.append(pathway.how_to_refer.strip())
        if pathway.form_url:
            parts.append(f"Form: {pathway.form_url}")
        if pathway.information_to_include:
            parts.append(f"Include: {pathway.information_to_include.strip()}")
        if pathway.pre_referral_workup:
            parts.append(f"Before referring: {pathway.pre_referral_workup.strip()}")
        if pathway.consent_basis:
            parts.append(f"Consent: {pathway.consent_basis.strip()}")
        if pathway.urgent_target_days is not None:
            parts.append(f"Urgent: seen within {pathway.urgent_target_days} days.")
        if pathway.routine_target_days is not None:
            parts.append(f"Routine: seen within {pathway.routine_target_days} days.")
        if pathway.typical_wait_days is not None:
            as_of = f" (as of {pathway.wait_as_of.isoformat()})" if pathway.wait_as_of else ""
            parts.append(f"Typical wait: {pathway.typical_wait_days} days{as_of}.")
        lines.append("- " + " ".join(parts))
    return lines


def eligibility_lines(service: Service) -> list[str]:
    lines = []
    if service.ineligibility_description:
        lines.append(f"Not eligible: {service.ineligibility_description.strip()}")
    for pathway in _inbound(service):
        parts = []
        if pathway.min_age_months is not None or pathway.max_age_months is not None:
            parts.append(f"ages {age_label(pathway.min_age_months, pathway.max_age_months)}.")
        if pathway.inclusion_criteria:
            parts.append(pathway.inclusion_criteria.strip())
        if pathway.exclusion_criteria:
            parts.append(f"Not for: {pathway.exclusion_criteria.strip()}")
        if parts:
            lines.append(f"- From {_source(pathway)}: " + " ".join(parts))
    return lines


# --- Services and organisations ------------------------------------------------------------------


def service_fields(service: Service) -> dict:
    """A service's one-to-one fields, with the pathway facts flattened in."""
    return _clean(
        {
            "id": str(service.pk),
            "organization_id": _id(service.organization_id),
            "name": service.name,
            "alternate_name": service.alternate_name,
            "description": service.description,
            "url": service.url,
            "email": service.email,
            "status": service.status,
            "interpretation_services": service.interpretation_services,
            "application_process": _with_facts(service.application_process, referral_lines(service)),
            "fees_description": service.fees_description,
            "accreditations": service.accreditations,
            "eligibility_description": _with_facts(service.eligibility_description, eligibility_lines(service)),
            "minimum_age": years(service.minimum_age_months),
            "maximum_age": years(service.maximum_age_months),
            "assured_date": _date(service.assured_date),
            "assurer_email": service.assurer_email,
            "alert": service.alert,
            "last_modified": _datetime(service.last_modified),
        },
        keep=("id", "name", "status"),
    )


def service_to_hsds(service: Service, *, full: bool = True, flag_terms: dict[str, TaxonomyTerm] | None = None) -> dict:
    """A service in HSDS: the list shape (one-to-one fields and its organisation), or fully nested."""
    data = service_fields(service)
    if service.organization_id:
        data["organization"] = organization_fields(service.organization)
    if not full:
        return data
    if flag_terms is None:
        flag_terms = flag_terms_by_code()
    data.update(
        {
            "phones": [phone_to_hsds(x) for x in service.phones.all()],
            "schedules": [schedule_to_hsds(x) for x in service.schedules.all()],
            "service_areas": [service_area_to_hsds(x) for x in service.service_areas.all()],
            "service_at_locations": [service_at_location_to_hsds(x) for x in service.service_at_locations.all()],
            "languages": [language_to_hsds(x) for x in service.languages.all()],
            "cost_options": [cost_option_to_hsds(x) for x in service.cost_options.all()],
            "contacts": [contact_to_hsds(x) for x in service.contacts.all()],
            "attributes": [attribute_to_hsds(x) for x in service.attributes.all()]
            + flag_attributes(service, flag_terms),
        }
    )
    return data


def organization_to_hsds(
    organization: Organization,
    *,
    services: list[Service],
    full_services: bool = False,
    flag_terms: dict[str, TaxonomyTerm] | None = None,
) -> dict:
    """A fully nested organisation; its services in the list shape, or fully nested with full_services."""
    data = organization_fields(organization)
    data.update(
        {
            "contacts": [contact_to_hsds(x) for x in organization.contacts.all()],
            "phones": [phone_to_hsds(x) for x in organization.phones.all()],
            "locations": [location_to_hsds(x) for x in organization.locations.all()],
            "services": [service_to_hsds(s, full=full_services, flag_terms=flag_terms) for s in services],
        }
    )
    return data


# --- Querysets that export in a fixed number of queries ------------------------------------------


def _phones() -> QuerySet[Phone]:
    return Phone.objects.prefetch_related("languages")


def _contacts() -> QuerySet[Contact]:
    return Contact.objects.prefetch_related(Prefetch("phones", queryset=_phones()))


def location_prefetches(prefix: str = "") -> list:
    return [
        f"{prefix}addresses",
        f"{prefix}accessibility",
        f"{prefix}languages",
        Prefetch(f"{prefix}contacts", queryset=_contacts()),
        Prefetch(f"{prefix}phones", queryset=_phones()),
        f"{prefix}schedules",
    ]


# What referral_lines and eligibility_lines read of each inbound pathway (a page of 20 services has hundreds:
# only these columns are read, and of the source service or role only its name, as `source_name`).
INBOUND_FIELDS = (
    "target_service_id",
    "method",
    "how_to_refer",
    "form_url",
    "information_to_include",
    "pre_referral_workup",
    "consent_basis",
    "urgent_target_days",
    "routine_target_days",
    "typical_wait_days",
    "wait_as_of",
    "min_age_months",
    "max_age_months",
    "inclusion_criteria",
    "exclusion_criteria",
)


def with_hsds(queryset: QuerySet[Service], *, full: bool) -> QuerySet[Service]:
    """Services with what service_to_hsds reads, prefetched."""
    queryset = queryset.select_related("organization", "access_point").prefetch_related(
        Prefetch(
            "inbound_pathways",
            queryset=Pathway.objects.filter(is_active=True)
            .only(*INBOUND_FIELDS)
            .annotate(source_name=Coalesce("source_service__name", "source_role__name"))
            .order_by("source_role__ordering", "source_service__name", "pk"),
            to_attr="active_inbound",
        ),
        Prefetch("attributes", queryset=Attribute.objects.select_related("taxonomy_term__taxonomy")),
    )
    if not full:
        return queryset
    return queryset.prefetch_related(
        Prefetch("phones", queryset=_phones()),
        "schedules",
        "service_areas",
        "languages",
        "cost_options",
        Prefetch("contacts", queryset=_contacts()),
        Prefetch(
            "service_at_locations",
            queryset=ServiceAtLocation.objects.select_related("location").prefetch_related(
                Prefetch("contacts", queryset=_contacts()),
                Prefetch("phones", queryset=_phones()),
                "schedules",
                *location_prefetches("location__"),
            ),
        ),
    )


def with_hsds_sal(queryset: QuerySet[ServiceAtLocation], *, full: bool) -> QuerySet[ServiceAtLocation]:
    """Services at locations with what the presenters read, prefetched."""
    services = with_hsds(Service.objects.all(), full=full)
    queryset = queryset.select_related("location").prefetch_related(Prefetch("service", queryset=services))
    if not full:
        return queryset
    return queryset.prefetch_related(
        Prefetch("contacts", queryset=_contacts()),
        Prefetch("phones", queryset=_phones()),
        "schedules",
        *location_prefetches("location__"),
    )


def flag_terms_by_code() -> dict[str, TaxonomyTerm]:
    terms = TaxonomyTerm.objects.filter(taxonomy__key=vocabulary.FLAGS).select_related("taxonomy")
    return {term.code: term for term in terms}
