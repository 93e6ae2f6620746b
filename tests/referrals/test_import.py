"""HSDS import: the official examples round-trip, ids make it idempotent, newer verified dates win, and
every rejected record is reported with its field and the reason."""

import copy
import io
import json
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from referrals import places, services, vocabulary
from referrals.hsds import MARKER
from referrals.models import Attribute, HsdsImport, Location, Organization, Phone, Service, TaxonomyTerm
from tests.referrals import hsds_schemas
from tests.referrals.factories import DirectoryFactory, ServiceFactory, need, term

pytestmark = pytest.mark.django_db

SERVICE_ID = "ac148810-d857-441c-9679-408f346de14b"
ORGANIZATION_ID = "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"

# Where a nested object sits, and the HSDS definition it is.
KIND_OF_KEY = {
    "phones": "phone",
    "schedules": "schedule",
    "service_areas": "service_area",
    "service_at_locations": "service_at_location",
    "languages": "language",
    "contacts": "contact",
    "attributes": "attribute",
    "taxonomy_term": "taxonomy_term",
    "taxonomy_detail": "taxonomy",
    "location": "location",
    "locations": "location",
    "addresses": "address",
    "accessibility": "accessibility",
    "organization": "organization",
    "cost_options": "cost_option",
    "services": "service",
    "service": "service",  # a service_at_location's service
}
# HSDS fields and collections the directory does not keep (deprecated, or not used here): see the profile page.
NOT_KEPT = {"wait_time", "fees", "licenses", "tax_id", "funding", "program", "programs", "program_id"}
NOT_KEPT |= {"required_documents", "organization_identifiers", "metadata"}
FLATTENED = {"application_process", "eligibility_description"}  # ours appended after MARKER


def run(directory, payload, **kwargs) -> dict:
    return services.hsds_import_run(directory=directory, payload=copy.deepcopy(payload), **kwargs)


def same_value(ours, theirs) -> bool:
    if isinstance(theirs, int | float) and isinstance(ours, int | float):
        return float(ours) == float(theirs)
    if isinstance(theirs, str) and isinstance(ours, str) and theirs.endswith("Z") and "T" in theirs:
        return datetime.fromisoformat(ours) == datetime.fromisoformat(theirs)
    return ours == theirs


def compare(original: dict, exported: dict, kind: str, path: str, *, definitions: dict, only_core: bool) -> list[str]:
    """Differences between an imported record and its export, recursing into nested records by id."""
    problems = []
    node = definitions["service"] if kind == "service" else definitions[kind]
    core = {name for name, spec in node["properties"].items() if spec.get("core") == "Y"}
    for key, value in original.items():
        if key in NOT_KEPT:
            continue
        if isinstance(value, list):
            if kind == "organization" and path.endswith(".organization"):
                continue  # a service's organisation is exported with its one-to-one fields only
            if key == "attributes" and kind != "service":
                continue
            exported_items = {item["id"]: item for item in exported.get(key, [])}
            for index, item in enumerate(value):
                if item["id"] not in exported_items:
                    problems.append(f"{path}.{key}[{index}] ({item['id']}) is missing from the export")
                    continue
                problems += compare(
                    item,
                    exported_items[item["id"]],
                    KIND_OF_KEY[key],
                    f"{path}.{key}[{index}]",
                    definitions=definitions,
                    only_core=only_core,
                )
        elif isinstance(value, dict):
            if key not in exported:
                problems.append(f"{path}.{key} is missing from the export")
                continue
            problems += compare(
                value, exported[key], KIND_OF_KEY[key], f"{path}.{key}", definitions=definitions, only_core=only_core
            )
        elif only_core and key not in core:
            continue
        else:
            ours = exported.get(key)
            if key in FLATTENED and isinstance(ours, str):
                ours = ours.split(MARKER)[0].rstrip()
            if not same_value(ours, value):
                problems.append(f"{path}.{key}: exported {ours!r}, imported {value!r}")
    return problems


