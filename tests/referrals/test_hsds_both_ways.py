"""HSDS both ways: /service_at_locations (and the official examples round-tripping through it), list
parameters honoured or refused with a 400 naming them, JSON 404s, service areas mapped to councils or
listed for the coordinator, per-record errors, and the upload page running the import as Celery tasks."""

import copy
import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from referrals import hsds_import, places, services, vocabulary
from referrals.models import Attribute, HsdsImport, Language, Schedule, Service, ServiceArea
from tests.referrals import hsds_schemas
from tests.referrals.factories import ServiceFactory, need
from tests.referrals.test_import import round_trip

pytestmark = pytest.mark.django_db

SAL_ID = "e94c9f38-1e8f-4564-91d4-d53501ab1765"
SERVICE_ID = "ac148810-d857-441c-9679-408f346de14b"


@pytest.fixture
def client():
    return Client()


def run(directory, payload, **kwargs) -> dict:
    return services.hsds_import_run(directory=directory, payload=copy.deepcopy(payload), **kwargs)


def sal_errors(doc: dict) -> list[str]:
    """A fully nested service_at_location: the HSDS definition (strictly), and its service as a service.

    openapi.json (3.0) declares compiled/service.json for GET /service_at_locations/{id}, which cannot
    be what it means (a service_at_location has no name or status); the official example
    service_at_location_full.json is a service_at_location with its `service` nested, as here."""
    found = hsds_schemas.errors(
        {"$ref": hsds_schemas.SERVICE_URI + "#/definitions/service_at_location"},
        {k: v for k, v in doc.items() if k != "service"},
        strict_mode=True,
    )
    return found + hsds_schemas.service_errors(doc["service"], strict_mode=True)


def uid() -> str:
    return str(uuid.uuid4())


def service(name="Counselling", **extra) -> dict:
    return {"id": uid(), "name": name, "status": "active", **extra}


# --- /service_at_locations ------------------------------------------------------------------------


def test_the_official_service_at_location_full_example_imports_and_round_trips(directory, client):
    original = hsds_schemas.example("service_at_location_full.json")
    assert hsds_schemas.errors(
        {"$ref": hsds_schemas.SERVICE_URI + "#/definitions/service_at_location"}, original
    ) == []  # fmt: skip
    report = run(directory, original)
    assert report["rejected"] == []
    assert report["counts"]["service_at_location"] == {"created": 1}
    response = client.get(f"/api/hsds/service_at_locations/{SAL_ID}")
    assert response.status_code == 200
    exported = response.json()
    assert exported["service"]["id"] == SERVICE_ID and exported["location"]["id"] == original["location"]["id"]
    assert sal_errors(exported) == []
    assert round_trip(original, exported, "service_at_location") == []


def test_the_official_service_at_location_list_example_round_trips(directory, client):
    original = hsds_schemas.example("service_at_location_list.json")
    assert run(directory, original)["rejected"] == []
    page = client.get("/api/hsds/service_at_locations").json()
    assert hsds_schemas.api_response_errors("/service_at_locations", page, strict_mode=True) == []
    assert page["total_items"] == 1 and page["contents"][0]["id"] == SAL_ID
    assert round_trip(original["contents"][0], page["contents"][0], "service_at_location") == []
    # And the list again, fully nested: every item as the detail.
    full = client.get("/api/hsds/service_at_locations?full=true").json()
    assert sal_errors(full["contents"][0]) == []


def test_service_at_locations_publish_only_active_services_of_public_directories(directory, client, other_partnership):
    run(directory, hsds_schemas.example("service_at_location_full.json"))
    assert client.get("/api/hsds/service_at_locations").json()["total_items"] == 1
    Service.objects.filter(pk=SERVICE_ID).update(status="inactive")
    assert client.get("/api/hsds/service_at_locations").json()["total_items"] == 0
    response = client.get(f"/api/hsds/service_at_locations/{SAL_ID}")
    assert response.status_code == 404 and response.json() == {"detail": "Not found."}
    assert client.get("/api/hsds/service_at_locations/not-a-uuid").status_code == 404


def test_service_at_locations_are_filtered_as_services_are(directory, client):
    run(directory, hsds_schemas.example("service_at_location_full.json"))

    def total(query: str) -> int:
        return client.get(f"/api/hsds/service_at_locations?{query}").json()["total_items"]

    assert total("search=counselling") == 1 and total("search=plumbing") == 0
    assert total(f"organization_id={uuid.uuid4()}") == 0
    assert total("organization_id=d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610") == 1


