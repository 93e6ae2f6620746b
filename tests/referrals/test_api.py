from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from referrals import places, services, vocabulary
from referrals.hsds import MARKER
from referrals.models import ChangeSuggestion, Pathway, Service
from tests.referrals import hsds_schemas
from tests.referrals.factories import DirectoryFactory, PathwayFactory, ServiceFactory, need, role
from tests.referrals.test_where_safety import conforming

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return Client()


# --- HSDS: shape, schema, pagination, filters, privacy -------------------------------------------------


def test_hsds_root_names_the_version_and_profile(client):
    body = client.get("/api/hsds/").json()
    assert body["version"] == "3.0"
    assert body["profile"].endswith("/directory/hsds/")
    assert body["openapi_url"].endswith("/api/openapi.json")
    assert hsds_schemas.api_response_errors("/", body) == []


def test_every_demo_service_validates_against_hsds_and_strictly(demo, client):
    page = client.get("/api/hsds/services?full=true&per_page=100").json()
    assert page["total_items"] == len(demo["services"]) == 40
    for service in page["contents"]:
        detail = client.get(f"/api/hsds/services/{service['id']}").json()
        assert detail == service
        assert hsds_schemas.service_errors(detail) == [], service["name"]
        assert hsds_schemas.service_errors(detail, strict_mode=True) == [], service["name"]
        assert hsds_schemas.api_response_errors("/services/{id}", detail, strict_mode=True) == []


def test_the_core_fields_we_hold_are_all_exported(demo, client):
    service = demo["services"]["ch-speech"]
    exported = client.get(f"/api/hsds/services/{service.pk}").json()
    present = {name for name in hsds_schemas.core_fields() if name in exported}
    assert present == {
        "id",
        "organization_id",
        "name",
        "description",
        "url",
        "email",
        "status",
        "eligibility_description",
    }
    area = exported["service_areas"][0]
    assert set(hsds_schemas.core_fields("service_area")) - {"description"} <= set(area) | {"service_id"}
    [location] = [sal["location"] for sal in exported["service_at_locations"]]
    assert {"id", "location_type", "name"} <= set(location)
    assert location["addresses"][0]["postal_code"] == "3350"


def test_hsds_lists_validate_against_the_hsds_api_contract(demo, client):
    for path in ("/services", "/organizations", "/taxonomies", "/taxonomy_terms"):
        body = client.get(f"/api/hsds{path}").json()
        assert hsds_schemas.api_response_errors(path, body, strict_mode=True) == [], path
    listed = client.get("/api/hsds/services").json()["contents"]
    for service in listed:
        assert hsds_schemas.service_errors(service, strict_mode=True) == []
        assert "phones" not in service  # the list shape: one-to-one fields
    organization = demo["services"]["ch-speech"].organization
    detail = client.get(f"/api/hsds/organizations/{organization.pk}").json()
    assert hsds_schemas.api_response_errors("/organizations/{id}", detail, strict_mode=True) == []
    assert {s["name"] for s in detail["services"]} >= {"Paediatric Speech Pathology", "Tuning in to Kids"}


def test_pathway_facts_are_flattened_into_the_hsds_service(demo, client):
    service = demo["services"]["childrens-clinic"]
    exported = client.get(f"/api/hsds/services/{service.pk}").json()
    application = exported["application_process"]
    assert MARKER in application
    assert "Who can refer: General practitioner (GP), Paediatrician." in application
    assert "From General practitioner (GP): E-referral (secure messaging)." in application
    assert "Typical wait: 90 days" in application
    assert "Capacity: Waitlist" in application
    assert exported["minimum_age"] == 0 and exported["maximum_age"] == 18


def test_hsds_pagination_fields(directory, client):
    for i in range(5):
        ServiceFactory(directory=directory, name=f"Service {i}")
    first = client.get("/api/hsds/services?per_page=2").json()
    assert {k: v for k, v in first.items() if k != "contents"} == {
        "total_items": 5,
        "total_pages": 3,
        "page_number": 1,
        "size": 2,
        "first_page": True,
        "last_page": False,
        "empty": False,
    }
    last = client.get("/api/hsds/services?per_page=2&page=3").json()
    assert (last["size"], last["first_page"], last["last_page"], last["empty"]) == (1, False, True, False)
    beyond = client.get("/api/hsds/services?per_page=2&page=9").json()
    assert (beyond["size"], beyond["empty"], beyond["contents"]) == (0, True, [])
    assert client.get("/api/hsds/services?per_page=1000").status_code == 422


