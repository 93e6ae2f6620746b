from datetime import timedelta

import pytest
from django.utils import timezone

from networking import services
from networking.models import Seat, TablePlan
from registrations.models import Registration
from tests.events.factories import EventFactory, RegistrationFactory

from .factories import attendees

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(partnership):
    return EventFactory(partnership=partnership, title="Infant mental health")


def url(event, suffix: str = "") -> str:
    return f"/manage/{event.partnership.slug}/events/{event.pk}/tables/{suffix}"


def test_planner_offers_to_plan_then_shows_tables_and_figures(client, event, coordinator):
    attendees(event, 20)
    client.force_login(coordinator)
    page = client.get(url(event)).content.decode()
    assert "Plan the tables" in page and 'name="min_size"' in page
    response = client.post(url(event, "generate/"), {"min_size": 6, "max_size": 8, "seed": 5}, follow=True)
    page = response.content.decode()
    assert "The tables are planned: 3 tables." in page
    assert "Pairs meeting for the first time" in page and "Random seating" in page
    assert page.count('class="card table-card') == 3
    assert "Member 000" in page
    assert TablePlan.objects.get().seed == 5


def test_planner_form_errors_are_shown(client, event, coordinator):
    client.force_login(coordinator)
    page = client.post(url(event, "generate/"), {"min_size": 9, "max_size": 8}, follow=True).content.decode()
    assert "The smallest table cannot be larger than the largest." in page
    assert not TablePlan.objects.exists()


def test_move_pin_lock_and_regenerate_from_the_page(client, event, coordinator):
    attendees(event, 20)
    plan = services.plan_generate(event=event, by=coordinator, seed=2)
    one, two, _ = plan.groups.order_by("number")
    client.force_login(coordinator)
    person = one.seats.first().registration
    page = client.post(url(event, "move/"), {"registration": person.pk, "group": two.pk}, follow=True).content.decode()
    assert f"{person.user.full_name} is now at table 2 (pinned there)." in page
    seat = Seat.objects.get(registration=person)
    assert (seat.group, seat.pinned) == (two, True)

    client.post(url(event, "pin/"), {"registration": person.pk, "pinned": "no"})
    assert not Seat.objects.get(registration=person).pinned

    page = client.post(url(event, f"{one.pk}/lock/"), {"locked": "yes"}, follow=True).content.decode()
    assert "Table 1 is locked" in page and "Unlock<span" in page
    locked_people = set(one.seats.values_list("registration_id", flat=True))

    RegistrationFactory(event=event, source=Registration.Source.WALK_IN)
    page = client.get(url(event)).content.decode()
    assert "<strong>1</strong> person has no table yet" in page
    page = client.post(url(event, "regenerate/"), follow=True).content.decode()
    assert "Re-planned" in page and "no table yet" not in page
    assert set(one.seats.values_list("registration_id", flat=True)) == locked_people

    page = client.post(url(event, f"{one.pk}/edit/"), {"label": "Window", "prompt": "Map a referral"}, follow=True)
    assert "Table 1 — Window" in page.content.decode()


def test_moving_into_a_locked_table_is_refused_with_a_message(client, event, coordinator):
    attendees(event, 16)
    plan = services.plan_generate(event=event, by=coordinator, seed=2)
    one, two = plan.groups.order_by("number")
    services.group_lock(group=two, by=coordinator)
    client.force_login(coordinator)
    person = one.seats.first().registration
    page = client.post(url(event, "move/"), {"registration": person.pk, "group": two.pk}, follow=True).content.decode()
    assert "Table 2 is locked: unlock it first." in page


