from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events.models import Event, Series
from tests.accounts.factories import sector
from tests.events.factories import EventFactory, OnlineVenueFactory, RegistrationFactory, TopicFactory, VenueFactory

pytestmark = pytest.mark.django_db
NEXT_YEAR = timezone.localdate().year + 1


@pytest.fixture
def client():
    return Client()


def test_event_detail_has_the_documented_shape(client, partnership):
    event = EventFactory(partnership=partnership, capacity=3)
    RegistrationFactory(event=event)
    RegistrationFactory(event=event, status="waitlisted")
    body = client.get(f"/api/events/{event.pk}").json()
    assert body["timezone"] == "Australia/Melbourne"
    assert body["start"].endswith(("+10:00", "+11:00"))
    assert (body["capacity"], body["confirmed_count"], body["waitlist_count"], body["spaces_left"]) == (3, 1, 1, 2)
    assert body["status"] == "published"
    assert "<strong>referral pathways</strong>" in body["description_html"]


def test_online_link_only_for_coordinators(client, partnership, coordinator, practitioner, token_for):
    venue = OnlineVenueFactory(partnership=partnership)
    event = EventFactory(partnership=partnership, venue=venue)
    url = f"/api/events/{event.pk}"
    assert client.get(url).json()["venue"]["online_url"] is None
    assert client.get(url, headers=token_for(practitioner)).json()["venue"]["online_url"] is None
    assert client.get(url, headers=token_for(coordinator)).json()["venue"]["online_url"] == venue.online_url
    listed = client.get("/api/events", headers=token_for(coordinator)).json()["items"][0]
    assert listed["venue"]["online_url"] is None
    assert "secret-room" not in client.get(f"/events/{event.pk}/").content.decode()


def test_confirmed_registrants_see_the_online_link(client, partnership, practitioner, token_for):
    event = EventFactory(partnership=partnership, venue=OnlineVenueFactory(partnership=partnership))
    RegistrationFactory(event=event, user=practitioner)
    assert client.get(f"/api/events/{event.pk}", headers=token_for(practitioner)).json()["venue"]["online_url"]


def test_drafts_are_visible_only_to_their_partnerships_coordinators(
    client, partnership, coordinator, other_coordinator, practitioner, token_for
):
    draft = EventFactory(partnership=partnership, status=Event.Status.DRAFT)
    url = f"/api/events/{draft.pk}"
    assert client.get(url).status_code == 404
    assert client.get(url, headers=token_for(practitioner)).status_code == 404
    assert client.get(url, headers=token_for(other_coordinator)).status_code == 404
    assert client.get(url, headers=token_for(coordinator)).status_code == 200
    assert client.get("/api/events", headers=token_for(other_coordinator)).json()["count"] == 0
    assert client.get("/api/events", headers=token_for(coordinator)).json()["count"] == 1


def test_list_filters(client, partnership, other_partnership):
    referral = TopicFactory(name="Referral pathways", slug="referral-pathways")
    near = EventFactory(partnership=partnership, title="Speech pathways", start=timezone.now() + timedelta(days=3))
    near.topics.add(referral)
    near.sectors.add(sector("medical"))
    far = EventFactory(partnership=other_partnership, title="Child safety", start=timezone.now() + timedelta(days=90))
    far.sectors.add(sector("education-and-care"))
    EventFactory(partnership=partnership, title="Old one", start=timezone.now() - timedelta(days=90))

    def titles(query):
        return [e["title"] for e in client.get(f"/api/events?{query}").json()["items"]]

    assert titles("upcoming=true") == ["Speech pathways", "Child safety"]
    assert titles("upcoming=true&ordering=-start") == ["Child safety", "Speech pathways"]
    assert titles("sector=medical") == ["Speech pathways"]
    assert titles("topic=referral-pathways") == ["Speech pathways"]
    assert titles("partnership=geelong") == ["Child safety"]
    assert titles("q=speech") == ["Speech pathways"]
    later = (timezone.localdate() + timedelta(days=30)).isoformat()
    assert titles(f"date_from={later}") == ["Child safety"]
    assert titles(f"date_to={later}") == ["Old one", "Speech pathways"]