def round_trip(original: dict, exported: dict, kind: str) -> list[str]:
    schema = hsds_schemas.load("service_with_definitions.json")
    definitions = {**schema["definitions"], "service": schema}
    return compare(original, exported, kind, kind, definitions=definitions, only_core=True) + compare(
        original, exported, kind, kind, definitions=definitions, only_core=False
    )


# --- Round trip over the official examples ---------------------------------------------------------


@pytest.fixture
def client():
    return Client()


def test_service_full_round_trips_without_losing_fields(directory, client):
    original = hsds_schemas.example("service_full.json")
    report = run(directory, original)
    assert report["rejected"] == []
    exported = client.get(f"/api/hsds/services/{SERVICE_ID}").json()
    assert round_trip(original, exported, "service") == []
    assert hsds_schemas.service_errors(exported, strict_mode=True) == []


def test_service_list_round_trips(directory, client):
    original = hsds_schemas.example("service_list.json")
    report = run(directory, original)
    assert report["rejected"] == []
    page = client.get("/api/hsds/services").json()
    assert hsds_schemas.api_response_errors("/services", page, strict_mode=True) == []
    [exported] = page["contents"]
    assert round_trip(original["contents"][0], exported, "service") == []


def test_organization_full_round_trips(directory, client):
    original = hsds_schemas.example("organization_full.json")
    report = run(directory, original)
    assert report["rejected"] == []
    exported = client.get(f"/api/hsds/organizations/{ORGANIZATION_ID}?full_service=true").json()
    assert hsds_schemas.api_response_errors("/organizations/{id}", exported, strict_mode=True) == []
    assert round_trip(original, exported, "organization") == []


def test_organization_list_round_trips(directory, client):
    original = hsds_schemas.example("organization_list.json")
    assert run(directory, original)["rejected"] == []
    page = client.get("/api/hsds/organizations").json()
    assert hsds_schemas.api_response_errors("/organizations", page, strict_mode=True) == []
    assert round_trip(original["contents"][0], page["contents"][0], "organization") == []


@pytest.mark.parametrize(
    ("name", "path"), [("taxonomy_term.json", "/taxonomy_terms/{id}"), ("taxonomy.json", "/taxonomies/{id}")]
)
def test_taxonomy_examples_round_trip(directory, client, name, path):
    original = hsds_schemas.example(name)
    assert run(directory, original)["rejected"] == []
    exported = client.get("/api/hsds" + path.replace("{id}", original["id"])).json()
    assert hsds_schemas.api_response_errors(path, exported, strict_mode=True) == []
    kind = "taxonomy_term" if "term" in name else "taxonomy"
    assert round_trip(original, exported, kind) == []


def test_the_example_is_stored_as_hsds_tables_with_shared_rows(directory):
    run(directory, hsds_schemas.example("service_full.json"))
    service = Service.objects.get(pk=SERVICE_ID)
    assert (service.minimum_age_months, service.maximum_age_months) == (144, 1200)
    assert service.assured_date == date(2005, 1, 1)
    assert service.organization_id is not None and str(service.organization_id) == ORGANIZATION_ID
    assert service.capacity_status == Service.Capacity.UNKNOWN  # a file never claims capacity
    # The example uses one phone under the service, its location, contact and service-at-location.
    phone = Phone.objects.get()
    assert phone.service_id == service.pk and phone.contact_id and phone.location_id and phone.service_at_location_id
    assert phone.extension == 100
    area = service.service_areas.get()
    assert area.area_type == "other"  # described in words, not a postcode or council
    assert service.cost_options.get().amount == Decimal("35.00")


# --- Idempotency and the newer-verified rule ---------------------------------------------------------


