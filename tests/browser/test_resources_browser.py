"""Session resources in Chromium at phone width: a coordinator uploads slides and adds a link, an attendee
finds them on the session page and downloads the file, anyone searches the library."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from resources.models import Resource
from tests.events.factories import EventFactory, RegistrationFactory, TopicFactory
from tests.resources.factories import link_resource, pdf_bytes

pytestmark = pytest.mark.browser


def _past(partnership, title):
    start = timezone.now() - timedelta(days=5)
    return EventFactory(partnership=partnership, title=title, start=start, end=start + timedelta(hours=2))


def test_coordinator_adds_resources_and_an_attendee_downloads_them(make_ui, partnership, coordinator, practitioner):
    from tests.browser.conftest import PHONE

    event = _past(partnership, "Child safety and the Standards")
    RegistrationFactory(event=event, user=practitioner, attendance="attended")

    ui = make_ui(viewport=PHONE, is_mobile=True, has_touch=True)
    page = ui.page
    ui.log_in_as(coordinator)
    ui.visit(event.get_absolute_url())
    with ui.navigation():
        page.get_by_role("link", name="Add or remove resources").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Resources for Child safety")
    page.get_by_label("File").set_input_files(
        files=[{"name": "Child safety slides.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}]
    )
    page.locator("#id_file-visibility").select_option("attendees")
    with ui.navigation():
        page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("status").first).to_contain_text("The resource is added")
    page.get_by_label("Link").fill("https://example.org/child-safe-standards")
    page.locator("#id_link-title").fill("The Child Safe Standards")
    page.locator("#id_link-visibility").select_option("public")
    with ui.navigation():
        page.get_by_role("button", name="Add link").click()
    assert Resource.objects.count() == 2
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    attendee = make_ui(viewport=PHONE, is_mobile=True, has_touch=True)
    attendee.log_in_as(practitioner)
    attendee.visit(event.get_absolute_url())
    section = attendee.page.get_by_role("region", name="Resources")
    expect(section.get_by_role("link", name="Child safety slides.pdf")).to_be_visible()
    expect(section.get_by_role("link", name="The Child Safe Standards")).to_be_visible()
    assert attendee.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    with attendee.page.expect_download() as download:
        section.get_by_role("link", name="Child safety slides.pdf").click()
    assert download.value.suggested_filename == "Child safety slides.pdf"
    assert open(download.value.path(), "rb").read().startswith(b"%PDF-")  # noqa: SIM115


def test_anyone_searches_the_library_on_a_phone(phone_ui, partnership):
    topic = TopicFactory(name="Family violence")
    first = _past(partnership, "Family violence: recognising and responding")
    first.topics.add(topic)
    link_resource(first, title="Safety planning guide", url="https://example.org/safety")
    link_resource(_past(partnership, "Allied health pathways"), title="Speech therapy referral form")
    ui, page = phone_ui, phone_ui.page
    ui.visit(f"/partnerships/{partnership.slug}/")
    with ui.navigation():
        page.get_by_role("link", name="Resource library").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Resource library")
    expect(page.get_by_role("link", name="Speech therapy referral form")).to_be_visible()
    page.get_by_label("Topic").select_option(label="Family violence")
    with ui.navigation():
        page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name="Safety planning guide")).to_be_visible()
    expect(page.get_by_role("link", name="Speech therapy referral form")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    with ui.navigation():
        page.get_by_role("link", name="Family violence: recognising and responding").click()
    expect(
        page.get_by_role("region", name="Resources").get_by_role("link", name="Safety planning guide")
    ).to_be_visible()
