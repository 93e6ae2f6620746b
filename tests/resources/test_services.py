"""Writing resources: where files are stored, what links are taken, and that removed files leave storage."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage

from resources import services
from resources.models import Resource
from tests.events.factories import EventFactory
from tests.resources.factories import file_resource, link_resource, upload

pytestmark = pytest.mark.django_db


def test_a_file_is_stored_under_a_name_crossroads_makes_and_keeps_its_safe_name(coordinator, settings):
    event = EventFactory()
    resource = services.resource_add_file(
        event=event, upload=upload("../../Ünïcode slides.pdf"), title="", by=coordinator
    )
    assert resource.kind == "file" and resource.title == "Ünïcode slides.pdf"  # no title: the file's name
    assert resource.filename == "Ünïcode slides.pdf"
    assert resource.file.name.startswith(f"resources/{event.pk}/") and resource.file.name.endswith(".pdf")
    assert ".." not in resource.file.name and "slides" not in resource.file.name
    assert resource.content_type == "application/pdf" and resource.size == resource.file.size
    assert default_storage.exists(resource.file.name)
    assert str(settings.MEDIA_ROOT) in default_storage.path(resource.file.name)


def test_a_refused_file_names_the_field_and_stores_nothing(coordinator):
    event = EventFactory()
    with pytest.raises(ValidationError) as error:
        services.resource_add_file(event=event, upload=upload("x.pdf", b"GIF89a"), title="x", by=coordinator)
    assert list(error.value.message_dict) == ["file"]
    assert not Resource.objects.exists()
    assert (
        not default_storage.exists(f"resources/{event.pk}") or not default_storage.listdir(f"resources/{event.pk}")[1]
    )


def test_no_file_is_a_field_error():
    with pytest.raises(ValidationError) as error:
        services.resource_add_file(event=EventFactory(), upload=None, title="x", by=None)
    assert error.value.message_dict == {"file": [services.FILE_REQUIRED]}


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,<script>",
        "file:///etc/passwd",
        "ftp://x.org/a",
        "//example.org/x",
        "example.org",
        "https://",
    ],
)
def test_only_http_and_https_links_are_taken(url):
    with pytest.raises(ValidationError) as error:
        services.resource_add_link(event=EventFactory(), url=url, title="Bad", by=None)
    assert error.value.message_dict == {"url": [services.URL_BAD]}


def test_a_link_needs_a_title_and_a_known_visibility():
    with pytest.raises(ValidationError) as error:
        services.resource_add_link(event=EventFactory(), url="https://ok.org", title=" ", by=None, visibility="all")
    assert error.value.message_dict == {"title": [services.TITLE_REQUIRED], "visibility": [services.VISIBILITY_BAD]}


def test_removing_a_resource_removes_its_file_after_commit(django_capture_on_commit_callbacks):
    resource = file_resource(EventFactory())
    name = resource.file.name
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.resource_delete(resource=resource)
    assert not Resource.objects.exists()
    assert default_storage.exists(name)  # not before the commit
    for callback in callbacks:
        callback()
    assert not default_storage.exists(name)


def test_deleting_the_session_removes_its_files(django_capture_on_commit_callbacks):
    event = EventFactory()
    names = [file_resource(event, title=f"File {n}").file.name for n in range(2)]
    link_resource(event)
    with django_capture_on_commit_callbacks(execute=True):
        event.delete()
    assert not Resource.objects.exists()
    assert not any(default_storage.exists(name) for name in names)


def test_a_rolled_back_removal_keeps_the_file(django_capture_on_commit_callbacks):
    from django.db import transaction

    resource = file_resource(EventFactory())
    pk, name = resource.pk, resource.file.name
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.resource_delete(resource=resource)
        raise RuntimeError
    assert callbacks == []
    assert Resource.objects.filter(pk=pk).exists() and default_storage.exists(name)


def test_update_changes_title_and_visibility_only():
    resource = link_resource(EventFactory(), visibility="attendees")
    services.resource_update(resource=resource, title="New title", visibility="public")
    resource.refresh_from_db()
    assert (resource.title, resource.visibility, resource.url) == ("New title", "public", "https://example.org/guide")


def test_a_presenter_is_named_once(coordinator, practitioner):
    event = EventFactory()
    services.presenter_add(event=event, user=practitioner, by=coordinator)
    with pytest.raises(ValidationError) as error:
        services.presenter_add(event=event, user=practitioner, by=coordinator)
    assert list(error.value.message_dict) == ["email"]
    with pytest.raises(ValidationError):
        services.presenter_add(event=event, user=None, by=coordinator)
    assert services.presenter_remove(event=event, user_id=practitioner.pk)
    assert not services.presenter_remove(event=event, user_id=practitioner.pk)
