"""`seed_demo`'s registrations: the next session is full, with a waitlist and an open offer; idempotent."""

import importlib
import io

import pytest
from django.test import Client
from django.utils import timezone

from accounts.demo import COORDINATOR_EMAIL
from accounts.models import User
from events.models import Event
from notifications.receivers import muted
from registrations.models import Registration

pytestmark = pytest.mark.django_db
NEEDED = ["accounts.demo", "events.demo", "registrations.demo"]


def seed() -> str:
    out = io.StringIO()
    with muted():
        for name in NEEDED:
            importlib.import_module(name).seed(out)
    return out.getvalue()


def snapshot():
    return sorted(
        Registration.objects.values_list("event_id", "user_id", "status", "waitlist_position", "offer_expires_at")
    )


def test_the_next_session_has_an_open_offer_and_a_second_run_changes_nothing():
    first = seed()
    (offer,) = Registration.objects.filter(status="offered").select_related("event", "user")
    assert f"an open offer to {offer.user.email}" in first
    event = offer.event
    nxt = Event.objects.filter(partnership__slug="ballarat", status="published", start__gt=timezone.now())
    assert event == nxt.order_by("start").first()
    assert timezone.now() < offer.offer_expires_at <= event.start
    rows = list(event.registrations.all())
    taken = [r for r in rows if r.status in ("confirmed", "offered")]
    waiting = sorted(r.waitlist_position for r in rows if r.status == "waitlisted")
    assert len(taken) == event.capacity and waiting == list(range(1, len(waiting) + 1))
    assert sum(r.status == "cancelled" for r in rows) == 1  # the place that came free

    before = snapshot()
    assert "already there" in seed()
    assert snapshot() == before

    client = Client()
    client.force_login(User.objects.get(email=COORDINATOR_EMAIL))
    page = client.get(f"/manage/ballarat/events/{event.pk}/roster/").content.decode()
    assert "<strong>1</strong> offer pending" in page
    client.force_login(offer.user)
    assert "A place is held for you" in client.get("/my/sessions/").content.decode()
