"""Import Open Referral HSDS 3.0 JSON into a directory: a service, an organisation, a location, a
taxonomy or a taxonomy term, a list page of them (`contents`), or a plain JSON array of records.

Rules
- Records are matched by their HSDS `id` (a UUID), so importing the same file twice changes nothing.
  An id that belongs to another partnership's directory is rejected, never taken over.
- A service this directory verified more recently than the file says (`assured_date`, or a file with
  no date at all) is skipped with everything nested in it: a newer verified record is never overwritten.
- Each record is checked field by field (types, UUIDs, e-mail and URI formats, enumerations, the
  fields HSDS requires, lengths). A bad top-level record is rejected whole; a bad nested record (a
  phone without a number) is rejected alone and its parent still imports. The report names the
  record, the field and the reason.
- Scalars left out of a record stay as they are. A nested list that is present is the truth for that
  parent: phones, schedules, service areas … not in it are removed (shared rows are only unlinked).
  Attributes of other taxonomies follow the file; those of our own taxonomies (needs, sectors …) are
  replaced only when the file carries that taxonomy, so a coordinator's tags survive an external feed.
  Services and locations are never deleted by an import.
- Taxonomies and terms are shared vocabulary: unknown ones are added, existing ones are never rewritten.
- Fields we do not keep (programs, funding, required documents, metadata, deprecated fields) are
  counted under `ignored`, so nothing disappears silently.
- Minimum and maximum ages are years in HSDS and months here; the pathway facts our export appends
  to `application_process` and `eligibility_description` (after MARKER) are cut off again on import.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction

from . import places, vocabulary
from .hsds import MARKER
from .models import (
    Accessibility,
    Address,
    Attribute,
    Contact,
    CostOption,
    Directory,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)

OTHER_DIRECTORY = "This id belongs to another directory; it was not changed."
NOT_AN_OBJECT = "Expected a JSON object."
NOT_A_LIST = "Expected a list."
REQUIRED = "Required by HSDS."
NEWER_HERE = "This directory verified it on {ours}, later than the file ({theirs}); kept as it is."
UNKNOWN_KIND = "Cannot tell what this is: a service, organisation, location, taxonomy or taxonomy term."
UNKNOWN_PAYLOAD = "The file must hold HSDS records (a service, an organisation …) or a list page of them (`contents`)."
PARENT_MISMATCH = "Does not match the {parent} it is nested in."
UNKNOWN_ORGANIZATION = "No organisation with this id in the directory or the file; imported without one."
LOCATION_REQUIRED = "A service at location needs a nested `location` or the id of a location already here."
TERM_REQUIRED = "An attribute needs a nested `taxonomy_term` or the id of a known term."
AGE_BACKWARDS = "minimum_age is above maximum_age."

# Fields HSDS has that we do not keep: counted as ignored, never an error.
NOT_KEPT = {
    "service": {"program_id", "program", "funding", "required_documents", "metadata", "wait_time", "fees", "licenses"},
    "organization": {"tax_id", "funding", "programs", "organization_identifiers", "attributes", "metadata"},
    "location": {"attributes", "metadata"},
    "service_at_location": {"attributes", "metadata"},
    "address": {"attributes", "metadata"},
    "phone": {"attributes", "metadata"},
    "contact": {"attributes", "metadata"},
    "schedule": {"attributes", "metadata"},
    "language": {"attributes", "metadata"},
    "accessibility": {"attributes", "metadata"},
    "service_area": {"attributes", "metadata"},
    "cost_option": {"attributes", "metadata"},
    "attribute": {"metadata"},
    "taxonomy_term": {"metadata"},
    "taxonomy": {"metadata"},
}

T = "text"
EMAIL = "email"
URI = "uri"
UUID = "uuid"
DATE = "date"
DATETIME = "datetime"
NUMBER = "number"
INT = "int"
DECIMAL = "decimal"


@dataclass(frozen=True)
class Spec:
    model: type[models.Model]
    fields: dict[str, tuple[str, Any]]  # HSDS key -> (model attribute, type or a tuple of allowed values)
    required: frozenset[str] = frozenset()
    links: frozenset[str] = frozenset()  # foreign-key ids that nesting implies (checked, not stored)
    nested: frozenset[str] = frozenset()


def _same(*names: str) -> dict[str, tuple[str, Any]]:
    return {name: (name, T) for name in names}


SPECS: dict[str, Spec] = {
    "organization": Spec(
        Organization,
        {
            **_same("name", "alternate_name", "description", "tax_status", "legal_status", "logo"),
            "email": ("email", EMAIL),
            "website": ("website", URI),
            "uri": ("uri", URI),
            "year_incorporated": ("year_incorporated", INT),
            "parent_organization_id": ("parent_organization_id", UUID),
        },
        required=frozenset({"id", "name", "description"}),
        nested=frozenset({"contacts", "phones", "locations", "services"}),
    ),
    "service": Spec(
        Service,
        {
            **_same(
                "name",
                "alternate_name",
                "description",
                "interpretation_services",
                "application_process",
                "fees_description",
                "accreditations",
                "eligibility_description",
                "alert",
            ),
            "url": ("url", URI),
            "email": ("email", EMAIL),
            "status": ("status", tuple(Service.Status.values)),
            "minimum_age": ("minimum_age_months", "age"),
            "maximum_age": ("maximum_age_months", "age"),
            "assured_date": ("assured_date", DATE),
            "assurer_email": ("assurer_email", EMAIL),
            "last_modified": ("last_modified", DATETIME),
        },
        required=frozenset({"id", "name", "status"}),
        links=frozenset({"organization_id"}),
        nested=frozenset(
            {
                "organization",
                "phones",
                "schedules",
                "service_areas",
                "service_at_locations",
                "languages",
                "cost_options",
                "contacts",
                "attributes",
            }
        ),
    ),
    "location": Spec(
        Location,
        {
            **_same("name", "alternate_name", "description", "transportation"),
            **_same("external_identifier", "external_identifier_type"),
            "location_type": ("location_type", tuple(Location.Type.values)),
            "url": ("url", URI),
            "latitude": ("latitude", NUMBER),
            "longitude": ("longitude", NUMBER),
        },
        required=frozenset({"id", "location_type"}),
        links=frozenset({"organization_id"}),
        nested=frozenset({"addresses", "accessibility", "languages", "contacts", "phones", "schedules"}),
    ),
    "service_at_location": Spec(
        ServiceAtLocation,
        _same("description"),
        required=frozenset({"id"}),
        links=frozenset({"service_id", "location_id"}),
        nested=frozenset({"location", "contacts", "phones", "schedules"}),
    ),
    "address": Spec(
        Address,
        {
            **_same("attention", "address_1", "address_2", "city", "region", "state_province", "postal_code"),
            "country": ("country", T),
            "address_type": ("address_type", tuple(Address.Type.values)),
        },
        required=frozenset({"id", "address_1", "city", "state_province", "postal_code", "country", "address_type"}),
        links=frozenset({"location_id"}),
    ),
    "phone": Spec(
        Phone,
        {**_same("number", "type", "description"), "extension": ("extension", INT)},
        required=frozenset({"id", "number"}),
        links=frozenset({"location_id", "service_id", "organization_id", "contact_id", "service_at_location_id"}),
        nested=frozenset({"languages"}),
    ),
    "contact": Spec(
        Contact,
        {**_same("name", "title", "department"), "email": ("email", EMAIL)},
        required=frozenset({"id"}),
        links=frozenset({"organization_id", "service_id", "service_at_location_id", "location_id"}),
        nested=frozenset({"phones"}),
    ),
    "schedule": Spec(
        Schedule,
        {
            **_same("byday", "byweekno", "bymonthday", "byyearday", "description", "opens_at", "closes_at"),
            **_same("attending_type", "notes"),
            "valid_from": ("valid_from", DATE),
            "valid_to": ("valid_to", DATE),
            "dtstart": ("dtstart", DATE),
            "until": ("until", DATE),
            "timezone": ("timezone", NUMBER),
            "count": ("count", INT),
            "interval": ("interval", INT),
            "wkst": ("wkst", ("MO", "TU", "WE", "TH", "FR", "SA", "SU")),
            "freq": ("freq", tuple(Schedule.Freq.values)),
            "schedule_link": ("schedule_link", URI),
        },
        required=frozenset({"id"}),
        links=frozenset({"service_id", "location_id", "service_at_location_id"}),
    ),
    "language": Spec(
        Language,
        _same("name", "code", "note"),
        required=frozenset({"id"}),
        links=frozenset({"service_id", "location_id", "phone_id"}),
    ),
    "accessibility": Spec(
        Accessibility,
        {**_same("description", "details"), "url": ("url", URI)},
        required=frozenset({"id"}),
        links=frozenset({"location_id"}),
    ),
    "service_area": Spec(
        ServiceArea,
        _same("name", "description", "extent", "extent_type", "uri"),
        required=frozenset({"id"}),
        links=frozenset({"service_id"}),
    ),
    "cost_option": Spec(
        CostOption,
        {
            **_same("option", "currency", "amount_description"),
            "valid_from": ("valid_from", DATE),
            "valid_to": ("valid_to", DATE),
            "amount": ("amount", DECIMAL),
        },
        required=frozenset({"id"}),
        links=frozenset({"service_id"}),
    ),
    "attribute": Spec(
        Attribute,
        {"link_type": ("link_type", T), "link_entity": ("link_entity", T), "value": ("value", T)},
        required=frozenset({"id"}),
        links=frozenset({"link_id", "taxonomy_term_id"}),
        nested=frozenset({"taxonomy_term"}),
    ),
    "taxonomy_term": Spec(
        TaxonomyTerm,
        {
            **_same("code", "name", "description", "language"),
            "taxonomy": ("taxonomy_name", T),
            "parent_id": ("parent_id", UUID),
            "term_uri": ("term_uri", URI),
        },
        required=frozenset({"id", "name", "description"}),
        links=frozenset({"taxonomy_id"}),
        nested=frozenset({"taxonomy_detail"}),
    ),
    "taxonomy": Spec(
        Taxonomy,
        {**_same("name", "description", "version"), "uri": ("uri", URI)},
        required=frozenset({"id", "name", "description"}),
    ),
}

# Nested lists: key -> (kind, multi-parent model?)
CHILD_KINDS = {
    "phones": "phone",
    "schedules": "schedule",
    "service_areas": "service_area",
    "service_at_locations": "service_at_location",
    "languages": "language",
    "cost_options": "cost_option",
    "contacts": "contact",
    "attributes": "attribute",
    "addresses": "address",
    "accessibility": "accessibility",
    "locations": "location",
    "services": "service",
}
SHARED = {Phone, Contact, Schedule, Language}  # HSDS rows that may belong to several records at once
LINK_FIELDS = {
    Phone: ("location_id", "service_id", "organization_id", "contact_id", "service_at_location_id"),
    Contact: ("organization_id", "service_id", "service_at_location_id", "location_id"),
    Schedule: ("service_id", "location_id", "service_at_location_id"),
    Language: ("service_id", "location_id", "phone_id"),
}

SERVICE_ONLY_KEYS = {
    "status",
    "service_areas",
    "service_at_locations",
    "eligibility_description",
    "application_process",
    "organization",
    "organization_id",
    "minimum_age",
    "maximum_age",
    "assured_date",
    "fees_description",
    "cost_options",
    "interpretation_services",
}
OTHER_TABLES = {"organization", "location", "service_at_location", "program", "contact", "phone", "address"}
TERM_ONLY_KEYS = {"taxonomy", "taxonomy_detail", "taxonomy_id", "parent_id", "term_uri", "code"}
ORGANIZATION_ONLY_KEYS = {
    "services",
    "locations",
    "website",
    "year_incorporated",
    "legal_status",
    "tax_status",
    "tax_id",
    "organization_identifiers",
    "programs",
    "logo",
    "parent_organization_id",
}


NON_EMPTY = {"name", "number", "address_1"}


class FieldError(Exception):
    pass


# --- The report ----------------------------------------------------------------------------------

RANK = {"unchanged": 0, "updated": 1, "created": 2}
MAIN_KINDS = ("organization", "service", "location", "taxonomy", "taxonomy_term")


@dataclass
class Report:
    actions: dict[tuple[str, str], dict] = field(default_factory=dict)
    skipped: list[dict] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    removed: list[dict] = field(default_factory=list)
    ignored: Counter = field(default_factory=Counter)

    def record(self, kind: str, pk, name: str, action: str) -> None:
        key = (kind, str(pk))
        previous = self.actions.get(key)
        if previous is None or RANK[action] > RANK[previous["action"]]:
            self.actions[key] = {"kind": kind, "id": str(pk), "name": name or "", "action": action}

    def reject(self, kind: str, path: str, pk, field_name: str, reason: str, name: str = "") -> None:
        self.rejected.append(
            {
                "kind": kind,
                "path": path or "(top level)",
                "id": str(pk or ""),
                "name": name or "",
                "field": field_name,
                "reason": reason,
            }
        )

    def as_dict(self) -> dict:
        by_action: dict[str, list[dict]] = {"created": [], "updated": [], "unchanged": []}
        for entry in self.actions.values():
            by_action[entry["action"]].append(entry)
        counts: dict[str, dict[str, int]] = {}
        for action, entries in [*by_action.items(), ("skipped", self.skipped), ("removed", self.removed)]:
            for entry in entries:
                counts.setdefault(entry["kind"], Counter())[action] += 1
        rejected_records = {(r["kind"], r["path"]) for r in self.rejected}
        for kind, _ in rejected_records:
            counts.setdefault(kind, Counter())["rejected"] += 1
        return {
            **by_action,
            "skipped": self.skipped,
            "removed": self.removed,
            "rejected": self.rejected,
            "warnings": self.warnings,
            "ignored": dict(sorted(self.ignored.items())),
            "counts": {kind: dict(c) for kind, c in sorted(counts.items())},
        }


# --- Converting values ---------------------------------------------------------------------------


def _max_length(model, attr: str) -> int | None:
    return model._meta.get_field(attr).max_length


def _is_uri(value: str) -> bool:
    parts = urlsplit(value)
    return bool(
        parts.scheme and re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", parts.scheme) and (parts.netloc or parts.path)
    )


def convert(model, attr: str, kind, value):
    """An HSDS value as the model stores it; FieldError says why it cannot be."""
    if value is None:  # HSDS has no nulls; a null is taken as "no value"
        return "" if kind in (T, EMAIL, URI) or isinstance(kind, tuple) else None
    if kind in (T, EMAIL, URI) or isinstance(kind, tuple):
        if not isinstance(value, str):
            raise FieldError("Must be text.")
        limit = _max_length(model, attr)
        if limit and len(value) > limit:
            raise FieldError(f"Longer than {limit} characters.")
        if isinstance(kind, tuple) and value not in kind:
            raise FieldError(f"Must be one of: {', '.join(kind)}.")
        if kind == EMAIL and value:
            try:
                validate_email(value)
            except ValidationError:
                raise FieldError("Not an e-mail address.")
        if kind == URI and value and not _is_uri(value):
            raise FieldError("Not a URI (e.g. https://example.org/).")
        return value
    if kind == UUID:
        return parse_uuid(value)
    if kind == DATE:
        if not isinstance(value, str):
            raise FieldError("Must be a date (YYYY-MM-DD).")
        try:
            return date.fromisoformat(value[:10]) if len(value) >= 10 else date.fromisoformat(value)
        except ValueError:
            raise FieldError("Must be a date (YYYY-MM-DD).")
    if kind == DATETIME:
        if not isinstance(value, str):
            raise FieldError("Must be a date and time (ISO 8601).")
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise FieldError("Must be a date and time (ISO 8601).")
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    if kind in (NUMBER, INT, DECIMAL, "age"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise FieldError("Must be a number.")
        if kind == NUMBER:
            return float(value)
        if kind == DECIMAL:
            try:
                amount = Decimal(str(value)).quantize(Decimal("0.01"))
            except InvalidOperation:
                raise FieldError("Must be an amount.")
            if abs(amount) >= Decimal("1e10"):
                raise FieldError("Too large.")
            return amount
        if kind == "age":
            if value < 0 or value > 130:
                raise FieldError("Must be an age in years between 0 and 130.")
            return round(value * 12)
        if value < 0 or value != int(value) or value > 2**53:
            raise FieldError("Must be a whole number, 0 or more.")
        return int(value)
    raise AssertionError(kind)  # pragma: no cover


def parse_uuid(value) -> uuid.UUID:
    if not isinstance(value, str):
        raise FieldError("Must be a UUID.")
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        raise FieldError("Must be a UUID.")
    if len(value) != 36:
        raise FieldError("Must be a UUID in its 36-character form.")
    return parsed


def strip_flattened(text: str) -> str:
    """Our export appends pathway facts after MARKER; an import keeps only what came before."""
    return text.split(MARKER)[0].rstrip() if MARKER in text else text


def catchment_of(name: str, extent: str, extent_type: str) -> tuple[str, str]:
    """(area_type, code) of an HSDS service area: a postcode, a council, or other."""
    for text in (extent if extent_type in ("", "text") else "", name):
        text = (text or "").strip()
        match = re.fullmatch(r"(?:postcode\s*)?(\d{4})", text, flags=re.IGNORECASE)
        if match:
            return ServiceArea.AreaType.POSTCODE, match.group(1)
        lga = places.normalise_lga(text)
        if lga in places.LGAS:
            return ServiceArea.AreaType.LGA, lga
    return ServiceArea.AreaType.OTHER, ""


# --- The importer --------------------------------------------------------------------------------


class Importer:
    def __init__(self, directory: Directory):
        self.directory = directory
        self.report = Report()

    # Entry point ---------------------------------------------------------------------------------
    def run(self, payload: Any) -> Report:
        if isinstance(payload, list):
            records, prefix = payload, ""
        elif isinstance(payload, dict) and "contents" in payload:
            records, prefix = payload["contents"], "contents"
            if not isinstance(records, list):
                self.report.reject("file", "contents", "", "contents", NOT_A_LIST)
                return self.report
        elif isinstance(payload, dict):
            records, prefix = [payload], None
        else:
            self.report.reject("file", "", "", "", UNKNOWN_PAYLOAD)
            return self.report
        for index, record in enumerate(records):
            path = "" if prefix is None else f"{prefix}[{index}]"
            kind = self._kind_of(record)
            if kind is None:
                pk = record.get("id") if isinstance(record, dict) else ""
                self.report.reject("record", path, pk, "", UNKNOWN_KIND if isinstance(record, dict) else NOT_AN_OBJECT)
                continue
            try:
                with transaction.atomic():
                    if kind == "service":
                        self.service(record, path)
                    elif kind == "organization":
                        self.organization(record, path)
                    elif kind == "location":
                        self.location(record, path, {})
                    elif kind == "taxonomy_term":
                        self.taxonomy_term(record, path)
                    else:
                        self.taxonomy(record, path)
            except IntegrityError as error:  # a conflict the checks did not foresee: this record only
                self.report.reject(kind, path, record.get("id"), "", f"Could not be saved: {error}")
        return self.report

    @staticmethod
    def _kind_of(record) -> str | None:
        """service, organization, location, taxonomy_term or taxonomy, from the keys a record has."""
        if not isinstance(record, dict):
            return None
        keys = set(record)
        service, organization = keys & SERVICE_ONLY_KEYS, keys & ORGANIZATION_ONLY_KEYS
        if service and not organization:
            return "service"
        if organization and not service:
            return "organization"
        if "status" in keys:
            return "service"
        if service or organization:
            return None
        if "location_type" in keys:
            return "location"
        if keys & TERM_ONLY_KEYS:
            return "taxonomy_term"
        if "version" in keys:
            return "taxonomy"
        if "name" in keys and "description" in keys:
            return "organization"
        return None

    # Generic steps -------------------------------------------------------------------------------
    def _values(self, kind: str, record: dict, path: str) -> tuple[dict | None, uuid.UUID | None]:
        """Convert a record's fields; on any error, report it and return (None, id-or-None)."""
        spec = SPECS[kind]
        errors: list[tuple[str, str]] = []
        pk = None
        if "id" in record:
            try:
                pk = parse_uuid(record["id"])
            except FieldError as error:
                errors.append(("id", str(error)))
        values: dict[str, Any] = {}
        for key in sorted(spec.required):
            if record.get(key) is None and not (key == "id" and "id" in record):
                errors.append((key, REQUIRED))
            elif key in NON_EMPTY and record.get(key) == "":
                errors.append((key, "Must not be empty."))
        for key, value in record.items():
            if key in spec.fields:
                attr, value_kind = spec.fields[key]
                try:
                    values[attr] = convert(spec.model, attr, value_kind, value)
                except FieldError as error:
                    errors.append((key, str(error)))
            elif key == "id" or key in spec.links or key in spec.nested:
                continue
            else:
                self.report.ignored[f"{kind}.{key}"] += 1
        if errors:
            name = record.get("name") if isinstance(record.get("name"), str) else ""
            for key, reason in errors:
                self.report.reject(kind, path, record.get("id", ""), key, reason, name=name)
            return None, pk
        return values, pk

    def _check_links(self, kind: str, record: dict, path: str, link: dict[str, uuid.UUID]) -> bool:
        """Foreign-key ids in a nested record must agree with where it is nested."""
        for key, expected in link.items():
            if key in record and record[key] not in (None, ""):
                try:
                    given = parse_uuid(record[key])
                except FieldError as error:
                    self.report.reject(kind, path, record.get("id"), key, str(error))
                    return False
                if given != expected:
                    parent = key.removesuffix("_id").replace("_", " ")
                    self.report.reject(kind, path, record.get("id"), key, PARENT_MISMATCH.format(parent=parent))
                    return False
        return True

    def _upsert(self, kind: str, pk: uuid.UUID, values: dict, link: dict, path: str, name: str = ""):
        model = SPECS[kind].model
        obj = model.objects.filter(pk=pk).first()
        if obj is None:
            obj = model(pk=pk, directory=self.directory, **values, **link)
            obj.save(force_insert=True)
            self.report.record(kind, pk, name, "created")
            return obj
        if obj.directory_id != self.directory.pk:
            self.report.reject(kind, path, pk, "id", OTHER_DIRECTORY, name=name)
            return None
        changed = [attr for attr, value in {**values, **link}.items() if getattr(obj, attr) != value]
        for attr in changed:
            setattr(obj, attr, {**values, **link}[attr])
        if changed:
            obj.save()
        self.report.record(kind, pk, name, "updated" if changed else "unchanged")
        return obj

    def _children(self, parent_kind: str, parent, record: dict, key: str, path: str, link_attr: str) -> None:
        """Import a nested list; rows of this parent that the list leaves out are removed (or unlinked)."""
        items = record.get(key)
        kind = CHILD_KINDS[key]
        if not isinstance(items, list):
            self.report.reject(parent_kind, path, parent.pk, key, NOT_A_LIST)
            return
        kept: set[uuid.UUID] = set()
        handler = getattr(self, kind)
        for index, item in enumerate(items):
            pk = handler(item, f"{path}.{key}[{index}]" if path else f"{key}[{index}]", {link_attr: parent.pk})
            if pk is not None:
                kept.add(pk)
        if kind in ("service", "location"):
            return  # entities are never removed by an import
        model = SPECS[kind].model
        for obj in model.objects.filter(**{link_attr: parent.pk}).exclude(pk__in=kept):
            self._remove(kind, obj, link_attr)

    def _remove(self, kind: str, obj, link_attr: str) -> None:
        model = type(obj)
        if model in SHARED:
            setattr(obj, link_attr, None)
            if any(getattr(obj, attr) for attr in LINK_FIELDS[model]):
                obj.save(update_fields=[link_attr])
                return
        self.report.removed.append({"kind": kind, "id": str(obj.pk), "name": str(obj)[:100]})
        obj.delete()

    def _nested(self, kind: str, parent, record: dict, path: str, keys: dict[str, str]) -> None:
        for key, link_attr in keys.items():
            if key in record:
                self._children(kind, parent, record, key, path, link_attr)

    # Records ---------------------------------------------------------------------------------------
    def organization(self, record, path: str, link: dict | None = None) -> uuid.UUID | None:
        if not isinstance(record, dict):
            self.report.reject("organization", path, "", "", NOT_AN_OBJECT)
            return None
        values, pk = self._values("organization", record, path)
        if values is None:
            return pk
        organization = self._upsert("organization", pk, values, {}, path, record.get("name", ""))
        if organization is None:
            return pk
        self._nested(
            "organization",
            organization,
            record,
            path,
            {"contacts": "organization_id", "phones": "organization_id", "locations": "organization_id"},
        )
        if "services" in record:
            if isinstance(record["services"], list):
                for index, item in enumerate(record["services"]):
                    self.service(item, f"{path}.services[{index}]" if path else f"services[{index}]", organization)
            else:
                self.report.reject("organization", path, pk, "services", NOT_A_LIST)
        return pk

    def service(self, record, path: str, organization: Organization | None = None) -> uuid.UUID | None:
        if not isinstance(record, dict):
            self.report.reject("service", path, "", "", NOT_AN_OBJECT)
            return None
        values, pk = self._values("service", record, path)
        if values is None:
            return pk
        name = record.get("name", "")
        low, high = values.get("minimum_age_months"), values.get("maximum_age_months")
        if low is not None and high is not None and low > high:
            self.report.reject("service", path, pk, "minimum_age", AGE_BACKWARDS, name=name)
            return pk
        for attr in ("application_process", "eligibility_description"):
            if attr in values:
                values[attr] = strip_flattened(values[attr])
        existing = Service.objects.filter(pk=pk).first()
        if existing is not None and existing.directory_id != self.directory.pk:
            self.report.reject("service", path, pk, "id", OTHER_DIRECTORY, name=name)
            return pk
        if existing is not None and existing.assured_date is not None:
            theirs = values.get("assured_date")
            if theirs is None or theirs < existing.assured_date:
                reason = NEWER_HERE.format(ours=existing.assured_date.isoformat(), theirs=theirs or "no date")
                self.report.skipped.append({"kind": "service", "id": str(pk), "name": name, "reason": reason})
                return pk
        organization = self._service_organization(record, path, pk, organization)
        if organization is not None:
            values["organization_id"] = organization.pk
        if existing is None:
            values["capacity_status"] = Service.Capacity.UNKNOWN  # a file does not say; never claim a capacity
        if "assured_date" in values and (existing is None or existing.assured_date != values["assured_date"]):
            verified = values["assured_date"]
            values["assured_by_id"] = None
            values["review_due"] = verified + timedelta(days=self.directory.review_interval_days) if verified else None
        service = self._upsert("service", pk, values, {}, path, name)
        if service is None:
            return pk
        self._nested(
            "service",
            service,
            record,
            path,
            {
                "phones": "service_id",
                "schedules": "service_id",
                "service_areas": "service_id",
                "service_at_locations": "service_id",
                "languages": "service_id",
                "cost_options": "service_id",
                "contacts": "service_id",
            },
        )
        if "attributes" in record:
            self._service_attributes(service, record, path)
        return pk

    def _service_organization(self, record: dict, path: str, pk, organization: Organization | None):
        nested = record.get("organization")
        if isinstance(nested, dict):
            org_pk = self.organization(nested, f"{path}.organization" if path else "organization")
            found = Organization.objects.filter(pk=org_pk, directory=self.directory).first() if org_pk else None
            if found is not None:
                return found
        elif nested is not None:
            self.report.reject("service", path, pk, "organization", NOT_AN_OBJECT)
        given = record.get("organization_id")
        if given:
            try:
                org_pk = parse_uuid(given)
            except FieldError as error:
                self.report.warnings.append(
                    {"kind": "service", "id": str(pk), "field": "organization_id", "reason": str(error)}
                )
                return organization
            found = Organization.objects.filter(pk=org_pk, directory=self.directory).first()
            if found is None:
                self.report.warnings.append(
                    {"kind": "service", "id": str(pk), "field": "organization_id", "reason": UNKNOWN_ORGANIZATION}
                )
            return found or organization
        return organization

    def _service_attributes(self, service: Service, record: dict, path: str) -> None:
        items = record["attributes"]
        if not isinstance(items, list):
            self.report.reject("service", path, service.pk, "attributes", NOT_A_LIST)
            return
        kept: set[uuid.UUID] = set()
        taxonomies: set[uuid.UUID | None] = set()
        flags: set[str] = set()
        saw_flags = False
        for index, item in enumerate(items):
            item_path = f"{path}.attributes[{index}]" if path else f"attributes[{index}]"
            result = self.attribute(item, item_path, service)
            if result is None:
                continue
            pk, term = result
            if term is not None:
                taxonomies.add(term.taxonomy_id)
                if term.taxonomy_key == vocabulary.FLAGS:
                    saw_flags = True
                    flags.add(term.code)
                    continue
            if pk is not None:
                kept.add(pk)
        stale = service.attributes.select_related("taxonomy_term__taxonomy").exclude(pk__in=kept)
        for attribute in stale:
            ours = attribute.taxonomy_term.taxonomy_key is not None
            if not ours or attribute.taxonomy_term.taxonomy_id in taxonomies:
                self.report.removed.append({"kind": "attribute", "id": str(attribute.pk), "name": str(attribute)[:100]})
                attribute.delete()
        if saw_flags:
            changed = []
            for code, attr in vocabulary.FLAG_FIELDS.items():
                if getattr(service, attr) != (code in flags):
                    setattr(service, attr, code in flags)
                    changed.append(attr)
            if changed:
                service.save(update_fields=changed)
                self.report.record("service", service.pk, service.name, "updated")

    # Nested records -------------------------------------------------------------------------------
    def _simple(self, kind: str, record, path: str, link: dict, name_attr: str = "name"):
        """Validate, check links, upsert: returns (pk, obj-or-None)."""
        if not isinstance(record, dict):
            self.report.reject(kind, path, "", "", NOT_AN_OBJECT)
            return None, None
        values, pk = self._values(kind, record, path)
        if values is None or not self._check_links(kind, record, path, link):
            return pk, None
        label = record.get(name_attr) if isinstance(record.get(name_attr), str) else ""
        return pk, self._upsert(kind, pk, values, link, path, label)

    def location(self, record, path: str, link: dict) -> uuid.UUID | None:
        if isinstance(record, dict) and "organization_id" in record and "organization_id" not in link:
            try:
                org_pk = parse_uuid(record["organization_id"])
            except FieldError:
                org_pk = None
            if org_pk and Organization.objects.filter(pk=org_pk, directory=self.directory).exists():
                link = {**link, "organization_id": org_pk}
        pk, location = self._simple("location", record, path, link)
        if location is not None:
            self._nested(
                "location",
                location,
                record,
                path,
                {
                    "addresses": "location_id",
                    "accessibility": "location_id",
                    "languages": "location_id",
                    "contacts": "location_id",
                    "phones": "location_id",
                    "schedules": "location_id",
                },
            )
        return pk

    def service_at_location(self, record, path: str, link: dict) -> uuid.UUID | None:
        if not isinstance(record, dict):
            self.report.reject("service_at_location", path, "", "", NOT_AN_OBJECT)
            return None
        location_pk = None
        if isinstance(record.get("location"), dict):
            location_pk = self.location(record["location"], f"{path}.location", {})
        elif record.get("location_id"):
            try:
                location_pk = parse_uuid(record["location_id"])
            except FieldError:
                location_pk = None
        if location_pk is None or not Location.objects.filter(pk=location_pk, directory=self.directory).exists():
            values, pk = self._values("service_at_location", record, path)
            if values is not None:
                self.report.reject("service_at_location", path, record.get("id"), "location", LOCATION_REQUIRED)
            return pk
        pk, sal = self._simple("service_at_location", record, path, {**link, "location_id": location_pk}, "description")
        if sal is not None:
            self._nested(
                "service_at_location",
                sal,
                record,
                path,
                {
                    "contacts": "service_at_location_id",
                    "phones": "service_at_location_id",
                    "schedules": "service_at_location_id",
                },
            )
        return pk

    def phone(self, record, path: str, link: dict) -> uuid.UUID | None:
        pk, phone = self._simple("phone", record, path, link, "number")
        if phone is not None:
            self._nested("phone", phone, record, path, {"languages": "phone_id"})
        return pk

    def contact(self, record, path: str, link: dict) -> uuid.UUID | None:
        pk, contact = self._simple("contact", record, path, link)
        if contact is not None:
            self._nested("contact", contact, record, path, {"phones": "contact_id"})
        return pk

    def schedule(self, record, path: str, link: dict) -> uuid.UUID | None:
        return self._simple("schedule", record, path, link, "description")[0]

    def language(self, record, path: str, link: dict) -> uuid.UUID | None:
        return self._simple("language", record, path, link)[0]

    def address(self, record, path: str, link: dict) -> uuid.UUID | None:
        return self._simple("address", record, path, link, "address_1")[0]

    def accessibility(self, record, path: str, link: dict) -> uuid.UUID | None:
        return self._simple("accessibility", record, path, link, "description")[0]

    def cost_option(self, record, path: str, link: dict) -> uuid.UUID | None:
        return self._simple("cost_option", record, path, link, "option")[0]

    def service_area(self, record, path: str, link: dict) -> uuid.UUID | None:
        if not isinstance(record, dict):
            self.report.reject("service_area", path, "", "", NOT_AN_OBJECT)
            return None
        values, pk = self._values("service_area", record, path)
        if values is None or not self._check_links("service_area", record, path, link):
            return pk
        area_type, code = catchment_of(values.get("name", ""), values.get("extent", ""), values.get("extent_type", ""))
        values.update(area_type=area_type, code=code)
        self._upsert("service_area", pk, values, link, path, values.get("name", "")[:100])
        return pk

    def attribute(self, record, path: str, service: Service):
        """Import one attribute of a service: (pk, term), or None when rejected before an id was read."""
        if not isinstance(record, dict):
            self.report.reject("attribute", path, "", "", NOT_AN_OBJECT)
            return None
        values, pk = self._values("attribute", record, path)
        if values is None:
            return (pk, None) if pk else None
        if values.get("link_entity") in OTHER_TABLES:  # it describes another record than the service
            self.report.ignored[f"attribute.link_entity={values['link_entity']}"] += 1
            return pk, None
        values["link_entity"] = values.get("link_entity") or "service"
        if not self._check_links("attribute", record, path, {"link_id": service.pk}):
            return pk, None
        term = None
        if isinstance(record.get("taxonomy_term"), dict):
            term = self.taxonomy_term(record["taxonomy_term"], f"{path}.taxonomy_term")
        elif record.get("taxonomy_term_id"):
            try:
                term = TaxonomyTerm.objects.filter(pk=parse_uuid(record["taxonomy_term_id"])).first()
            except FieldError:
                term = None
        if term is None:
            self.report.reject("attribute", path, pk, "taxonomy_term_id", TERM_REQUIRED)
            return pk, None
        nested_and_id = record.get("taxonomy_term_id") and isinstance(record.get("taxonomy_term"), dict)
        if nested_and_id and not self._check_links("attribute", record, path, {"taxonomy_term_id": term.pk}):
            return pk, None
        if term.taxonomy_key == vocabulary.FLAGS:
            return pk, term
        link_type = values.get("link_type", "")
        if term.taxonomy_key == vocabulary.REFERRER_ROLES:
            if link_type not in (vocabulary.LINK_REFERRER, vocabulary.LINK_PRACTITIONER):
                link_type = vocabulary.LINK_REFERRER
        elif term.taxonomy_key in vocabulary.LINK_TYPES:
            link_type = vocabulary.LINK_TYPES[term.taxonomy_key]
        values["link_type"] = link_type
        same = service.attributes.filter(taxonomy_term=term, link_type=link_type).exclude(pk=pk).first()
        if same is not None:  # the same fact under another id: keep ours
            self.report.record("attribute", same.pk, term.name, "unchanged")
            return same.pk, term
        self._upsert("attribute", pk, values, {"service_id": service.pk, "taxonomy_term_id": term.pk}, path, term.name)
        return pk, term

    def taxonomy_term(self, record, path: str) -> TaxonomyTerm | None:
        if not isinstance(record, dict):
            self.report.reject("taxonomy_term", path, "", "", NOT_AN_OBJECT)
            return None
        values, pk = self._values("taxonomy_term", record, path)
        if pk is not None:
            existing = TaxonomyTerm.objects.select_related("taxonomy").filter(pk=pk).first()
            if existing is not None:  # shared vocabulary: never rewritten by an import
                self.report.record("taxonomy_term", pk, existing.name, "unchanged")
                return existing
        if values is None:
            return None
        taxonomy = None
        if isinstance(record.get("taxonomy_detail"), dict):
            taxonomy = self.taxonomy(record["taxonomy_detail"], f"{path}.taxonomy_detail")
        elif record.get("taxonomy_id"):
            try:
                taxonomy = Taxonomy.objects.filter(pk=parse_uuid(record["taxonomy_id"])).first()
            except FieldError as error:
                self.report.reject("taxonomy_term", path, pk, "taxonomy_id", str(error))
                return None
        term = TaxonomyTerm(pk=pk, taxonomy=taxonomy, **values)
        try:
            with transaction.atomic():
                term.save(force_insert=True)
        except IntegrityError:
            self.report.reject("taxonomy_term", path, pk, "code", "Another term of this taxonomy has this code.")
            return None
        self.report.record("taxonomy_term", pk, term.name, "created")
        return term

    def taxonomy(self, record, path: str) -> Taxonomy | None:
        if not isinstance(record, dict):
            self.report.reject("taxonomy", path, "", "", NOT_AN_OBJECT)
            return None
        values, pk = self._values("taxonomy", record, path)
        if pk is not None:
            existing = Taxonomy.objects.filter(pk=pk).first()
            if existing is not None:
                self.report.record("taxonomy", pk, existing.name, "unchanged")
                return existing
        if values is None:
            return None
        taxonomy = Taxonomy.objects.create(pk=pk, **values)
        self.report.record("taxonomy", pk, taxonomy.name, "created")
        return taxonomy
