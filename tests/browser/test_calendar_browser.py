"""The calendar page in Chromium: feed links, reset, and the invitations switch."""

import re

import pytest
from playwright.sync_api import expect

from notifications.models import FeedToken

pytestmark = pytest.mark.browser


def test_practitioner_finds_their_feed_and_turns_invitations_off(ui, practitioner):
    page = ui.page
    ui.log_in_as(practitioner)
    ui.visit("/my/sessions/")
    with ui.navigation():
        page.get_by_role("link", name="Put your sessions in your calendar").click()
    token = FeedToken.objects.get(user=practitioner, kind="personal").token
    subscribe = page.get_by_role("link", name="Subscribe to My sessions (Apple, Outlook)")
    webcal = ui.base_url.replace("http://", "webcal://") + f"/calendar/me/{token}.ics"
    expect(subscribe).to_have_attribute("href", webcal)
    page.get_by_label("Email me calendar invitations").uncheck()
    with ui.navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Calendar invitations are off")
    practitioner.refresh_from_db()
    assert practitioner.calendar_invites is False
    with ui.navigation():
        page.get_by_role("button", name=re.compile(r"^Reset this address.*My sessions")).click()
    assert FeedToken.objects.get(user=practitioner, kind="personal").token != token
