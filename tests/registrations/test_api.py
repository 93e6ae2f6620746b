from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from registrations.models import Registration
from tests.accounts.factories import UserFactory, sector
from tests.events.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def client():
    return Client()


@pytest.fixture
def event(partnership):
    return EventFactory(partnership=partnership, capacity=1)


def test_register_201_then_200_with_the_same_body(client, event, practitioner, token_for):
    headers = token_for(practitioner)
    first = client.post(f"/api/events/{event.pk}/registrations", headers=headers)
    assert first.status_code == 201
    body = first.json()
    assert (body["status"], body["waitlist_position"]) == ("confirmed", None)
    assert body["check_in_code"] and "-" in body["check_in_code"]
    again = client.post(f"/api/events/{event.pk}/registrations", headers=headers)
    assert again.status_code == 200
    assert again.json()["id"] == body["id"]


def test_register_with_an_empty_json_body(client, event, practitioner, token_for):
    response = client.post(
        f"/api/events/{event.pk}/registrations", "", content_type=JSON, headers=token_for(practitioner)
    )
    assert response.status_code == 201


def test_full_event_waitlists_with_a_position(client, event, practitioner, other_practitioner, token_for):
    client.post(f"/api/events/{event.pk}/registrations", headers=token_for(practitioner))
    body = client.post(f"/api/events/{event.pk}/registrations", headers=token_for(other_practitioner)).json()
    assert (body["status"], body["waitlist_position"], body["check_in_code"]) == ("waitlisted", 1, None)


def test_register_with_details_and_bad_input(client, event, practitioner, token_for):
    headers = token_for(practitioner)
    bad = client.post(
        f"/api/events/{event.pk}/registrations", {"needs": "x" * 1001}, content_type=JSON, headers=headers
    )
    assert bad.status_code == 422 and "needs" in bad.json()["errors"]
    good = client.post(
        f"/api/events/{event.pk}/registrations",
        {"needs": "Halal lunch", "consent_attendee_list": True, "talk_about": "MCH referrals"},
        content_type=JSON,
        headers=headers,
    )
    assert good.status_code == 201 and good.json()["needs"] == "Halal lunch"


def test_register_needs_login_and_a_published_open_event(client, partnership, practitioner, token_for):
    event = EventFactory(partnership=partnership)
    assert client.post(f"/api/events/{event.pk}/registrations").status_code == 401
    draft = EventFactory(partnership=partnership, status="draft")
    assert client.post(f"/api/events/{draft.pk}/registrations", headers=token_for(practitioner)).status_code == 404
    cancelled = EventFactory(partnership=partnership, status="cancelled")
    response = client.post(f"/api/events/{cancelled.pk}/registrations", headers=token_for(practitioner))
    assert response.status_code == 400 and "event" in response.json()["errors"]


def test_cancel_promotes_and_others_get_404(client, event, practitioner, other_practitioner, token_for):
    mine = client.post(f"/api/events/{event.pk}/registrations", headers=token_for(practitioner)).json()
    theirs = client.post(f"/api/events/{event.pk}/registrations", headers=token_for(other_practitioner)).json()
    assert client.delete(f"/api/registrations/{mine['id']}", headers=token_for(other_practitioner)).status_code == 404
    assert client.get(f"/api/registrations/{mine['id']}", headers=token_for(other_practitioner)).status_code == 404
    cancelled = client.delete(f"/api/registrations/{mine['id']}", headers=token_for(practitioner))
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    promoted = client.get(f"/api/registrations/{theirs['id']}", headers=token_for(other_practitioner)).json()
    assert promoted["status"] == "confirmed"
    again = client.delete(f"/api/registrations/{mine['id']}", headers=token_for(practitioner))
    assert again.status_code == 400


def test_my_registrations_lists_only_mine(client, partnership, practitioner, other_practitioner, token_for):
    RegistrationFactory(event=EventFactory(partnership=partnership), user=practitioner)
    RegistrationFactory(event=EventFactory(partnership=partnership), user=other_practitioner)
    body = client.get("/api/me/registrations?when=upcoming", headers=token_for(practitioner)).json()
    assert body["count"] == 1


def test_roster_is_for_the_partnerships_coordinators_only(
    client, event, coordinator, other_coordinator, practitioner, token_for
):
    RegistrationFactory(event=event, user=practitioner, needs="Wheelchair")
    url = f"/api/events/{event.pk}/roster"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=token_for(practitioner)).status_code == 404
    assert client.get(url, headers=token_for(other_coordinator)).status_code == 404
    body = client.get(url, headers=token_for(coordinator)).json()
    assert body["items"][0]["email"] == practitioner.email and body["items"][0]["needs"] == "Wheelchair"
    counts = client.get(f"{url}/counts", headers=token_for(coordinator)).json()
    assert counts["confirmed"] == 1 and counts["by_sector"][0]["sector"] == "medical"


