from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from notifications.models import OutboxMessage
from notifications.receivers import muted
from referrals import featured
from referrals.models import FeaturedPathway, FeaturedService
from referrals.services import pathway_update
from registrations.services import attendance_finalise
from tests.events.factories import EventFactory, RegistrationFactory
from tests.referrals.factories import ServiceFactory

pytestmark = pytest.mark.django_db


def test_featured_set_replaces_the_services_and_pathways_of_a_session(network, partnership):
    event = EventFactory(partnership=partnership)
    featured.featured_set(event=event, services=[network["access"], network["speech"]], pathways=[network["gp_access"]])
    featured.featured_set(event=event, services=[network["speech"]], pathways=[network["access_speech"]])
    assert list(FeaturedService.objects.filter(event=event).values_list("service__name", flat=True)) == ["Speech"]
    assert [f.pathway for f in FeaturedPathway.objects.filter(event=event)] == [network["access_speech"]]


def test_featured_set_refuses_another_partnerships_service(network, other_partnership):
    event = EventFactory(partnership=other_partnership)
    with pytest.raises(ValidationError) as error:
        featured.featured_set(event=event, services=[network["access"]], pathways=[])
    assert featured.FEATURED_OTHER_DIRECTORY in error.value.message_dict["service_ids"]


def test_sessions_featuring_lists_published_sessions_newest_first(network, partnership):
    older = EventFactory(partnership=partnership, start=timezone.now() - timedelta(days=40))
    newer = EventFactory(partnership=partnership)
    draft = EventFactory(partnership=partnership, status="draft")
    for event in (older, newer, draft):
        featured.featured_set(event=event, services=[network["speech"]], pathways=[network["gp_access"]])
    assert list(featured.sessions_featuring(service=network["speech"])) == [newer, older]
    assert list(featured.sessions_featuring(pathway=network["gp_access"])) == [newer, older]


def test_digest_lists_pathway_revisions_since_the_previous_session(network, partnership, coordinator):
    previous = EventFactory(partnership=partnership, start=timezone.now() - timedelta(days=3))
    EventFactory(partnership=partnership, start=timezone.now() - timedelta(days=60))
    event = EventFactory(partnership=partnership)
    before = network["gp_access"].revisions.count()
    pathway_update(pathway=network["gp_access"], changed_by=coordinator, note="Wait is longer", typical_wait_days=90)
    found_previous, revisions = featured.revisions_since_previous_session(event=event, directory=network["directory"])
    assert found_previous == previous
    assert [(r.pathway, r.number, r.note) for r in revisions] == [(network["gp_access"], before + 1, "Wait is longer")]
    assert "typical_wait_days" in revisions[0].changed_fields


def test_finalising_a_session_prompts_featured_services_to_reverify_once(
    network, partnership, coordinator, django_capture_on_commit_callbacks
):
    network["access"].email = "intake@access.example.org"
    network["access"].save()
    network["speech"].email = ""
    network["speech"].save()
    network["speech"].organization.email = "office@speech.example.org"
    network["speech"].organization.save()
    silent = ServiceFactory(directory=network["directory"], name="Silent", email="")
    silent.organization.email = ""
    silent.organization.save()
    event = EventFactory(partnership=partnership, start=timezone.now() - timedelta(hours=3))
    RegistrationFactory(event=event, attendance="attended")
    featured.featured_set(event=event, services=[network["access"], network["speech"], silent], pathways=[])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        attendance_finalise(event=event, by=coordinator)
    prompts = [m for m in mail.outbox if m.subject.startswith("Please check your directory entry")]
    assert sorted(m.to[0] for m in prompts) == ["intake@access.example.org", "office@speech.example.org"]
    to_access = next(m for m in prompts if m.to == ["intake@access.example.org"])
    assert f"/directory/services/{network['access'].pk}/" in to_access.body
    assert featured.reverify_prompts_send(event=event) == 0  # send-once
    assert OutboxMessage.objects.filter(dedupe_key__startswith="servicemap:reverify:").count() == 2


def test_no_reverify_prompt_when_notifications_are_muted(network, partnership, coordinator):
    network["access"].email = "intake@access.example.org"
    network["access"].save()
    event = EventFactory(partnership=partnership, start=timezone.now() - timedelta(hours=3))
    featured.featured_set(event=event, services=[network["access"]], pathways=[])
    with muted():
        attendance_finalise(event=event, by=coordinator)
    assert not OutboxMessage.objects.filter(event=event, to_email="intake@access.example.org").exists()
