"""The reports API: every figure as JSON (checked against the OpenAPI schema), CSV per table, the PDF,
the responses for coordinators, quote picking, and an attendee's own feedback."""

import csv
import io
import json

import jsonschema
import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Sector
from registrations.models import Registration
from reporting.models import Feedback
from tests.events.factories import RegistrationFactory

from .factories import attended, local, past_event

pytestmark = pytest.mark.django_db
JSON = "application/json"
YEAR = {"date_from": "2025-01-01", "date_to": "2025-12-31"}


@pytest.fixture
def client():
    return Client()


def schema(client, name: str) -> dict:
    document = json.loads(client.get("/api/openapi.json").content)
    return {"$ref": f"#/components/schemas/{name}", "components": document["components"]}


def test_the_report_has_every_figure(client, coordinator, token_for, world):
    response = client.get("/api/partnerships/ballarat/report", YEAR, headers=token_for(coordinator))
    assert response.status_code == 200, response.content
    body = response.json()
    jsonschema.validate(body, schema(client, "ReportOut"))
    assert (body["date_from"], body["date_to"]) == ("2025-01-01", "2025-12-31")
    assert body["preset"] == ("last-calendar-year" if timezone.localdate().year == 2026 else None)
    assert body["partnership_name"] == "Ballarat Community Partnership"
    assert body["cohosts"] == ["City of Ballarat", "Grampians PHU", "Uniting"]
    assert body["sessions"] == {"held": 3, "cancelled": 1, "upcoming": 0, "full": 2, "with_waitlist": 2}
    assert body["registrations"] == {
        "registered": 11,
        "attended": 9,
        "no_shows": 2,
        "not_marked": 0,
        "cancelled": 1,
        "waitlisted": 2,
        "attendance_rate": 0.8182,
        "no_show_rate": 0.1818,
    }
    assert body["practitioners"] == {
        "unique": 6,
        "returning": 2,
        "returning_rate": 0.3333,
        "former_members": 2,
        "by_sessions_attended": [
            {"sessions": 1, "practitioners": 4, "former_members": 1},
            {"sessions": 2, "practitioners": 1, "former_members": 1},
            {"sessions": 3, "practitioners": 1, "former_members": 0},
        ],
    }
    assert body["organisations"]["count"] == 2
    assert body["organisations"]["items"][0] == {"name": "Ballarat Health", "practitioners": 2, "attendances": 4}
    feedback = body["feedback"]
    assert (feedback["responses"], feedback["average_rating"], feedback["new_contacts"]) == (6, 3.83, 12)
    assert (feedback["response_rate"], feedback["would_recommend_rate"]) == (0.6667, 0.6667)
    assert feedback["connected_across_sectors"] == 3
    assert feedback["ratings"] == [{"rating": r, "responses": n} for r, n in ((5, 2), (4, 2), (3, 1), (2, 1), (1, 0))]
    assert [(s["sector"], s["respondents"]) for s in feedback["sectors_connected"]] == [
        ("education-and-care", 2),
        ("community-services", 2),
        ("medical", 1),
    ]
    assert [s["sector"] for s in body["sectors"]] == [
        "medical",
        "education-and-care",
        "community-services",
        "not-stated",
    ]
    s3 = body["per_session"][2]
    assert s3["title"] == "S3" and s3["start"].startswith("2025-09-03T09:30:00+10:00")
    assert [(row["sector"], row["count"]) for row in s3["by_sector"]] == [
        ("medical", 2),
        ("education-and-care", 0),
        ("community-services", 0),
        ("not-stated", 1),
    ]
    assert (s3["responses"], s3["average_rating"], s3["full"]) == (2, 4.5, False)
    assert body["quotes"] == [{"text": "Meeting the kinder teachers.", "event_title": "S1", "event_date": "2025-03-05"}]


def test_the_report_takes_a_preset_and_refuses_bad_dates(client, coordinator, token_for, world):
    headers = token_for(coordinator)
    response = client.get("/api/partnerships/ballarat/report", {"preset": "last-12-months"}, headers=headers)
    assert response.status_code == 200 and response.json()["preset"] == "last-12-months"
    backwards = client.get(
        "/api/partnerships/ballarat/report", {"date_from": "2025-06-01", "date_to": "2025-01-01"}, headers=headers
    )
    assert backwards.status_code == 400
    assert backwards.json()["errors"] == {"date_from": ["The start date must not be after the end date."]}
    too_long = client.get(
        "/api/partnerships/ballarat/report", {"date_from": "2001-01-01", "date_to": "2025-01-01"}, headers=headers
    )
    assert too_long.status_code == 400
    for value in ("0001-01-01", "9999-12-31"):
        assert client.get("/api/partnerships/ballarat/report", {"date_to": value}, headers=headers).status_code == 400
    assert client.get("/api/partnerships/ballarat/report", {"preset": "forever"}, headers=headers).status_code == 422


def test_reports_are_404_for_everyone_but_the_partnerships_coordinators(
    client, other_coordinator, practitioner, token_for, world
):
    paths = [
        "/api/partnerships/ballarat/report",
        "/api/partnerships/ballarat/report/sessions.csv",
        "/api/partnerships/ballarat/report.pdf",
        "/api/partnerships/ballarat/feedback",
        "/api/partnerships/nowhere/report",
    ]
    for path in paths:
        assert client.get(path).status_code == 401
        for person in (other_coordinator, practitioner):
            assert client.get(path, headers=token_for(person)).status_code == 404, path


