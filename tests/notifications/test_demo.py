"""`seed_demo`'s followers part: a follower and announcements to look at; idempotent and silent."""

import importlib
import io

import pytest
from django.core import mail

from accounts.management.commands.seed_demo import DEMO_MODULES
from notifications.models import Announcement, Follow, OutboxMessage
from notifications.receivers import muted

pytestmark = pytest.mark.django_db
NEEDED = ["accounts.demo", "events.demo", "notifications.demo"]


def seed(out) -> None:
    with muted():
        for name in NEEDED:
            importlib.import_module(name).seed(out)


def _state():
    return (
        sorted(Follow.objects.values_list("user__email", "partnership__slug", "source")),
        sorted(Announcement.objects.values_list("kind", "subject", "recipients")),
    )


def test_notifications_demo_seeds_after_the_people_and_sessions():
    for earlier in ("accounts.demo", "events.demo"):
        assert DEMO_MODULES.index(earlier) < DEMO_MODULES.index("notifications.demo")


def test_seed_demo_gives_followers_and_announcements_and_runs_again_unchanged(django_capture_on_commit_callbacks):
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        seed(out)
    follows, log = _state()
    assert ("practitioner1@example.org", "ballarat", "sign-up") in follows and len(follows) == 2
    assert sorted(kind for kind, _, _ in log) == ["message", "sessions"]
    assert all(recipients == 2 for _, _, recipients in log)
    assert "Followers: 2 follow Ballarat Community Partnership" in out.getvalue()
    assert not OutboxMessage.objects.filter(kind="announcement").exists() and not mail.outbox
    with django_capture_on_commit_callbacks(execute=True):
        seed(io.StringIO())
    assert _state() == (follows, log)
