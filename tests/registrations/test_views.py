import csv
import io
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from registrations.models import Registration
from tests.accounts.factories import UserFactory
from tests.events.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(partnership):
    return EventFactory(partnership=partnership, capacity=1, title="Speech pathways")


def test_register_then_the_page_shows_the_code_and_a_cancel_button(client, event, practitioner):
    client.force_login(practitioner)
    page = client.get(event.get_absolute_url()).content.decode()
    assert ">Register</button>" in page
    response = client.post(f"/events/{event.pk}/register/", {"consent_attendee_list": "on"}, follow=True)
    registration = Registration.objects.get()
    page = response.content.decode()
    assert "You're registered" in page and registration.display_code in page
    assert "Cancel my registration" in page
    assert registration.consent_attendee_list


def test_full_session_offers_the_waitlist_and_shows_the_position(client, event, practitioner):
    RegistrationFactory(event=event)
    client.force_login(practitioner)
    assert "Join the waitlist" in client.get(event.get_absolute_url()).content.decode()
    page = client.post(f"/events/{event.pk}/register/", follow=True).content.decode()
    assert "number 1 on the waitlist" in page


def test_anonymous_sees_log_in_to_register(client, event):
    page = client.get(event.get_absolute_url()).content.decode()
    assert "Log in to register" in page
    assert client.post(f"/events/{event.pk}/register/").status_code == 302


def test_cancel_from_the_page_promotes_the_next(client, event, practitioner):
    mine = RegistrationFactory(event=event, user=practitioner)
    waiting = RegistrationFactory(event=event, status="waitlisted")
    client.force_login(practitioner)
    client.post(f"/registrations/{mine.pk}/cancel/")
    waiting.refresh_from_db()
    assert waiting.status == "confirmed"


def test_cannot_cancel_someone_elses_registration(client, event, practitioner, other_practitioner):
    theirs = RegistrationFactory(event=event, user=other_practitioner)
    client.force_login(practitioner)
    assert client.post(f"/registrations/{theirs.pk}/cancel/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "confirmed"


def test_my_sessions_shows_the_qr_code_and_past_attendance(client, partnership, practitioner):
    upcoming = RegistrationFactory(event=EventFactory(partnership=partnership, title="Next one"), user=practitioner)
    past_event = EventFactory(
        partnership=partnership,
        title="Last one",
        start=timezone.now() - timedelta(days=30),
    )
    RegistrationFactory(event=past_event, user=practitioner, attendance="attended")
    client.force_login(practitioner)
    page = client.get("/my/sessions/").content.decode()
    assert "<svg" in page and upcoming.display_code in page
    assert "Last one" in page and "Attended" in page


def test_roster_csv_export_neutralises_formulas(client, event, coordinator):
    RegistrationFactory(event=event, user=UserFactory(full_name="=HYPERLINK(1)", organisation="Org"), needs="-2+3")
    client.force_login(coordinator)
    response = client.get(f"/manage/ballarat/events/{event.pk}/roster/?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Name"
    assert rows[1][0] == "'=HYPERLINK(1)" and rows[1][8] == "'-2+3"


def test_roster_search_and_status_filter(client, event, coordinator):
    RegistrationFactory(event=event, user=UserFactory(full_name="Ngoc Tran"))
    RegistrationFactory(event=event, user=UserFactory(full_name="Ben Smith"), status="waitlisted")
    client.force_login(coordinator)
    page = client.get(f"/manage/ballarat/events/{event.pk}/roster/?q=ngoc").content.decode()
    assert "Ngoc Tran" in page and "Ben Smith" not in page
    page = client.get(f"/manage/ballarat/events/{event.pk}/roster/?status=waitlisted").content.decode()
    assert "Ben Smith" in page and "Ngoc Tran" not in page


def test_roster_and_check_in_are_404_for_other_coordinators(client, event, other_coordinator, practitioner):
    for user in (other_coordinator, practitioner):
        client.force_login(user)
        assert client.get(f"/manage/ballarat/events/{event.pk}/roster/").status_code == 404
        assert client.get(f"/manage/ballarat/events/{event.pk}/check-in/").status_code == 404


def test_check_in_page_accepts_a_typed_code(client, event, coordinator, practitioner):
    event.start = timezone.now() + timedelta(minutes=30)  # inside the check-in window
    event.end = event.start + timedelta(hours=2)
    event.save()
    registration = RegistrationFactory(event=event, user=practitioner)
    client.force_login(coordinator)
    url = f"/manage/ballarat/events/{event.pk}/check-in/"
    assert (
        f'value="{registration.check_in_code}"'
        in client.get(f"{url}?code={registration.check_in_code}").content.decode()
    )
    page = client.post(url, {"code": registration.display_code.lower()}).content.decode()
    assert f"{practitioner.full_name}</strong> is checked in" in page
    page = client.post(url, {"code": "WRONG1"}).content.decode()
    assert "No confirmed registration has the code" in page


def test_capacity_and_walk_in_forms(client, event, coordinator):
    waiting = RegistrationFactory(event=event, status="waitlisted")
    RegistrationFactory(event=event)
    client.force_login(coordinator)
    client.post(f"/manage/ballarat/events/{event.pk}/roster/capacity/", {"capacity": "2"})
    waiting.refresh_from_db()
    assert waiting.status == "confirmed"
    response = client.post(
        f"/manage/ballarat/events/{event.pk}/roster/capacity/", {"capacity": "1"}, follow=True
    ).content.decode()
    assert "Capacity cannot be below the 2 people already confirmed" in response
    client.post(
        f"/manage/ballarat/events/{event.pk}/roster/walk-in/",
        {"full_name": "Walk In", "email": "walk@example.org", "organisation": "Library"},
    )
    assert event.registrations.get(user__email="walk@example.org").attendance == "attended"


def test_attendee_page_needs_a_confirmed_place(client, event, practitioner, other_practitioner):
    RegistrationFactory(event=event, user=practitioner, consent_attendee_list=True, talk_about="Kinder")
    client.force_login(other_practitioner)
    assert client.get(f"/events/{event.pk}/attendees/").status_code == 404
    client.force_login(practitioner)
    page = client.get(f"/events/{event.pk}/attendees/").content.decode()
    assert practitioner.full_name in page and "Kinder" in page


def test_download_my_data_and_delete_my_account(client, event, practitioner):
    RegistrationFactory(event=event, user=practitioner)
    client.force_login(practitioner)
    data = json.loads(client.get("/accounts/data/").content)
    assert data["account"]["email"] == practitioner.email
    page = client.post("/accounts/delete/", {"password": "wrong"}).content.decode()
    assert "The password is not right." in page
    response = client.post("/accounts/delete/", {"password": "correct horse battery staple"})
    assert response.status_code == 302
    assert Registration.objects.get().user is None
    assert client.get("/my/sessions/").status_code == 302
