"""The resources API: a session's files and links, its presenters, and each partnership's library."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import File, Form, Query, Router, Schema, Status
from ninja.errors import AuthenticationError
from ninja.files import UploadedFile
from ninja.pagination import paginate

from accounts.auth import PUBLIC
from accounts.models import Partnership
from accounts.permissions import ONLY_COORDINATORS
from accounts.selectors import user_get_by_email
from core.schemas import ErrorOut
from core.types import DbId

from . import files, selectors, services
from .schemas import FileFields, LibraryResourceOut, LinkIn, PresenterIn, PresenterOut, ResourceOut, ResourcePatch

router = Router(tags=["resources"])

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
ONLY_MANAGERS = "Only the partnership's coordinators and the session's presenters can do this."


def _visible_event(request, event_id: int):
    event = selectors.event_get_for_resources(user=request.user, event_id=event_id)
    if event is None:
        raise Http404
    return event


def _managed_event(request, event_id: int):
    """The session, if the caller may add resources to it: 404 if they cannot see it, 403 if they can
    but may not add."""
    event = selectors.event_get_for_managing_resources(user=request.auth, event_id=event_id)
    if event is None:
        _visible_event(request, event_id)
        raise PermissionDenied(ONLY_MANAGERS)
    return event


def _coordinated_event(request, event_id: int):
    event = _managed_event(request, event_id)
    if not request.auth.is_coordinator_of(event.partnership_id):
        raise PermissionDenied(ONLY_COORDINATORS)
    return event


@router.get("/events/{event_id}/resources", response={200: list[ResourceOut], 404: ErrorOut}, auth=PUBLIC)
def list_event_resources(request, event_id: DbId):
    """The session's resources the caller may see: public ones for anyone; attendees-only ones too for its
    confirmed registrants, presenters and coordinators."""
    event = _visible_event(request, event_id)
    return selectors.resource_list_for_event(event=event, user=request.user)


@router.post("/events/{event_id}/resources/links", response={201: ResourceOut, **ERRORS})
def create_resource_link(request, event_id: DbId, payload: LinkIn):
    """Add a link (http or https) to the session (its coordinators and presenters)."""
    event = _managed_event(request, event_id)
    resource = services.resource_add_link(event=event, by=request.auth, **payload.dict())
    return Status(201, resource)


@router.post("/events/{event_id}/resources/files", response={201: ResourceOut, **ERRORS})
def create_resource_file(request, event_id: DbId, fields: Form[FileFields], file: File[UploadedFile] = None):
    """Upload a file (multipart/form-data: `file`, and optionally `title`, `description`, `visibility`).
    PDF, pptx, docx, xlsx, odp, odt, png or jpeg, up to RESOURCE_MAX_UPLOAD_MB; the type is checked from
    the file's content too. A refused file is a 400 naming `file`."""
    event = _managed_event(request, event_id)
    resource = services.resource_add_file(event=event, upload=file, by=request.auth, **fields.dict())
    return Status(201, resource)


def _visible_resource(request, resource_id: int):
    """The resource if the caller may see it; else 401 for an anonymous caller (it may be for attendees:
    sign in), 404 for others."""
    resource = selectors.resource_get_visible(user=request.user, resource_id=resource_id)
    if resource is None:
        if not request.user.is_authenticated:
            raise AuthenticationError(message="Authentication required.")
        raise Http404
    return resource


@router.get("/resources/{resource_id}", response={200: ResourceOut, 404: ErrorOut}, auth=PUBLIC)
def get_resource(request, resource_id: DbId):
    return _visible_resource(request, resource_id)


@router.get("/resources/{resource_id}/file", response={200: None, 404: ErrorOut}, auth=PUBLIC)
def get_resource_file(request, resource_id: DbId):
    """The file itself, with its type and a Content-Disposition (images inline, the rest as attachments)."""
    resource = _visible_resource(request, resource_id)
    if not resource.is_file:
        raise Http404
    return files.file_response(resource)


def _managed_resource(request, resource_id: int):
    resource = selectors.resource_get_managed(user=request.auth, resource_id=resource_id)
    if resource is None:
        _visible_resource(request, resource_id)
        raise PermissionDenied(ONLY_MANAGERS)
    return resource


@router.patch("/resources/{resource_id}", response={200: ResourceOut, **ERRORS})
def update_resource(request, resource_id: DbId, payload: ResourcePatch):
    """Change a resource's title, description or visibility."""
    resource = _managed_resource(request, resource_id)
    changes = {name: value for name, value in payload.dict(exclude_unset=True).items() if value is not None}
    return services.resource_update(resource=resource, **changes)


@router.delete("/resources/{resource_id}", response={204: None, **ERRORS})
def delete_resource(request, resource_id: DbId):
    """Remove a resource; its file leaves storage once the removal is committed."""
    services.resource_delete(resource=_managed_resource(request, resource_id))
    return Status(204, None)


class LibraryFilters(Schema):
    q: str | None = None
    topic: str | None = None


@router.get("/partnerships/{slug}/resources", response=list[LibraryResourceOut], auth=PUBLIC)
@paginate
def list_library(request, slug: str, filters: Query[LibraryFilters]):
    """The partnership's library: every public resource of its past sessions, newest session first. `q`
    matches every word in the title or description; `topic` is a topic's slug."""
    partnership = get_object_or_404(Partnership, slug=slug)
    return selectors.resource_library(partnership=partnership, q=filters.q, topic=filters.topic)


@router.get("/events/{event_id}/presenters", response={200: list[PresenterOut], **ERRORS})
def list_presenters(request, event_id: DbId):
    return selectors.presenter_list(event=_coordinated_event(request, event_id))


@router.post("/events/{event_id}/presenters", response={201: PresenterOut, **ERRORS})
def add_presenter(request, event_id: DbId, payload: PresenterIn):
    """Name a presenter (someone with an account) who may add the session's resources (coordinators)."""
    event = _coordinated_event(request, event_id)
    presenter = services.presenter_add(event=event, user=user_get_by_email(email=payload.email), by=request.auth)
    return Status(201, presenter)


@router.delete("/events/{event_id}/presenters/{user_id}", response={204: None, **ERRORS})
def remove_presenter(request, event_id: DbId, user_id: DbId):
    event = _coordinated_event(request, event_id)
    if not services.presenter_remove(event=event, user_id=user_id):
        raise Http404
    return Status(204, None)
