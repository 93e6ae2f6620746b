"""The pages: downloads (who may, with what headers), the session page's section, My sessions, the
coordinators' and presenters' page, and the library."""

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from resources import files, services
from resources.models import Resource
from tests.accounts.factories import UserFactory
from tests.events.factories import EventFactory, RegistrationFactory, TopicFactory
from tests.resources.factories import PNG, file_resource, link_resource, pdf_bytes

pytestmark = pytest.mark.django_db


def _past(partnership, **kwargs):
    start = timezone.now() - timedelta(days=7)
    return EventFactory(partnership=partnership, start=start, end=start + timedelta(hours=2), **kwargs)


def _file_url(resource) -> str:
    return reverse("resource-file", kwargs={"resource_id": resource.pk})


# --- Downloads -----------------------------------------------------------------------------------


def test_a_public_file_downloads_for_anyone_with_a_safe_type_and_name(client, partnership):
    resource = file_resource(_past(partnership), visibility="public", name="Ünïcode slides.pdf")
    response = client.get(_file_url(resource))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=utf-8''{quote('Ünïcode slides.pdf')}" in disposition
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_an_image_opens_inline(client, partnership):
    resource = file_resource(_past(partnership), visibility="public", name="photo.png", content=PNG)
    response = client.get(_file_url(resource))
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'inline; filename="photo.png"'
    assert "sandbox" in response["Content-Security-Policy"]


def test_attendees_only_files_are_for_attendees_presenters_and_coordinators(
    client, partnership, coordinator, other_coordinator, practitioner, other_practitioner
):
    event = _past(partnership)
    resource = file_resource(event, visibility="attendees")
    url = _file_url(resource)
    RegistrationFactory(event=event, user=practitioner, attendance="attended")
    no_show = RegistrationFactory(event=event, attendance="no_show").user
    waitlisted = RegistrationFactory(event=event, status="waitlisted").user
    presenter = UserFactory()
    services.presenter_add(event=event, user=presenter, by=coordinator)

    anonymous = client.get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("login"))
    for user, status in [
        (practitioner, 200),
        (presenter, 200),
        (coordinator, 200),
        (other_practitioner, 404),
        (no_show, 404),
        (waitlisted, 404),
        (other_coordinator, 404),
    ]:
        client.force_login(user)
        assert client.get(url).status_code == status, user
    assert not Resource.objects.get().file.url.startswith("/resources/")  # MEDIA_URL is never linked


def test_a_drafts_public_resource_is_hidden_from_everyone_but_its_managers(client, partnership, coordinator):
    resource = file_resource(EventFactory(partnership=partnership, status="draft"), visibility="public")
    assert client.get(_file_url(resource)).status_code == 302
    client.force_login(UserFactory())
    assert client.get(_file_url(resource)).status_code == 404
    client.force_login(coordinator)
    assert client.get(_file_url(resource)).status_code == 200


def test_a_link_has_no_file_to_download(client, partnership):
    resource = link_resource(_past(partnership))
    assert client.get(_file_url(resource)).status_code == 404


# --- The session page and My sessions -------------------------------------------------------------


def test_the_session_page_lists_what_the_viewer_may_see(client, partnership, practitioner, coordinator):
    event = _past(partnership)
    file_resource(event, visibility="public", title="Public slides")
    file_resource(event, visibility="attendees", title="Attendee handout")
    link_resource(event, visibility="public", title="A guide", url="https://example.org/guide?a=1&b=2")
    page = client.get(event.get_absolute_url()).content.decode()
    assert "Public slides" in page and "A guide" in page and 'href="https://example.org/guide?a=1&amp;b=2"' in page
    assert "Attendee handout" not in page and "1 more for the session's attendees" in page
    assert "Add or remove resources" not in page

    RegistrationFactory(event=event, user=practitioner, attendance="attended")
    client.force_login(practitioner)
    page = client.get(event.get_absolute_url()).content.decode()
    assert "Attendee handout" in page and "more for the session" not in page

    client.force_login(coordinator)
    page = client.get(event.get_absolute_url()).content.decode()
    assert reverse("event-resources", kwargs={"event_id": event.pk}) in page


def test_a_session_without_resources_shows_no_section(client, partnership):
    assert 'id="resources"' not in client.get(_past(partnership).get_absolute_url()).content.decode()