def test_a_service_at_locations_page_costs_the_same_queries_for_few_or_many(directory, client):
    def count(n: int) -> int:
        payload = []
        for i in range(n):
            payload.append(
                service(
                    f"S{n}-{i}",
                    service_at_locations=[
                        {"id": uid(), "location": {"id": uid(), "location_type": "physical", "name": f"L{i}"}}
                    ],
                )
            )
        assert run(directory, payload)["rejected"] == []
        with CaptureQueriesContext(connection) as queries:
            client.get("/api/hsds/service_at_locations?full=true&per_page=100")
        return len(queries)

    assert count(2) == count(8)


# --- List parameters: honoured, or a 400 naming them; JSON 404s ------------------------------------


def test_organizations_list_honours_full_and_full_service(directory, client):
    run(directory, hsds_schemas.example("organization_full.json"))
    brief = client.get("/api/hsds/organizations").json()["contents"][0]
    assert "services" not in brief and "locations" not in brief
    full = client.get("/api/hsds/organizations?full=true").json()
    assert hsds_schemas.api_response_errors("/organizations/{id}", full["contents"][0], strict_mode=True) == []
    assert full["contents"][0]["locations"] and full["contents"][0]["services"]
    assert "phones" not in full["contents"][0]["services"][0]  # services in the list shape
    nested = client.get("/api/hsds/organizations?full_service=true").json()["contents"][0]
    assert hsds_schemas.api_response_errors("/organizations/{id}", nested, strict_mode=True) == []
    assert nested["services"][0]["phones"]  # services fully nested


@pytest.mark.parametrize(
    ("path", "query", "name"),
    [
        ("/organizations", "minimal=true", "minimal"),
        ("/organizations", "format=xml", "format"),
        ("/services", "minimal=true", "minimal"),
        ("/services", "format=csv", "format"),
        ("/service_at_locations", "proximity=500", "proximity"),
        ("/service_at_locations", "format=geojson", "format"),
        ("/taxonomies", "format=xml", "format"),
        ("/taxonomy_terms", "format=xml", "format"),
    ],
)
def test_parameters_we_cannot_honour_are_refused_with_a_400_naming_them(directory, client, path, query, name):
    response = client.get(f"/api/hsds{path}?{query}")
    assert response.status_code == 400
    assert response.json()["detail"].startswith(f"{name}: ") and name in response.json()["errors"]


def test_format_ndjson_streams_every_result_unpaged(directory, client):
    for i in range(3):
        ServiceFactory(directory=directory, name=f"Service {i}")
    response = client.get("/api/hsds/services?format=ndjson&per_page=1")
    assert response["Content-Type"] == "application/x-ndjson"
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert [json.loads(line)["name"] for line in lines] == ["Service 0", "Service 1", "Service 2"]
    for line in lines:
        assert hsds_schemas.api_response_errors("/services", {"contents": [json.loads(line)]}) == []
    organizations = client.get("/api/hsds/organizations?format=ndjson&full=true")
    assert len(b"".join(organizations.streaming_content).decode().splitlines()) == 3
    assert client.get("/api/hsds/organizations?format=json&minimal=false").status_code == 200


@pytest.mark.parametrize("method", ["get", "post", "put", "delete"])
@pytest.mark.parametrize("path", ["/api/hsds/nothing", "/api/hsds/services/x/y", "/api/hsds/programs"])
def test_unknown_hsds_paths_answer_json_404(client, method, path):
    response = getattr(client, method)(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json") and response.json() == {"detail": "Not found."}


# --- Service areas and other taxonomies ------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "council"),
    [
        ("Ballarat LGA", places.BALLARAT),
        ("City of Ballarat", places.BALLARAT),
        ("ballarat city council", places.BALLARAT),
        ("Hepburn Shire Council", places.HEPBURN),
        ("Golden Plains LGA", places.GOLDEN_PLAINS),
    ],
)
def test_a_service_area_naming_a_known_council_maps_to_its_catchment(directory, name, council):
    report = run(directory, service(service_areas=[{"id": uid(), "name": name}]))
    area = ServiceArea.objects.get()
    assert (area.area_type, area.code) == (ServiceArea.AreaType.LGA, council)
    assert report["unmatched_areas"] == [] and report["without_catchment"] == []


