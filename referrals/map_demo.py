"""Demo: the next Ballarat session features two services (presenters) and a pathway between them."""

from django.utils import timezone

from events.models import Event
from referrals.models import Directory, Pathway, Service

from .featured import featured_set
from .models import FeaturedPathway, FeaturedService

PRESENTERS = ["Paediatric Speech Pathology", "The Orange Door — Central Highlands"]


def seed(stdout) -> None:
    directory = Directory.objects.filter(partnership__slug="ballarat").first()
    event = (
        Event.objects.filter(partnership__slug="ballarat", status=Event.Status.PUBLISHED, start__gt=timezone.now())
        .order_by("start")
        .first()
    )
    if directory is None or event is None:
        stdout.write("Service map: no demo directory or upcoming session; nothing featured.")
        return
    if FeaturedService.objects.filter(event=event).exists() or FeaturedPathway.objects.filter(event=event).exists():
        stdout.write("Service map: the next session already features services.")
        return
    by_name = {s.name: s for s in Service.objects.filter(directory=directory).select_related("directory")}
    chosen = [by_name[name] for name in PRESENTERS if name in by_name]
    if len(chosen) < 2:
        chosen = list(Service.objects.filter(directory=directory).select_related("directory").order_by("name")[:2])
    pathway = (
        Pathway.objects.filter(directory=directory, is_active=True, target_service=chosen[0])
        .select_related("directory")
        .order_by("pk")
        .first()
    )
    featured_set(event=event, services=chosen, pathways=[pathway] if pathway else [])
    stdout.write(f"Service map: {event.title} features {', '.join(s.name for s in chosen)}.")
