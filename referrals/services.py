"""Writes for the directory: services, pathways (with revisions), suggestions, verification, HSDS imports.

Each service opens its own transaction. Permission (who coordinates what) is the caller's check; the
rules about the data itself live here and raise ValidationError naming the field.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.utils import timezone

from accounts.models import Partnership, User

from . import places, vocabulary
from .models import (
    Address,
    Attribute,
    ChangeSuggestion,
    Directory,
    HsdsImport,
    Location,
    NeedRelation,
    Organization,
    Pathway,
    PathwayRevision,
    Phone,
    Service,
    ServiceArea,
    ServiceAtLocation,
    TaxonomyTerm,
)
from .where_index import where_index_deferred, where_index_refresh

NAME_REQUIRED = "Give it a name."
AGE_RANGE_BACKWARDS = "The minimum age is above the maximum age."
POSTCODE_INVALID = "Postcodes are four digits: {value} is not one."
OTHER_DIRECTORY = "That service belongs to another directory."
TERM_WRONG_TAXONOMY = "{term} is not one of the {taxonomy}."
PATHWAY_ONE_SOURCE = "Choose where referrals come from: a service or a referrer role (one, not both)."
PATHWAY_TO_ITSELF = "A pathway cannot lead from a service to itself."
PATHWAY_NEEDS_REQUIRED = "Choose at least one need this pathway is for."
SUGGESTION_FIELD_UNKNOWN = "That is not something you can suggest a change to here."
SUGGESTION_VALUE_REQUIRED = "Say what it should say."
SUGGESTION_NOTE_REQUIRED = "Say what should change."
SUGGESTION_NOT_PENDING = "This suggestion was already decided."
IMPORT_NOT_PREVIEWED = "This file was already applied or discarded."
WAIT_DAYS_INVALID = "Give the typical wait as a whole number of days."

# What practitioners can suggest a change to (field -> label). "other" is free text, applied by hand.
SERVICE_SUGGESTION_FIELDS = {
    "description": "Description",
    "eligibility_description": "Eligibility",
    "ineligibility_description": "Who is not eligible",
    "application_process": "How to apply",
    "intake_point": "Intake point",
    "capacity_status": "Capacity (taking referrals, waitlist, closed)",
    "fees_description": "Cost",
    "url": "Website",
    "email": "Email",
    "phone": "Phone number",
    "status": "Status (active, temporarily closed …)",
    "other": "Something else",
}
PATHWAY_SUGGESTION_FIELDS = {
    "how_to_refer": "How to refer",
    "method": "Referral method",
    "form_url": "Form or portal link",
    "information_to_include": "Information to include",
    "pre_referral_workup": "Pre-referral work-up",
    "inclusion_criteria": "Inclusion criteria",
    "exclusion_criteria": "Exclusion criteria",
    "red_flags": "Red flags and escalation",
    "typical_wait_days": "Typical wait (days)",
    "cost": "Cost",
    "other": "Something else",
}

# Fields of a service form that are not plain model fields.
SERVICE_SPECIAL = {
    "needs",
    "sectors",
    "age_groups",
    "referrer_roles",
    "practitioner_roles",
    "catchment_postcodes",
    "catchment_lgas",
    "phone",
    "address",
    "languages",
    "verified",
}
SERVICE_TERM_LISTS = {
    "needs": (vocabulary.NEEDS, vocabulary.LINK_NEED),
    "sectors": (vocabulary.SECTORS, vocabulary.LINK_SECTOR),
    "age_groups": (vocabulary.AGE_GROUPS, vocabulary.LINK_AGE_GROUP),
    "referrer_roles": (vocabulary.REFERRER_ROLES, vocabulary.LINK_REFERRER),
    "practitioner_roles": (vocabulary.REFERRER_ROLES, vocabulary.LINK_PRACTITIONER),
}
TAXONOMY_NAMES = {
    vocabulary.NEEDS: "needs",
    vocabulary.SECTORS: "sectors",
    vocabulary.AGE_GROUPS: "age groups",
    vocabulary.REFERRER_ROLES: "referrer roles",
}


# --- Directory -----------------------------------------------------------------------------------


@transaction.atomic
def directory_get_or_create(*, partnership: Partnership) -> Directory:
    directory, created = Directory.objects.get_or_create(
        partnership=partnership, defaults={"name": f"{partnership.name} service directory"}
    )
    if created:
        vocabulary.add_default_need_relations(directory, NeedRelation, TaxonomyTerm)
    return directory


@transaction.atomic
def directory_update(*, partnership: Partnership, **changes) -> Directory:
    """Name, description, is_public, is_demo, review_interval_days, danger_number, danger_prompt."""
    unknown = set(changes) - {
        "name",
        "description",
        "is_public",
        "is_demo",
        "review_interval_days",
        "danger_number",
        "danger_prompt",
    }
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "This field cannot be changed here."))
    directory = directory_get_or_create(partnership=partnership)
    for name, value in changes.items():
        setattr(directory, name, value)
    directory.full_clean()
    directory.save()
    return directory


NEED_RELATION_SAME = "Choose two different needs."
NEED_RELATION_EXISTS = "These needs are already related."
NEED_RELATION_NOT_A_NEED = "Choose a need."


@transaction.atomic
def need_relation_add(*, directory: Directory, need: TaxonomyTerm, related_need: TaxonomyTerm) -> NeedRelation:
    """Relate two needs (both ways): "where can I refer?" for one also offers the other's pathways."""
    for field, term in (("need", need), ("related_need", related_need)):
        if term is None or term.taxonomy_id != vocabulary.taxonomy_id(vocabulary.NEEDS):
            raise ValidationError({field: NEED_RELATION_NOT_A_NEED})
    if need.pk == related_need.pk:
        raise ValidationError({"related_need": NEED_RELATION_SAME})
    pair = NeedRelation.objects.filter(directory=directory)
    if (
        pair.filter(need=need, related_need=related_need).exists()
        or pair.filter(need=related_need, related_need=need).exists()
    ):
        raise ValidationError({"related_need": NEED_RELATION_EXISTS})
    relation = NeedRelation(directory=directory, need=need, related_need=related_need)
    relation.full_clean()
    relation.save()
    return relation