def test_unknown_areas_are_listed_for_the_coordinator_never_silently_any_postcode(directory, coordinator):
    payload = [
        service("A", service_areas=[{"id": uid(), "name": "Western Victoria region"}]),
        service("B", service_areas=[{"id": uid(), "name": "Western  Victoria region"}]),
        service("C"),  # no service area at all
        service("D", service_areas=[{"id": uid(), "name": "3350"}]),
    ]
    hsds_import_ = services.hsds_import_preview(directory=directory, payload=payload, user=coordinator)
    report = hsds_import_.report
    assert report["unmatched_areas"] == [{"name": "Western Victoria region", "services": 2}]
    assert sorted(s["name"] for s in report["without_catchment"]) == ["A", "B"]
    # The coordinator must choose for every unknown area before importing …
    with pytest.raises(Exception, match="Choose a council"):
        services.hsds_import_apply(hsds_import=hsds_import_, user=coordinator, mappings={"areas": {}, "terms": {}})
    # … and the choice is applied.
    mappings = {"areas": {"Western Victoria region": places.PYRENEES}, "terms": {}}
    services.hsds_import_apply(hsds_import=hsds_import_, user=coordinator, mappings=mappings)
    codes = set(ServiceArea.objects.filter(service__name__in=["A", "B"]).values_list("area_type", "code"))
    assert codes == {(ServiceArea.AreaType.LGA, places.PYRENEES)}
    hsds_import_.refresh_from_db()
    assert hsds_import_.report["mapped_areas"] == [
        {"name": "Western Victoria region", "council": places.PYRENEES, "services": 2}
    ]


def test_left_unmatched_is_a_choice_the_report_keeps(directory, coordinator):
    payload = [service("A", service_areas=[{"id": uid(), "name": "Statewide"}])]
    preview = services.hsds_import_preview(directory=directory, payload=payload, user=coordinator)
    services.hsds_import_apply(hsds_import=preview, user=coordinator, mappings={"areas": {"Statewide": ""}})
    preview.refresh_from_db()
    assert preview.mappings["areas"] == {"Statewide": ""}
    assert ServiceArea.objects.get().area_type == ServiceArea.AreaType.OTHER
    assert preview.report["without_catchment"][0]["name"] == "A"


def test_terms_of_other_taxonomies_are_listed_and_can_be_mapped_to_a_need(directory, coordinator):
    term = {"id": uid(), "code": "MH-1", "name": "Counselling", "description": "", "taxonomy": "Local types"}
    payload = [service("A", attributes=[{"id": uid(), "taxonomy_term": term}])]
    preview = services.hsds_import_preview(directory=directory, payload=payload, user=coordinator)
    [listed] = preview.report["foreign_terms"]
    assert (listed["id"], listed["name"], listed["taxonomy"], listed["services"]) == (
        term["id"],
        "Counselling",
        "Local types",
        1,
    )
    with pytest.raises(Exception, match="Unknown need"):
        services.hsds_import_apply(hsds_import=preview, user=coordinator, mappings={"terms": {term["id"]: "nope"}})
    mappings = {"areas": {}, "terms": {term["id"]: "parenting"}}
    services.hsds_import_apply(hsds_import=preview, user=coordinator, mappings=mappings)
    imported = Service.objects.get()
    assert need("parenting") in [a.taxonomy_term for a in imported.attributes.all()]
    assert Attribute.objects.filter(service=imported, link_type=vocabulary.LINK_NEED).count() == 1
    assert Attribute.objects.filter(service=imported, taxonomy_term_id=term["id"]).exists()  # kept as well
    # Importing the file again keeps the mapped need (the file does not carry our needs taxonomy).
    run(directory, payload)
    assert Attribute.objects.filter(service=imported, link_type=vocabulary.LINK_NEED).count() == 1


# --- Per-record errors, never a 500, never a half-written import -----------------------------------


def reasons(report: dict) -> list[tuple[str, str, str]]:
    return [(r["kind"], r["field"], r["reason"]) for r in report["rejected"]]