def test_my_sessions_counts_each_past_sessions_resources_in_one_query(
    client, partnership, practitioner, django_assert_max_num_queries
):
    events = [_past(partnership, title=f"Past {n}") for n in range(4)]
    for n, event in enumerate(events):
        RegistrationFactory(event=event, user=practitioner, attendance="attended" if n else "no_show")
        file_resource(event, visibility="public", title="Slides")
        file_resource(event, visibility="attendees", title="Handout")
    client.force_login(practitioner)
    response = client.get(reverse("my-sessions"))
    page = response.content.decode()
    assert page.count('>2<span class="visually-hidden"> resources from') == 3  # attended: both
    assert page.count('>1<span class="visually-hidden"> resource from') == 1  # a no-show: the public one
    for n in range(8):
        events.append(_past(partnership, title=f"More {n}"))
        RegistrationFactory(event=events[-1], user=practitioner, attendance="attended")
        file_resource(events[-1], visibility="public")
    client.get(reverse("my-sessions"))  # warm
    with django_assert_max_num_queries(14):
        assert client.get(reverse("my-sessions")).status_code == 200


# --- Adding and removing (coordinators and presenters) ------------------------------------------


def _manage_url(event) -> str:
    return reverse("event-resources", kwargs={"event_id": event.pk})


def _post_file(client, event, name="Slides.pdf", content=None, **fields):
    upload = SimpleUploadedFile(name, pdf_bytes() if content is None else content, content_type="application/pdf")
    data = {"kind": "file", "file-file": upload, "file-title": "", "file-visibility": "public"}
    data.update({f"file-{k}": v for k, v in fields.items()})
    return client.post(_manage_url(event), data)


def test_a_coordinator_uploads_a_file_and_adds_a_link(client, partnership, coordinator):
    event = _past(partnership)
    client.force_login(coordinator)
    assert client.get(_manage_url(event)).status_code == 200
    response = _post_file(client, event)
    assert response.status_code == 302
    resource = Resource.objects.get()
    assert (resource.title, resource.visibility, resource.added_by) == ("Slides.pdf", "public", coordinator)
    response = client.post(
        _manage_url(event),
        {"kind": "link", "link-url": "https://example.org/x", "link-title": "X", "link-visibility": "attendees"},
    )
    assert response.status_code == 302 and Resource.objects.filter(kind="link", visibility="attendees").exists()


def test_a_file_too_big_or_of_the_wrong_type_is_a_form_error_naming_the_field(
    client, partnership, coordinator, settings
):
    settings.RESOURCE_MAX_UPLOAD_MB = 1
    event = _past(partnership)
    client.force_login(coordinator)
    response = _post_file(client, event, content=b"%PDF-" + b"0" * 2**20)
    assert response.status_code == 200
    assert response.context["file_form"].errors == {"file": [files.FILE_TOO_BIG.format(limit=1)]}
    assert 'id="id_file-file_error"' in response.content.decode()
    response = _post_file(client, event, name="page.html", content=b"<script>")
    assert list(response.context["file_form"].errors) == ["file"]
    response = client.post(
        _manage_url(event),
        {"kind": "link", "link-url": "javascript:alert(1)", "link-title": "Bad", "link-visibility": "public"},
    )
    assert response.context["link_form"].errors["url"] == [services.URL_BAD]
    assert not Resource.objects.exists()


def test_a_hostile_upload_name_is_stored_and_sent_back_safely(client, partnership, coordinator):
    event = _past(partnership)
    client.force_login(coordinator)
    hostile = "..\\..\\évil \u202e" + "ü" * 300 + ".pdf"
    assert _post_file(client, event, name=hostile).status_code == 302
    resource = Resource.objects.get()
    assert resource.filename == "évil " + "ü" * (files.FILENAME_MAX - 9) + ".pdf"
    assert resource.file.name.startswith(f"resources/{event.pk}/") and "ü" not in resource.file.name
    disposition = client.get(_file_url(resource))["Content-Disposition"]
    assert disposition == f"attachment; filename*=utf-8''{quote(resource.filename)}"
    # A line break in the name cannot get through the multipart header: what is left has no extension.
    response = _post_file(client, event, name="evil.pdf\r\nContent-Type: text/html")
    assert response.status_code == 200 and list(response.context["file_form"].errors) == ["file"]
    assert Resource.objects.count() == 1


def test_a_control_character_in_a_field_is_refused_at_the_edge(client, partnership, coordinator):
    """NUL and other control characters never reach the app (config/middleware.py): a 400 naming the field."""
    event = _past(partnership)
    client.force_login(coordinator)
    response = _post_file(client, event, title="bad\x00title")
    assert response.status_code == 400 and b"file-title" in response.content
    assert not Resource.objects.exists()


