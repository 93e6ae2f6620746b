"""Sessions and the service system: what a session features (writes and reads), and the re-verification
prompts sent after it. The map and the insights are in graph.py and insights.py."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from events import selectors as event_selectors
from events import services as event_services
from events.models import Event
from notifications.services import outbox_enqueue
from referrals.models import Directory, Pathway, PathwayRevision, Service

from .models import FeaturedPathway, FeaturedService

FEATURED_OTHER_DIRECTORY = "Only services and pathways of this partnership's directory can be featured."
FEATURED_CANCELLED = "A cancelled session cannot feature services or pathways."


@transaction.atomic
def featured_set(*, event: Event, services: list[Service], pathways: list[Pathway]) -> Event:
    """Replace the services presented and the pathways discussed at a session."""
    event = event_services.event_lock(event=event)
    if event.status == Event.Status.CANCELLED:
        raise ValidationError({"event": FEATURED_CANCELLED})
    if any(s.directory.partnership_id != event.partnership_id for s in services):
        raise ValidationError({"service_ids": FEATURED_OTHER_DIRECTORY})
    if any(p.directory.partnership_id != event.partnership_id for p in pathways):
        raise ValidationError({"pathway_ids": FEATURED_OTHER_DIRECTORY})
    service_ids = {s.pk for s in services}
    pathway_ids = {p.pk for p in pathways}
    FeaturedService.objects.filter(event=event).exclude(service_id__in=service_ids).delete()
    FeaturedPathway.objects.filter(event=event).exclude(pathway_id__in=pathway_ids).delete()
    have_services = set(FeaturedService.objects.filter(event=event).values_list("service_id", flat=True))
    have_pathways = set(FeaturedPathway.objects.filter(event=event).values_list("pathway_id", flat=True))
    FeaturedService.objects.bulk_create(
        [FeaturedService(event=event, service_id=sid) for sid in sorted(service_ids - have_services, key=str)]
    )
    FeaturedPathway.objects.bulk_create(
        [FeaturedPathway(event=event, pathway_id=pid) for pid in sorted(pathway_ids - have_pathways, key=str)]
    )
    return event


def reverify_prompts_send(*, event: Event) -> int:
    """Ask each featured service's contact to check its directory entry (once per session and service).

    To the service's email, else its organisation's; services with neither are skipped. Call inside
    the transaction that finalised the session (messages go out after commit).
    """
    sent = 0
    featured = FeaturedService.objects.filter(event=event).select_related(
        "service__organization", "service__directory__partnership", "event__partnership"
    )
    for item in featured:
        service = item.service
        to_email = service.email or (service.organization.email if service.organization else "")
        if not to_email:
            continue
        context = {
            "event": event,
            "service": service,
            "service_url": settings.SITE_URL + service.get_absolute_url(),
            "suggest_url": settings.SITE_URL + reverse("directory-service-suggest", args=[service.pk]),
            "my_sessions_url": f"{settings.SITE_URL}/my/sessions/",
        }
        message = outbox_enqueue(
            kind="notice",
            to_email=to_email,
            event=event,
            subject=f"Please check your directory entry: {service.name}",
            body_text=render_to_string("servicemap/email/reverify.txt", context),
            body_html=render_to_string("servicemap/email/reverify.html", context),
            dedupe_key=f"servicemap:reverify:{event.pk}:{service.pk}",
        )
        sent += message is not None
    return sent


# --- Reads: sessions and what they feature -------------------------------------------------------


def featured_for_event(*, event: Event) -> tuple[list[FeaturedService], list[FeaturedPathway]]:
    services = list(
        FeaturedService.objects.filter(event=event).select_related("service__organization").order_by("service__name")
    )
    pathways = list(
        FeaturedPathway.objects.filter(event=event)
        .select_related("pathway__source_service", "pathway__source_role", "pathway__target_service")
        .order_by("pathway__target_service__name", "pathway__pk")
    )
    return services, pathways


def sessions_featuring(*, service: Service | None = None, pathway: Pathway | None = None) -> QuerySet[Event]:
    """Published sessions where the service was presented or the pathway discussed, newest first."""
    if service is not None:
        featuring = FeaturedService.objects.filter(service=service)
    else:
        featuring = FeaturedPathway.objects.filter(pathway=pathway)
    return event_selectors.event_list_published(event_ids=featuring.values("event_id"))


def revisions_since_previous_session(
    *, event: Event, directory: Directory
) -> tuple[Event | None, list[PathwayRevision]]:
    """Pathway revisions of the directory since the previous session (all of them when there is none),
    up to this session's start (or now, when it is still to come)."""
    previous = event_selectors.event_previous_session(event=event)
    until = min(event.start, timezone.now())
    revisions = PathwayRevision.objects.filter(pathway__directory=directory, changed_at__lte=until)
    if previous is not None:
        revisions = revisions.filter(changed_at__gt=previous.start)
    revisions = revisions.select_related(
        "pathway__source_service", "pathway__source_role", "pathway__target_service", "changed_by"
    ).order_by("pathway__target_service__name", "pathway_id", "number")
    return previous, list(revisions)
