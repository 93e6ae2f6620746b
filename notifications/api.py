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