def test_a_named_presenter_adds_and_removes_resources_but_names_nobody(client, partnership, coordinator):
    event = _past(partnership)
    presenter = UserFactory(email="speaker@example.org")
    client.force_login(presenter)
    assert client.get(_manage_url(event)).status_code == 404
    client.force_login(coordinator)
    presenters = reverse("event-presenters", kwargs={"slug": partnership.slug, "event_id": event.pk})
    client.post(presenters, {"presenter-email": "SPEAKER@example.org"})
    client.force_login(presenter)
    page = client.get(_manage_url(event))
    assert page.status_code == 200 and not page.context["can_name_presenters"]
    assert _post_file(client, event).status_code == 302
    resource = Resource.objects.get()
    assert client.post(presenters, {"presenter-email": "x@example.org"}).status_code == 404
    name = resource.file.name
    with_commit = client.post(reverse("resource-delete", kwargs={"resource_id": resource.pk}))
    assert with_commit.status_code == 302 and not Resource.objects.exists()
    client.force_login(coordinator)
    client.post(presenters, {"remove": str(presenter.pk)})
    client.force_login(presenter)
    assert client.get(_manage_url(event)).status_code == 404
    assert name  # the file's removal after commit is tested in test_services


def test_others_cannot_add_or_remove(client, partnership, practitioner, other_coordinator):
    event = _past(partnership)
    resource = file_resource(event, visibility="public")
    for user in (practitioner, other_coordinator):
        client.force_login(user)
        assert client.get(_manage_url(event)).status_code == 404
        assert _post_file(client, event).status_code == 404
        assert client.post(reverse("resource-delete", kwargs={"resource_id": resource.pk})).status_code == 404
    assert Resource.objects.count() == 1 and default_storage.exists(resource.file.name)


# --- The library ---------------------------------------------------------------------------------


def test_the_library_lists_public_resources_of_past_published_sessions_only(client, partnership, other_partnership):
    past = _past(partnership, title="Child safety")
    file_resource(past, visibility="public", title="Shared slides")
    file_resource(past, visibility="attendees", title="Private handout")
    link_resource(EventFactory(partnership=partnership), title="Upcoming reading")  # not past yet
    link_resource(_past(partnership, status="cancelled"), title="Cancelled thing")
    link_resource(_past(other_partnership), title="Geelong slides")
    page = client.get(reverse("resource-library", kwargs={"slug": partnership.slug})).content.decode()
    assert "Shared slides" in page and "Child safety" in page
    for hidden in ("Private handout", "Upcoming reading", "Cancelled thing", "Geelong slides"):
        assert hidden not in page


def test_the_library_searches_words_and_topics(client, partnership):
    safety, pathways = TopicFactory(name="Child safety"), TopicFactory(name="Referral pathways")
    first, second = _past(partnership, title="Session one"), _past(partnership, title="Session two")
    first.topics.add(safety)
    second.topics.add(pathways)
    link_resource(first, title="Safety plan template")
    link_resource(second, title="Pathway map", url="https://example.org/map")
    resource = Resource.objects.get(title="Pathway map")
    services.resource_update(resource=resource, description="How families reach speech therapy")
    url = reverse("resource-library", kwargs={"slug": partnership.slug})

    def titles(**query):
        return [r.title for r in client.get(url, query).context["resources"]]

    assert sorted(titles()) == ["Pathway map", "Safety plan template"]
    assert titles(q="speech therapy") == ["Pathway map"]  # the description, every word
    assert titles(q="plan speech") == []
    assert titles(topic=safety.slug) == ["Safety plan template"]
    assert titles(topic=pathways.slug, q="map") == ["Pathway map"]
    choices = client.get(url).context["filters"].fields["topic"].choices
    assert sorted(slug for slug, _ in choices[1:]) == sorted([safety.slug, pathways.slug])


def test_the_library_is_paginated_in_a_fixed_number_of_queries(client, partnership, django_assert_max_num_queries):
    topic = TopicFactory(name="Child safety")
    for n in range(25):
        event = _past(partnership, title=f"Session {n}")
        event.topics.add(topic)
        link_resource(event, title=f"Resource {n}")
    url = reverse("resource-library", kwargs={"slug": partnership.slug})
    with django_assert_max_num_queries(6):
        first = client.get(url)
    assert len(first.context["resources"]) == 20 and first.context["resources"].paginator.count == 25
    with django_assert_max_num_queries(6):
        second = client.get(url, {"page": 2, "topic": topic.slug})
    assert len(second.context["resources"]) == 5


def test_an_unknown_partnership_has_no_library(client):
    assert client.get(reverse("resource-library", kwargs={"slug": "nowhere"})).status_code == 404


def test_the_session_pages_resources_cost_the_same_queries_however_many(client, partnership, practitioner):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    event = _past(partnership)
    RegistrationFactory(event=event, user=practitioner, attendance="attended")
    client.force_login(practitioner)
    file_resource(event, visibility="attendees")
    client.get(event.get_absolute_url())  # warm
    with CaptureQueriesContext(connection) as one:
        client.get(event.get_absolute_url())
    for n in range(9):
        file_resource(event, visibility="public", title=f"File {n}")
        link_resource(event, title=f"Link {n}")
    with CaptureQueriesContext(connection) as many:
        page = client.get(event.get_absolute_url()).content.decode()
    assert page.count('class="resource"') == 19
    assert len(many) == len(one)
