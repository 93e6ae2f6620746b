"""Writes for session resources and presenters. Each runs in its own transaction; a removed file leaves
storage once the removal is committed (receivers.py, which also covers a deleted session)."""

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from accounts.models import User
from events.models import Event

from . import files
from .models import Resource, SessionPresenter

TITLE_REQUIRED = "Give the resource a title."
TITLE_TOO_LONG = "At most 200 characters."
DESCRIPTION_TOO_LONG = "At most 2000 characters."
FILE_REQUIRED = "Choose a file to upload."
URL_REQUIRED = "Give the link's address."
URL_BAD = "Enter a web address starting with http:// or https://."
URL_TOO_LONG = "At most 2000 characters."
VISIBILITY_BAD = "Choose attendees only or public."
PRESENTER_UNKNOWN = "Nobody has an account with that e-mail address; they need one before you can name them."
PRESENTER_DUPLICATE = "{name} already presents this session."

_http_url = URLValidator(schemes=["http", "https"])


def _clean_text(*, title: str, description: str, visibility: str) -> tuple[str, str]:
    title = (title or "").strip()
    description = (description or "").strip()
    errors = {}
    if not title:
        errors["title"] = TITLE_REQUIRED
    elif len(title) > 200:
        errors["title"] = TITLE_TOO_LONG
    if len(description) > 2000:
        errors["description"] = DESCRIPTION_TOO_LONG
    if visibility not in Resource.Visibility.values:
        errors["visibility"] = VISIBILITY_BAD
    if errors:
        raise ValidationError(errors)
    return title, description


def url_problem(url: str) -> str | None:
    """Why a link is refused (only http and https: no javascript:, data: or file:), or None."""
    if not url:
        return URL_REQUIRED
    if len(url) > 2000:
        return URL_TOO_LONG
    try:
        _http_url(url)
    except ValidationError:
        return URL_BAD
    return None


@transaction.atomic
def resource_add_file(
    *, event: Event, upload, title: str, by: User | None, description: str = "", visibility: str = "attendees"
) -> Resource:
    """Store an uploaded file for the session. The caller has checked that `by` may (selectors)."""
    if upload is None:
        raise ValidationError({"file": FILE_REQUIRED})
    filename = files.safe_filename(upload.name or "")
    title, description = _clean_text(title=title or filename, description=description, visibility=visibility)
    problem = files.file_problem(upload, filename)
    if problem:
        raise ValidationError({"file": problem})
    resource = Resource(
        event=event,
        kind=Resource.Kind.FILE,
        title=title,
        description=description,
        visibility=visibility,
        filename=filename,
        content_type=files.TYPES[files.extension_of(filename)].content_type,
        size=upload.size,
        added_by=by,
    )
    resource.file.save(filename, upload, save=False)
    try:
        resource.save()
    except Exception:
        resource.file.storage.delete(resource.file.name)  # no row, no file
        raise
    return resource


@transaction.atomic
def resource_add_link(
    *, event: Event, url: str, title: str, by: User | None, description: str = "", visibility: str = "attendees"
) -> Resource:
    url = (url or "").strip()
    problem = url_problem(url)
    errors = {"url": problem} if problem else {}
    try:
        title, description = _clean_text(title=title, description=description, visibility=visibility)
    except ValidationError as error:
        errors = {**error.message_dict, **errors}
    if errors:
        raise ValidationError(errors)
    return Resource.objects.create(
        event=event,
        kind=Resource.Kind.LINK,
        title=title,
        description=description,
        visibility=visibility,
        url=url,
        added_by=by,
    )


@transaction.atomic
def resource_update(*, resource: Resource, **changes) -> Resource:
    """Change a resource's title, description or visibility (a file or link itself is replaced by
    removing the resource and adding a new one)."""
    title, description = _clean_text(
        title=changes.get("title", resource.title),
        description=changes.get("description", resource.description),
        visibility=changes.get("visibility", resource.visibility),
    )
    resource.title, resource.description = title, description
    resource.visibility = changes.get("visibility", resource.visibility)
    resource.save(update_fields=["title", "description", "visibility"])
    return resource


@transaction.atomic
def resource_delete(*, resource: Resource) -> None:
    """Remove the resource; its stored file is deleted once this commits (receivers.py)."""
    resource.delete()


@transaction.atomic
def presenter_add(*, event: Event, user: User | None, by: User | None) -> SessionPresenter:
    if user is None:
        raise ValidationError({"email": PRESENTER_UNKNOWN})
    presenter, created = SessionPresenter.objects.get_or_create(event=event, user=user, defaults={"added_by": by})
    if not created:
        raise ValidationError({"email": PRESENTER_DUPLICATE.format(name=user.full_name or user.email)})
    return presenter


@transaction.atomic
def presenter_remove(*, event: Event, user_id: int) -> bool:
    """Un-name a presenter (the resources they added stay). True if they were one."""
    deleted, _ = SessionPresenter.objects.filter(event=event, user_id=user_id).delete()
    return bool(deleted)