def test_list_costs_the_same_number_of_queries_for_5_or_40_events(client, partnership, practitioner, token_for):
    headers = token_for(practitioner)
    client.get("/api/me", headers=headers)  # the token's first use records last_used_at

    def count_for(n):
        for _ in range(n):
            event = EventFactory(partnership=partnership, venue=VenueFactory(partnership=partnership))
            event.topics.add(TopicFactory())
            event.sectors.add(sector("medical"))
            RegistrationFactory(event=event)
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/events?page_size=100", headers=headers)
        assert response.status_code == 200
        return len(queries)

    small = count_for(5)
    assert count_for(35) == small
    assert small <= 8


def test_upcoming_page_queries_do_not_grow(client, partnership):
    def count_for(n):
        for _ in range(n):
            event = EventFactory(partnership=partnership, venue=VenueFactory(partnership=partnership))
            event.topics.add(TopicFactory())
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/events/").status_code == 200
        return len(queries)

    assert count_for(3) == count_for(15)


def test_coordinator_creates_previews_and_publishes_a_series(client, partnership, coordinator, token_for):
    headers = token_for(coordinator)
    venue = VenueFactory(partnership=partnership)
    rule = {
        "partnership": "ballarat",
        "rrule": f"FREQ=MONTHLY;BYDAY=1WE;BYMONTH=2,3,4,5,6,7,8,9,10,11;UNTIL={NEXT_YEAR}1130",
        "start_date": f"{NEXT_YEAR}-01-01",
        "start_time": "09:30",
        "duration_minutes": 120,
    }
    preview = client.post("/api/series/preview", rule, content_type="application/json", headers=headers)
    assert preview.status_code == 200
    assert len(preview.json()["occurrences"]) == 10
    assert preview.json()["description"].startswith("Every month on the first Wednesday")
    assert not Event.objects.exists()

    payload = {
        **rule,
        "title": "CSI sessions",
        "topics": ["Referral pathways"],
        "sectors": ["medical", "community-services"],
        "cohosts": ["City of Ballarat"],
        "default_venue_id": venue.pk,
    }
    created = client.post("/api/series", payload, content_type="application/json", headers=headers)
    assert created.status_code == 201, created.json()
    body = created.json()
    assert len(body["occurrences"]) == 10
    assert {o["status"] for o in body["occurrences"]} == {"draft"}
    published = client.post(f"/api/series/{body['id']}/publish", headers=headers)
    assert {o["status"] for o in published.json()["occurrences"]} == {"published"}
    assert all(o["start"][11:16] == "09:30" for o in published.json()["occurrences"])


def test_series_patch_needs_confirmation_to_move_registered_sessions(client, partnership, coordinator, token_for):
    headers = token_for(coordinator)
    payload = {
        "partnership": "ballarat",
        "title": "CSI",
        "rrule": "FREQ=MONTHLY;BYDAY=1WE;COUNT=3",
        "start_date": f"{NEXT_YEAR}-01-01",
        "start_time": "09:30",
        "publish": True,
    }
    series_id = client.post("/api/series", payload, content_type="application/json", headers=headers).json()["id"]
    RegistrationFactory(event=Series.objects.get(pk=series_id).events.first())
    url = f"/api/series/{series_id}"
    refused = client.patch(url, {"start_time": "10:00"}, content_type="application/json", headers=headers)
    assert refused.status_code == 400
    assert "confirm_moves" in refused.json()["errors"]
    done = client.patch(
        url, {"start_time": "10:00", "confirm_moves": True}, content_type="application/json", headers=headers
    )
    assert done.status_code == 200
    assert len(done.json()["moved"]) == 3


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"rrule": "FREQ=NEVER"}, "rrule"),
        ({"default_capacity": 0}, "default_capacity"),
        ({"sectors": ["astrology"]}, "sectors"),
        ({"start_time": "25:00"}, "start_time"),
        ({"partnership": "nowhere"}, "partnership"),
        ({"default_venue_id": 999999}, "default_venue_id"),
        ({"exdates": ["not-a-date"]}, "exdates.0"),
    ],
)
def test_bad_series_input_names_the_field_and_writes_nothing(
    client, partnership, coordinator, token_for, change, field
):
    payload = {
        "partnership": "ballarat",
        "title": "CSI",
        "rrule": "FREQ=MONTHLY;BYDAY=1WE;COUNT=3",
        "start_date": f"{NEXT_YEAR}-01-01",
        "start_time": "09:30",
        **change,
    }
    response = client.post("/api/series", payload, content_type="application/json", headers=token_for(coordinator))
    assert response.status_code in (400, 422)
    assert field in response.json()["errors"], response.json()
    assert not Series.objects.exists() and not Event.objects.exists()


