"""Who may see and manage an event: the one definition every API handler and page uses.

Both answer 404 when the caller may not (never a hint that the event exists). Managing an event means
coordinating its partnership (staff coordinate every partnership).
"""

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import Partnership, User
from accounts.permissions import partnership_get_managed

from .models import Event
from .selectors import event_get_visible, event_queryset


def event_get_visible_or_404(*, user: User | None, event_id: int) -> Event:
    """The event if `user` may see it (published and cancelled events, drafts for coordinators)."""
    event = event_get_visible(user=user, event_id=event_id)
    if event is None:
        raise Http404
    return event


def event_get_managed(
    *,
    user: User | None,
    event_id: int,
    partnership: Partnership | None = None,
    queryset: QuerySet[Event] | None = None,
) -> Event:
    """The event if `user` coordinates its partnership and, given `partnership`, it is that partnership's.

    `queryset` chooses what comes with the event; by default `event_queryset()` (what detail pages show).
    """
    if user is None or not user.is_authenticated:
        raise Http404
    events = event_queryset() if queryset is None else queryset
    if partnership is not None:
        events = events.filter(partnership=partnership)
    event = events.filter(pk=event_id).first()
    if event is None or not user.is_coordinator_of(event.partnership_id):
        raise Http404
    return event


def partnership_event_get_managed(
    *, user: User | None, slug: str, event_id: int, queryset: QuerySet[Event] | None = None
) -> tuple[Partnership, Event]:
    """For coordinators' pages under /manage/<slug>/: the partnership and its event, or 404."""
    partnership = partnership_get_managed(user=user, slug=slug)
    return partnership, event_get_managed(user=user, event_id=event_id, partnership=partnership, queryset=queryset)
