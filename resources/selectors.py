"""Reads for session resources, and who may see and add them: the one definition pages, the API and
e-mails use.

- Public resources of a session anyone can see (published or cancelled; drafts only for coordinators).
- Attendees-only resources: the session's confirmed registrants (not those marked as no-shows), its
  presenters, and the partnership's coordinators (staff coordinate every partnership).
- Adding and removing: the partnership's coordinators and the session's presenters.
"""

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts.models import Partnership, User
from events import selectors as event_selectors
from events.models import Event, Topic
from registrations.models import Registration
from registrations.selectors import registrations_holding_a_place

from .models import Resource, SessionPresenter

LIBRARY_SEARCH_WORDS = 5


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated


def presenter_is(*, event: Event, user: User | None) -> bool:
    if not _signed_in(user):
        return False
    return SessionPresenter.objects.filter(event=event, user=user).exists()


def resource_can_manage(*, event: Event, user: User | None) -> bool:
    """Coordinators of the session's partnership and its presenters may add and remove its resources."""
    if not _signed_in(user):
        return False
    return user.is_coordinator_of(event.partnership_id) or presenter_is(event=event, user=user)


def _attends(*, event: Event, user: User) -> bool:
    return (
        registrations_holding_a_place(event=event)
        .filter(user=user, status=Registration.Status.CONFIRMED)
        .exclude(attendance=Registration.Attendance.NO_SHOW)
        .exists()
    )


def resource_can_see_all(*, event: Event, user: User | None) -> bool:
    """Whether `user` sees the session's attendees-only resources too."""
    if not _signed_in(user):
        return False
    return resource_can_manage(event=event, user=user) or _attends(event=event, user=user)


def event_get_for_resources(*, user: User | None, event_id: int) -> Event | None:
    """The session if `user` may see it (events' rule), with its partnership; None otherwise."""
    return event_selectors.event_get_visible(user=user, event_id=event_id)


def event_get_for_managing_resources(*, user: User | None, event_id: int) -> Event | None:
    """The session (any status) if `user` coordinates its partnership or presents it; None otherwise."""
    if not _signed_in(user):
        return None
    event = event_selectors.event_rows(related=("partnership",)).filter(pk=event_id).first()
    if event is None or not resource_can_manage(event=event, user=user):
        return None
    return event


def resource_list_for_event(*, event: Event, user: User | None, see_all: bool | None = None) -> QuerySet[Resource]:
    """The session's resources `user` may see, oldest first. Pass `see_all` when it is already known."""
    if see_all is None:
        see_all = resource_can_see_all(event=event, user=user)
    resources = Resource.objects.filter(event=event)
    if not see_all:
        resources = resources.filter(visibility=Resource.Visibility.PUBLIC)
    return resources.order_by("created_at", "pk")


def resource_get_visible(*, user: User | None, resource_id: int) -> Resource | None:
    """The resource if `user` may see it (and its session), with its session and partnership; else None."""
    resource = Resource.objects.select_related("event", "event__partnership").filter(pk=resource_id).first()
    if resource is None:
        return None
    event = resource.event
    visible = (
        event_selectors.event_rows(related=("partnership",))
        .filter(event_selectors.event_visible_filter(user), pk=event.pk)
        .exists()
    )
    if not visible and not resource_can_manage(event=event, user=user):
        return None
    if resource.is_public or resource_can_see_all(event=event, user=user):
        return resource
    return None


def resource_get_managed(*, user: User | None, resource_id: int) -> Resource | None:
    """The resource if `user` may remove or edit it (coordinators of its partnership, its session's presenters)."""
    resource = Resource.objects.select_related("event", "event__partnership").filter(pk=resource_id).first()
    if resource is None or not resource_can_manage(event=resource.event, user=user):
        return None
    return resource


def presenter_list(*, event: Event) -> QuerySet[SessionPresenter]:
    return SessionPresenter.objects.filter(event=event).select_related("user").order_by("user__full_name", "pk")


def resource_counts_for_registrations(*, user: User, registrations) -> dict[int, int]:
    """{event id: how many of its resources `user` sees} for these registrations of theirs (My sessions),
    in one query."""
    registrations = list(registrations)
    if not registrations:
        return {}
    event_ids = {r.event_id for r in registrations}
    all_of = {
        r.event_id
        for r in registrations
        if r.status == Registration.Status.CONFIRMED and r.attendance != Registration.Attendance.NO_SHOW
    }
    all_of |= {r.event_id for r in registrations if user.is_coordinator_of(r.event.partnership_id)}
    rows = (
        Resource.objects.filter(event_id__in=event_ids)
        .filter(Q(visibility=Resource.Visibility.PUBLIC) | Q(event_id__in=all_of))
        .values("event_id")
        .annotate(count=Count("pk"))
    )
    return {row["event_id"]: row["count"] for row in rows}


def resource_library(*, partnership: Partnership, q: str | None = None, topic: str | None = None) -> QuerySet[Resource]:
    """A partnership's library: every public resource of its past published sessions, newest session first.
    `q` matches every word in the resource's title or description (or its session's title); `topic` is a
    topic's slug."""
    resources = Resource.objects.filter(
        visibility=Resource.Visibility.PUBLIC,
        event__partnership=partnership,
        event__status=Event.Status.PUBLISHED,
        event__end__lte=timezone.now(),
    ).select_related("event", "event__partnership")
    for word in (q or "").split()[:LIBRARY_SEARCH_WORDS]:
        resources = resources.filter(
            Q(title__icontains=word) | Q(description__icontains=word) | Q(event__title__icontains=word)
        )
    if topic:
        resources = resources.filter(event__topics__slug=topic)
    return resources.order_by("-event__start", "event_id", "created_at", "pk")


def library_topics(*, partnership: Partnership) -> QuerySet[Topic]:
    """The topics of the partnership's past sessions that have public resources (the library's filter)."""
    return Topic.objects.filter(
        events__partnership=partnership,
        events__status=Event.Status.PUBLISHED,
        events__end__lte=timezone.now(),
        events__resources__visibility=Resource.Visibility.PUBLIC,
    ).distinct()


def resources_for_email(*, event: Event) -> list[Resource]:
    """Every resource of the session (the thank-you e-mail goes to attendees, who see them all)."""
    return list(Resource.objects.filter(event=event).order_by("created_at", "pk"))