@pytest.mark.parametrize(
    ("change", "field", "status"),
    [
        ({"end": "2020-01-01T00:00:00+10:00"}, "end", 400),
        ({"capacity": 0}, "capacity", 422),
        ({"capacity": 1}, "capacity", 400),
        ({"sectors": ["unknown"]}, "sectors", 400),
        ({"venue_id": 424242}, "venue_id", 400),
        ({"start": "yesterday"}, "start", 422),
    ],
)
def test_bad_event_updates_name_the_field(client, partnership, coordinator, token_for, change, field, status):
    event = EventFactory(partnership=partnership, capacity=5)
    RegistrationFactory.create_batch(2, event=event)
    response = client.patch(
        f"/api/events/{event.pk}", change, content_type="application/json", headers=token_for(coordinator)
    )
    assert response.status_code == status
    assert field in response.json()["errors"]
    event.refresh_from_db()
    assert event.capacity == 5


def test_publishing_in_the_past_over_the_api_is_a_400(client, partnership, coordinator, token_for):
    event = EventFactory(partnership=partnership, status="draft", start=timezone.now() - timedelta(days=1))
    response = client.post(f"/api/events/{event.pk}/publish", headers=token_for(coordinator))
    assert response.status_code == 400
    assert response.json()["errors"] == {"start": ["A session that has already started cannot be published."]}


def test_only_the_partnerships_coordinators_change_events(
    client, partnership, coordinator, other_coordinator, practitioner, token_for
):
    event = EventFactory(partnership=partnership)
    url = f"/api/events/{event.pk}/cancel"
    body = {"reason": "Flood"}
    assert client.post(url, body, content_type="application/json").status_code == 401
    for user in (practitioner, other_coordinator):
        response = client.post(url, body, content_type="application/json", headers=token_for(user))
        assert response.status_code == 403
    response = client.post(url, body, content_type="application/json", headers=token_for(coordinator))
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert response.json()["cancel_reason"] == "Flood"


def test_one_off_event_with_local_naive_times(client, partnership, coordinator, token_for):
    payload = {
        "partnership": "ballarat",
        "title": "Forum",
        "start": f"{NEXT_YEAR}-07-01T09:30:00",
        "end": f"{NEXT_YEAR}-07-01T11:30:00",
        "publish": True,
    }
    response = client.post("/api/events", payload, content_type="application/json", headers=token_for(coordinator))
    assert response.status_code == 201
    assert response.json()["start"] == f"{NEXT_YEAR}-07-01T09:30:00+10:00"
    assert response.json()["registration_open"] is True


def test_series_of_another_partnership_is_404(client, partnership, coordinator, other_coordinator, token_for):
    from events.services import series_create

    series = series_create(
        partnership=partnership,
        title="CSI",
        rrule="FREQ=MONTHLY;COUNT=2",
        start_date=date(NEXT_YEAR, 1, 1),
        start_time=timezone.datetime(2000, 1, 1, 9, 30).time(),
    )
    assert client.get(f"/api/series/{series.pk}", headers=token_for(other_coordinator)).status_code == 404
    assert client.get(f"/api/series/{series.pk}", headers=token_for(coordinator)).status_code == 200
