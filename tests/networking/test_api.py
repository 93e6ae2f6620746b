import json
from datetime import timedelta

import jsonschema
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from events.models import Event
from networking import services
from networking.models import Seat, TablePlan
from registrations.models import Registration
from tests.events.factories import EventFactory, RegistrationFactory

from .factories import attendees

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def client():
    return Client()


@pytest.fixture
def event(partnership):
    return EventFactory(partnership=partnership, title="Perinatal wellbeing")


@pytest.fixture
def plan(event, coordinator):
    attendees(event, 20)
    return services.plan_generate(event=event, by=coordinator, seed=3)


def openapi_schema(client, name: str) -> dict:
    document = json.loads(client.get("/api/openapi.json").content)
    return {"$ref": f"#/components/schemas/{name}", "components": document["components"]}


def test_create_a_plan_201_then_replan_200_and_the_body_matches_the_schema(client, event, coordinator, token_for):
    attendees(event, 20)
    headers = token_for(coordinator)
    first = client.post(
        f"/api/events/{event.pk}/table-plan",
        {"min_size": 5, "max_size": 7, "seed": 42},
        content_type=JSON,
        headers=headers,
    )
    assert first.status_code == 201, first.content
    body = first.json()
    jsonschema.validate(body, openapi_schema(client, "PlanOut"))
    assert (body["min_size"], body["max_size"], body["seed"]) == (5, 7, 42)
    assert sum(group["size"] for group in body["groups"]) == 20
    assert body["explanation"]["baseline"]["pairs"] == body["explanation"]["pairs"]
    again = client.post(f"/api/events/{event.pk}/table-plan", "", content_type=JSON, headers=headers)
    assert again.status_code == 200
    assert (again.json()["min_size"], again.json()["max_size"]) == (6, 8)


def test_read_the_plan_with_its_explanation(client, plan, coordinator, token_for):
    response = client.get(f"/api/events/{plan.event_id}/table-plan", headers=token_for(coordinator))
    assert response.status_code == 200
    body = response.json()
    explanation = body["explanation"]
    assert explanation["group_count"] == len(body["groups"]) == 3
    assert explanation["sector_count"] == 4
    for group in body["groups"]:
        assert sum(row["count"] for row in group["sectors"]) == group["size"] == len(group["seats"])
        assert {row["sector"] for row in group["sectors"]} <= {
            "medical",
            "education-and-care",
            "community-services",
            "other",
        }
    assert body["unseated"] == []


def test_reading_the_plan_costs_the_same_queries_whatever_its_size(client, coordinator, token_for, partnership):
    headers = token_for(coordinator)
    small, big = EventFactory(partnership=partnership), EventFactory(partnership=partnership)
    attendees(small, 6)
    attendees(big, 40, start=50)
    for event in (small, big):
        services.plan_generate(event=event, by=coordinator, seed=1)
    client.get("/api/me", headers=headers)  # the token's first use is recorded once
    counts = []
    for event in (small, big):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/api/events/{event.pk}/table-plan", headers=headers).status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1]


def test_no_plan_yet_is_404(client, event, coordinator, token_for):
    response = client.get(f"/api/events/{event.pk}/table-plan", headers=token_for(coordinator))
    assert response.status_code == 404


def test_other_people_get_404_for_everything(client, plan, practitioner, other_coordinator, token_for):
    group = plan.groups.first()
    registration = group.seats.first().registration_id
    for user in (practitioner, other_coordinator):
        headers = token_for(user)
        calls = [
            client.get(f"/api/events/{plan.event_id}/table-plan", headers=headers),
            client.post(f"/api/events/{plan.event_id}/table-plan", {}, content_type=JSON, headers=headers),
            client.post(f"/api/events/{plan.event_id}/table-plan/regenerate", headers=headers),
            client.post(
                f"/api/events/{plan.event_id}/table-plan/move",
                {"registration_id": registration, "group_id": group.pk},
                content_type=JSON,
                headers=headers,
            ),
            client.post(
                f"/api/events/{plan.event_id}/table-plan/pin",
                {"registration_id": registration},
                content_type=JSON,
                headers=headers,
            ),
            client.post(f"/api/table-groups/{group.pk}/lock", headers=headers),
            client.post(f"/api/table-groups/{group.pk}/unlock", headers=headers),
            client.patch(f"/api/table-groups/{group.pk}", {"label": "x"}, content_type=JSON, headers=headers),
            client.get(f"/api/events/{plan.event_id}/table-plan/badges.pdf", headers=headers),
        ]
        assert [c.status_code for c in calls] == [404] * len(calls)
    assert client.get(f"/api/events/{plan.event_id}/table-plan").status_code == 401
    assert not Seat.objects.filter(pinned=True).exists()