def test_importing_the_same_file_twice_changes_nothing(directory):
    payload = hsds_schemas.example("organization_full.json")
    first = run(directory, payload)
    assert first["counts"]["service"] == {"created": 1}
    second = run(directory, payload)
    assert second["created"] == [] and second["updated"] == [] and second["removed"] == []
    assert {k: set(v) for k, v in second["counts"].items()} == {k: {"unchanged"} for k in second["counts"]}
    assert Service.objects.count() == 1 and Organization.objects.count() == 1 and Location.objects.count() == 1


def test_a_newer_verified_date_here_is_never_overwritten(directory):
    payload = hsds_schemas.example("service_full.json")
    run(directory, payload)
    service = Service.objects.get(pk=SERVICE_ID)
    services.service_update(service=service, description="Checked by phone last week", assured_date=date(2024, 5, 1))

    older = copy.deepcopy(payload)
    older["description"] = "From an old feed"
    report = run(directory, older)
    assert report["skipped"] == [
        {
            "kind": "service",
            "id": SERVICE_ID,
            "name": "Community Counselling",
            "reason": "This directory verified it on 2024-05-01, later than the file (2005-01-01); kept as it is.",
        }
    ]
    assert Service.objects.get(pk=SERVICE_ID).description == "Checked by phone last week"

    undated = copy.deepcopy(older)
    del undated["assured_date"]
    assert run(directory, undated)["skipped"][0]["reason"].endswith("(no date); kept as it is.")

    newer = copy.deepcopy(older)
    newer["assured_date"] = "2025-02-03"
    report = run(directory, newer)
    assert report["skipped"] == []
    service = Service.objects.get(pk=SERVICE_ID)
    assert (service.description, service.assured_date, service.assured_by) == (
        "From an old feed",
        date(2025, 2, 3),
        None,
    )


def test_a_nested_list_in_the_file_is_the_truth_for_its_parent(directory):
    payload = hsds_schemas.example("service_full.json")
    run(directory, payload)
    fewer = copy.deepcopy(payload)
    fewer["service_areas"] = []
    fewer["cost_options"] = []
    fewer["phones"] = []
    report = run(directory, fewer)
    removed = {(r["kind"], r["id"]) for r in report["removed"]}
    assert ("service_area", "381c64f1-a724-4884-9c21-ac96c21cca3e") in removed
    service = Service.objects.get(pk=SERVICE_ID)
    assert not service.service_areas.exists() and not service.cost_options.exists()
    # The shared phone is only unlinked from the service: its location and contact keep it.
    phone = Phone.objects.get()
    assert phone.service_id is None and phone.location_id is not None


def test_attributes_are_replaced_per_taxonomy_so_local_tags_survive(directory):
    payload = hsds_schemas.example("service_full.json")
    run(directory, payload)
    service = Service.objects.get(pk=SERVICE_ID)
    Attribute.objects.create(directory=directory, service=service, taxonomy_term=need("parenting"), link_type="need")
    again = copy.deepcopy(payload)
    again["attributes"] = []
    run(directory, again)
    assert [a.taxonomy_term.code for a in service.attributes.all()] == ["parenting"]
    assert run(directory, payload)["counts"]["attribute"] == {"created": 1}


def test_our_own_export_imports_into_another_directory_with_needs_flags_and_catchments(
    directory, client, other_partnership
):
    original = ServiceFactory(
        directory=directory,
        needs=["speech-language"],
        lgas=[places.BALLARAT],
        postcodes=["3356"],
        is_free=True,
        is_acco=True,
        minimum_age_months=6,
        maximum_age_months=72,
        application_process="Call us.",
        ineligibility_description="Children at school.",
    )
    exported = client.get(f"/api/hsds/services/{original.pk}").json()
    assert MARKER in exported["application_process"] and MARKER in exported["eligibility_description"]
    original.delete()  # the same ids, as if exported elsewhere and imported here
    report = run(directory, exported)
    assert report["rejected"] == []
    service = Service.objects.get(pk=exported["id"])
    assert [t.code for t in service.needs] == ["speech-language"]
    assert (service.is_free, service.is_acco, service.is_bulk_billed) == (True, True, False)
    assert sorted((a.area_type, a.code) for a in service.service_areas.all()) == [
        ("lga", places.BALLARAT),
        ("postcode", "3356"),
    ]
    assert (service.minimum_age_months, service.maximum_age_months) == (6, 72)
    assert service.application_process == "Call us."  # the flattened pathway facts are cut off again
    assert not Attribute.objects.filter(taxonomy_term__taxonomy__key=vocabulary.FLAGS).exists()


