import pytest

from notifications.models import FeedToken

pytestmark = pytest.mark.django_db


def test_calendar_page_gives_private_feed_links_and_resets_them(client, practitioner):
    client.force_login(practitioner)
    page = client.get("/my/calendar/").content.decode()
    token = FeedToken.objects.get(user=practitioner, kind="personal").token
    assert f"webcal://127.0.0.1:8000/calendar/me/{token}.ics" in page
    assert "Sessions I coordinate" not in page
    client.post("/my/calendar/reset/personal/")
    new = FeedToken.objects.get(user=practitioner, kind="personal").token
    assert new != token
    assert client.get(f"/calendar/me/{token}.ics").status_code == 404
    assert client.post("/my/calendar/reset/bogus/").status_code == 404


def test_coordinators_also_get_their_feed(client, coordinator):
    client.force_login(coordinator)
    assert "Sessions I coordinate" in client.get("/my/calendar/").content.decode()


def test_invitations_switch(client, practitioner):
    client.force_login(practitioner)
    client.post("/my/calendar/invites/", {})
    practitioner.refresh_from_db()
    assert practitioner.calendar_invites is False
    client.post("/my/calendar/invites/", {"calendar_invites": "on"})
    practitioner.refresh_from_db()
    assert practitioner.calendar_invites is True


def test_feed_api(client, practitioner, token_for):
    headers = token_for(practitioner)
    feeds = client.get("/api/me/feeds", headers=headers).json()
    assert [f["kind"] for f in feeds] == ["personal"]
    assert feeds[0]["webcal"].startswith("webcal://") and feeds[0]["google"].startswith("https://calendar.google.com/")
    reset = client.post("/api/me/feeds/personal/reset", headers=headers).json()
    assert reset["url"] != feeds[0]["url"]
    assert client.post("/api/me/feeds/coordinator/reset", headers=headers).status_code == 404
    changed = client.patch("/api/me", {"calendar_invites": False}, content_type="application/json", headers=headers)
    assert changed.json()["calendar_invites"] is False