def test_lock_pin_move_and_regenerate_through_the_api(client, plan, coordinator, token_for):
    headers = token_for(coordinator)
    one, two, three = plan.groups.order_by("number")
    locked = client.post(f"/api/table-groups/{one.pk}/lock", headers=headers).json()
    assert [g["locked"] for g in locked["groups"]] == [True, False, False]
    before_one = sorted(s["registration_id"] for s in locked["groups"][0]["seats"])

    facilitator = two.seats.first().registration_id
    pinned = client.post(
        f"/api/events/{plan.event_id}/table-plan/pin",
        {"registration_id": facilitator},
        content_type=JSON,
        headers=headers,
    ).json()
    assert any(s["pinned"] for g in pinned["groups"] for s in g["seats"] if s["registration_id"] == facilitator)

    mover = three.seats.first().registration_id
    moved = client.post(
        f"/api/events/{plan.event_id}/table-plan/move",
        {"registration_id": mover, "group_id": two.pk},
        content_type=JSON,
        headers=headers,
    )
    assert moved.status_code == 200
    table_two = next(g for g in moved.json()["groups"] if g["number"] == 2)
    assert mover in [s["registration_id"] for s in table_two["seats"]]

    refused = client.post(
        f"/api/events/{plan.event_id}/table-plan/move",
        {"registration_id": mover, "group_id": one.pk},
        content_type=JSON,
        headers=headers,
    )
    assert refused.status_code == 400
    assert refused.json()["errors"] == {"group_id": [services.GROUP_LOCKED.format(number=1)]}

    walk_in = RegistrationFactory(event=plan.event, source=Registration.Source.WALK_IN)
    assert [
        u["registration_id"]
        for u in client.get(f"/api/events/{plan.event_id}/table-plan", headers=headers).json()["unseated"]
    ] == [walk_in.pk]
    regenerated = client.post(f"/api/events/{plan.event_id}/table-plan/regenerate", headers=headers).json()
    assert regenerated["unseated"] == []
    assert sorted(s["registration_id"] for s in regenerated["groups"][0]["seats"]) == before_one
    seats = [s["registration_id"] for g in regenerated["groups"] for s in g["seats"]]
    assert len(seats) == len(set(seats)) == 21


def test_patch_a_group_and_bad_input(client, plan, coordinator, token_for):
    headers = token_for(coordinator)
    group = plan.groups.first()
    body = client.patch(
        f"/api/table-groups/{group.pk}",
        {"label": "Window", "prompt": "Talk about referrals"},
        content_type=JSON,
        headers=headers,
    ).json()
    assert (body["groups"][0]["label"], body["groups"][0]["prompt"]) == ("Window", "Talk about referrals")
    too_big = client.post(
        f"/api/events/{plan.event_id}/table-plan", {"min_size": 9, "max_size": 8}, content_type=JSON, headers=headers
    )
    assert too_big.status_code == 400 and "min_size" in too_big.json()["errors"]
    malformed = client.post(
        f"/api/events/{plan.event_id}/table-plan", {"min_size": 1}, content_type=JSON, headers=headers
    )
    assert malformed.status_code == 422
    unknown = client.post(
        f"/api/events/{plan.event_id}/table-plan/move",
        {"registration_id": 2**62, "group_id": group.pk},
        content_type=JSON,
        headers=headers,
    )
    assert unknown.status_code == 400 and "registration_id" in unknown.json()["errors"]


def test_a_cancelled_session_cannot_be_planned(client, event, coordinator, token_for):
    Event.objects.filter(pk=event.pk).update(status=Event.Status.CANCELLED)
    response = client.post(f"/api/events/{event.pk}/table-plan", {}, content_type=JSON, headers=token_for(coordinator))
    assert response.status_code == 400
    assert not TablePlan.objects.exists()


def test_badges_pdf_endpoint(client, plan, coordinator, token_for):
    response = client.get(f"/api/events/{plan.event_id}/table-plan/badges.pdf", headers=token_for(coordinator))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    from io import BytesIO

    text = "".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    assert "Member 000" in text and "Table 1" in text


def test_my_table_after_the_session(client, partnership, coordinator, token_for):
    start = timezone.now() - timedelta(days=1)
    event = EventFactory(partnership=partnership, start=start, end=start + timedelta(hours=2))
    people = attendees(event, 8)
    shy = people[1]
    Registration.objects.filter(pk=shy.pk).update(consent_attendee_list=False)
    services.plan_generate(event=event, by=coordinator, min_size=8, max_size=8, seed=1)
    me = people[0]
    body = client.get(f"/api/events/{event.pk}/my-table", headers=token_for(me.user)).json()
    assert body["available"] is True and body["group_number"] == 1
    names = [t["full_name"] for t in body["tablemates"]]
    assert names == sorted(r.user.full_name for r in people[2:])
    assert body["hidden"] == 1
    assert body["tablemates"][0]["sector"] in {"Medical", "Education and care", "Community services", "Other"}


def test_my_table_before_the_session_is_not_available_and_others_get_404(
    client, plan, coordinator, practitioner, token_for
):
    me = plan.groups.first().seats.first().registration
    body = client.get(f"/api/events/{plan.event_id}/my-table", headers=token_for(me.user)).json()
    assert (body["available"], body["tablemates"]) == (False, [])
    assert client.get(f"/api/events/{plan.event_id}/my-table", headers=token_for(practitioner)).status_code == 404
    coordinator_view = client.get(f"/api/events/{plan.event_id}/my-table", headers=token_for(coordinator))
    assert coordinator_view.status_code == 200 and coordinator_view.json()["available"] is False