def test_duplicate_ids_in_one_file_are_rejected_after_the_first(directory):
    first = service("First")
    second = {**first, "name": "Second"}
    report = run(directory, {"contents": [first, second]})
    assert Service.objects.get().name == "First"
    [(kind, field, reason)] = reasons(report)
    assert (kind, field) == ("service", "id") and "contents[0]" in reason
    # The same nested row under two ids' parents with different values, likewise.
    phone = {"id": uid(), "number": "03 5300 0000"}
    report = run(
        directory,
        [service("A", phones=[phone]), service("B", phones=[{**phone, "number": "03 5300 9999"}])],
    )
    assert [(k, f) for k, f, _ in reasons(report)] == [("phone", "id")]


def test_nul_characters_are_rejected_per_record_and_the_report_can_be_stored(directory, coordinator):
    payload = [service("Bad\x00name"), service("Good", description="ok", phones=[{"id": uid(), "number": "1\x002"}])]
    preview = services.hsds_import_preview(directory=directory, payload=payload, user=coordinator)  # jsonb on PG
    assert [(k, f) for k, f, _ in reasons(preview.report)] == [("service", "name"), ("phone", "number")]
    assert hsds_import.HAS_NUL in reasons(preview.report)[0][2]
    assert preview.report["rejected"][0]["name"] == "Bad\\u0000name"
    services.hsds_import_apply(hsds_import=preview, user=coordinator)
    assert list(Service.objects.values_list("name", flat=True)) == ["Good"]


@pytest.mark.parametrize("value", ["25:00", "12:60", "9am", "24:00:00", "10:00:61"])
def test_impossible_times_reject_the_schedule_alone(directory, value):
    report = run(directory, service(schedules=[{"id": uid(), "opens_at": value, "closes_at": "17:00"}]))
    assert reasons(report) == [("schedule", "opens_at", hsds_import.BAD_TIME)]
    assert Service.objects.count() == 1 and not Schedule.objects.exists()


def test_possible_times_are_kept(directory):
    run(directory, service(schedules=[{"id": uid(), "opens_at": "00:00", "closes_at": "23:59:59"}]))
    assert Schedule.objects.get().closes_at == "23:59:59"


@pytest.mark.parametrize("code", ["english", "EN", "e", "en_AU", "12", "vi-"])
def test_invalid_language_codes_reject_the_language_alone(directory, code):
    report = run(directory, service(languages=[{"id": uid(), "name": "Some language", "code": code}]))
    assert reasons(report) == [("language", "code", hsds_import.BAD_LANGUAGE)]
    assert Service.objects.count() == 1 and not Language.objects.exists()


def test_valid_language_codes_are_kept(directory):
    run(directory, service(languages=[{"id": uid(), "code": c} for c in ("vi", "yue", "en-AU")]))
    assert sorted(Language.objects.values_list("code", flat=True)) == ["en-AU", "vi", "yue"]


def test_deeply_nested_records_are_rejected_alone(directory):
    deep: dict = {"id": uid(), "name": "x", "description": "y"}
    node = deep
    for _ in range(40):  # organization.services[0].organization.services[0] …
        child = {
            "id": uid(),
            "name": "x",
            "status": "active",
            "organization": {"id": uid(), "name": "o", "description": ""},
        }
        node["services"] = [child]
        node = child["organization"]
    report = run(directory, [deep, service("Fine")])
    assert reasons(report)[0][2] == hsds_import.TOO_DEEP.format(limit=hsds_import.MAX_DEPTH)
    assert list(Service.objects.values_list("name", flat=True)) == ["Fine"]


def test_json_too_deep_to_parse_is_a_clear_message():
    with pytest.raises(ValueError, match="nested too deeply"):
        hsds_import.load_json(b"[" * 100_000 + b"]" * 100_000)


def test_numbers_the_database_cannot_hold_are_rejected(directory):
    organization = {"id": uid(), "name": "Org", "description": "", "year_incorporated": 2**40}
    location = {"id": uid(), "location_type": "physical", "latitude": float("nan")}
    report = run(directory, [organization, location])
    assert [(k, f) for k, f, _ in reasons(report)] == [("organization", "year_incorporated"), ("location", "latitude")]


def test_a_file_that_cannot_be_written_whole_leaves_nothing(directory, monkeypatch):
    def flush(store):  # the first tables written, then a conflict no check foresaw
        Service.objects.bulk_create(list(store.new[Service].values()))
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(hsds_import.Store, "flush", flush)
    report = run(directory, [service("A"), service("B")])
    assert report["failed"].startswith("The file could not be saved, so nothing was imported")
    assert not Service.objects.exists()


