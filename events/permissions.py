"""Who may see and manage an event: the one definition every API handler and page uses.

Both answer 404 when the caller may not (never a hint that the event exists). Managing an event means
coordinating its partnership (staff coordinate every partnership).
"""

from django.http import Http404

from accounts.models import Partnership, User
from accounts.permissions import partnership_get_managed

from .models import Event
from .selectors import event_get_visible, event_queryset, event_rows


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
    related: tuple[str, ...] | None = None,
) -> Event:
    """The event if `user` coordinates its partnership and, given `partnership`, it is that partnership's.

    By default the event comes as detail pages show it (`event_queryset()`: seat counts and all); a page
    that needs less names the relations to fetch with it, e.g. `related=("partnership",)`.
    """
    if user is None or not user.is_authenticated:
        raise Http404
    events = event_queryset() if related is None else event_rows(related=related)
    if partnership is not None:
        events = events.filter(partnership=partnership)
    event = events.filter(pk=event_id).first()
    if event is None or not user.is_coordinator_of(event.partnership_id):
        raise Http404
    return event


def partnership_event_get_managed(
    *, user: User | None, slug: str, event_id: int, related: tuple[str, ...] | None = None
) -> tuple[Partnership, Event]:
    """For coordinators' pages under /manage/<slug>/: the partnership and its event, or 404."""
    partnership = partnership_get_managed(user=user, slug=slug)
    return partnership, event_get_managed(user=user, event_id=event_id, partnership=partnership, related=related)