@transaction.atomic
def need_relation_remove(*, relation: NeedRelation) -> None:
    relation.delete()


@transaction.atomic
def organization_create(*, directory: Directory, name: str, **fields) -> Organization:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": NAME_REQUIRED})
    organization = Organization(directory=directory, name=name, **fields)
    organization.full_clean()
    organization.save()
    return organization


# --- Services ------------------------------------------------------------------------------------


def _review_due(directory: Directory, verified: date) -> date:
    return verified + timedelta(days=directory.review_interval_days)


def _check_terms(terms, taxonomy_key: str, field: str) -> list[TaxonomyTerm]:
    terms = list(dict.fromkeys(terms or []))
    for term in terms:
        if term.taxonomy_key != taxonomy_key:
            raise ValidationError({field: TERM_WRONG_TAXONOMY.format(term=term, taxonomy=TAXONOMY_NAMES[taxonomy_key])})
    return terms


def _clean_postcodes(values, field: str) -> list[str]:
    found = []
    for value in values or []:
        value = str(value).strip()
        if not re.fullmatch(r"\d{4}", value):
            raise ValidationError({field: POSTCODE_INVALID.format(value=value)})
        found.append(value)
    return sorted(set(found))


def _clean_lgas(values) -> list[str]:
    return sorted({places.normalise_lga(v) for v in values or [] if str(v).strip()})


def _set_attributes(service: Service, link_type: str, terms: list[TaxonomyTerm]) -> None:
    existing = {a.taxonomy_term_id: a for a in service.attributes.filter(link_type=link_type)}
    wanted = {t.pk for t in terms}
    service.attributes.filter(link_type=link_type).exclude(taxonomy_term_id__in=wanted).delete()
    Attribute.objects.bulk_create(
        [
            Attribute(directory_id=service.directory_id, service=service, taxonomy_term=t, link_type=link_type)
            for t in terms
            if t.pk not in existing
        ]
    )


def _set_catchment(service: Service, postcodes: list[str], lgas: list[str]) -> None:
    """Postcode and council service areas: the typed ones are replaced, areas described in words stay."""
    service.service_areas.exclude(area_type=ServiceArea.AreaType.OTHER).delete()
    areas = [
        ServiceArea(
            directory_id=service.directory_id,
            service=service,
            name=f"Postcode {code}",
            description=f"Families living in postcode {code}.",
            extent=code,
            extent_type="text",
            area_type=ServiceArea.AreaType.POSTCODE,
            code=code,
        )
        for code in postcodes
    ] + [
        ServiceArea(
            directory_id=service.directory_id,
            service=service,
            name=lga,
            description=f"Families living in the {lga} local government area.",
            extent=lga,
            extent_type="text",
            area_type=ServiceArea.AreaType.LGA,
            code=lga,
        )
        for lga in lgas
    ]
    ServiceArea.objects.bulk_create(areas)
    where_index_refresh(service_ids=[service.pk])  # bulk_create sends no signal


def _set_main_phone(service: Service, number: str) -> None:
    number = (number or "").strip()
    phone = service.phones.order_by("number").first()
    if not number:
        if phone is not None:
            phone.delete()
        return
    if phone is None:
        Phone.objects.create(directory_id=service.directory_id, service=service, number=number, type="voice")
    elif phone.number != number:
        phone.number = number
        phone.save(update_fields=["number"])


