from datetime import datetime
from typing import Literal

from django.http import Http404
from django.urls import reverse
from ninja import Router, Schema
from ninja.pagination import paginate

from core.schemas import ErrorOut
from core.types import DbId
from events.selectors import event_get_visible

from . import services
from .links import feed_links
from .models import FeedToken

router = Router(tags=["calendar and messages"])
FEED_VIEWS = {FeedToken.Kind.PERSONAL: "personal-feed", FeedToken.Kind.COORDINATOR: "coordinator-feed"}


class FeedOut(Schema):
    kind: str
    url: str
    webcal: str
    google: str


class MessageOut(Schema):
    id: int
    kind: str
    to_email: str
    subject: str
    status: str
    ical_method: str
    attempts: int
    last_error: str
    created_at: datetime
    sent_at: datetime | None


def _feed(token: FeedToken) -> dict:
    return {"kind": token.kind, **feed_links(reverse(FEED_VIEWS[token.kind], kwargs={"token": token.token}))}


def _kinds(user) -> list[str]:
    kinds = [FeedToken.Kind.PERSONAL]
    if user.is_staff or user.coordinated_partnership_ids:
        kinds.append(FeedToken.Kind.COORDINATOR)
    return kinds


@router.get("/me/feeds", response={200: list[FeedOut], 401: ErrorOut})
def list_my_feeds(request):
    """Private calendar feed URLs (personal; coordinators also get theirs). Fetched without cookies."""
    return [_feed(services.feed_token_get_or_create(user=request.auth, kind=kind)) for kind in _kinds(request.auth)]


@router.post("/me/feeds/{kind}/reset", response={200: FeedOut, 401: ErrorOut, 404: ErrorOut})
def reset_my_feed(request, kind: Literal["personal", "coordinator"]):
    """A new secret for the feed: the old URL answers 404 from now on."""
    if kind not in _kinds(request.auth):
        raise Http404
    return _feed(services.feed_token_reset(user=request.auth, kind=kind))


@router.get("/events/{event_id}/messages", response={200: list[MessageOut], 401: ErrorOut, 404: ErrorOut})
@paginate
def list_event_messages(request, event_id: DbId, status: Literal["pending", "sent", "failed"] | None = None):
    """The message log of a session, for its partnership's coordinators."""
    event = event_get_visible(user=request.auth, event_id=event_id)
    if event is None or not request.auth.is_coordinator_of(event.partnership_id):
        raise Http404
    messages = event.outbox_messages.all()
    return messages.filter(status=status) if status else messages


# --- Followers and announcements ------------------------------------------------------------------
from ninja import Field, Status  # noqa: E402 - kept with the operations below, for merges

from accounts.permissions import partnership_get_managed  # noqa: E402
from accounts.selectors import partnership_list  # noqa: E402

from . import announcements  # noqa: E402


class FollowIn(Schema):
    topics: list[str] = Field(default_factory=list, max_length=50, description="Topic slugs; none: every session.")


class FollowOut(Schema):
    partnership: str
    partnership_name: str
    topics: list[str]
    created_at: datetime


class AnnouncementIn(Schema):
    subject: str = Field(min_length=1, max_length=announcements.SUBJECT_MAX)
    body: str = Field(min_length=1, max_length=announcements.BODY_MAX)


class AnnouncementPreviewOut(Schema):
    subject: str
    body_text: str
    recipients: int


class AnnouncementOut(Schema):
    id: int
    kind: str
    subject: str
    body: str
    event_ids: list[int]
    recipients: int
    sent_by: str | None
    created_at: datetime

    @staticmethod
    def resolve_sent_by(obj) -> str | None:
        if isinstance(obj, dict):
            return obj.get("sent_by")
        return obj.sent_by.full_name if obj.sent_by_id else None


def _follow_out(follow) -> dict:
    return {
        "partnership": follow.partnership.slug,
        "partnership_name": follow.partnership.name,
        "topics": [topic.slug for topic in follow.topics.all()],
        "created_at": follow.created_at,
    }


def _partnership(slug: str):
    partnership = partnership_list().filter(slug=slug).first()
    if partnership is None:
        raise Http404
    return partnership


@router.get("/me/follows", response={200: list[FollowOut], 401: ErrorOut})
def list_my_follows(request):
    """The partnerships whose announcements I get (the preferences page)."""
    return [_follow_out(follow) for follow in announcements.follow_list(user=request.auth)]


@router.put("/me/follows/{slug}", response={200: FollowOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut})
def follow_partnership(request, slug: str, payload: FollowIn):
    """Follow a partnership (or change the topics followed): an e-mail when it publishes sessions."""
    partnership = _partnership(slug)
    topics = announcements.topics_from_slugs(payload.topics)
    follow = announcements.follow_set(user=request.auth, partnership=partnership, topics=topics)
    return _follow_out(announcements.follow_list(user=request.auth).get(pk=follow.pk))


@router.delete("/me/follows/{slug}", response={204: None, 401: ErrorOut, 404: ErrorOut})
def unfollow_partnership(request, slug: str):
    """Stop following, at once. Answers 204 also when you did not follow it."""
    announcements.follow_delete(user=request.auth, partnership=_partnership(slug))
    return Status(204, None)


@router.get("/partnerships/{slug}/announcements", response={200: list[AnnouncementOut], 401: ErrorOut, 404: ErrorOut})
@paginate
def list_announcements(request, slug: str):
    """What went to the partnership's followers, newest first, with how many got it (coordinators)."""
    partnership = partnership_get_managed(user=request.auth, slug=slug)
    return announcements.announcement_list(partnership=partnership)


@router.post(
    "/partnerships/{slug}/announcements/preview",
    response={200: AnnouncementPreviewOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
)
def preview_announcement(request, slug: str, payload: AnnouncementIn):
    """The e-mail followers would get, and to how many; nothing is sent."""
    partnership = partnership_get_managed(user=request.auth, slug=slug)
    return announcements.announcement_preview(
        partnership=partnership, sender=request.auth, subject=payload.subject, body=payload.body
    )


@router.post(
    "/partnerships/{slug}/announcements",
    response={201: AnnouncementOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
)
def send_announcement(request, slug: str, payload: AnnouncementIn):
    """Send a short announcement to every follower, through the outbox (each with its unsubscribe link)."""
    partnership = partnership_get_managed(user=request.auth, slug=slug)
    announcement = announcements.announcement_send(
        partnership=partnership, sender=request.auth, subject=payload.subject, body=payload.body
    )
    return Status(201, announcement)
