"""Demo table plans for `manage.py seed_demo`: every past session (so there is a history of who met
whom) and the next session. Idempotent: sessions that have a plan are left alone."""

from django.db import transaction
from django.utils import timezone

from accounts.demo import COORDINATOR_EMAIL
from accounts.models import User
from events.demo import SERIES_TITLE
from events.models import Event

from . import services
from .models import TablePlan


@transaction.atomic
def seed(stdout) -> None:
    coordinator = User.objects.filter(email=COORDINATOR_EMAIL).first()
    # This year's series only (reporting.demo adds last year's after this step: planning those on a second
    # run would change the demo, which running seed_demo again must not).
    events = list(
        Event.objects.filter(
            partnership__slug="ballarat", series__title=SERIES_TITLE, status=Event.Status.PUBLISHED
        ).order_by("start", "pk")
    )
    now = timezone.now()
    past = [e for e in events if e.end <= now]
    upcoming = [e for e in events if e.start > now][:1]
    planned = set(TablePlan.objects.filter(event__in=events).values_list("event_id", flat=True))
    made = 0
    for number, event in enumerate(past + upcoming, start=1):
        if event.pk in planned:
            continue
        # Past sessions in date order, so each plan sees the history of the ones before it.
        # Past sessions only need a plausible history: the greedy start and one local search, no kicks
        # (the next session gets the full search).
        effort = 40 if event in upcoming else 0
        services.plan_generate(event=event, by=coordinator, min_size=6, max_size=8, seed=2026 + number, effort=effort)
        made += 1
    if made:
        stdout.write(f"Networking: table plans for {len(past)} past sessions and the next one ({made} new).")
    else:
        stdout.write("Networking: table plans already there.")