def _set_main_address(service: Service, address: dict | None) -> None:
    """The service's first physical location: created, or its address updated."""
    if not address or not (address.get("address_1") or "").strip():
        return
    sal = service.service_at_locations.select_related("location").order_by("location__name").first()
    if sal is None:
        location = Location.objects.create(
            directory_id=service.directory_id,
            organization=service.organization,
            name=address.get("location_name") or service.name,
            location_type=Location.Type.PHYSICAL,
        )
        sal = ServiceAtLocation.objects.create(directory_id=service.directory_id, service=service, location=location)
    values = {
        "address_1": address["address_1"].strip(),
        "city": (address.get("city") or "").strip(),
        "state_province": (address.get("state_province") or "VIC").strip(),
        "postal_code": (address.get("postal_code") or "").strip(),
        "country": "AU",
        "address_type": Address.Type.PHYSICAL,
    }
    existing = sal.location.addresses.first()
    if existing is None:
        Address.objects.create(directory_id=service.directory_id, location=sal.location, **values)
    else:
        for key, value in values.items():
            setattr(existing, key, value)
        existing.full_clean(exclude=["location", "directory"])
        existing.save()


def _set_languages(service: Service, names: list[str]) -> None:
    from .models import Language

    wanted = [n.strip() for n in names or [] if n.strip()]
    service.languages.exclude(name__in=wanted).delete()
    have = set(service.languages.values_list("name", flat=True))
    Language.objects.bulk_create(
        [Language(directory_id=service.directory_id, service=service, name=n) for n in wanted if n not in have]
    )


def _apply_service_fields(service: Service, fields: dict[str, Any]) -> set[str]:
    changed = set()
    for name, value in fields.items():
        if name in SERVICE_SPECIAL:
            continue
        if getattr(service, name) != value:
            setattr(service, name, value)
            changed.add(name)
    if "name" in fields and not (service.name or "").strip():
        raise ValidationError({"name": NAME_REQUIRED})
    low, high = service.minimum_age_months, service.maximum_age_months
    if low is not None and high is not None and low > high:
        raise ValidationError({"minimum_age_months": AGE_RANGE_BACKWARDS})
    if service.access_point_id and service.access_point.directory_id != service.directory_id:
        raise ValidationError({"access_point": OTHER_DIRECTORY})
    if service.organization_id and service.organization.directory_id != service.directory_id:
        raise ValidationError({"organization": OTHER_DIRECTORY})
    return changed


def _apply_service_specials(service: Service, fields: dict[str, Any], user: User | None) -> None:
    for name, (taxonomy_key, link_type) in SERVICE_TERM_LISTS.items():
        if name in fields:
            _set_attributes(service, link_type, _check_terms(fields[name], taxonomy_key, name))
    if "catchment_postcodes" in fields or "catchment_lgas" in fields:
        postcodes = fields.get("catchment_postcodes")
        lgas = fields.get("catchment_lgas")
        if postcodes is None:
            postcodes = list(service.service_areas.filter(area_type="postcode").values_list("code", flat=True))
        if lgas is None:
            lgas = list(service.service_areas.filter(area_type="lga").values_list("code", flat=True))
        _set_catchment(service, _clean_postcodes(postcodes, "catchment_postcodes"), _clean_lgas(lgas))
    if "phone" in fields:
        _set_main_phone(service, fields["phone"])
    if "address" in fields:
        _set_main_address(service, fields["address"])
    if "languages" in fields:
        _set_languages(service, fields["languages"])
    if fields.get("verified") and user is not None:
        _mark_service_verified(service, user)


def _mark_service_verified(service: Service, user: User) -> None:
    today = timezone.localdate()
    service.assured_date = today
    service.assured_by = user
    # Public (pages, HSDS): the partnership's contact address, never the coordinator's own (kept in assured_by).
    service.assurer_email = service.directory.partnership.contact_email
    service.review_due = _review_due(service.directory, today)
    service.save(update_fields=["assured_date", "assured_by", "assurer_email", "review_due"])


@transaction.atomic
def service_create(*, directory: Directory, changed_by: User | None = None, **fields) -> Service:
    """Create a service. Besides model fields: needs, sectors, age_groups, referrer_roles,
    practitioner_roles (terms), catchment_postcodes, catchment_lgas, phone, address (dict),
    languages (names) and verified (mark it verified by `changed_by` today)."""
    service = Service(directory=directory)
    _apply_service_fields(service, fields)
    if not (service.name or "").strip():
        raise ValidationError({"name": NAME_REQUIRED})
    if service.capacity_as_of is None:
        service.capacity_as_of = timezone.localdate()
    service.last_modified = timezone.now()
    service.full_clean(exclude=["terms"])
    with where_index_deferred():  # the "where" rows of its pathways are written once, with its catchment
        service.save()
        _apply_service_specials(service, fields, changed_by)
    return service


