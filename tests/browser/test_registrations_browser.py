"""Registrations in real Chromium: waitlist, automatic promotion, and check-in at the door."""

import re
from datetime import timedelta

import pytest
import segno
from django.utils import timezone
from playwright.sync_api import expect

from registrations.models import Registration
from registrations.selectors import check_in_url
from registrations.services import registration_cancel
from tests.events.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.browser


def test_practitioner_joins_the_waitlist_is_promoted_and_sees_the_code(ui, partnership, practitioner):
    event = EventFactory(partnership=partnership, title="Family violence: recognising and responding", capacity=1)
    seated = RegistrationFactory(event=event)
    page = ui.page
    ui.log_in_as(practitioner)
    ui.visit(event.get_absolute_url())
    expect(page.get_by_text("Full — 0 on the waitlist")).to_be_visible()
    page.get_by_label("Accessibility or dietary needs (optional)").fill("Vegetarian lunch")
    page.get_by_label(re.compile("Show my name")).check()
    with ui.navigation():
        page.get_by_role("button", name="Join the waitlist").click()
    expect(page.get_by_role("status")).to_contain_text("you're number 1 on the waitlist")
    expect(page.get_by_role("button", name="Leave the waitlist")).to_be_visible()

    registration_cancel(registration=seated, by=seated.user)  # someone gives up their place

    ui.reload()
    expect(page.get_by_text("You're registered")).to_be_visible()
    mine = Registration.objects.get(user=practitioner)
    assert (mine.status, mine.needs) == ("confirmed", "Vegetarian lunch")
    with ui.navigation():
        page.get_by_role("navigation", name="Main").get_by_role("link", name="My sessions").click()
    expect(page.get_by_text(mine.display_code, exact=True)).to_be_visible()
    expect(page.locator(".qr svg")).to_be_visible()


