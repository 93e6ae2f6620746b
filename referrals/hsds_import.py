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

import contextlib
import functools
import json
import math
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
from django.db import DataError, IntegrityError, models, transaction
from django.db.models.base import ModelState

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
HAS_NUL = "Contains a NUL character (\\u0000), which cannot be stored."
BAD_TIME = "Must be a time of day, HH:MM or HH:MM:SS (00:00 to 23:59:59)."
BAD_LANGUAGE = "Must be an ISO 639 language code (e.g. en, vi, eng), optionally with a region (en-AU)."
DUPLICATE_ID = "Another {kind} in this file ({path}) has this id with different values; only the first is used."
TOO_DEEP = "Nested more than {limit} levels deep; HSDS records are never this deep."
WITHOUT_CATCHMENT = "No service area we can check (a postcode or a known council): offered for every postcode."
MAX_DEPTH = 24  # containers from a top-level record down; HSDS's deepest path needs about 12
TIME_RE = re.compile(r"(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?(?:Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)?")
LANGUAGE_RE = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")
TIME = "time"
LANGUAGE = "language"

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
            **_same("byday", "byweekno", "bymonthday", "byyearday", "description"),
            "opens_at": ("opens_at", TIME),
            "closes_at": ("closes_at", TIME),
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
        {**_same("name", "note"), "code": ("code", LANGUAGE)},
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
            **_same("code", "name", "description"),
            "language": ("language", LANGUAGE),
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
LISTED_KINDS = {*MAIN_KINDS, "service_at_location"}


@dataclass
class Report:
    actions: dict[tuple[str, str], dict] = field(default_factory=dict)
    skipped: list[dict] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    removed: list[dict] = field(default_factory=list)
    ignored: Counter = field(default_factory=Counter)
    # For the coordinator to map (or leave unmatched): service areas naming no postcode or council we
    # know, and terms of other taxonomies; and services left with no catchment we can check.
    unmatched_areas: dict[str, dict] = field(default_factory=dict)
    mapped_areas: dict[str, dict] = field(default_factory=dict)
    foreign_terms: dict[str, dict] = field(default_factory=dict)
    without_catchment: list[dict] = field(default_factory=list)
    failed: str = ""

    def record(self, kind: str, pk, name: str, action: str) -> None:
        key = (kind, str(pk))
        previous = self.actions.get(key)
        if previous is None or RANK[action] > RANK[previous["action"]]:
            self.actions[key] = {"kind": kind, "id": str(pk), "name": printable(name), "action": action}

    def reject(self, kind: str, path: str, pk, field_name: str, reason: str, name: str = "") -> None:
        self.rejected.append(
            {
                "kind": kind,
                "path": printable(path) or "(top level)",
                "id": printable(pk),
                "name": printable(name),
                "field": printable(field_name),
                "reason": reason,
            }
        )

    def as_dict(self) -> dict:
        by_action: dict[str, list[dict]] = {"created": [], "updated": [], "unchanged": []}
        counts: dict[str, dict[str, int]] = {}
        for entry in self.actions.values():
            counts.setdefault(entry["kind"], Counter())[entry["action"]] += 1
            if entry["kind"] in LISTED_KINDS:  # nested rows (phones, schedules …) are only counted
                by_action[entry["action"]].append(entry)
        for action, entries in [("skipped", self.skipped), ("removed", self.removed)]:
            for entry in entries:
                counts.setdefault(entry["kind"], Counter())[action] += 1
        rejected_records = {(r["kind"], r["path"]) for r in self.rejected}
        for kind, _ in rejected_records:
            counts.setdefault(kind, Counter())["rejected"] += 1
        return printable_tree(
            {
                "failed": self.failed,
                **by_action,
                "skipped": self.skipped,
                "removed": self.removed,
                "rejected": self.rejected,
                "warnings": self.warnings,
                "ignored": {printable(k): n for k, n in sorted(self.ignored.items())},
                "counts": {kind: dict(c) for kind, c in sorted(counts.items())},
                "unmatched_areas": sorted(self.unmatched_areas.values(), key=lambda a: (-a["services"], a["name"])),
                "mapped_areas": sorted(self.mapped_areas.values(), key=lambda a: a["name"]),
                "foreign_terms": sorted(self.foreign_terms.values(), key=lambda t: (t["taxonomy"], t["name"])),
                "without_catchment": self.without_catchment,
            }
        )