@transaction.atomic
def service_update(*, service: Service, changed_by: User | None = None, **fields) -> Service:
    """Change a service (same keywords as service_create); fields left out stay as they are."""
    service = Service.objects.select_for_update().select_related("directory").get(pk=service.pk)
    previous_capacity = service.capacity_status
    changed = _apply_service_fields(service, fields)
    if "capacity_status" in changed and "capacity_as_of" not in fields and service.capacity_status != previous_capacity:
        service.capacity_as_of = timezone.localdate()
    service.last_modified = timezone.now()
    service.full_clean(exclude=["terms"])
    with where_index_deferred():  # the "where" rows of its pathways are written once, with its catchment
        service.save()
        _apply_service_specials(service, fields, changed_by)
    return service


@transaction.atomic
def service_verify(*, service: Service, user: User) -> Service:
    """The coordinator checked the record with the service today."""
    service = Service.objects.select_for_update().select_related("directory").get(pk=service.pk)
    _mark_service_verified(service, user)
    return service


# --- Pathways ------------------------------------------------------------------------------------

PATHWAY_FIELDS = (
    "source_service",
    "source_role",
    "target_service",
    "min_age_months",
    "max_age_months",
    "catchment_postcodes",
    "catchment_lgas",
    "inclusion_criteria",
    "exclusion_criteria",
    "red_flags",
    "escalation",
    "urgent_target_days",
    "urgent_criteria",
    "routine_target_days",
    "any_professional",
    "self_referral",
    "method",
    "form_url",
    "how_to_refer",
    "information_to_include",
    "pre_referral_workup",
    "consent_basis",
    "cost",
    "typical_wait_days",
    "wait_as_of",
    "alternatives_note",
    "evidence_source",
    "last_verified",
    "review_due",
    "is_active",
)
PATHWAY_M2M = ("needs", "referrer_roles", "alternatives")


def pathway_snapshot(pathway: Pathway) -> dict[str, Any]:
    """The pathway as JSON: what a revision keeps."""
    data: dict[str, Any] = {}
    for name in PATHWAY_FIELDS:
        value = getattr(pathway, name)
        if hasattr(value, "pk"):
            value = str(value.pk)
        elif isinstance(value, date):
            value = value.isoformat()
        data[name] = value
    data["needs"] = sorted(t.code or str(t.pk) for t in pathway.needs.all())
    data["referrer_roles"] = sorted(t.code or str(t.pk) for t in pathway.referrer_roles.all())
    data["alternatives"] = sorted(str(s.pk) for s in pathway.alternatives.all())
    data["last_verified_by"] = pathway.last_verified_by.email if pathway.last_verified_by_id else None
    return data


def _write_revision(pathway: Pathway, *, user: User | None, note: str, previous: dict | None) -> PathwayRevision | None:
    snapshot = pathway_snapshot(pathway)
    changed = sorted(k for k in snapshot if previous is None or previous.get(k) != snapshot[k])
    if previous is not None and not changed:
        return None
    last = pathway.revisions.order_by("-number").values_list("number", flat=True).first() or 0
    return PathwayRevision.objects.create(
        pathway=pathway,
        number=last + 1,
        snapshot=snapshot,
        changed_fields=changed,
        note=(note or ("Created" if previous is None else ""))[:300],
        changed_by=user,
    )


def _validate_pathway(pathway: Pathway, needs, referrer_roles, alternatives) -> None:
    if (pathway.source_service_id is None) == (pathway.source_role_id is None):
        raise ValidationError({"source_service": PATHWAY_ONE_SOURCE})
    if pathway.source_role_id and pathway.source_role.taxonomy_key != vocabulary.REFERRER_ROLES:
        raise ValidationError(
            {"source_role": TERM_WRONG_TAXONOMY.format(term=pathway.source_role, taxonomy="referrer roles")}
        )
    for field in ("source_service", "target_service"):
        service = getattr(pathway, field)
        if service is not None and service.directory_id != pathway.directory_id:
            raise ValidationError({field: OTHER_DIRECTORY})
    if pathway.source_service_id and pathway.source_service_id == pathway.target_service_id:
        raise ValidationError({"target_service": PATHWAY_TO_ITSELF})
    low, high = pathway.min_age_months, pathway.max_age_months
    if low is not None and high is not None and low > high:
        raise ValidationError({"min_age_months": AGE_RANGE_BACKWARDS})
    if needs is not None and not needs:
        raise ValidationError({"needs": PATHWAY_NEEDS_REQUIRED})
    if needs is not None:
        _check_terms(needs, vocabulary.NEEDS, "needs")
    if referrer_roles is not None:
        _check_terms(referrer_roles, vocabulary.REFERRER_ROLES, "referrer_roles")
    for service in alternatives or []:
        if service.directory_id != pathway.directory_id:
            raise ValidationError({"alternatives": OTHER_DIRECTORY})
    pathway.catchment_postcodes = _clean_postcodes(pathway.catchment_postcodes, "catchment_postcodes")
    pathway.catchment_lgas = _clean_lgas(pathway.catchment_lgas)


