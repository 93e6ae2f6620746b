"""`seed_demo`'s resources part: files and a link on the most recent past session; idempotent, silent."""

import importlib
import io

import pytest
from django.core import mail
from django.core.files.storage import default_storage

from accounts.management.commands.seed_demo import DEMO_MODULES
from notifications.receivers import muted
from resources import demo, files
from resources.models import Resource, SessionPresenter

pytestmark = pytest.mark.django_db
NEEDED = ["accounts.demo", "events.demo", "registrations.demo"]


def test_resources_seed_after_the_sessions_and_registrations():
    for earlier in NEEDED:
        assert DEMO_MODULES.index(earlier) < DEMO_MODULES.index("resources.demo")


def test_seed_puts_resources_on_the_latest_past_session_and_runs_again_unchanged(client):
    out = io.StringIO()
    with muted():
        for name in NEEDED:
            importlib.import_module(name).seed(out)
        demo.seed(out)
    assert "Resources: 2 files and a link" in out.getvalue()
    resources = list(Resource.objects.select_related("event").order_by("pk"))
    assert [r.kind for r in resources] == ["file", "file", "link"]
    assert {r.visibility for r in resources} == {"public", "attendees"}
    (event,) = {r.event for r in resources}
    assert event.is_past and event.status == "published"
    for resource in resources[:2]:
        assert default_storage.exists(resource.file.name)
        assert files.file_problem(resource.file, resource.filename) is None  # the demo PDFs pass the checks
    assert SessionPresenter.objects.filter(event=event, user__email=demo.PRESENTER).exists()
    assert not mail.outbox

    rows = sorted(Resource.objects.values_list("pk", "file", "title"))
    again = io.StringIO()
    demo.seed(again)
    assert "Resources: already there" in again.getvalue()
    assert sorted(Resource.objects.values_list("pk", "file", "title")) == rows
    assert SessionPresenter.objects.count() == 1

    library = client.get(f"/partnerships/{event.partnership.slug}/resources/")
    assert "Session slides" in library.content.decode() and "Referral checklist" not in library.content.decode()