def test_an_import_writes_in_bulk_whatever_the_number_of_services(directory):
    def count(n: int) -> int:
        payload = [
            service(f"S{n}-{i}", phones=[{"id": uid(), "number": "1"}], service_areas=[{"id": uid(), "name": "3350"}])
            for i in range(n)
        ]
        with CaptureQueriesContext(connection) as queries:
            report = run(directory, payload)
        assert report["counts"]["service"] == {"created": n}
        return len(queries)

    few, many = count(5), count(40)
    if connection.vendor == "postgresql":
        assert few == many  # COPY, one per table
    else:  # SQLite's bulk INSERTs are batched by its limit on parameters: a batch more, not 120 rows more
        assert few <= many <= few + 3


# --- The upload page: a Celery task, a progress bar, a size limit -----------------------------------


def upload(client, payload, name="services.json"):
    content = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    file = SimpleUploadedFile(name, content, content_type="application/json")
    return client.post(reverse("directory-import-upload", args=["ballarat"]), {"file": file})


def test_the_upload_page_queues_the_check_and_shows_its_progress(
    directory, client, coordinator, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = upload(client, hsds_schemas.example("service_at_location_list.json"))
    hsds_import_ = HsdsImport.objects.get()
    assert hsds_import_.status == HsdsImport.Status.QUEUED and len(callbacks) == 1  # the request did not check it
    page = client.get(response["Location"]).content.decode()
    progress_url = reverse("directory-import-progress", args=["ballarat", hsds_import_.pk])
    assert f'data-batch-progress="{progress_url}"' in page and "js/progress.js" in page
    assert client.get(progress_url).json()["status"] == "running"

    callbacks[0]()  # the task runs (eagerly here; tests/referrals/test_worker.py runs a real worker)
    hsds_import_.refresh_from_db()
    assert hsds_import_.status == HsdsImport.Status.PREVIEWED and hsds_import_.total == 1
    progress = client.get(progress_url).json()
    assert (progress["status"], progress["done"], progress["total"], progress["percent"]) == ("finished", 1, 1, 100)
    assert "Not imported yet" in client.get(response["Location"]).content.decode()
    assert not Service.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(response["Location"], {"action": "apply"})
    hsds_import_.refresh_from_db()
    assert hsds_import_.status == HsdsImport.Status.APPLIED and Service.objects.count() == 1


def test_the_preview_page_asks_for_a_council_for_each_unknown_area(
    directory, client, coordinator, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    payload = [service("A", service_areas=[{"id": uid(), "name": "Grampians region"}])]
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, payload)
    page = client.get(response["Location"]).content.decode()
    assert "Grampians region" in page and 'name="area-0"' in page and "offered for every postcode" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response["Location"], {"action": "apply"})  # no choice made: refused
    assert HsdsImport.objects.get().status == HsdsImport.Status.PREVIEWED and not Service.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response["Location"], {"action": "apply", "area-0": places.HEPBURN})
    assert ServiceArea.objects.get().code == places.HEPBURN


def test_a_file_over_the_size_limit_is_refused_with_a_clear_message(directory, client, coordinator, monkeypatch):
    monkeypatch.setattr(hsds_import, "MAX_FILE_BYTES", 1024 * 1024)
    client.force_login(coordinator)
    body = upload(client, [service("x" * 200, description="y" * 1024 * 1024)]).content.decode()
    assert "The file is larger than 1 MB; split it into pages" in body and not HsdsImport.objects.exists()


def test_a_file_that_is_not_json_fails_with_the_reason(
    directory, client, coordinator, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, b'{"id": "x", "name": ')
    hsds_import_ = HsdsImport.objects.get()
    assert hsds_import_.status == HsdsImport.Status.FAILED and "This is not a JSON file" in hsds_import_.error
    assert "This is not a JSON file" in client.get(response["Location"]).content.decode()


def test_other_coordinators_cannot_see_the_progress(directory, client, coordinator, other_coordinator):
    preview = services.hsds_import_preview(directory=directory, payload=[], user=coordinator)
    client.force_login(other_coordinator)
    assert client.get(reverse("directory-import-progress", args=["ballarat", preview.pk])).status_code == 404