@transaction.atomic
def pathway_create(
    *,
    directory: Directory,
    changed_by: User | None = None,
    note: str = "",
    needs: list[TaxonomyTerm],
    referrer_roles: list[TaxonomyTerm] | None = None,
    alternatives: list[Service] | None = None,
    verified: bool = False,
    **fields,
) -> Pathway:
    unknown = set(fields) - set(PATHWAY_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "Unknown field."))
    pathway = Pathway(directory=directory, **fields)
    _validate_pathway(pathway, needs, referrer_roles, alternatives)
    if verified and changed_by is not None:
        _mark_pathway_verified(pathway, changed_by, save=False)
    if pathway.typical_wait_days is not None and pathway.wait_as_of is None:
        pathway.wait_as_of = timezone.localdate()
    pathway.full_clean(exclude=["needs", "referrer_roles", "alternatives"])
    with where_index_deferred():  # the pathway's "where" rows are written once, with its needs and roles
        pathway.save()
        pathway.needs.set(needs)
        pathway.referrer_roles.set(referrer_roles or [])
    pathway.alternatives.set(alternatives or [])
    _write_revision(pathway, user=changed_by, note=note, previous=None)
    return pathway


@transaction.atomic
def pathway_update(
    *,
    pathway: Pathway,
    changed_by: User | None = None,
    note: str = "",
    needs: list[TaxonomyTerm] | None = None,
    referrer_roles: list[TaxonomyTerm] | None = None,
    alternatives: list[Service] | None = None,
    verified: bool = False,
    **changes,
) -> Pathway:
    """Change a pathway; a revision records what changed (none is written when nothing did)."""
    unknown = set(changes) - set(PATHWAY_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "Unknown field."))
    pathway = Pathway.objects.select_for_update().select_related("directory").get(pk=pathway.pk)
    previous = pathway_snapshot(pathway)
    for name, value in changes.items():
        setattr(pathway, name, value)
    _validate_pathway(pathway, needs, referrer_roles, alternatives)
    wait_changed = "typical_wait_days" in changes and str(changes["typical_wait_days"]) != str(
        previous["typical_wait_days"]
    )
    if wait_changed and "wait_as_of" not in changes:
        pathway.wait_as_of = timezone.localdate() if pathway.typical_wait_days is not None else None
    if verified and changed_by is not None:
        _mark_pathway_verified(pathway, changed_by, save=False)
    pathway.full_clean(exclude=["needs", "referrer_roles", "alternatives"])
    with where_index_deferred():  # the pathway's "where" rows are written once
        pathway.save()
        if needs is not None:
            pathway.needs.set(needs)
        if referrer_roles is not None:
            pathway.referrer_roles.set(referrer_roles)
    if alternatives is not None:
        pathway.alternatives.set(alternatives)
    _write_revision(pathway, user=changed_by, note=note, previous=previous)
    return pathway


def _mark_pathway_verified(pathway: Pathway, user: User, *, save: bool = True) -> None:
    today = timezone.localdate()
    pathway.last_verified = today
    pathway.last_verified_by = user
    pathway.review_due = _review_due(pathway.directory, today)
    if save:
        pathway.save(update_fields=["last_verified", "last_verified_by", "review_due", "updated_at"])


@transaction.atomic
def pathway_verify(*, pathway: Pathway, user: User, note: str = "Verified") -> Pathway:
    pathway = Pathway.objects.select_for_update().select_related("directory").get(pk=pathway.pk)
    previous = pathway_snapshot(pathway)
    _mark_pathway_verified(pathway, user)
    _write_revision(pathway, user=user, note=note, previous=previous)
    return pathway


# --- Suggestions ---------------------------------------------------------------------------------


def _clean_suggested_value(target: Service | Pathway, field: str, value: str) -> Any:
    """The value as the field stores it; a ValidationError on `proposed_value` if it cannot be."""
    value = (value or "").strip()
    if field == "other":
        return value
    if not value and field not in {"form_url", "url", "email"}:
        raise ValidationError({"proposed_value": SUGGESTION_VALUE_REQUIRED})
    if field == "capacity_status":
        return _choice(Service.Capacity, value)
    if field == "status":
        return _choice(Service.Status, value)
    if field == "method":
        return _choice(Pathway.Method, value)
    if field == "typical_wait_days":
        if not value.isdigit() or int(value) > 3650:
            raise ValidationError({"proposed_value": WAIT_DAYS_INVALID})
        return int(value)
    if field in {"form_url", "url"} and value:
        try:
            URLValidator(schemes=["http", "https"])(value)
        except ValidationError:
            raise ValidationError({"proposed_value": "Enter a web address starting with https://."})
    if field == "email" and value:
        try:
            validate_email(value)
        except ValidationError:
            raise ValidationError({"proposed_value": "Enter an email address."})
    return value