def test_coordinator_checks_someone_in_on_a_phone(phone_ui, partnership, coordinator, practitioner):
    soon = timezone.now() + timedelta(minutes=45)  # check-in is open
    event = EventFactory(partnership=partnership, title="Kindergarten transitions", start=soon)
    registration = RegistrationFactory(event=event, user=practitioner)
    RegistrationFactory(event=event)
    ui, page = phone_ui, phone_ui.page
    ui.log_in_as(coordinator)
    ui.visit(event.get_absolute_url())
    with ui.navigation():
        page.get_by_role("link", name="Check-in").click()
    expect(page.get_by_role("status").filter(has_text="checked in")).to_contain_text("0 of 2 checked in")
    page.get_by_label("Check-in code").fill(registration.display_code.lower())
    with ui.navigation():
        page.get_by_label("Check-in code").press("Enter")
    expect(page.get_by_role("alert")).to_contain_text(f"{practitioner.full_name} is checked in")
    expect(page.get_by_role("status").filter(has_text="checked in")).to_contain_text("1 of 2 checked in")
    registration.refresh_from_db()
    assert registration.attendance == "attended" and registration.attendance_marked_by == coordinator

    with ui.navigation():
        page.get_by_role("link", name="← Roster").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Roster")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def write_y4m(image, path) -> None:
    """One frame of 4:2:0 video, the format Chromium's fake camera plays from a file."""
    width, height = image.size
    y, cb, cr = image.convert("YCbCr").split()
    half = (width // 2, height // 2)
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        out.write(b"FRAME\n" + y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes())


def test_scanning_the_qr_code_with_the_camera_checks_in(
    playwright_instance, axe_source, live_url, partnership, coordinator, practitioner, tmp_path
):
    """Chromium's fake camera shows the registrant's QR code from "My sessions"; jsQR reads it."""
    from PIL import Image

    from tests.browser.conftest import CHROMIUM_ARGS, DESKTOP, TIMEOUT_MS
    from tests.browser.support import BrowserUI
    from tests.conftest import CHROMIUM

    event = EventFactory(partnership=partnership, start=timezone.now() + timedelta(minutes=30))  # check-in is open
    registration = RegistrationFactory(event=event, user=practitioner)
    png = tmp_path / "qr.png"
    segno.make(check_in_url(registration), error="m").save(png, scale=10, border=6)
    canvas = Image.new("RGB", (640, 480), "white")
    code = Image.open(png).convert("RGB").resize((400, 400), Image.NEAREST)
    canvas.paste(code, (120, 40))
    video = tmp_path / "qr.y4m"
    write_y4m(canvas, video)

    browser = playwright_instance.chromium.launch(
        executable_path=CHROMIUM,
        args=CHROMIUM_ARGS
        + [
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    try:
        context = browser.new_context(viewport=DESKTOP, base_url=live_url, permissions=["camera"])
        context.set_default_timeout(TIMEOUT_MS * 2)
        context.add_init_script(script=axe_source)
        ui = BrowserUI(context=context, page=context.new_page(), base_url=live_url)
        ui.log_in_as(coordinator)
        ui.visit(f"/manage/ballarat/events/{event.pk}/check-in/")
        page = ui.page
        with ui.navigation():
            page.get_by_role("button", name="Use the camera").click()
        expect(page.get_by_role("alert")).to_contain_text(f"{practitioner.full_name} is checked in")
        assert not ui.problems(), ui.problems()
    finally:
        browser.close()
    registration.refresh_from_db()
    assert registration.attendance == "attended"


@pytest.mark.parametrize("width", [390, 1280])
def test_check_in_on_the_day_search_undo_and_the_closed_window(make_ui, partnership, coordinator, width, tmp_path):
    """At the door on a phone and a laptop: name search, check in, undo; a session months ahead warns first."""
    from tests.accounts.factories import UserFactory

    ui = make_ui(viewport={"width": width, "height": 844 if width < 600 else 800})
    page = ui.page
    soon = EventFactory(partnership=partnership, title="Speech pathways", start=timezone.now() + timedelta(minutes=20))
    ngoc = RegistrationFactory(event=soon, user=UserFactory(full_name="Ngoc Tran", organisation="Uniting Ballarat"))
    RegistrationFactory(event=soon, user=UserFactory(full_name="Ben Smith"))
    ui.log_in_as(coordinator)
    ui.visit(f"/manage/ballarat/events/{soon.pk}/check-in/")
    page.get_by_label("Name, organisation or e-mail").fill("ngoc")
    with ui.navigation():
        page.get_by_role("button", name="Find").click()
    with ui.navigation():
        page.get_by_role("button", name="Check in Ngoc Tran").click()
    expect(page.get_by_role("alert")).to_contain_text("Ngoc Tran is checked in")
    expect(page.locator("#check-in-count")).to_contain_text("1 of 2 checked in")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"
    ui.screenshot(tmp_path / f"check-in-{width}.png")
    with ui.navigation():
        page.get_by_role("button", name="Undo the check-in of Ngoc Tran").first.click()
    expect(page.get_by_text("Ngoc Tran is no longer checked in.")).to_be_visible()
    expect(page.locator("#check-in-count")).to_contain_text("0 of 2 checked in")
    ngoc.refresh_from_db()
    assert ngoc.attendance == "unknown"

    later = EventFactory(partnership=partnership, title="Transitions", start=timezone.now() + timedelta(days=90))
    early = RegistrationFactory(event=later)
    ui.visit(f"/manage/ballarat/events/{later.pk}/check-in/")
    expect(page.locator("#check-in-closed")).to_contain_text(f"{later.local_start.year}")
    page.get_by_label("Check-in code").fill(early.check_in_code)
    with ui.navigation():
        page.get_by_role("button", name="Check in", exact=True).click()
    expect(page.locator(".error")).to_contain_text("Check-in for this session is open ")
    page.get_by_label("Check-in code").fill(early.check_in_code)
    page.get_by_label("Check in anyway").check()
    with ui.navigation():
        page.get_by_role("button", name="Check in", exact=True).click()
    expect(page.get_by_role("alert").filter(has_text="is checked in")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"
    ui.screenshot(tmp_path / f"check-in-closed-{width}.png")


def _in_first_screen(page, locator) -> None:
    """The element is on screen without scrolling: inside the viewport, top to bottom."""
    box = locator.bounding_box()
    viewport = page.viewport_size
    assert box is not None, "not rendered"
    assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"], (
        f"{box} is not within the first {viewport['width']}×{viewport['height']} screen"
    )
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], box


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_the_session_page_leads_with_register_and_then_your_status(make_ui, partnership, practitioner, phone):
    from .conftest import DESKTOP, PHONE

    long_description = "\n\n".join(
        f"Part {n}: how referral pathways work between maternal and child health, kindergartens and family services."
        for n in range(40)
    )
    event = EventFactory(
        partnership=partnership,
        title="Collaborating for Systems Improvement: Child safety and the Child Safe Standards",
        description=long_description,
        cohosts=["City of Ballarat", "Grampians Public Health Unit", "Child and Family Services Ballarat"],
        capacity=1,
    )
    ui = make_ui(viewport=PHONE, is_mobile=True, has_touch=True) if phone else make_ui(viewport=DESKTOP)
    page = ui.page
    ui.log_in_as(practitioner)
    ui.visit(event.get_absolute_url())
    register = page.get_by_role("button", name="Register", exact=True)
    _in_first_screen(page, register)
    # The optional details come after the action, and the button sends them.
    page.get_by_label("Accessibility or dietary needs (optional)").fill("Hearing loop")
    if phone:  # the bar stays on screen while the details scroll by
        page.evaluate("window.scrollTo(0, document.body.scrollHeight / 2)")
        _in_first_screen(page, register)
    with ui.navigation():
        register.click()
    status = page.get_by_role("region", name="Your place")
    expect(status).to_contain_text("You're registered")
    _in_first_screen(page, status.get_by_text("You're registered"))
    mine = Registration.objects.get(user=practitioner, event=event)
    assert (mine.status, mine.needs) == ("confirmed", "Hearing loop")

    # Full now: the next person is offered the waitlist, just as prominently.
    ui.context.clear_cookies()
    ui.log_in_as(RegistrationFactory(event=EventFactory(partnership=partnership)).user)
    ui.visit(event.get_absolute_url())
    _in_first_screen(page, page.get_by_role("button", name="Join the waitlist"))


def test_a_waitlist_offer_is_accepted_from_the_emails_link_and_the_roster_shows_the_pending_one(
    phone_ui, partnership, coordinator, practitioner, other_practitioner
):
    from registrations.offer_links import offer_urls

    partnership.offer_window_hours = 24
    partnership.save(update_fields=["offer_window_hours"])
    event = EventFactory(partnership=partnership, title="Perinatal mental health", capacity=2)
    seated = [RegistrationFactory(event=event) for _ in range(2)]
    for person in (practitioner, other_practitioner):
        RegistrationFactory(event=event, user=person, status="waitlisted")
    for registration in seated:  # two places come free: each is held for the next person waiting
        registration_cancel(registration=registration, by=registration.user)
    mine = Registration.objects.get(user=practitioner)
    assert mine.status == "offered"
    link = offer_urls(mine)["accept_url"]
    ui, page = phone_ui, phone_ui.page

    ui.visit(link[link.index("/offers/") :])  # from the e-mail, not logged in
    expect(page.get_by_role("heading", level=1)).to_have_text("Accept your place")
    expect(page.get_by_text("held for you until")).to_be_visible()
    assert Registration.objects.get(pk=mine.pk).status == "offered"  # opening the link changed nothing
    with ui.navigation():
        page.get_by_role("button", name="Accept the place").click()
    expect(page.get_by_role("status")).to_contain_text("You're registered")
    assert Registration.objects.get(pk=mine.pk).status == "confirmed"

    ui.log_in_as(coordinator)
    ui.visit(f"/manage/{partnership.slug}/events/{event.pk}/roster/")
    expect(page.get_by_role("list", name="Counts")).to_contain_text("1 offer pending")
    theirs = Registration.objects.get(user=other_practitioner)
    deadline = timezone.localtime(theirs.offer_expires_at, partnership.zone)
    row = page.get_by_role("row").filter(has_text=other_practitioner.full_name)
    expect(row).to_contain_text(f"held until {deadline:%a} {deadline.day} {deadline:%b}")

    ui.log_in_as(other_practitioner)  # the other offer, from the session page
    ui.visit(event.get_absolute_url())
    expect(page.get_by_text("A place is held for you")).to_be_visible()
    with ui.navigation():
        page.get_by_role("link", name="Decline").click()
    with ui.navigation():
        page.get_by_role("button", name="Decline the place").click()
    expect(page.get_by_role("status")).to_contain_text("the place goes to the next person")
    assert Registration.objects.get(pk=theirs.pk).status == "cancelled"