def test_hsds_filters(directory, client, other_partnership):
    speech = ServiceFactory(directory=directory, name="Speech", needs=["speech-language"], postcodes=["3356"])
    ServiceFactory(directory=directory, name="Housing", needs=["housing"], lgas=[places.HEPBURN])
    elsewhere = DirectoryFactory(partnership=other_partnership)
    ServiceFactory(directory=elsewhere, name="Geelong speech", needs=["speech-language"])

    def found(query: str) -> list[str]:
        return [s["name"] for s in client.get(f"/api/hsds/services?{query}").json()["contents"]]

    assert found("search=speech") == ["Geelong speech", "Speech"]
    assert found(f"taxonomy_term_id={need('housing').pk}") == ["Housing"]
    assert found(f"taxonomy_id={vocabulary.taxonomy_id(vocabulary.NEEDS)}") == ["Geelong speech", "Housing", "Speech"]
    assert found(f"organization_id={speech.organization_id}") == ["Speech"]
    assert found("directory=ballarat") == ["Housing", "Speech"]
    assert found("postcode=3356") == ["Geelong speech", "Speech"]  # no catchment: everywhere
    assert found("postcode=3460") == ["Geelong speech", "Housing"]
    future = (timezone.now() + timedelta(days=1)).isoformat().replace("+00:00", "Z")
    assert found(f"modified_after={future}") == []


def test_hsds_publishes_only_active_services_of_public_directories(directory, client, other_partnership):
    active = ServiceFactory(directory=directory, name="Active")
    inactive = ServiceFactory(directory=directory, name="Inactive", status=Service.Status.INACTIVE)
    closed = ServiceFactory(directory=directory, name="Closed for now", status=Service.Status.TEMPORARILY_CLOSED)
    private = DirectoryFactory(partnership=other_partnership, is_public=False)
    hidden = ServiceFactory(directory=private, name="Private directory")
    assert [s["name"] for s in client.get("/api/hsds/services").json()["contents"]] == ["Active"]
    assert client.get(f"/api/hsds/services/{active.pk}").status_code == 200
    for service in (inactive, closed, hidden):
        assert client.get(f"/api/hsds/services/{service.pk}").status_code == 404
    assert client.get(f"/api/hsds/organizations/{hidden.organization_id}").status_code == 404
    assert client.get("/api/hsds/services/not-a-uuid").status_code == 404
    organizations = [o["name"] for o in client.get("/api/hsds/organizations").json()["contents"]]
    assert hidden.organization.name not in organizations


def test_an_hsds_page_costs_the_same_queries_for_few_or_many_services(directory, client):
    def count(n: int) -> int:
        for i in range(n):
            service = ServiceFactory(directory=directory, needs=["speech-language"], lgas=[places.BALLARAT])
            services.service_update(
                service=service, phone=f"03 5550 {i:04}", address={"address_1": f"{i} Sturt St", "city": "Ballarat"}
            )
            PathwayFactory(directory=directory, target_service=service)
        with CaptureQueriesContext(connection) as queries:
            body = client.get("/api/hsds/services?full=true&per_page=100").json()
        assert body["size"] >= n
        return len(queries)

    assert count(3) == count(15)


def test_taxonomy_terms_filters(client):
    needs = vocabulary.taxonomy_id(vocabulary.NEEDS)
    body = client.get(f"/api/hsds/taxonomy_terms?taxonomy_id={needs}&per_page=100").json()
    assert body["total_items"] == len(vocabulary.TERMS[vocabulary.NEEDS])
    assert all(t["taxonomy_detail"]["id"] == str(needs) for t in body["contents"])
    assert client.get("/api/hsds/taxonomy_terms?search=speech").json()["contents"][0]["code"] == "speech-language"
    assert client.get(f"/api/hsds/taxonomies/{needs}").json()["name"] == "Crossroads needs"