def _choice(choices, value: str) -> str:
    for key, label in choices.choices:
        if value.lower() in {key.lower(), label.lower()}:
            return key
    options = ", ".join(label.lower() for _, label in choices.choices)
    raise ValidationError({"proposed_value": f"Choose one of: {options}."})


@transaction.atomic
def suggestion_create(
    *,
    user: User,
    field: str,
    proposed_value: str = "",
    note: str = "",
    service: Service | None = None,
    pathway: Pathway | None = None,
) -> ChangeSuggestion:
    target = service or pathway
    allowed = SERVICE_SUGGESTION_FIELDS if service is not None else PATHWAY_SUGGESTION_FIELDS
    if target is None or (service is not None and pathway is not None) or field not in allowed:
        raise ValidationError({"field": SUGGESTION_FIELD_UNKNOWN})
    value = _clean_suggested_value(target, field, proposed_value)
    note = (note or "").strip()
    if field == "other" and not (note or value):
        raise ValidationError({"note": SUGGESTION_NOTE_REQUIRED})
    suggestion = ChangeSuggestion(
        directory_id=target.directory_id,
        service=service,
        pathway=pathway,
        field=field,
        proposed_value="" if value is None else str(value),
        note=note[:4000],
        suggested_by=user,
    )
    suggestion.full_clean()
    suggestion.save()
    return suggestion


def _locked_pending(suggestion: ChangeSuggestion) -> ChangeSuggestion:
    suggestion = ChangeSuggestion.objects.select_for_update().get(pk=suggestion.pk)
    if suggestion.status != ChangeSuggestion.Status.PENDING:
        raise ValidationError({"status": SUGGESTION_NOT_PENDING})
    return suggestion


@transaction.atomic
def suggestion_accept(*, suggestion: ChangeSuggestion, user: User, note: str = "") -> ChangeSuggestion:
    """Apply the suggested value (not for "other": that is applied by hand) and mark the record verified."""
    suggestion = _locked_pending(suggestion)
    if suggestion.service_id:
        service = suggestion.service
        if suggestion.field != "other":
            value = _clean_suggested_value(service, suggestion.field, suggestion.proposed_value)
            service_update(service=service, changed_by=user, **{suggestion.field: value})
        service_verify(service=service, user=user)
    else:
        pathway = suggestion.pathway
        label = PATHWAY_SUGGESTION_FIELDS.get(suggestion.field, suggestion.field)
        revision_note = f"Suggestion #{suggestion.pk} accepted: {label}"
        if suggestion.field != "other":
            value = _clean_suggested_value(pathway, suggestion.field, suggestion.proposed_value)
            pathway_update(
                pathway=pathway, changed_by=user, note=revision_note, verified=True, **{suggestion.field: value}
            )
        else:
            pathway_verify(pathway=pathway, user=user, note=revision_note)
    suggestion.status = ChangeSuggestion.Status.ACCEPTED
    suggestion.decided_by = user
    suggestion.decided_at = timezone.now()
    suggestion.decision_note = (note or "").strip()
    suggestion.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    return suggestion


@transaction.atomic
def suggestion_reject(*, suggestion: ChangeSuggestion, user: User, note: str = "") -> ChangeSuggestion:
    suggestion = _locked_pending(suggestion)
    suggestion.status = ChangeSuggestion.Status.REJECTED
    suggestion.decided_by = user
    suggestion.decided_at = timezone.now()
    suggestion.decision_note = (note or "").strip()
    suggestion.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    return suggestion


# --- HSDS import ---------------------------------------------------------------------------------


def hsds_import_run(
    *, directory: Directory, payload: Any, dry_run: bool = False, mappings: dict | None = None, progress=None
) -> dict:
    """Import HSDS JSON into the directory, in one transaction; the report says what happened.

    With dry_run the same work is done and rolled back, so the preview is what applying gives; only the
    final bulk write of the new rows (which every check before it has cleared) is left out.
    When the file cannot be written as a whole (report["failed"]), nothing of it is kept.
    `mappings` are the coordinator's choices for unknown service areas and other taxonomies' terms.
    """
    from .hsds_import import Importer

    with transaction.atomic():
        if dry_run:  # rolled back: the "where" index is left as it is
            with where_index_deferred(discard=True):
                report = Importer(directory, mappings=mappings, progress=progress, write=False).run(payload)
            transaction.set_rollback(True)
        else:
            # The import writes in bulk (no signals): the directory's "where" index is rewritten once, at the end.
            with where_index_deferred():
                report = Importer(directory, mappings=mappings, progress=progress, write=True).run(payload)
                where_index_refresh(directory_ids=[directory.pk])
            if report.failed:
                transaction.set_rollback(True)
    return report.as_dict()


