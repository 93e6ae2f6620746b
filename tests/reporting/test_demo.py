"""`seed_demo`'s reporting part: two years of past sessions with attendance and feedback; idempotent, silent."""

import importlib
import io
from datetime import date

import pytest
from django.core import mail
from django.utils import timezone

from accounts.management.commands.seed_demo import DEMO_MODULES
from events.models import Event
from notifications.receivers import muted
from reporting.models import Feedback, FeedbackRequest
from reporting.periods import Period
from reporting.selectors import report_build

pytestmark = pytest.mark.django_db
NEEDED = ["accounts.demo", "events.demo", "registrations.demo", "reporting.demo"]


def seed(out) -> None:
    """What `seed_demo` does, for the modules the reports build on (the others are slow and beside the point)."""
    with muted():
        for name in NEEDED:
            importlib.import_module(name).seed(out)


def test_reporting_seeds_after_the_sessions_and_registrations():
    for earlier in ("accounts.demo", "events.demo", "registrations.demo"):
        assert DEMO_MODULES.index(earlier) < DEMO_MODULES.index("reporting.demo")


def test_seed_demo_gives_two_years_of_sessions_with_feedback_and_runs_again_unchanged(
    django_capture_on_commit_callbacks,
):
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        seed(out)
    assert "Reporting: last year's 10 monthly sessions" in out.getvalue()

    from accounts.models import Partnership

    partnership = Partnership.objects.get(slug="ballarat")
    year = timezone.localdate().year
    last_year = report_build(partnership=partnership, period=Period(date(year - 1, 1, 1), date(year - 1, 12, 31)))
    assert last_year.sessions_held == 10
    assert last_year.sessions_full >= 1 and last_year.waitlisted > 0
    assert last_year.returning_people < last_year.unique_people  # walk-ins who came once
    assert 0.5 < last_year.response_rate < 0.85
    assert len(last_year.sectors) == 4 and len(last_year.organisations) > 10
    # Every past session whose attendance is final has feedback; the latest is left to finalise.
    finalised = Event.objects.filter(partnership=partnership, attendance_finalised_at__isnull=False)
    assert finalised.count() >= 10
    assert set(finalised.values_list("pk", flat=True)) == set(
        Feedback.objects.values_list("registration__event_id", flat=True)
    )
    quotes = Feedback.objects.exclude(quote_field="")
    assert 0 < quotes.count() <= 6 and all(q.consent_quote for q in quotes)
    assert not mail.outbox and not FeedbackRequest.objects.exists()  # seed_demo sends nothing

    counts = (Event.objects.count(), Feedback.objects.count(), quotes.count())
    again = io.StringIO()
    seed(again)
    assert "Reporting: feedback already there." in again.getvalue()
    assert (Event.objects.count(), Feedback.objects.count(), Feedback.objects.exclude(quote_field="").count()) == counts


def test_seed_demo_prints_each_step_and_the_partnership_link(settings, client):
    """The whole command, twice: it names every step as it starts and links to a page that exists."""
    from django.core.management import call_command

    from accounts.management.commands.seed_demo import STEPS

    settings.SITE_URL = "http://127.0.0.1:8183"
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    text = out.getvalue()
    for number, name in enumerate(DEMO_MODULES, start=1):
        assert f"-- [{number}/{len(DEMO_MODULES)}] {STEPS[name]}…" in text
    assert "Demo data ready in" in text
    link = "http://127.0.0.1:8183/partnerships/ballarat/"
    assert f"Partnership: Ballarat Community Partnership ({link})" in text and f"Open {link}" in text
    assert client.get(link.removeprefix(settings.SITE_URL)).status_code == 200
    again = io.StringIO()
    call_command("seed_demo", stdout=again)
    assert "Registrations: already there." in again.getvalue()
