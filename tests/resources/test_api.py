"""The resources API through the one NinjaAPI (Bearer tokens): lists, uploads, links, removal, presenters,
the library."""

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from resources import files, services
from resources.models import Resource, SessionPresenter
from tests.events.factories import EventFactory, RegistrationFactory, TopicFactory
from tests.resources.factories import file_resource, link_resource, pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return Client()


def _past(partnership, **kwargs):
    start = timezone.now() - timedelta(days=7)
    return EventFactory(partnership=partnership, start=start, end=start + timedelta(hours=2), **kwargs)


def test_the_list_shows_what_the_caller_may_see(api, partnership, practitioner, token_for):
    event = _past(partnership)
    public = link_resource(event, visibility="public")
    private = file_resource(event, visibility="attendees")
    url = f"/api/events/{event.pk}/resources"
    assert [r["id"] for r in api.get(url).json()] == [public.pk]
    assert [r["id"] for r in api.get(url, headers=token_for(practitioner)).json()] == [public.pk]
    RegistrationFactory(event=event, user=practitioner)
    body = api.get(url, headers=token_for(practitioner)).json()
    assert [r["id"] for r in body] == [public.pk, private.pk]
    assert body[1]["url"].endswith(f"/api/resources/{private.pk}/file")
    assert body[1]["content_type"] == "application/pdf" and body[1]["size"] == private.size
    assert body[0]["url"] == "https://example.org/guide" and body[0]["size"] is None
    assert api.get(f"/api/events/{EventFactory(status='draft').pk}/resources").status_code == 404


def test_the_file_downloads_through_the_api_with_its_checks(api, partnership, practitioner, token_for):
    event = _past(partnership)
    private = file_resource(event, visibility="attendees", name="Handout.pdf")
    url = f"/api/resources/{private.pk}/file"
    assert api.get(url).status_code == 401  # it may be for attendees: sign in
    assert api.get(url, headers=token_for(practitioner)).status_code == 404
    RegistrationFactory(event=event, user=practitioner)
    response = api.get(url, headers=token_for(practitioner))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Handout.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert api.get(f"/api/resources/{private.pk}", headers=token_for(practitioner)).json()["title"] == "Slides"


def test_a_coordinator_uploads_a_file(api, partnership, coordinator, token_for):
    event = _past(partnership)
    upload = SimpleUploadedFile("Deck.pdf", pdf_bytes(), content_type="application/pdf")
    response = api.post(
        f"/api/events/{event.pk}/resources/files",
        {"file": upload, "visibility": "public", "description": "The deck"},
        headers=token_for(coordinator),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["title"], body["filename"], body["visibility"], body["kind"]) == (
        "Deck.pdf",
        "Deck.pdf",
        "public",
        "file",
    )
    assert default_storage.exists(Resource.objects.get().file.name)


def test_a_bad_upload_is_a_400_naming_the_file_field(api, partnership, coordinator, token_for, settings):
    settings.RESOURCE_MAX_UPLOAD_MB = 1
    event = _past(partnership)
    url = f"/api/events/{event.pk}/resources/files"
    headers = token_for(coordinator)
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * 2**20)
    response = api.post(url, {"file": big}, headers=headers)
    assert response.status_code == 400
    assert response.json()["errors"] == {"file": [files.FILE_TOO_BIG.format(limit=1)]}
    fake = SimpleUploadedFile("slides.pdf", b"<html><script>alert(1)</script>")
    assert api.post(url, {"file": fake}, headers=headers).json()["errors"] == {
        "file": [files.FILE_MISMATCH.format(label="PDF")]
    }
    assert api.post(url, {}, headers=headers).json()["errors"] == {"file": [services.FILE_REQUIRED]}
    assert api.post(url, {"file": fake, "visibility": "everyone"}, headers=headers).status_code == 422
    assert not Resource.objects.exists()


def test_links_are_http_or_https_only(api, partnership, coordinator, token_for):
    event = _past(partnership)
    url = f"/api/events/{event.pk}/resources/links"
    headers = token_for(coordinator)
    bad = api.post(url, {"title": "x", "url": "javascript:alert(1)"}, content_type="application/json", headers=headers)
    assert bad.status_code == 400 and bad.json()["errors"] == {"url": [services.URL_BAD]}
    good = api.post(
        url, {"title": "Guide", "url": "https://example.org/g"}, content_type="application/json", headers=headers
    )
    assert good.status_code == 201 and good.json()["visibility"] == "attendees"