# --- Our API: where can I refer, pathways, suggestions ------------------------------------------------


def test_where_can_i_refer_api_answers_the_done_when_case(demo, client):
    body = client.get(
        "/api/referrals/where?partnership=ballarat&need=speech-language&role=mch-nurse&age_months=24&place=3350"
    ).json()
    conforming(body)
    assert body["query"]["place"] == {"text": "3350", "postcode": "3350", "suburb": "", "lgas": [places.BALLARAT]}
    eligible = [o["pathway"]["target"]["name"] for o in body["eligible"]]
    assert "Paediatric Speech Pathology" in eligible
    option = body["eligible"][0]
    assert {"how_to_refer", "information_to_include", "typical_wait_days", "last_verified", "card_url"} <= set(
        option["pathway"]
    )
    clinic = [
        r for r in body["two_step"] if r["second_step"]["pathway"]["target"]["name"].startswith("Ballarat Children")
    ]
    assert clinic and clinic[0]["first_steps"]
    assert body["not_eligible"][0]["reasons"] == ["3350 is outside the catchment (Moorabool Shire)."]


def test_where_can_i_refer_api_errors(directory, client, other_partnership):
    DirectoryFactory(partnership=other_partnership, is_public=False)
    base = "/api/referrals/where?role=mch-nurse&need=speech-language"
    assert client.get(base + "&partnership=geelong").status_code == 404  # private: not revealed
    assert client.get(base + "&partnership=nowhere").status_code == 404
    response = client.get("/api/referrals/where?partnership=ballarat&role=mch-nurse&need=telepathy")
    assert response.status_code == 400
    assert response.json()["errors"] == {"need": ["Unknown need: telepathy."]}
    assert client.get(base + "&partnership=ballarat&age_months=-1").status_code == 422


def test_pathway_api_lists_reads_and_hides_retired(directory, client):
    pathway = PathwayFactory(directory=directory, needs=["speech-language", "development"])
    retired = PathwayFactory(directory=directory, is_active=False)
    listed = client.get("/api/referrals/pathways?partnership=ballarat").json()
    assert [p["id"] for p in listed["items"]] == [str(pathway.pk)]
    item = listed["items"][0]
    assert item["source"]["role"]["code"] == "mch-nurse" and item["source"]["service"] is None
    assert [n["code"] for n in item["needs"]] == ["speech-language", "development"]
    assert client.get(f"/api/referrals/pathways/{pathway.pk}").json()["card_url"] == pathway.get_absolute_url()
    assert client.get(f"/api/referrals/pathways/{retired.pk}").status_code == 404
    assert client.get("/api/referrals/pathways?need=housing").json()["count"] == 0


def test_pathway_list_query_count_is_constant(directory, client):
    def count(n: int) -> int:
        for _ in range(n):
            PathwayFactory(directory=directory, alternatives=[ServiceFactory(directory=directory)])
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/referrals/pathways?page_size=100").status_code == 200
        return len(queries)

    assert count(2) == count(12)