def test_roster_costs_the_same_queries_for_5_or_50(client, partnership, coordinator, token_for):
    event = EventFactory(partnership=partnership, capacity=100)
    headers = token_for(coordinator)
    client.get("/api/me", headers=headers)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/api/events/{event.pk}/roster?page_size=100", headers=headers).status_code == 200
        return len(queries)

    RegistrationFactory.create_batch(5, event=event)
    small = count()
    RegistrationFactory.create_batch(45, event=event)
    assert count() == small


def test_check_in_and_attendance_endpoints(client, event, coordinator, practitioner, token_for):
    event.start = timezone.now() + timedelta(minutes=30)  # inside the check-in window
    event.end = event.start + timedelta(hours=2)
    event.save()
    registration = RegistrationFactory(event=event, user=practitioner)
    headers = token_for(coordinator)
    wrong = client.post(f"/api/events/{event.pk}/check-in", {"code": "nope"}, content_type=JSON, headers=headers)
    assert wrong.status_code == 400 and "code" in wrong.json()["errors"]
    ok = client.post(
        f"/api/events/{event.pk}/check-in",
        {"code": registration.display_code.lower()},
        content_type=JSON,
        headers=headers,
    )
    assert ok.status_code == 200 and ok.json()["attendance"] == "attended"
    undo = client.post(
        f"/api/registrations/{registration.pk}/attendance", {"attended": False}, content_type=JSON, headers=headers
    )
    assert undo.json()["attendance"] == "no_show"
    refused = client.post(
        f"/api/registrations/{registration.pk}/attendance",
        {"attended": True},
        content_type=JSON,
        headers=token_for(practitioner),
    )
    assert refused.status_code == 404


def test_walk_in_over_the_api(client, event, coordinator, token_for):
    RegistrationFactory(event=event)
    response = client.post(
        f"/api/events/{event.pk}/walk-ins",
        {"email": "walkin@example.org", "full_name": "Walk In", "sector": "community-services"},
        content_type=JSON,
        headers=token_for(coordinator),
    )
    assert response.status_code == 201
    assert (response.json()["status"], response.json()["attendance"]) == ("confirmed", "attended")
    bad = client.post(
        f"/api/events/{event.pk}/walk-ins",
        {"email": "x@example.org", "full_name": "X", "sector": "nope"},
        content_type=JSON,
        headers=token_for(coordinator),
    )
    assert bad.status_code == 400 and "sector" in bad.json()["errors"]


def test_attendee_list_is_for_confirmed_attendees_and_coordinators(
    client, event, coordinator, practitioner, other_practitioner, token_for
):
    RegistrationFactory(event=event, user=practitioner, consent_attendee_list=True, talk_about="Housing")
    RegistrationFactory(event=event, user=UserFactory(), status="waitlisted")
    url = f"/api/events/{event.pk}/attendees"
    assert client.get(url, headers=token_for(other_practitioner)).status_code == 404
    listed = client.get(url, headers=token_for(practitioner)).json()["items"]
    assert listed == [
        {
            "full_name": practitioner.full_name,
            "organisation": practitioner.organisation,
            "sector": "Medical",
            "talk_about": "Housing",
        }
    ]
    assert client.get(url, headers=token_for(coordinator)).status_code == 200


def test_sector_mix_is_public_counts_only(client, event):
    RegistrationFactory(event=event, user=UserFactory(sector=sector("education-and-care")))
    body = client.get(f"/api/events/{event.pk}/sector-mix").json()
    assert body == [{"sector": "education-and-care", "name": "Education and care", "count": 1}]


def test_export_and_delete_my_account(client, event, practitioner, token_for):
    headers = token_for(practitioner)
    client.post(f"/api/events/{event.pk}/registrations", headers=headers)
    export = client.get("/api/me/export", headers=headers).json()
    assert export["account"]["email"] == practitioner.email and len(export["registrations"]) == 1
    wrong = client.post("/api/me/delete", {"password": "nope"}, content_type=JSON, headers=headers)
    assert wrong.status_code == 400 and "password" in wrong.json()["errors"]
    gone = client.post(
        "/api/me/delete", {"password": "correct horse battery staple"}, content_type=JSON, headers=headers
    )
    assert gone.status_code == 204
    assert not User.objects.filter(pk=practitioner.pk).exists()
    assert Registration.objects.get().user is None
    assert client.get("/api/me", headers=headers).status_code == 401
