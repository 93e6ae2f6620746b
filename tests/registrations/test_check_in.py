"""Check-in on the day: a window around the session, a knowing override, name search and undo."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from registrations import services
from tests.accounts.factories import UserFactory
from tests.events.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db
JSON = "application/json"


def _event(partnership, starts_in: timedelta, hours: int = 2):
    start = (timezone.now() + starts_in).replace(microsecond=0)
    return EventFactory(partnership=partnership, start=start, end=start + timedelta(hours=hours))


def test_the_window_is_two_hours_before_until_the_end_plus_grace(partnership):
    event = _event(partnership, timedelta(hours=5))
    opens, closes = services.check_in_window(event)
    assert opens == event.start - timedelta(hours=2)
    assert closes == event.end + timedelta(minutes=60)
    assert not services.check_in_is_open(event, now=opens - timedelta(seconds=1))
    assert services.check_in_is_open(event, now=opens)
    assert services.check_in_is_open(event, now=closes)
    assert not services.check_in_is_open(event, now=closes + timedelta(seconds=1))
    partnership.check_in_opens_minutes, partnership.check_in_grace_minutes = 30, 0
    partnership.save()
    event.refresh_from_db()
    assert services.check_in_window(event) == (event.start - timedelta(minutes=30), event.end)


def test_a_session_months_ahead_refuses_with_its_date_and_takes_an_override(partnership, coordinator):
    event = _event(partnership, timedelta(days=90))
    registration = RegistrationFactory(event=event)
    with pytest.raises(ValidationError) as info:
        services.attendance_check_in(event=event, code=registration.check_in_code, by=coordinator)
    message = info.value.message_dict["event"][0]
    local = event.local_start
    assert f"{local:%A} {local.day} {local:%B %Y}" in message and "override" in message
    registration.refresh_from_db()
    assert registration.attendance == "unknown"
    checked = services.attendance_check_in(event=event, code=registration.check_in_code, by=coordinator, override=True)
    assert checked.attendance == "attended"


def test_a_session_long_over_refuses_too(partnership, coordinator):
    event = _event(partnership, -timedelta(hours=4))  # ended 2 hours ago; grace is 1 hour
    registration = RegistrationFactory(event=event)
    with pytest.raises(ValidationError):
        services.attendance_check_in(event=event, code=registration.check_in_code, by=coordinator)


def test_api_refuses_outside_the_window_and_answers_it(client, partnership, coordinator, token_for):
    event = _event(partnership, timedelta(days=90))
    registration = RegistrationFactory(event=event)
    headers = token_for(coordinator)
    url = f"/api/events/{event.pk}/check-in"
    window = client.get(url, headers=headers).json()
    assert window["is_open"] is False
    assert window["opens_at"].startswith((event.local_start - timedelta(hours=2)).isoformat()[:16])
    refused = client.post(url, {"code": registration.check_in_code}, content_type=JSON, headers=headers)
    assert refused.status_code == 400
    assert refused.json()["detail"].startswith("event: Check-in for this session is open ")
    assert str(event.local_start.year) in refused.json()["detail"]
    ok = client.post(url, {"code": registration.check_in_code, "override": True}, content_type=JSON, headers=headers)
    assert ok.status_code == 200 and ok.json()["attendance"] == "attended"
    assert client.get(url, headers=token_for(UserFactory())).status_code == 404


def test_api_undo_of_a_check_in(client, partnership, coordinator, practitioner, token_for):
    event = _event(partnership, timedelta(minutes=20))
    registration = RegistrationFactory(event=event)
    headers = token_for(coordinator)
    undo_url = f"/api/registrations/{registration.pk}/check-in/undo"
    assert client.post(undo_url, headers=headers).status_code == 400  # not checked in
    code = {"code": registration.check_in_code}
    client.post(f"/api/events/{event.pk}/check-in", code, content_type=JSON, headers=headers)
    assert client.post(undo_url, headers=token_for(practitioner)).status_code == 404
    undone = client.post(undo_url, headers=headers)
    assert undone.status_code == 200 and undone.json()["attendance"] == "unknown"  # not marked, not a no-show


def test_undo_is_refused_once_attendance_is_final(partnership, coordinator):
    event = _event(partnership, -timedelta(minutes=30))
    registration = RegistrationFactory(event=event)
    services.attendance_check_in(event=event, code=registration.check_in_code, by=coordinator)
    services.attendance_finalise(event=event, by=coordinator)
    with pytest.raises(ValidationError) as info:
        services.attendance_check_in_undo(registration=registration, by=coordinator)
    assert "finalised" in info.value.message_dict["event"][0]


def test_page_outside_the_window_warns_and_checks_in_only_with_the_override(client, partnership, coordinator):
    event = _event(partnership, timedelta(days=90))
    registration = RegistrationFactory(event=event)
    client.force_login(coordinator)
    url = f"/manage/ballarat/events/{event.pk}/check-in/"
    page = client.get(url).content.decode()
    assert "Check-in is closed." in page and str(event.local_start.year) in page
    assert 'name="override"' in page
    page = client.post(url, {"code": registration.check_in_code}).content.decode()
    assert "Check-in for this session is open " in page
    from django.utils import dateformat

    assert f"at {dateformat.format(event.local_start, 'g:i a')}:" in page  # "9:30 a.m.", as elsewhere
    registration.refresh_from_db()
    assert registration.attendance == "unknown"
    page = client.post(url, {"code": registration.check_in_code, "override": "on"}).content.decode()
    assert "is checked in" in page
    registration.refresh_from_db()
    assert registration.attendance == "attended"


def test_page_inside_the_window_has_no_override(client, partnership, coordinator):
    event = _event(partnership, timedelta(minutes=90))
    client.force_login(coordinator)
    page = client.get(f"/manage/ballarat/events/{event.pk}/check-in/").content.decode()
    assert "Check-in is closed." not in page and 'name="override"' not in page


def test_name_search_finds_confirmed_people_and_checks_them_in(client, partnership, coordinator):
    event = _event(partnership, timedelta(minutes=10))
    ngoc = RegistrationFactory(event=event, user=UserFactory(full_name="Ngoc Tran", organisation="Uniting"))
    RegistrationFactory(event=event, user=UserFactory(full_name="Ben Smith"))
    RegistrationFactory(event=event, user=UserFactory(full_name="Ngoc Waiting"), status="waitlisted")
    RegistrationFactory(event=event, user=UserFactory(full_name="Ngoc Gone"), status="cancelled")
    client.force_login(coordinator)
    url = f"/manage/ballarat/events/{event.pk}/check-in/"
    page = client.get(url, {"q": "ngoc"}).content.decode()
    assert "Ngoc Tran" in page and "Ben Smith" not in page
    assert "Ngoc Waiting" not in page and "Ngoc Gone" not in page  # only confirmed people can be checked in
    assert "Nobody confirmed for this session matches" in client.get(url, {"q": "zebra"}).content.decode()
    page = client.post(url, {"registration": ngoc.pk, "q": "ngoc"}).content.decode()
    assert "Ngoc Tran</strong> is checked in" in page
    assert "Checked in</span>" in page  # the search result now says so
    ngoc.refresh_from_db()
    assert ngoc.attendance == "attended" and ngoc.attendance_marked_by == coordinator
    page = client.post(url, {"registration": "not-a-number"}).content.decode()
    assert "No confirmed registration for this session has that id." in page


def test_page_undo_takes_a_check_in_back(client, partnership, coordinator, other_coordinator):
    event = _event(partnership, timedelta(minutes=10))
    registration = RegistrationFactory(event=event, user=UserFactory(full_name="Ben Smith"))
    services.attendance_check_in(event=event, code=registration.check_in_code, by=coordinator)
    undo = f"/manage/ballarat/registrations/{registration.pk}/check-in/undo/"
    client.force_login(other_coordinator)
    assert client.post(undo).status_code == 404
    client.force_login(coordinator)
    page = client.get(f"/manage/ballarat/events/{event.pk}/check-in/").content.decode()
    assert f'action="{undo}"' in page
    page = client.post(undo, follow=True).content.decode()
    assert "Ben Smith is no longer checked in." in page and "<strong>0</strong> of 1 checked in" in page
    registration.refresh_from_db()
    assert registration.attendance == "unknown"


def test_check_in_page_queries_do_not_grow_with_arrivals(client, partnership, coordinator):
    event = _event(partnership, timedelta(minutes=10))
    client.force_login(coordinator)
    url = f"/manage/ballarat/events/{event.pk}/check-in/"

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"q": "a"}).status_code == 200
        return len(queries)

    for _ in range(3):
        services.attendance_check_in(event=event, code=RegistrationFactory(event=event).check_in_code, by=coordinator)
    small = count()
    for _ in range(20):
        services.attendance_check_in(event=event, code=RegistrationFactory(event=event).check_in_code, by=coordinator)
    assert count() == small