def test_others_are_refused_and_anonymous_must_sign_in(api, partnership, practitioner, other_coordinator, token_for):
    event = _past(partnership)
    resource = file_resource(event, visibility="public")
    body = {"title": "x", "url": "https://example.org"}
    assert api.post(f"/api/events/{event.pk}/resources/links", body, content_type="application/json").status_code == 401
    for user in (practitioner, other_coordinator):
        headers = token_for(user)
        links = api.post(
            f"/api/events/{event.pk}/resources/links", body, content_type="application/json", headers=headers
        )
        assert links.status_code == 403
        assert api.delete(f"/api/resources/{resource.pk}", headers=headers).status_code == 403
        assert api.get(f"/api/events/{event.pk}/presenters", headers=headers).status_code == 403
    assert Resource.objects.count() == 1


def test_delete_removes_the_row_and_its_file(
    api, partnership, coordinator, token_for, django_capture_on_commit_callbacks
):
    resource = file_resource(_past(partnership))
    name = resource.file.name
    with django_capture_on_commit_callbacks(execute=True):
        response = api.delete(f"/api/resources/{resource.pk}", headers=token_for(coordinator))
    assert response.status_code == 204
    assert not Resource.objects.exists() and not default_storage.exists(name)


def test_patch_changes_visibility(api, partnership, coordinator, token_for):
    resource = file_resource(_past(partnership), visibility="attendees")
    response = api.patch(
        f"/api/resources/{resource.pk}",
        {"visibility": "public"},
        content_type="application/json",
        headers=token_for(coordinator),
    )
    assert response.status_code == 200 and response.json()["visibility"] == "public"
    assert api.get(f"/api/resources/{resource.pk}").status_code == 200


def test_coordinators_name_presenters_who_then_add_resources(api, partnership, coordinator, practitioner, token_for):
    event = _past(partnership)
    url = f"/api/events/{event.pk}/presenters"
    headers = token_for(coordinator)
    unknown = api.post(url, {"email": "nobody@example.org"}, content_type="application/json", headers=headers)
    assert unknown.status_code == 400 and list(unknown.json()["errors"]) == ["email"]
    added = api.post(url, {"email": practitioner.email.upper()}, content_type="application/json", headers=headers)
    assert added.status_code == 201 and added.json()["user_id"] == practitioner.pk
    assert [p["email"] for p in api.get(url, headers=headers).json()] == [practitioner.email]
    presenter = token_for(practitioner)
    link = api.post(
        f"/api/events/{event.pk}/resources/links",
        {"title": "My slides online", "url": "https://example.org/s", "visibility": "public"},
        content_type="application/json",
        headers=presenter,
    )
    assert link.status_code == 201
    assert api.get(url, headers=presenter).status_code == 403  # presenters do not name presenters
    assert api.delete(f"{url}/{practitioner.pk}", headers=headers).status_code == 204
    assert not SessionPresenter.objects.exists()
    assert api.delete(f"{url}/{practitioner.pk}", headers=headers).status_code == 404


def test_the_library_is_paginated_and_searchable(api, partnership, django_assert_max_num_queries):
    topic = TopicFactory(name="Family violence")
    for n in range(23):
        event = _past(partnership, title=f"Session {n}")
        if n % 2:
            event.topics.add(topic)
        link_resource(event, title=f"Resource {n}")
    file_resource(_past(partnership), visibility="attendees", title="Not in the library")
    url = f"/api/partnerships/{partnership.slug}/resources"
    with django_assert_max_num_queries(4):
        body = api.get(url).json()
    assert body["count"] == 23 and len(body["items"]) == 20
    assert body["items"][0]["event"]["title"]
    assert api.get(url, {"topic": topic.slug}).json()["count"] == 11
    assert [r["title"] for r in api.get(url, {"q": "resource 12"}).json()["items"]] == ["Resource 12"]
    assert api.get("/api/partnerships/nowhere/resources").status_code == 404