def test_ids_of_another_directory_are_rejected_not_taken_over(directory, other_partnership):
    elsewhere = DirectoryFactory(partnership=other_partnership)
    payload = hsds_schemas.example("service_full.json")
    run(elsewhere, payload)
    report = run(directory, payload)
    assert {
        "kind": "service",
        "field": "id",
        "reason": "This id belongs to another directory; it was not changed.",
    }.items() <= report["rejected"][0].items()
    assert Service.objects.get(pk=SERVICE_ID).directory == elsewhere


def test_existing_taxonomy_terms_are_never_rewritten(directory):
    payload = hsds_schemas.example("service_full.json")
    speech = need("speech-language")
    payload["attributes"][0]["taxonomy_term"] = {
        **payload["attributes"][0]["taxonomy_term"],
        "id": str(speech.pk),
        "name": "Renamed",
    }
    report = run(directory, payload)
    assert report["rejected"] == []
    assert TaxonomyTerm.objects.get(pk=speech.pk).name == "Speech and language"
    assert [t.code for t in Service.objects.get(pk=SERVICE_ID).needs] == ["speech-language"]


# --- The rejected-records report ---------------------------------------------------------------------


def rejected(report) -> set[tuple[str, str, str]]:
    return {(r["kind"], r["path"], r["field"]) for r in report["rejected"]}


def test_rejected_records_name_the_field_and_the_reason(directory):
    good = hsds_schemas.example("service_full.json")
    bad_id = {**good, "id": "not-a-uuid"}
    no_name = {"id": "6b7bd4f8-1c47-4c8c-b2b6-60a7c3b7d001", "status": "active"}
    bad_status = {"id": "6b7bd4f8-1c47-4c8c-b2b6-60a7c3b7d002", "name": "X", "status": "open"}
    bad_email = {"id": "6b7bd4f8-1c47-4c8c-b2b6-60a7c3b7d003", "name": "Y", "status": "active", "email": "nope"}
    bad_age = {"id": "6b7bd4f8-1c47-4c8c-b2b6-60a7c3b7d004", "name": "Z", "status": "active", "minimum_age": "two"}
    payload = {"contents": [bad_id, no_name, bad_status, bad_email, bad_age, 42, {"what": "is this"}]}
    report = run(directory, payload)
    assert rejected(report) == {
        ("service", "contents[0]", "id"),
        ("service", "contents[1]", "name"),
        ("service", "contents[2]", "status"),
        ("service", "contents[3]", "email"),
        ("service", "contents[4]", "minimum_age"),
        ("record", "contents[5]", ""),
        ("record", "contents[6]", ""),
    }
    reasons = {r["path"]: r["reason"] for r in report["rejected"]}
    assert reasons["contents[1]"] == "Required by HSDS."
    assert reasons["contents[2]"] == "Must be one of: active, inactive, defunct, temporarily closed."
    assert reasons["contents[3]"] == "Not an e-mail address."
    assert not Service.objects.exists()


def test_a_bad_nested_record_is_rejected_alone(directory):
    payload = hsds_schemas.example("service_full.json")
    payload["phones"][0] = {**payload["phones"][0], "id": "0a6f0f4e-8a45-4bb4-9d87-6f0a2f8c1d11", "number": None}
    payload["service_areas"][0]["service_id"] = "0a6f0f4e-8a45-4bb4-9d87-6f0a2f8c1d12"
    payload["schedules"][0]["freq"] = "DAILY"
    report = run(directory, payload)
    assert rejected(report) == {
        ("phone", "phones[0]", "number"),
        ("service_area", "service_areas[0]", "service_id"),
        ("schedule", "schedules[0]", "freq"),
    }
    assert next(r for r in report["rejected"] if r["kind"] == "service_area")["reason"] == (
        "Does not match the service it is nested in."
    )
    assert Service.objects.filter(pk=SERVICE_ID).exists()