def test_each_table_as_csv(client, coordinator, token_for, world):
    headers = token_for(coordinator)
    response = client.get("/api/partnerships/ballarat/report/connections.csv", YEAR, headers=headers)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert list(csv.reader(io.StringIO(response.content.decode()))) == [
        ["Sector", "Respondents", "Share of respondents (%)"],
        ["Education and care", "2", "33.3"],
        ["Community services", "2", "33.3"],
        ["Medical", "1", "16.7"],
    ]
    for table in ("sessions", "sector-mix", "practitioners", "organisations", "feedback", "ratings", "waitlist"):
        answer = client.get(f"/api/partnerships/ballarat/report/{table}.csv", YEAR, headers=headers)
        assert answer.status_code == 200 and answer.content, table
    assert client.get("/api/partnerships/ballarat/report/people.csv", headers=headers).status_code == 422


def test_the_responses_for_coordinators_carry_no_names_unless_agreed(client, coordinator, token_for, world):
    feedback = world["b1"].feedback
    feedback.consent_name = True
    feedback.save()
    response = client.get("/api/partnerships/ballarat/feedback", YEAR, headers=token_for(coordinator))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 6
    jsonschema.validate(body["items"][0], schema(client, "FeedbackOut"))
    assert sorted(item["respondent_name"] or "-" for item in body["items"]) == ["-", "-", "-", "-", "-", "Bob"]
    assert all("registration_id" not in item and "user" not in item for item in body["items"])
    only_s1 = client.get(
        "/api/partnerships/ballarat/feedback", {**YEAR, "event_id": world["s1"].pk}, headers=token_for(coordinator)
    )
    assert only_s1.json()["count"] == 3


def test_a_coordinator_picks_a_quote(client, coordinator, other_coordinator, token_for, world):
    feedback = world["a3"].feedback
    Feedback.objects.filter(pk=feedback.pk).update(comments="I will use the referral map every week.")
    url = f"/api/feedback/{feedback.pk}"
    assert (
        client.patch(
            url, {"quote_field": "comments"}, content_type=JSON, headers=token_for(other_coordinator)
        ).status_code
        == 404
    )
    response = client.patch(url, {"quote_field": "comments"}, content_type=JSON, headers=token_for(coordinator))
    assert response.status_code == 200
    assert response.json()["quote_field"] == "comments"
    refused = client.patch(
        f"/api/feedback/{world['b1'].feedback.pk}",
        {"quote_field": "most_useful"},
        content_type=JSON,
        headers=token_for(coordinator),
    )
    assert refused.status_code == 400
    assert refused.json()["errors"] == {"quote_field": ["This person did not agree to be quoted."]}


def test_an_attendee_gives_and_changes_feedback_through_the_api(client, partnership, practitioner, token_for):
    event = past_event(partnership, local(2025, 5, 7))
    registration = attended(event, practitioner)
    url = f"/api/registrations/{registration.pk}/feedback"
    headers = token_for(practitioner)
    before = client.get(url, headers=headers)
    assert before.status_code == 200
    assert before.json() | {"registration_id": 0, "event_id": 0} == {
        "registration_id": 0,
        "event_id": 0,
        "event_title": event.title,
        "can_answer": True,
        "reason": None,
        "editable_until": None,
        "feedback": None,
    }
    answers = {"rating": 5, "would_recommend": True, "sectors_connected": ["medical", "other"], "new_contacts": 4}
    first = client.put(url, answers, content_type=JSON, headers=headers)
    assert first.status_code == 201, first.content
    jsonschema.validate(first.json(), schema(client, "MyFeedbackOut"))
    assert first.json()["feedback"]["sectors_connected"] == ["medical", "other"]
    again = client.put(url, {**answers, "rating": 3}, content_type=JSON, headers=headers)
    assert again.status_code == 200 and again.json()["feedback"]["rating"] == 3
    assert set(Feedback.objects.get().sectors_connected.all()) == set(
        Sector.objects.filter(slug__in=["medical", "other"])
    )
    unknown = client.put(url, {**answers, "sectors_connected": ["astrology"]}, content_type=JSON, headers=headers)
    assert unknown.status_code == 400 and "astrology" in unknown.json()["detail"]


def test_only_attendees_and_only_their_own(
    client, partnership, practitioner, other_practitioner, coordinator, token_for
):
    event = past_event(partnership, local(2025, 5, 7))
    mine = RegistrationFactory(event=event, user=practitioner, status=Registration.Status.WAITLISTED)
    url = f"/api/registrations/{mine.pk}/feedback"
    status = client.get(url, headers=token_for(practitioner)).json()
    assert (status["can_answer"], status["reason"]) == (
        False,
        "Only people who attended the session can give feedback on it.",
    )
    refused = client.put(
        url, {"rating": 5, "would_recommend": True}, content_type=JSON, headers=token_for(practitioner)
    )
    assert refused.status_code == 400
    theirs = attended(event, other_practitioner)
    for person in (practitioner, coordinator):  # not their registration: coordinators answer for nobody
        answer = client.put(
            f"/api/registrations/{theirs.pk}/feedback",
            {"rating": 1, "would_recommend": False},
            content_type=JSON,
            headers=token_for(person),
        )
        assert answer.status_code == 404
    assert not Feedback.objects.exists()