logger = logging.getLogger(__name__)
IMPORT_NOT_READY = "This file is still being checked."
IMPORT_BAD_MAPPING = "Choose a council, or to leave it unmatched, for every service area we do not know."
IMPORT_BAD_NEED = "Unknown need: {code}."
PROGRESS_KEY = "hsds-import-progress:{pk}"


def _hsds_import_enqueue(hsds_import: HsdsImport, task) -> None:
    def enqueue():
        try:
            task.delay(hsds_import.pk)
        except Exception:  # the broker is down: say so; the coordinator can upload again later
            HsdsImport.objects.filter(pk=hsds_import.pk).update(
                status=HsdsImport.Status.FAILED, error="The task queue is not reachable; try again."
            )

    transaction.on_commit(enqueue)


def hsds_import_progress(*, hsds_import: HsdsImport) -> dict:
    """Where a running check or import is (records done of total), for the progress bar."""
    from django.core.cache import cache

    done, total = cache.get(PROGRESS_KEY.format(pk=hsds_import.pk), (0, hsds_import.total))
    if not hsds_import.is_running:
        done = total = hsds_import.total
    total = total or hsds_import.total
    return {
        "status": hsds_import.status,
        "done": done,
        "total": total,
        "percent": 100 if not total else round(100 * done / total),
        "error": hsds_import.error,
    }


def _progress_reporter(pk: int):
    from django.core.cache import cache

    def report(done: int, total: int) -> None:  # the cache: the import's transaction hides its own writes
        cache.set(PROGRESS_KEY.format(pk=pk), (done, total), 3600)

    return report


def _records_in(payload) -> int:
    if isinstance(payload, dict) and isinstance(payload.get("contents"), list):
        return len(payload["contents"])
    return len(payload) if isinstance(payload, list) else 1


def _payload_of(hsds_import: HsdsImport):
    from .hsds_import import load_json

    if hsds_import.source is not None:
        return load_json(bytes(hsds_import.source))
    return hsds_import.payload


@transaction.atomic
def hsds_import_start(*, directory: Directory, source: bytes, filename: str = "", user: User | None) -> HsdsImport:
    """Keep an uploaded file and queue its check (a dry run) as a Celery task; no request waits on it."""
    from .tasks import hsds_import_check_task

    hsds_import = HsdsImport.objects.create(
        directory=directory,
        uploaded_by=user,
        filename=filename[:250],
        source=source,
        status=HsdsImport.Status.QUEUED,
    )
    _hsds_import_enqueue(hsds_import, hsds_import_check_task)
    return hsds_import


def hsds_import_check(*, import_id: int) -> HsdsImport:
    """The task's work: read the file and dry-run it; the report is the preview."""
    hsds_import = HsdsImport.objects.select_related("directory").get(pk=import_id)
    if hsds_import.status not in (HsdsImport.Status.QUEUED, HsdsImport.Status.CHECKING):  # CHECKING: a retry
        return hsds_import
    HsdsImport.objects.filter(pk=import_id).update(status=HsdsImport.Status.CHECKING)
    try:
        payload = _payload_of(hsds_import)
    except ValueError as error:
        HsdsImport.objects.filter(pk=import_id).update(status=HsdsImport.Status.FAILED, error=str(error))
        hsds_import.refresh_from_db()
        return hsds_import
    total = _records_in(payload)
    HsdsImport.objects.filter(pk=import_id).update(total=total)
    try:
        report = hsds_import_run(
            directory=hsds_import.directory, payload=payload, dry_run=True, progress=_progress_reporter(import_id)
        )
    except Exception as error:  # a bug, not the file: recorded and logged, and the page says so
        logger.exception("HSDS import %s could not be checked", import_id)
        HsdsImport.objects.filter(pk=import_id).update(
            status=HsdsImport.Status.FAILED, error=f"The file could not be checked: {error}"[:2000]
        )
        hsds_import.refresh_from_db()
        return hsds_import
    HsdsImport.objects.filter(pk=import_id).update(status=HsdsImport.Status.PREVIEWED, report=report)
    hsds_import.refresh_from_db()
    return hsds_import


def hsds_import_clean_mappings(*, hsds_import: HsdsImport, areas: dict[str, str], terms: dict[str, str]) -> dict:
    """The coordinator's choices, checked: each unknown area a council or "" (left unmatched, said so),
    each term of another taxonomy one of our needs or "" (not mapped)."""
    needs = set(TaxonomyTerm.objects.filter(taxonomy__key=vocabulary.NEEDS).values_list("code", flat=True))
    unknown = {a["name"] for a in hsds_import.report.get("unmatched_areas", [])}
    clean_areas = {}
    for name in unknown:
        choice = areas.get(name)
        if choice is None or (choice and choice not in places.LGAS):
            raise ValidationError({"areas": IMPORT_BAD_MAPPING})
        clean_areas[name] = choice
    known_terms = {t["id"] for t in hsds_import.report.get("foreign_terms", [])}
    clean_terms = {}
    for term_id, code in terms.items():
        if term_id not in known_terms or not code:
            continue
        if code not in needs:
            raise ValidationError({"terms": IMPORT_BAD_NEED.format(code=code)})
        clean_terms[term_id] = code
    return {"areas": clean_areas, "terms": clean_terms}


