"""Facilitator prompts from the referral directory (the referrals app's models)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from networking import services
from networking.prompts import prompts_for, prompts_for_groups
from networking.selectors import plan_get, plan_view
from referrals.models import Directory, Organization, Pathway, Service
from tests.accounts.factories import UserFactory, sector
from tests.events.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def table(partnership, coordinator):
    """One table of four: a GP clinic, a community health service, a kindergarten, and someone unknown."""
    event = EventFactory(partnership=partnership)
    people = [
        ("Gina GP", "Sturt Street Medical Clinic", "medical"),
        ("Colin Health", "  ballarat COMMUNITY health ", "community-services"),
        ("Kim Kinder", "Sebastopol Kindergarten", "education-and-care"),
        ("Una Unknown", "Somewhere Else", "other"),
    ]
    for n, (name, organisation, slug) in enumerate(people):
        user = UserFactory(email=f"p{n}@example.org", full_name=name, organisation=organisation, sector=sector(slug))
        RegistrationFactory(event=event, user=user)
    plan = services.plan_generate(event=event, by=coordinator, min_size=4, max_size=4, seed=1)
    return plan.groups.get()


@pytest.fixture
def directory(partnership):
    directory = Directory.objects.create(partnership=partnership, name="Ballarat directory")
    clinic = Organization.objects.create(directory=directory, name="Sturt Street Medical Clinic")
    health = Organization.objects.create(directory=directory, name="Ballarat Community Health", alternate_name="BCH")
    kinder = Organization.objects.create(directory=directory, name="Sebastopol Kindergarten")
    gp = Service.objects.create(directory=directory, organization=clinic, name="General practice")
    speech = Service.objects.create(directory=directory, organization=health, name="Speech pathology")
    Service.objects.create(directory=directory, organization=health, name="Maternal and child health")
    Service.objects.create(directory=directory, organization=health, name="Closed programme", status="defunct")
    Service.objects.create(directory=directory, organization=kinder, name="Three-year-old kindergarten")
    Pathway.objects.create(directory=directory, source_service=gp, target_service=speech)
    return directory


def test_prompts_list_the_services_and_pathways_at_the_table(table, directory):
    prompts = prompts_for(table)
    assert "Ballarat Community Health: Maternal and child health, Speech pathology" in prompts
    assert "Sturt Street Medical Clinic: General practice" in prompts
    assert "Sebastopol Kindergarten: Three-year-old kindergarten" in prompts
    assert (
        "Referral pathway: General practice (Sturt Street Medical Clinic)"
        " → Speech pathology (Ballarat Community Health)" in prompts
    )
    assert not any("Closed programme" in p or "Somewhere Else" in p for p in prompts)


def test_prompts_show_on_the_planner_and_in_the_plan_view(client, table, directory, coordinator):
    view = plan_view(plan=table.plan)
    assert view.groups[0].prompts == prompts_for(table)
    client.force_login(coordinator)
    page = client.get(f"/manage/{table.plan.event.partnership.slug}/events/{table.plan.event_id}/tables/")
    assert "Conversation starters" in page.content.decode()


def test_prompts_cost_two_queries_for_any_number_of_tables(table, directory):
    plan = plan_get(event=table.plan.event)
    groups = list(plan.groups.all())
    with CaptureQueriesContext(connection) as ctx:
        prompts_for_groups(groups)
    assert len(ctx) == 2


def test_no_directory_means_no_prompts(table):
    assert prompts_for(table) == []


def test_another_partnerships_directory_is_not_used(table, other_partnership):
    directory = Directory.objects.create(partnership=other_partnership, name="Elsewhere")
    clinic = Organization.objects.create(directory=directory, name="Sturt Street Medical Clinic")
    Service.objects.create(directory=directory, organization=clinic, name="General practice")
    assert prompts_for(table) == []


@pytest.mark.parametrize(
    ("service", "organisation", "label"),
    [
        ("Sturt Street Medical Clinic — general practice", "Sturt Street Medical Clinic", "general practice"),
        ("Wendouree Family Practice", "Wendouree Family Practice", "Wendouree Family Practice"),
        ("Speech pathology", "Ballarat Community Health", "Speech pathology"),
        ("ballarat community health: dental", "Ballarat Community Health", "dental"),
        ("Ballarat Community Health (paediatrics)", "Ballarat Community Health", "paediatrics"),
    ],
)
def test_service_labels_drop_the_organisation_in_front(service, organisation, label):
    from networking.prompts import service_label

    assert service_label(service, organisation) == label
