from datetime import datetime
from typing import Literal

from django.conf import settings
from ninja import Field, Schema

Visibility = Literal["attendees", "public"]


class ResourceOut(Schema):
    id: int
    event_id: int
    kind: str = Field(..., description="file or link")
    title: str
    description: str
    visibility: str = Field(..., description="attendees (only) or public")
    url: str = Field(..., description="A link's address, or where a file downloads (GET /api/resources/{id}/file)")
    filename: str | None = None
    content_type: str | None = None
    size: int | None = None
    created_at: datetime

    @staticmethod
    def resolve_url(obj) -> str:
        if obj.kind == "link":
            return obj.url
        return f"{settings.SITE_URL}/api/resources/{obj.pk}/file"

    @staticmethod
    def resolve_filename(obj) -> str | None:
        return obj.filename or None

    @staticmethod
    def resolve_content_type(obj) -> str | None:
        return obj.content_type or None

    @staticmethod
    def resolve_size(obj) -> int | None:
        return obj.size if obj.kind == "file" else None


class LibraryEventOut(Schema):
    id: int
    title: str
    start: datetime


class LibraryResourceOut(ResourceOut):
    event: LibraryEventOut


class LinkIn(Schema):
    title: str = Field(..., max_length=200)
    url: str = Field(..., max_length=2000, description="http:// or https:// only")
    description: str = Field("", max_length=2000)
    visibility: Visibility = "attendees"


class FileFields(Schema):
    """The form fields beside the multipart `file` (all optional: the title defaults to the file's name)."""

    title: str = Field("", max_length=200)
    description: str = Field("", max_length=2000)
    visibility: Visibility = "attendees"


class ResourcePatch(Schema):
    title: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=2000)
    visibility: Visibility | None = None


class PresenterIn(Schema):
    email: str = Field(..., max_length=254)


class PresenterOut(Schema):
    user_id: int
    full_name: str
    email: str

    @staticmethod
    def resolve_full_name(obj) -> str:
        return obj.user.full_name

    @staticmethod
    def resolve_email(obj) -> str:
        return obj.user.email