def test_badges_pdf_from_the_page(client, event, coordinator):
    attendees(event, 9)
    services.plan_generate(event=event, by=coordinator, seed=2)
    client.force_login(coordinator)
    response = client.get(url(event, "badges.pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_other_coordinators_and_practitioners_get_404(client, event, coordinator, other_coordinator, practitioner):
    attendees(event, 8)
    plan = services.plan_generate(event=event, by=coordinator, seed=2)
    group = plan.groups.first()
    for user in (other_coordinator, practitioner):
        client.force_login(user)
        assert client.get(url(event)).status_code == 404
        assert client.post(url(event, "generate/"), {"min_size": 6, "max_size": 8}).status_code == 404
        assert client.post(url(event, "regenerate/")).status_code == 404
        assert client.post(url(event, f"{group.pk}/lock/"), {"locked": "yes"}).status_code == 404
        assert client.get(url(event, "badges.pdf")).status_code == 404
    group.refresh_from_db()
    assert not group.locked


def test_no_plan_yet_actions_are_404(client, event, coordinator):
    client.force_login(coordinator)
    assert client.post(url(event, "regenerate/")).status_code == 404
    assert client.get(url(event, "badges.pdf")).status_code == 404


def past_event(partnership):
    start = timezone.now() - timedelta(days=2)
    return EventFactory(partnership=partnership, start=start, end=start + timedelta(hours=2), title="Last month")


def test_my_table_after_the_session_lists_consenting_tablemates(client, partnership, coordinator):
    event = past_event(partnership)
    people = attendees(event, 8)
    Registration.objects.filter(pk=people[2].pk).update(consent_attendee_list=False)
    Registration.objects.filter(pk=people[3].pk).update(attendance=Registration.Attendance.NO_SHOW)
    services.plan_generate(event=event, by=coordinator, min_size=8, max_size=8, seed=1)
    Registration.objects.filter(pk=people[4].pk).update(attendance=Registration.Attendance.NO_SHOW)  # after planning
    client.force_login(people[0].user)
    page = client.get(f"/events/{event.pk}/my-table/").content.decode()
    assert "You sat at <strong>table 1</strong>" in page
    for shown in (people[1], people[5], people[6], people[7]):
        assert shown.user.full_name in page and shown.user.organisation in page
    for hidden in (people[2], people[3], people[4]):
        assert hidden.user.full_name not in page
    assert "1 other at your table chose not to be listed." in page


def test_my_table_before_the_session_explains_and_strangers_get_404(client, event, coordinator, practitioner):
    people = attendees(event, 8)
    services.plan_generate(event=event, by=coordinator, seed=1)
    client.force_login(people[0].user)
    page = client.get(f"/events/{event.pk}/my-table/").content.decode()
    assert "After the session, this page shows who sat at your table" in page
    assert people[1].user.full_name not in page
    client.force_login(practitioner)
    assert client.get(f"/events/{event.pk}/my-table/").status_code == 404
    client.logout()
    assert client.get(f"/events/{event.pk}/my-table/").status_code == 302


def test_networking_card_only_with_consent_and_only_for_attendees(client, event, coordinator, practitioner):
    listed, unlisted = attendees(event, 2)
    Registration.objects.filter(pk=unlisted.pk).update(consent_attendee_list=False)
    Registration.objects.filter(pk=listed.pk).update(talk_about="speech pathology referrals")
    client.force_login(unlisted.user)  # a fellow attendee
    page = client.get(f"/events/{event.pk}/cards/{listed.pk}/").content.decode()
    assert listed.user.full_name in page and "speech pathology referrals" in page
    assert client.get(f"/events/{event.pk}/cards/{unlisted.pk}/").status_code == 404
    client.force_login(practitioner)  # not registered
    assert client.get(f"/events/{event.pk}/cards/{listed.pk}/").status_code == 404
    client.force_login(coordinator)
    assert client.get(f"/events/{event.pk}/cards/{listed.pk}/").status_code == 200
    other = EventFactory(partnership=event.partnership)
    assert client.get(f"/events/{other.pk}/cards/{listed.pk}/").status_code == 404


def test_roster_links_to_the_table_planner(client, event, coordinator):
    client.force_login(coordinator)
    page = client.get(f"/manage/{event.partnership.slug}/events/{event.pk}/roster/").content.decode()
    assert url(event) in page


def test_a_hand_move_past_the_largest_size_is_allowed_with_a_warning(client, event, coordinator):
    attendees(event, 16)
    plan = services.plan_generate(event=event, by=coordinator, min_size=8, max_size=8, seed=2)
    one, two = plan.groups.order_by("number")
    client.force_login(coordinator)
    person = one.seats.first().registration
    page = client.post(url(event, "move/"), {"registration": person.pk, "group": two.pk}, follow=True).content.decode()
    assert "Table 2 now has 9 people, more than the largest size (8)." in page
    assert "Over 8" in page