@transaction.atomic
def hsds_import_apply_start(*, hsds_import: HsdsImport, user: User | None, mappings: dict) -> HsdsImport:
    """Queue the import of a previewed file, with the coordinator's mappings (checked here)."""
    from .tasks import hsds_import_apply_task

    hsds_import = HsdsImport.objects.select_for_update().select_related("directory").get(pk=hsds_import.pk)
    if hsds_import.status in (HsdsImport.Status.QUEUED, HsdsImport.Status.CHECKING):
        raise ValidationError({"status": IMPORT_NOT_READY})
    if hsds_import.status != HsdsImport.Status.PREVIEWED:
        raise ValidationError({"status": IMPORT_NOT_PREVIEWED})
    hsds_import.mappings = hsds_import_clean_mappings(
        hsds_import=hsds_import, areas=mappings.get("areas", {}), terms=mappings.get("terms", {})
    )
    hsds_import.status = HsdsImport.Status.APPLYING
    hsds_import.save(update_fields=["mappings", "status"])
    _hsds_import_enqueue(hsds_import, hsds_import_apply_task)
    return hsds_import


def hsds_import_apply_run(*, import_id: int) -> HsdsImport:
    """The task's work: apply the file in one transaction (checked again: the directory may have changed)."""
    with transaction.atomic():
        hsds_import = HsdsImport.objects.select_for_update().select_related("directory").get(pk=import_id)
        if hsds_import.status != HsdsImport.Status.APPLYING:
            return hsds_import
        payload = _payload_of(hsds_import)
        hsds_import.report = hsds_import_run(
            directory=hsds_import.directory,
            payload=payload,
            mappings=hsds_import.mappings,
            progress=_progress_reporter(import_id),
        )
        failed = bool(hsds_import.report.get("failed"))
        hsds_import.status = HsdsImport.Status.FAILED if failed else HsdsImport.Status.APPLIED
        hsds_import.error = hsds_import.report.get("failed", "")
        hsds_import.applied_at = None if failed else timezone.now()
        hsds_import.save(update_fields=["report", "status", "error", "applied_at"])
    return hsds_import


@transaction.atomic
def hsds_import_preview(*, directory: Directory, payload: Any, filename: str = "", user: User | None) -> HsdsImport:
    """Check a parsed file at once (the command line and tests); the upload page uses hsds_import_start."""
    report = hsds_import_run(directory=directory, payload=payload, dry_run=True)
    return HsdsImport.objects.create(
        directory=directory,
        uploaded_by=user,
        filename=filename[:250],
        source=json.dumps(payload).encode(),
        report=report,
        total=_records_in(payload),
    )


@transaction.atomic
def hsds_import_apply(*, hsds_import: HsdsImport, user: User | None, mappings: dict | None = None) -> HsdsImport:
    """Apply a previewed file at once (checked again: the directory may have changed since the preview)."""
    hsds_import = HsdsImport.objects.select_for_update().select_related("directory").get(pk=hsds_import.pk)
    if hsds_import.status != HsdsImport.Status.PREVIEWED:
        raise ValidationError({"status": IMPORT_NOT_PREVIEWED})
    if mappings is not None:
        hsds_import.mappings = hsds_import_clean_mappings(
            hsds_import=hsds_import, areas=mappings.get("areas", {}), terms=mappings.get("terms", {})
        )
    hsds_import.report = hsds_import_run(
        directory=hsds_import.directory, payload=_payload_of(hsds_import), mappings=hsds_import.mappings
    )
    if hsds_import.report.get("failed"):
        hsds_import.status, hsds_import.error = HsdsImport.Status.FAILED, hsds_import.report["failed"]
    else:
        hsds_import.status, hsds_import.applied_at = HsdsImport.Status.APPLIED, timezone.now()
    hsds_import.save(update_fields=["report", "status", "applied_at", "mappings", "error"])
    return hsds_import


@transaction.atomic
def hsds_import_discard(*, hsds_import: HsdsImport) -> HsdsImport:
    hsds_import = HsdsImport.objects.select_for_update().get(pk=hsds_import.pk)
    if hsds_import.status not in (HsdsImport.Status.PREVIEWED, HsdsImport.Status.FAILED):
        raise ValidationError({"status": IMPORT_NOT_PREVIEWED})
    hsds_import.status = HsdsImport.Status.DISCARDED
    hsds_import.source = None  # the file is not kept once discarded
    hsds_import.save(update_fields=["status", "source"])
    return hsds_import
