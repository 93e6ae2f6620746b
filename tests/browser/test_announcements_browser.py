"""Followers and announcements in real Chromium (axe-core checks every page): a practitioner follows a
partnership and sees it on the preferences page; a coordinator previews and sends an announcement; the
e-mailed unsubscribe link works without logging in. Desktop and phone width."""

import re

import pytest
from playwright.sync_api import expect

from notifications.announcements import follow_set
from notifications.models import Announcement, Follow
from tests.events.factories import TopicFactory

from .conftest import PHONE

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_follow_announce_and_unsubscribe(make_ui, size, partnership, coordinator, practitioner, mailoutbox):
    TopicFactory(name="Family violence and safety planning for children and young people", slug="fv")
    options = {"viewport": PHONE, "is_mobile": True, "has_touch": True} if size == "phone" else {}
    person = make_ui(**options)
    person.log_in_as(practitioner)
    person.visit("/my/following/")
    page = person.page
    expect(page.get_by_role("heading", level=1)).to_have_text("Following")
    expect(page.get_by_text("You follow no partnership yet.")).to_be_visible()
    page.get_by_role("combobox", name=re.compile("^Partnership")).select_option(label=partnership.name)
    with person.navigation():
        page.get_by_role("button", name="Follow", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(f"You follow {partnership.name}")
    expect(page.get_by_role("button", name=f"Stop following {partnership.name}")).to_be_visible()
    assert Follow.objects.filter(user=practitioner, partnership=partnership).exists()

    manager = make_ui(**options)
    manager.log_in_as(coordinator)
    manager.visit(f"/manage/{partnership.slug}/")
    page = manager.page
    with manager.navigation():
        page.get_by_role("link", name="Announcements").click()
    expect(page.get_by_text("has 1 follower with a confirmed address")).to_be_visible()
    page.get_by_label("Subject").fill("Parking behind the library during roadworks")
    page.get_by_label("Message").fill("Doveton Street is closed. Park on Camp Street; the rear entrance has a ramp.")
    with manager.navigation():
        page.get_by_role("button", name="Preview").click()
    expect(page.get_by_label("The e-mail followers get")).to_contain_text("Park on Camp Street")
    with manager.navigation():
        page.get_by_role("button", name="Send to 1 follower").click()
    expect(page.get_by_role("status")).to_contain_text("is going to 1 people")
    expect(page.get_by_role("region", name="Announcements sent")).to_contain_text("Parking behind the library")
    assert Announcement.objects.get().recipients == 1

    assert [m.to for m in mailoutbox] == [[practitioner.email]]
    link = re.search(r"Unsubscribe \(one click, no log-in needed\): (\S+)", mailoutbox[0].body).group(1)
    stranger = make_ui(**options)  # the e-mail opened on another device: not logged in
    stranger.visit(link)
    page = stranger.page
    with stranger.navigation():
        page.get_by_role("button", name=f"Unsubscribe from {partnership.name}").click()
    expect(page.get_by_role("status")).to_contain_text(f"You no longer follow {partnership.name}")
    assert not Follow.objects.filter(user=practitioner).exists()
    person.reload()
    expect(person.page.get_by_text("You follow no partnership yet.")).to_be_visible()


def test_preferences_page_with_topics_fits_a_phone(phone_ui, partnership, other_partnership, practitioner):
    topic = TopicFactory(name="Referral pathways for speech, language and developmental concerns", slug="rp")
    follow_set(user=practitioner, partnership=partnership, topics=[topic])
    follow_set(user=practitioner, partnership=other_partnership)
    phone_ui.log_in_as(practitioner)
    phone_ui.visit("/accounts/profile/")
    with phone_ui.navigation():
        phone_ui.page.get_by_role("link", name="Partnerships you follow").click()
    expect(phone_ui.page.get_by_text(f"only sessions on {topic.name}")).to_be_visible()
    phone_ui.visit(partnership.get_absolute_url())
    with phone_ui.navigation():
        phone_ui.page.get_by_role("button", name=f"Follow {partnership.name}").click()
    expect(phone_ui.page.get_by_role("status")).to_contain_text(f"You follow {partnership.name}")
    assert [t.slug for t in practitioner.follows.get(partnership=partnership).topics.all()] == ["rp"]  # kept


def test_sign_up_page_offers_following_unticked(phone_ui, partnership, other_partnership):
    phone_ui.visit("/accounts/signup/")
    for name in (partnership.name, other_partnership.name):
        expect(phone_ui.page.get_by_role("checkbox", name=name)).not_to_be_checked()
