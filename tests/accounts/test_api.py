import pytest
from django.test import Client

from accounts.models import ApiToken

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return Client(enforce_csrf_checks=True)


def test_me_needs_authentication(client):
    response = client.get("/api/me")
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication required."}
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_me_with_a_bearer_token(client, practitioner, token_for):
    response = client.get("/api/me", headers=token_for(practitioner))
    assert response.status_code == 200
    body = response.json()
    assert body["email"] == "pat@example.org"
    assert body["coordinator_of"] == []


def test_a_revoked_or_unknown_token_is_401_not_anonymous(client, practitioner):
    response = client.get("/api/sectors", headers={"Authorization": "Bearer cr_unknown"})
    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid or revoked API token."


def test_me_with_the_browser_session(client, practitioner):
    client.force_login(practitioner)
    assert client.get("/api/me").status_code == 200


def test_session_writes_need_csrf_but_token_writes_do_not(client, practitioner, token_for):
    client.force_login(practitioner)
    response = client.patch("/api/me", {"organisation": "X"}, content_type="application/json")
    assert response.status_code == 403
    token_client = Client(enforce_csrf_checks=True)
    response = token_client.patch(
        "/api/me", {"organisation": "Y"}, content_type="application/json", headers=token_for(practitioner)
    )
    assert response.status_code == 200
    assert response.json()["organisation"] == "Y"


def test_me_update_names_the_bad_field(client, practitioner, token_for):
    headers = token_for(practitioner)
    response = client.patch("/api/me", {"sector_id": 999}, content_type="application/json", headers=headers)
    assert response.status_code == 400
    assert response.json()["errors"] == {"sector_id": ["Unknown sector."]}
    response = client.patch("/api/me", {"full_name": ""}, content_type="application/json", headers=headers)
    assert response.status_code == 422
    assert "full_name" in response.json()["errors"]
    response = client.patch("/api/me", "{not json", content_type="application/json", headers=headers)
    assert 400 <= response.status_code < 500


def test_token_lifecycle_over_the_api(client, practitioner, token_for):
    headers = token_for(practitioner)
    created = client.post("/api/me/tokens", {"name": "laptop"}, content_type="application/json", headers=headers)
    assert created.status_code == 201
    secret = created.json()["token"]
    listed = client.get("/api/me/tokens", headers=headers).json()
    assert listed["count"] == 2
    assert all("token" not in item for item in listed["items"])
    new_headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/me", headers=new_headers).status_code == 200
    revoked = client.delete(f"/api/me/tokens/{created.json()['id']}", headers=headers)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert client.get("/api/me", headers=new_headers).status_code == 401


def test_cannot_revoke_another_persons_token(client, practitioner, other_practitioner, token_for):
    token_for(other_practitioner)
    theirs = ApiToken.objects.get(user=other_practitioner)
    response = client.delete(f"/api/me/tokens/{theirs.pk}", headers=token_for(practitioner))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_sector_creation_is_for_coordinators(client, practitioner, coordinator, token_for):
    payload = {"name": "Justice"}
    refused = client.post("/api/sectors", payload, content_type="application/json", headers=token_for(practitioner))
    assert refused.status_code == 403
    created = client.post("/api/sectors", payload, content_type="application/json", headers=token_for(coordinator))
    assert created.status_code == 201
    assert created.json()["slug"] == "justice"


def test_lists_are_paginated(client):
    body = client.get("/api/sectors?page=1").json()
    assert set(body) == {"items", "count", "page", "page_size"}
    assert body["count"] == 4
    second = client.get("/api/sectors?page=2&page_size=3").json()
    assert [s["slug"] for s in second["items"]] == ["other"]
    assert client.get("/api/sectors?page_size=101").status_code == 422
    assert client.get("/api/sectors?page=0").status_code == 422


def test_partnership_coordinators_are_private_to_the_partnership(
    client, coordinator, other_coordinator, practitioner, token_for
):
    url = "/api/partnerships/ballarat/coordinators"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=token_for(practitioner)).status_code == 404
    assert client.get(url, headers=token_for(other_coordinator)).status_code == 404
    response = client.get(url, headers=token_for(coordinator))
    assert response.status_code == 200
    assert [c["email"] for c in response.json()["items"]] == ["coord@example.org"]


def test_openapi_schema_and_docs_are_served(client):
    schema = client.get("/api/openapi.json").json()
    assert "/api/me" in schema["paths"]
    assert client.get("/api/docs").status_code == 200


def test_nul_characters_are_refused_by_name_not_a_server_error(client, practitioner, token_for):
    headers = token_for(practitioner)
    response = client.patch(
        "/api/me", '{"organisation": "a\\u0000b"}', content_type="application/json", headers=headers
    )
    assert response.status_code == 400 and response.json()["errors"] == {
        "organisation": ["Null characters are not allowed."]
    }
    assert client.get("/api/events?q=%00", headers=headers).json()["errors"] == {
        "q": ["Null characters are not allowed."]
    }
    assert client.get("/api/certificates/verify/%00").status_code == 400
    practitioner.refresh_from_db()
    assert "\x00" not in practitioner.organisation