def test_fields_we_do_not_keep_are_counted_not_lost_silently(directory):
    report = run(directory, hsds_schemas.example("service_full.json"))
    assert {"service.funding", "service.program", "service.wait_time", "service.metadata"} <= set(report["ignored"])


def test_the_whole_file_must_be_hsds(directory):
    assert run(directory, "text")["rejected"][0]["reason"].startswith("The file must hold HSDS records")
    assert run(directory, {"contents": "x"})["rejected"][0]["field"] == "contents"


# --- Dry runs, the command and the upload's preview ------------------------------------------------


def test_a_dry_run_reports_exactly_what_applying_does_and_changes_nothing(directory):
    payload = hsds_schemas.example("organization_full.json")
    preview = run(directory, payload, dry_run=True)
    assert not Service.objects.exists() and not Organization.objects.exists()
    assert run(directory, payload) == preview


def test_preview_then_apply(directory, coordinator):
    payload = hsds_schemas.example("service_list.json")
    hsds_import = services.hsds_import_preview(
        directory=directory, payload=payload, filename="list.json", user=coordinator
    )
    assert hsds_import.status == HsdsImport.Status.PREVIEWED
    assert hsds_import.report["counts"]["service"] == {"created": 1}
    assert not Service.objects.exists()
    services.hsds_import_apply(hsds_import=hsds_import, user=coordinator)
    hsds_import.refresh_from_db()
    assert hsds_import.status == HsdsImport.Status.APPLIED and hsds_import.applied_at is not None
    assert Service.objects.count() == 1
    with pytest.raises(Exception, match="already applied"):
        services.hsds_import_apply(hsds_import=hsds_import, user=coordinator)


def test_import_hsds_command(tmp_path, directory):
    source = tmp_path / "service.json"
    source.write_text(json.dumps(hsds_schemas.example("service_full.json")))
    out, err = io.StringIO(), io.StringIO()
    call_command("import_hsds", str(source), "--partnership", "ballarat", "--dry-run", stdout=out, stderr=err)
    assert "Would import" in out.getvalue() and not Service.objects.exists()
    call_command("import_hsds", str(source), "--partnership", "ballarat", stdout=out, stderr=err)
    assert Service.objects.filter(pk=SERVICE_ID).exists()
    assert "service: 1 created" in out.getvalue()

    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"id": "x", "name": "Broken", "status": "active"}))
    out, err = io.StringIO(), io.StringIO()
    call_command("import_hsds", str(broken), "--partnership", "ballarat", stdout=out, stderr=err)
    assert "rejected service at (top level) (x): id: Must be a UUID." in err.getvalue()
    with pytest.raises(CommandError, match="No partnership"):
        call_command("import_hsds", str(source), "--partnership", "nowhere")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_hsds", str(tmp_path / "missing.json"), "--partnership", "ballarat")


def test_the_importer_uses_only_hsds_field_names():
    """Every field the importer reads is a field of the official schema (no invented names)."""
    from referrals.hsds_import import SPECS

    schema = hsds_schemas.load("service_with_definitions.json")
    definitions = {**schema["definitions"], "service": schema, "organization": hsds_schemas.load("organization.json")}
    for kind, spec in SPECS.items():
        known = set(definitions[kind]["properties"])
        assert set(spec.fields) | spec.links | spec.nested | spec.required <= known, kind


def test_our_vocabulary_is_stable_across_installations():
    assert str(term(vocabulary.NEEDS, "speech-language").pk) == str(
        vocabulary.term_id(vocabulary.NEEDS, "speech-language")
    )