def test_coordinators_create_and_change_pathways_with_history(directory, coordinator, other_coordinator, token_for):
    target = ServiceFactory(directory=directory, name="Paediatrician")
    alternative = ServiceFactory(directory=directory, name="Public clinic")
    body = {
        "partnership": "ballarat",
        "source_role": "gp",
        "target_service_id": str(target.pk),
        "needs": ["development"],
        "method": "e_referral",
        "typical_wait_days": 90,
        "alternatives": [str(alternative.pk)],
        "catchment_lgas": [places.BALLARAT],
        "note": "From the clinic's guidelines",
    }
    client = Client()
    created = client.post(
        "/api/referrals/pathways", body, content_type="application/json", headers=token_for(coordinator)
    )
    assert created.status_code == 201, created.content
    data = created.json()
    assert (data["method"], data["alternatives"][0]["name"], data["catchment_lgas"]) == (
        "e_referral",
        "Public clinic",
        [places.BALLARAT],
    )
    url = f"/api/referrals/pathways/{data['id']}"
    denied = client.post(
        "/api/referrals/pathways", body, content_type="application/json", headers=token_for(other_coordinator)
    )
    assert denied.status_code == 403
    assert (
        client.patch(
            url, {"typical_wait_days": 60}, content_type="application/json", headers=token_for(other_coordinator)
        ).status_code
        == 404
    )

    changed = client.patch(
        url,
        {"typical_wait_days": 60, "verified": True},
        content_type="application/json",
        headers=token_for(coordinator),
    )
    assert changed.status_code == 200
    assert (changed.json()["typical_wait_days"], changed.json()["verification"]) == (60, "current")
    revisions = client.get(url + "/revisions", headers=token_for(coordinator)).json()["items"]
    assert [r["number"] for r in revisions] == [2, 1]
    assert "typical_wait_days" in revisions[0]["changed_fields"]
    assert revisions[1]["note"] == "From the clinic's guidelines"
    assert client.get(url + "/revisions", headers=token_for(other_coordinator)).status_code == 404

    bad = client.patch(
        url, {"source_service_id": str(target.pk)}, content_type="application/json", headers=token_for(coordinator)
    )
    assert bad.status_code == 400  # a source service and a source role
    assert bad.json()["errors"] == {"source_service": [services.PATHWAY_ONE_SOURCE]}
    unknown = client.patch(
        url, {"needs": ["telepathy"]}, content_type="application/json", headers=token_for(coordinator)
    )
    assert unknown.json()["errors"] == {"needs": ["Unknown need: telepathy."]}


def test_suggestions_through_the_api(directory, practitioner, coordinator, other_coordinator, token_for):
    service = ServiceFactory(directory=directory, capacity_status="taking", assured_date=None)
    client = Client()
    made = client.post(
        "/api/referrals/suggestions",
        {"service_id": str(service.pk), "field": "capacity_status", "proposed_value": "closed", "note": "Rang them"},
        content_type="application/json",
        headers=token_for(practitioner),
    )
    assert made.status_code == 201, made.content
    suggestion_id = made.json()["id"]
    assert made.json()["suggested_by"] == str(practitioner)
    assert client.post("/api/referrals/suggestions", {}, content_type="application/json").status_code == 401
    listed = client.get("/api/referrals/suggestions?partnership=ballarat", headers=token_for(coordinator)).json()
    assert [s["id"] for s in listed["items"]] == [suggestion_id]
    assert (
        client.get("/api/referrals/suggestions?partnership=ballarat", headers=token_for(other_coordinator)).status_code
        == 404
    )
    url = f"/api/referrals/suggestions/{suggestion_id}/accept"
    assert (
        client.post(url, {}, content_type="application/json", headers=token_for(other_coordinator)).status_code == 404
    )
    accepted = client.post(url, {"note": "Confirmed"}, content_type="application/json", headers=token_for(coordinator))
    assert accepted.json()["status"] == "accepted"
    service.refresh_from_db()
    assert (service.capacity_status, service.assured_date) == ("closed", timezone.localdate())
    again = client.post(url, {}, content_type="application/json", headers=token_for(coordinator))
    assert again.status_code == 400
    assert ChangeSuggestion.objects.get().decision_note == "Confirmed"


def test_suggestions_need_exactly_one_visible_target(directory, practitioner, token_for, other_partnership):
    client = Client()
    headers = token_for(practitioner)
    both = client.post(
        "/api/referrals/suggestions", {"field": "other", "note": "x"}, content_type="application/json", headers=headers
    )
    assert both.status_code == 400
    private = DirectoryFactory(partnership=other_partnership, is_public=False)
    hidden = ServiceFactory(directory=private)
    response = client.post(
        "/api/referrals/suggestions",
        {"service_id": str(hidden.pk), "field": "other", "note": "x"},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 404
    pathway = PathwayFactory(directory=directory)
    ok = client.post(
        "/api/referrals/suggestions",
        {"pathway_id": str(pathway.pk), "field": "typical_wait_days", "proposed_value": "45"},
        content_type="application/json",
        headers=headers,
    )
    assert ok.status_code == 201
    assert Pathway.objects.get().typical_wait_days == 30  # nothing changes until a coordinator accepts
    assert role("gp").taxonomy.key == vocabulary.REFERRER_ROLES