def printable_tree(value):
    if isinstance(value, dict):
        return {printable(k): printable_tree(v) for k, v in value.items()}
    if isinstance(value, list):
        return [printable_tree(v) for v in value]
    return printable(value) if isinstance(value, str) else value


def printable(value) -> str:
    """Text for the report (stored as JSON): NUL characters written out, since PostgreSQL cannot keep them."""
    text = "" if value is None else str(value)
    return text.replace("\x00", "\\u0000")


# --- Reading the file ----------------------------------------------------------------------------

MAX_FILE_BYTES = 50 * 1024 * 1024
FILE_TOO_LARGE = "The file is larger than {limit} MB; split it into pages (HSDS list pages of `contents`)."
NOT_UTF8 = "This is not a UTF-8 text file (HSDS JSON is UTF-8)."
NOT_JSON = "This is not a JSON file: {error}."
JSON_TOO_DEEP = "The JSON is nested too deeply to be HSDS (thousands of levels)."


def load_json(raw: bytes):
    """The JSON in an uploaded file; ValueError with a message for the coordinator when it is not."""
    if len(raw) > MAX_FILE_BYTES:
        raise ValueError(FILE_TOO_LARGE.format(limit=MAX_FILE_BYTES // (1024 * 1024)))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(NOT_UTF8)
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError(JSON_TOO_DEEP)
    except json.JSONDecodeError as error:
        raise ValueError(NOT_JSON.format(error=error))


# --- Converting values ---------------------------------------------------------------------------


@functools.cache
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
        return "" if kind in (T, EMAIL, URI, TIME, LANGUAGE) or isinstance(kind, tuple) else None
    if isinstance(value, str) and "\x00" in value:
        raise FieldError(HAS_NUL)
    if kind in (TIME, LANGUAGE):
        if not isinstance(value, str):
            raise FieldError("Must be text.")
        if value and not (TIME_RE if kind == TIME else LANGUAGE_RE).fullmatch(value):
            raise FieldError(BAD_TIME if kind == TIME else BAD_LANGUAGE)
        limit = _max_length(model, attr)
        if limit and len(value) > limit:
            raise FieldError(f"Longer than {limit} characters.")
        return value
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
        if not math.isfinite(value):
            raise FieldError("Must be a finite number.")
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
        big = _is_big(model, attr)
        if value < 0 or value != int(value) or value > (2**53 if big else 2**31 - 1):
            raise FieldError(f"Must be a whole number from 0 to {2**53 if big else 2**31 - 1}.")
        return int(value)
    raise AssertionError(kind)  # pragma: no cover


@functools.cache
def _is_big(model, attr: str) -> bool:
    return model._meta.get_field(attr).get_internal_type() == "PositiveBigIntegerField"


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


COUNCIL_WORDS = re.compile(
    r"\b(?:local government area|shire council|city council|rural city|city of|shire of|lga|city|shire|"
    r"council|borough|municipality|the|of)\b",
    flags=re.IGNORECASE,
)


def _council_key(text: str) -> str:
    return " ".join(COUNCIL_WORDS.sub(" ", re.sub(r"[^\w\s]", " ", text)).lower().split())


COUNCILS_BY_KEY = {_council_key(lga): lga for lga in places.LGAS}


def council_of(text: str) -> str | None:
    """A known council named in any usual way: "Ballarat LGA", "City of Ballarat", "Hepburn Shire Council"."""
    text = (text or "").strip()
    if not text or len(text) > 200:
        return None
    lga = places.normalise_lga(text)
    if lga in places.LGAS:
        return lga
    return COUNCILS_BY_KEY.get(_council_key(text)) if _council_key(text) else None


def catchment_of(name: str, extent: str, extent_type: str) -> tuple[str, str]:
    """(area_type, code) of an HSDS service area: a postcode, a council, or other."""
    for text in (extent if extent_type in ("", "text") else "", name):
        text = (text or "").strip()
        match = re.fullmatch(r"(?:postcode\s*)?(\d{4})", text, flags=re.IGNORECASE)
        if match:
            return ServiceArea.AreaType.POSTCODE, match.group(1)
        lga = council_of(text)
        if lga:
            return ServiceArea.AreaType.LGA, lga
    return ServiceArea.AreaType.OTHER, ""


def depth_of(value, limit: int) -> int:
    """How many containers deep a JSON value goes (stopping once past limit), without recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if not isinstance(node, dict | list):
            continue
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        stack.extend((child, depth + 1) for child in (node.values() if isinstance(node, dict) else node))
    return deepest


KEY_MODELS = {
    "phones": Phone,
    "schedules": Schedule,
    "service_areas": ServiceArea,
    "service_at_locations": ServiceAtLocation,
    "languages": Language,
    "cost_options": CostOption,
    "contacts": Contact,
    "attributes": Attribute,
    "addresses": Address,
    "accessibility": Accessibility,
    "locations": Location,
    "services": Service,
    "location": Location,
    "organization": Organization,
    "service": Service,
}
ID_MODELS = {"service_id": Service, "location_id": Location, "organization_id": Organization}


def collect_ids(value, found: dict[type, set[uuid.UUID]], model=None) -> None:
    """The ids of each kind of row the file names (as an id, or a service/location/organisation id), so
    those rows can be read in bulk, one query per kind."""
    stack = [(value, model)]
    while stack:
        node, model = stack.pop()
        if isinstance(node, list):
            stack.extend((item, model) for item in node)
            continue
        if not isinstance(node, dict):
            continue
        for key, child in node.items():
            if isinstance(child, dict | list):
                stack.append((child, KEY_MODELS.get(key)))
            elif isinstance(child, str) and len(child) == 36:
                target = model if key == "id" else ID_MODELS.get(key)
                if target is not None:
                    with contextlib.suppress(ValueError):
                        found.setdefault(target, set()).add(uuid.UUID(child))


# --- Rows in bulk --------------------------------------------------------------------------------

# The order new rows are written in (each after the rows it points to).
WRITE_ORDER = [
    Organization,
    Location,
    Service,
    ServiceAtLocation,
    Contact,
    Phone,
    Language,
    Schedule,
    Address,
    Accessibility,
    ServiceArea,
    CostOption,
    Attribute,
]
PARENT_MODEL = {
    "service_id": Service,
    "location_id": Location,
    "organization_id": Organization,
    "contact_id": Contact,
    "service_at_location_id": ServiceAtLocation,
    "phone_id": Phone,
}
CHUNK = 2000
_FIELD_DEFAULTS: dict[type, tuple[dict[str, Any], list[tuple[str, Any]], set[str]]] = {}


def new_row(model, values: dict):
    """model(**values) for a row bulk-written later: each field's default, then the values, set directly
    (a third of the time of Model.__init__, which counts for 100,000 rows; no model here has __init__
    logic or init signals)."""
    spec = _FIELD_DEFAULTS.get(model)
    if spec is None:
        fields = model._meta.concrete_fields
        fixed = {f.attname: f.get_default() for f in fields if not callable(f.default)}
        spec = (fixed, [(f.attname, f.get_default) for f in fields if callable(f.default)], {f.attname for f in fields})
        _FIELD_DEFAULTS[model] = spec
    fixed, made, names = spec
    unknown = values.keys() - names
    if unknown:
        raise TypeError(f"{model.__name__} has no {', '.join(sorted(unknown))}")
    data = dict(fixed)
    for attname, make in made:
        if attname not in values:
            data[attname] = make()
    data.update(values)
    obj = model.__new__(model)
    obj.__dict__.update(data)
    obj._state = ModelState()
    return obj


class Store:
    """The rows an import reads and writes, read in bulk by the ids the file names, with new rows held
    back and written with bulk_create at the end (in the import's transaction), so 10,000 services cost
    a few hundred queries, not hundreds of thousands."""

    def __init__(self, ids: dict[type, set[uuid.UUID]]):
        self.rows: dict[type, dict[uuid.UUID, models.Model]] = {model: {} for model in WRITE_ORDER}
        self.new: dict[type, dict[uuid.UUID, models.Model]] = {model: {} for model in WRITE_ORDER}
        self.index: dict[tuple[type, str], dict[uuid.UUID, set[uuid.UUID]]] = {}
        self.journal: list[models.Model] = []
        for model in WRITE_ORDER:
            ordered = sorted(ids.get(model, ()))
            for start in range(0, len(ordered), CHUNK):
                for obj in model.objects.filter(pk__in=ordered[start : start + CHUNK]):
                    self.rows[model][obj.pk] = obj
        self.any_existing = any(self.rows.values())  # else nothing is written before flush()
        # Shared vocabulary is small: all of it.
        self.taxonomies = {t.pk: t for t in Taxonomy.objects.all()}
        self.terms = {t.pk: t for t in TaxonomyTerm.objects.select_related("taxonomy")}

    def get(self, model, pk):
        return self.rows[model].get(pk) if pk is not None else None

    def is_new(self, obj) -> bool:
        return obj.pk in self.new[type(obj)]

    def add(self, obj) -> None:
        model = type(obj)
        self.rows[model][obj.pk] = obj
        self.new[model][obj.pk] = obj
        self.journal.append(obj)
        for (indexed, attr), by_parent in self.index.items():
            if indexed is model and getattr(obj, attr) is not None:
                by_parent.setdefault(getattr(obj, attr), set()).add(obj.pk)

    def relink(self, obj, attr: str, old, new) -> None:
        by_parent = self.index.get((type(obj), attr))
        if by_parent is None or old == new:
            return
        if old is not None:
            by_parent.get(old, set()).discard(obj.pk)
        if new is not None:
            by_parent.setdefault(new, set()).add(obj.pk)

    def children(self, model, attr: str, parent_pk) -> list:
        """Rows of `model` whose `attr` is parent_pk (read for every known parent at the first call)."""
        key = (model, attr)
        if key not in self.index:
            by_parent: dict[uuid.UUID, set[uuid.UUID]] = {}
            parent_model = PARENT_MODEL[attr]
            parents = sorted(pk for pk in self.rows[parent_model] if pk not in self.new[parent_model])
            for start in range(0, len(parents), CHUNK):
                for obj in model.objects.filter(**{f"{attr}__in": parents[start : start + CHUNK]}):
                    self.rows[model].setdefault(obj.pk, obj)
            for obj in self.rows[model].values():
                if getattr(obj, attr) is not None:
                    by_parent.setdefault(getattr(obj, attr), set()).add(obj.pk)
            self.index[key] = by_parent
        return [self.rows[model][pk] for pk in sorted(self.index[key].get(parent_pk, ())) if pk in self.rows[model]]

    def forget(self, obj) -> None:
        model = type(obj)
        self.rows[model].pop(obj.pk, None)
        self.new[model].pop(obj.pk, None)
        for (indexed, _), by_parent in self.index.items():
            if indexed is model:
                for pks in by_parent.values():
                    pks.discard(obj.pk)

    def undo_journal(self) -> None:
        """A top-level record failed: the new rows it held back are dropped with it."""
        for obj in self.journal:
            if obj.pk in self.new[type(obj)]:
                self.forget(obj)
        self.journal = []

    def flush(self) -> None:
        from django.db import connection

        for model in WRITE_ORDER:
            rows = list(self.new[model].values())
            if rows and connection.vendor == "postgresql":
                copy_rows(model, rows)
            elif rows:
                model.objects.bulk_create(rows, batch_size=1000)
            self.new[model] = {}


def copy_rows(model, rows: list) -> None:
    """PostgreSQL's COPY for new rows: what bulk_create does (pre_save for auto_now fields, the database
    form of each value), without building INSERT statements of thousands of parameters."""
    from django.db import connection

    fields = list(model._meta.concrete_fields)
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for obj in rows:
            copy.write_row([f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields])
    for obj in rows:
        obj._state.adding = False
        obj._state.db = connection.alias


# --- The importer --------------------------------------------------------------------------------


class Importer:
    """Mappings (from the preview, chosen by a coordinator): `areas` {area name: council, or "" to leave
    it unmatched} and `terms` {term id: one of our need codes}."""

    def __init__(self, directory: Directory, *, mappings: dict | None = None, progress=None, write: bool = True):
        self.directory = directory
        self.write = write  # False for a dry run: every check is made, and the new rows are not written
        self.report = Report()
        mappings = mappings or {}
        self.area_map: dict[str, str] = {k: v for k, v in (mappings.get("areas") or {}).items() if v in places.LGAS}
        self.term_map: dict[str, str] = dict(mappings.get("terms") or {})
        self.progress = progress
        self.store: Store | None = None
        self.seen: dict[tuple[str, uuid.UUID], tuple[dict, str]] = {}
        self._need_terms: dict[str, TaxonomyTerm] | None = None

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
        paths = ["" if prefix is None else f"{prefix}[{index}]" for index in range(len(records))]
        shallow = []
        ids: dict[type, set[uuid.UUID]] = {}
        for path, record in zip(paths, records, strict=True):
            if depth_of(record, MAX_DEPTH) > MAX_DEPTH:
                pk = record.get("id") if isinstance(record, dict) else ""
                self.report.reject(
                    "record", path, pk if isinstance(pk, str) else "", "", TOO_DEEP.format(limit=MAX_DEPTH)
                )
                continue
            collect_ids(
                record,
                ids,
                {"service": Service, "organization": Organization, "location": Location}.get(self._kind_of(record)),
            )
            shallow.append((path, record))
        self.store = Store(ids)
        top_level: dict[uuid.UUID, str] = {}
        for done, (path, record) in enumerate(shallow, start=1):
            self._one(path, record, top_level)
            if self.progress is not None and (done % 200 == 0 or done == len(shallow)):
                self.progress(done, len(shallow))
        if not self.write:
            return self.report
        try:
            with transaction.atomic():
                self.store.flush()
        except (IntegrityError, DataError) as error:  # the caller rolls the whole import back
            self.report.failed = f"The file could not be saved, so nothing was imported: {error}"
        return self.report

    def _one(self, path: str, record, top_level: dict) -> None:
        kind = self._kind_of(record)
        if kind is None:
            pk = record.get("id") if isinstance(record, dict) else ""
            self.report.reject("record", path, pk, "", UNKNOWN_KIND if isinstance(record, dict) else NOT_AN_OBJECT)
            return
        given = record.get("id")
        if isinstance(given, str):
            try:
                pk = parse_uuid(given)
            except FieldError:
                pk = None
            if pk is not None and (kind, pk) in top_level:
                first = top_level[(kind, pk)]
                self.report.reject(kind, path, given, "id", DUPLICATE_ID.format(kind=kind, path=first or "(top level)"))
                return
            if pk is not None:
                top_level[(kind, pk)] = path
        self.store.journal = []
        # A savepoint per record, so a conflict costs that record only; a file of new records writes
        # nothing until flush() (taxonomy terms have their own), so it needs none.
        guard = transaction.atomic() if self.store.any_existing else contextlib.nullcontext()
        try:
            with guard:
                if kind == "service":
                    self.service(record, path)
                elif kind == "organization":
                    self.organization(record, path)
                elif kind == "location":
                    self.location(record, path, {})
                elif kind == "service_at_location":
                    self.service_at_location_top(record, path)
                elif kind == "taxonomy_term":
                    self.taxonomy_term(record, path)
                else:
                    self.taxonomy(record, path)
        except IntegrityError as error:  # a conflict the checks did not foresee: this record only
            self.store.undo_journal()
            self.report.reject(kind, path, record.get("id"), "", f"Could not be saved: {error}")

    @staticmethod
    def _kind_of(record) -> str | None:
        """service, organization, location, service_at_location, taxonomy_term or taxonomy, from its keys."""
        if not isinstance(record, dict):
            return None
        keys = set(record)
        if isinstance(record.get("service"), dict) and not keys & {"status", "services", "location_type"}:
            return "service_at_location"
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
        if not errors and pk is not None:
            first = self.seen.get((kind, pk))
            if first is None:
                self.seen[(kind, pk)] = (values, path)
            elif first[0] != values:
                errors.append(("id", DUPLICATE_ID.format(kind=kind.replace("_", " "), path=first[1] or "(top level)")))
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
        obj = self.store.get(model, pk)
        if obj is None:
            obj = new_row(model, {"id": pk, "directory_id": self.directory.pk, **values, **link})
            self.store.add(obj)
            self.report.record(kind, pk, name, "created")
            return obj
        if obj.directory_id != self.directory.pk:
            self.report.reject(kind, path, pk, "id", OTHER_DIRECTORY, name=name)
            return None
        wanted = {**values, **link}
        changed = [attr for attr, value in wanted.items() if getattr(obj, attr) != value]
        for attr in changed:
            old = getattr(obj, attr)
            setattr(obj, attr, wanted[attr])
            self.store.relink(obj, attr, old, wanted[attr])
        if changed and not self.store.is_new(obj):
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
        for obj in self.store.children(SPECS[kind].model, link_attr, parent.pk):
            if obj.pk not in kept:
                self._remove(kind, obj, link_attr)

    def _remove(self, kind: str, obj, link_attr: str) -> None:
        model = type(obj)
        if model in SHARED:
            old = getattr(obj, link_attr)
            setattr(obj, link_attr, None)
            self.store.relink(obj, link_attr, old, None)
            if any(getattr(obj, attr) for attr in LINK_FIELDS[model]):
                if not self.store.is_new(obj):
                    obj.save(update_fields=[link_attr])
                return
        self.report.removed.append({"kind": kind, "id": str(obj.pk), "name": str(obj)[:100]})
        if not self.store.is_new(obj):
            obj.delete()
        self.store.forget(obj)

    def _nested(self, kind: str, parent, record: dict, path: str, keys: dict[str, str]) -> None:
        for key, link_attr in keys.items():
            if key in record:
                self._children(kind, parent, record, key, path, link_attr)

    def _organization_here(self, value) -> Organization | None:
        try:
            pk = parse_uuid(value)
        except FieldError:
            return None
        found = self.store.get(Organization, pk)
        return found if found is not None and found.directory_id == self.directory.pk else None

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
        existing = self.store.get(Service, pk)
        if existing is not None and existing.directory_id != self.directory.pk:
            self.report.reject("service", path, pk, "id", OTHER_DIRECTORY, name=name)
            return pk
        if existing is not None and existing.assured_date is not None and not self.store.is_new(existing):
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
        if "service_areas" in record and isinstance(record["service_areas"], list):
            areas = self.store.children(ServiceArea, "service_id", service.pk)
            if not any(a.area_type != ServiceArea.AreaType.OTHER for a in areas):
                self.report.without_catchment.append(
                    {"id": str(pk), "name": printable(name), "areas": len(areas), "reason": WITHOUT_CATCHMENT}
                )
        return pk

    def _service_organization(self, record: dict, path: str, pk, organization: Organization | None):
        nested = record.get("organization")
        if isinstance(nested, dict):
            org_pk = self.organization(nested, f"{path}.organization" if path else "organization")
            found = self._organization_here(str(org_pk)) if org_pk else None
            if found is not None:
                return found
        elif nested is not None:
            self.report.reject("service", path, pk, "organization", NOT_AN_OBJECT)
        given = record.get("organization_id")
        if given:
            try:
                parse_uuid(given)
            except FieldError as error:
                self.report.warnings.append(
                    {"kind": "service", "id": str(pk), "field": "organization_id", "reason": str(error)}
                )
                return organization
            found = self._organization_here(given)
            if found is None:
                self.report.warnings.append(
                    {"kind": "service", "id": str(pk), "field": "organization_id", "reason": UNKNOWN_ORGANIZATION}
                )
            return found or organization
        return organization

    def _term_taxonomy_key(self, term: TaxonomyTerm) -> str | None:
        taxonomy = self.store.taxonomies.get(term.taxonomy_id) if term.taxonomy_id else None
        return taxonomy.key if taxonomy is not None else None

    def _service_attributes(self, service: Service, record: dict, path: str) -> None:
        items = record["attributes"]
        if not isinstance(items, list):
            self.report.reject("service", path, service.pk, "attributes", NOT_A_LIST)
            return
        kept: set[uuid.UUID] = set()
        taxonomies: set[uuid.UUID | None] = set()
        flags: set[str] = set()
        mapped_needs: set[str] = set()
        saw_flags = False
        for index, item in enumerate(items):
            item_path = f"{path}.attributes[{index}]" if path else f"attributes[{index}]"
            result = self.attribute(item, item_path, service)
            if result is None:
                continue
            pk, term = result
            if term is not None:
                taxonomies.add(term.taxonomy_id)
                key = self._term_taxonomy_key(term)
                if key == vocabulary.FLAGS:
                    saw_flags = True
                    flags.add(term.code)
                    continue
                if key is None and self.term_map.get(str(term.pk)):
                    mapped_needs.add(self.term_map[str(term.pk)])
            if pk is not None:
                kept.add(pk)
        for attribute in self.store.children(Attribute, "service_id", service.pk):
            if attribute.pk in kept:
                continue
            term = self.store.terms.get(attribute.taxonomy_term_id)
            ours = term is not None and self._term_taxonomy_key(term) is not None
            if not ours or (term is not None and term.taxonomy_id in taxonomies):
                label = term.name if term is not None else str(attribute.pk)
                self.report.removed.append({"kind": "attribute", "id": str(attribute.pk), "name": label[:100]})
                if not self.store.is_new(attribute):
                    attribute.delete()
                self.store.forget(attribute)
        for code in sorted(mapped_needs):
            self._add_mapped_need(service, code)
        if saw_flags:
            changed = []
            for code, attr in vocabulary.FLAG_FIELDS.items():
                if getattr(service, attr) != (code in flags):
                    setattr(service, attr, code in flags)
                    changed.append(attr)
            if changed:
                if not self.store.is_new(service):
                    service.save(update_fields=changed)
                self.report.record("service", service.pk, service.name, "updated")

    def _add_mapped_need(self, service: Service, code: str) -> None:
        """A coordinator mapped a term of another taxonomy to one of our needs: tag the service with it."""
        if self._need_terms is None:
            self._need_terms = {
                t.code: t for t in self.store.terms.values() if self._term_taxonomy_key(t) == vocabulary.NEEDS
            }
        need = self._need_terms.get(code)
        if need is None:
            return
        existing = self.store.children(Attribute, "service_id", service.pk)
        if any(a.taxonomy_term_id == need.pk and a.link_type == vocabulary.LINK_NEED for a in existing):
            return
        pk = vocabulary.derived_id("mapped-need", service.pk, need.pk)
        attribute = Attribute(
            pk=pk,
            directory=self.directory,
            service_id=service.pk,
            taxonomy_term_id=need.pk,
            link_type=vocabulary.LINK_NEED,
        )
        self.store.add(attribute)
        self.report.record("attribute", pk, need.name, "created")

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
            found = self._organization_here(record["organization_id"])
            if found is not None:
                link = {**link, "organization_id": found.pk}
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

    def service_at_location_top(self, record: dict, path: str) -> uuid.UUID | None:
        """A service_at_location on its own (the /service_at_locations shape): its service, then itself."""
        service_path = f"{path}.service" if path else "service"
        service_pk = self.service(record["service"], service_path)
        service = self.store.get(Service, service_pk)
        if service is None or service.directory_id != self.directory.pk:
            values, pk = self._values("service_at_location", record, path)
            if values is not None:
                self.report.reject(
                    "service_at_location", path, record.get("id"), "service", "The service was not imported."
                )
            return pk
        if record.get("service_id") and not self._check_links(
            "service_at_location", record, path, {"service_id": service.pk}
        ):
            return None
        return self.service_at_location(record, path, {"service_id": service.pk})

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
        location = self.store.get(Location, location_pk)
        if location is None or location.directory_id != self.directory.pk:
            values, pk = self._values("service_at_location", record, path)
            if values is not None:
                self.report.reject("service_at_location", path, record.get("id"), "location", LOCATION_REQUIRED)
            return pk
        record = {k: v for k, v in record.items() if k != "service"}
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
        name = values.get("name", "")
        area_type, code = catchment_of(name, values.get("extent", ""), values.get("extent_type", ""))
        if area_type == ServiceArea.AreaType.OTHER:
            label = " ".join(name.split())[:200] or "(no name)"
            council = self.area_map.get(label)
            if council:
                area_type, code = ServiceArea.AreaType.LGA, council
                entry = self.report.mapped_areas.setdefault(label, {"name": label, "council": council, "services": 0})
            else:
                entry = self.report.unmatched_areas.setdefault(label, {"name": label, "services": 0})
            entry["services"] += 1
        values.update(area_type=area_type, code=code)
        self._upsert("service_area", pk, values, link, path, name[:100])
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
                term = self.store.terms.get(parse_uuid(record["taxonomy_term_id"]))
            except FieldError:
                term = None
        if term is None:
            self.report.reject("attribute", path, pk, "taxonomy_term_id", TERM_REQUIRED)
            return pk, None
        nested_and_id = record.get("taxonomy_term_id") and isinstance(record.get("taxonomy_term"), dict)
        if nested_and_id and not self._check_links("attribute", record, path, {"taxonomy_term_id": term.pk}):
            return pk, None
        key = self._term_taxonomy_key(term)
        if key == vocabulary.FLAGS:
            return pk, term
        if key is None:
            taxonomy = self.store.taxonomies.get(term.taxonomy_id) if term.taxonomy_id else None
            entry = self.report.foreign_terms.setdefault(
                str(term.pk),
                {
                    "id": str(term.pk),
                    "name": printable(term.name),
                    "code": printable(term.code),
                    "taxonomy": printable(taxonomy.name if taxonomy else term.taxonomy_name),
                    "services": 0,
                    "need": self.term_map.get(str(term.pk), ""),
                },
            )
            entry["services"] += 1
        link_type = values.get("link_type", "")
        if key == vocabulary.REFERRER_ROLES:
            if link_type not in (vocabulary.LINK_REFERRER, vocabulary.LINK_PRACTITIONER):
                link_type = vocabulary.LINK_REFERRER
        elif key in vocabulary.LINK_TYPES:
            link_type = vocabulary.LINK_TYPES[key]
        values["link_type"] = link_type
        for same in self.store.children(Attribute, "service_id", service.pk):
            if same.pk != pk and same.taxonomy_term_id == term.pk and same.link_type == link_type:
                self.report.record("attribute", same.pk, term.name, "unchanged")  # the same fact under another id
                return same.pk, term
        self._upsert("attribute", pk, values, {"service_id": service.pk, "taxonomy_term_id": term.pk}, path, term.name)
        return pk, term

    def taxonomy_term(self, record, path: str) -> TaxonomyTerm | None:
        if not isinstance(record, dict):
            self.report.reject("taxonomy_term", path, "", "", NOT_AN_OBJECT)
            return None
        values, pk = self._values("taxonomy_term", record, path)
        if pk is not None:
            existing = self.store.terms.get(pk)
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
                taxonomy = self.store.taxonomies.get(parse_uuid(record["taxonomy_id"]))
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
        self.store.terms[term.pk] = term
        self.report.record("taxonomy_term", pk, term.name, "created")
        return term

    def taxonomy(self, record, path: str) -> Taxonomy | None:
        if not isinstance(record, dict):
            self.report.reject("taxonomy", path, "", "", NOT_AN_OBJECT)
            return None
        values, pk = self._values("taxonomy", record, path)
        if pk is not None:
            existing = self.store.taxonomies.get(pk)
            if existing is not None:
                self.report.record("taxonomy", pk, existing.name, "unchanged")
                return existing
        if values is None:
            return None
        taxonomy = Taxonomy.objects.create(pk=pk, **values)
        self.store.taxonomies[taxonomy.pk] = taxonomy
        self.report.record("taxonomy", pk, taxonomy.name, "created")
        return taxonomy
