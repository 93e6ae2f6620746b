"""Bad input is a 4xx naming the field, never a 500 and never a half-written change (issue 16's repros)."""

import pytest
from django.utils import timezone

from events.models import Event, Series
from tests.events.factories import EventFactory, TopicFactory

pytestmark = pytest.mark.django_db
NEXT_YEAR = timezone.now().year + 1


def series_payload(**overrides):
    return {
        "partnership": "ballarat",
        "title": "CSI sessions",
        "rrule": "FREQ=MONTHLY;BYDAY=1WE;COUNT=3",
        "start_date": f"{NEXT_YEAR}-01-01",
        "start_time": "09:30",
        **overrides,
    }


def post_json(client, url, body, headers):
    return client.post(url, body, content_type="application/json", headers=headers)


def test_a_series_with_an_offset_start_time_is_refused_and_nothing_is_saved(client, coordinator, token_for):
    response = post_json(client, "/api/series", series_payload(start_time="10:00:00+00:00"), token_for(coordinator))
    assert 400 <= response.status_code < 500, response.content
    assert "start_time" in response.json()["detail"]
    assert not Series.objects.exists()
    assert not Event.objects.exists()


def event_payload(**overrides):
    return {
        "partnership": "ballarat",
        "title": "Forum",
        "start": f"{NEXT_YEAR}-07-01T09:30:00",
        "end": f"{NEXT_YEAR}-07-01T11:30:00",
        **overrides,
    }


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/calendar/ballarat.ics?sector=%00", "sector"),
        ("/calendar/ballarat.ics?topic=%00", "topic"),
        ("/calendar/ballarat.ics?series=%01", "series"),
        ("/events/?q=a%1Bb", "q"),
        ("/certificates/verify/%00AAAA/", "path"),
        ("/api/certificates/verify/AAAA%00", "path"),
        ("/directory/?q=speech%0Apathology", "q"),
    ],
)
def test_control_characters_in_paths_and_queries_are_a_400_naming_the_field(client, partnership, url, field):
    response = client.get(url)
    assert response.status_code == 400
    assert field in response.content.decode()


def test_an_api_body_with_a_control_character_is_a_400_naming_the_field(client, coordinator, token_for):
    headers = token_for(coordinator)
    response = post_json(client, "/api/events", event_payload(description="Bell \x07 here"), headers)
    assert response.status_code == 400
    assert response.json()["errors"] == {"description": ["Control characters are not allowed."]}
    nested = post_json(client, "/api/events", event_payload(cohosts=["City\x00"]), headers)
    assert nested.status_code == 400
    assert list(nested.json()["errors"]) == ["cohosts.0"]
    assert not Event.objects.exists()


def test_single_line_fields_refuse_line_breaks_and_multi_line_fields_keep_them(client, coordinator, token_for):
    headers = token_for(coordinator)
    response = post_json(client, "/api/events", event_payload(title="Forum\r\nInjected: yes"), headers)
    assert response.status_code == 400
    assert response.json()["errors"] == {"title": ["Line breaks are not allowed in this field."]}
    venue = post_json(
        client, "/api/partnerships/ballarat/venues", {"name": "Hall\nB", "address": "1 Sturt St"}, headers
    )
    assert venue.status_code == 400 and "name" in venue.json()["errors"]
    sector = post_json(client, "/api/sectors", {"name": "=1+2\ttab"}, headers)
    assert sector.status_code == 400 and "name" in sector.json()["errors"]
    ok = post_json(client, "/api/events", event_payload(description="Line one\nLine two\n\tindented"), headers)
    assert ok.status_code == 201, ok.content
    assert Event.objects.get().description == "Line one\nLine two\n\tindented"


def test_a_form_with_a_line_break_in_a_title_is_refused(client, partnership, coordinator):
    client.force_login(coordinator)
    response = client.post(
        "/manage/ballarat/events/new/",
        {"title": "Forum\nSecond line", "start": f"{NEXT_YEAR}-07-01T09:30", "end": f"{NEXT_YEAR}-07-01T11:30"},
    )
    assert response.status_code == 400
    assert "title: Line breaks are not allowed in this field." in response.content.decode()
    assert not Event.objects.exists()


def test_an_upload_with_a_nul_is_refused_naming_the_field(client, partnership, coordinator):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(coordinator)
    upload = SimpleUploadedFile("services.json", b'{"name": "A\\u0000B"}', content_type="application/json")
    response = client.post("/manage/ballarat/directory/import/", {"file": upload})
    assert response.status_code == 400
    assert "file: Null characters are not allowed." in response.content.decode()
    raw = SimpleUploadedFile("services.csv", b"name\nA\x00B\n", content_type="text/csv")
    assert client.post("/manage/ballarat/directory/import/", {"file": raw}).status_code == 400


@pytest.mark.parametrize("start", ["1102-07-01T09:30:00", "2302-07-01T09:30:00"])
def test_a_session_outside_a_sane_range_of_dates_is_refused(client, coordinator, token_for, start):
    response = post_json(client, "/api/events", event_payload(start=start, end=start), token_for(coordinator))
    assert response.status_code == 400
    assert response.json()["errors"] == {"start": ["Dates must be between 1900 and 2199."]}
    page = client.get("/api/events", {"date_from": "1102-01-01"})
    assert page.status_code == 400 and "date_from" in page.json()["errors"]
    assert not Event.objects.exists()


def test_a_line_break_already_in_a_title_does_not_break_the_feeds(client, partnership):
    topic = TopicFactory(name="Line\nbreak")
    event = EventFactory(partnership=partnership, title="Line one\nLine two\r\nthree")
    event.topics.set([topic])
    single = client.get(f"/events/{event.pk}.ics")
    assert single.status_code == 200
    assert b"NAME:Line one Line two three" in single.content
    assert client.get("/calendar/ballarat.ics").status_code == 200


def test_a_write_that_fails_after_saving_leaves_nothing_behind(client, coordinator, token_for, monkeypatch):
    """Whatever fails after the series and its sessions were saved, the request's transaction rolls back."""
    from events import api as events_api
    from events import services

    real = services.series_create

    def saves_then_fails(**kwargs):
        real(**kwargs)
        raise RuntimeError("fails after saving")

    monkeypatch.setattr(events_api.services, "series_create", saves_then_fails)
    client.raise_request_exception = False
    response = post_json(client, "/api/series", series_payload(), token_for(coordinator))
    assert response.status_code == 500
    assert not Series.objects.exists() and not Event.objects.exists()
