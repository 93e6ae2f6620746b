"""A new person's journey through the accounts pages in real Chromium; axe-core checks every page on the way."""

import json
import re
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from accounts.forms import NOT_VERIFIED
from accounts.models import ApiToken, User

pytestmark = pytest.mark.browser

EMAIL = "sam.sample@example.org"
PASSWORD = "lantern-harbour-violet-42"


def nav(page):
    return page.get_by_role("navigation", name="Main")


def test_sign_up_verify_log_in_and_edit_profile(ui, mailoutbox):
    page = ui.page
    ui.visit("/")
    with ui.navigation():
        nav(page).get_by_role("link", name="Sign up", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign up")

    page.get_by_label("Full name").fill("Sam Sample")
    page.get_by_label("Email address").fill(EMAIL.upper())
    page.get_by_label("Organisation").fill("Ballarat Health Services")
    page.get_by_label("Sector").select_option(label="Medical")
    page.get_by_label("Role or title").fill("Nurse")
    page.get_by_label(re.compile(r"^Password")).fill(PASSWORD)
    page.get_by_label(re.compile(r"^Confirm password")).fill(PASSWORD)
    with ui.navigation():
        page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    expect(page.get_by_role("status")).to_contain_text(EMAIL)

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [EMAIL]
    link = re.search(r"https?://\S+/accounts/verify/\S+/", mailoutbox[0].body).group(0)
    assert link.startswith(ui.base_url)

    # Logging in before opening the link is refused, with a way to get a new link.
    with ui.navigation():
        nav(page).get_by_role("link", name="Log in", exact=True).click()
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    with ui.navigation():
        page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_have_text(NOT_VERIFIED)
    expect(page.get_by_role("link", name="Send the confirmation link again")).to_be_visible()

    # The link confirms the address and lands on the login page.
    ui.visit(link)
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_role("status")).to_contain_text("your email address is confirmed")

    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    with ui.navigation():
        page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(ui.base_url + "/")
    expect(nav(page).get_by_role("button", name="Log out")).to_be_visible()

    with ui.navigation():
        nav(page).get_by_role("link", name="Profile", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your profile")
    expect(page.get_by_text(f"Signed in as {EMAIL}")).to_be_visible()
    expect(page.get_by_label("Organisation")).to_have_value("Ballarat Health Services")
    expect(page.get_by_label("Role or title")).to_have_value("Nurse")

    page.get_by_label("Organisation").fill("Child and Family Services Ballarat")
    page.get_by_label("Sector").select_option(label="Community services")
    page.get_by_label("Role or title").fill("Family support worker")
    with ui.navigation():
        page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Your details are saved.")

    ui.reload()
    expect(page.get_by_role("status")).to_have_count(0)  # the message is shown once
    expect(page.get_by_label("Organisation")).to_have_value("Child and Family Services Ballarat")
    expect(page.get_by_label("Sector").locator("option:checked")).to_have_text("Community services")
    expect(page.get_by_label("Role or title")).to_have_value("Family support worker")

    user = User.objects.get(email=EMAIL)
    assert user.email_verified
    assert (user.organisation, user.sector.slug, user.role_title) == (
        "Child and Family Services Ballarat",
        "community-services",
        "Family support worker",
    )


def test_log_in_with_the_keyboard_alone(ui, practitioner):
    page = ui.page
    ui.visit("/")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()

    log_in = nav(page).get_by_role("link", name="Log in", exact=True)
    for _ in range(10):
        if log_in.evaluate("el => el === document.activeElement"):
            break
        page.keyboard.press("Tab")
    expect(log_in).to_be_focused()
    assert log_in.evaluate("el => getComputedStyle(el).outlineStyle") != "none", "focus must be visible"
    with ui.navigation():
        page.keyboard.press("Enter")

    expect(page.get_by_label("Email address")).to_be_focused()  # autofocus: the form is ready to type in
    page.keyboard.type(practitioner.email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type("correct horse battery staple")
    with ui.navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(ui.base_url + "/")
    expect(nav(page).get_by_role("button", name="Log out")).to_be_visible()


def test_phone_layout_has_a_reachable_menu_and_no_sideways_scrolling(phone_ui, partnership, practitioner):
    page = phone_ui.page
    phone_ui.visit("/")
    expect(page.get_by_role("link", name=partnership.name)).to_be_visible()
    assert_no_horizontal_scroll(page)
    expect(nav(page).get_by_role("link", name="Log in", exact=True)).to_be_visible()
    assert_menu_fits(page)

    with phone_ui.navigation():
        nav(page).get_by_role("link", name="Sign up", exact=True).tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign up")
    assert_no_horizontal_scroll(page)

    # Signed in, the menu is longer; it still fits, and every item can be tapped.
    phone_ui.log_in_as(practitioner)
    phone_ui.visit("/")
    expect(nav(page).get_by_role("button", name="Log out")).to_be_visible()
    assert_menu_fits(page)
    assert_no_horizontal_scroll(page)
    with phone_ui.navigation():
        nav(page).get_by_role("link", name="Profile", exact=True).tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your profile")
    assert_no_horizontal_scroll(page)


def test_api_token_works_until_revoked(ui, practitioner):
    page = ui.page
    ui.log_in_as(practitioner)
    ui.visit("/accounts/tokens/")
    expect(page.get_by_text("You have no tokens yet.")).to_be_visible()

    page.get_by_label("Token name").fill("reporting script")
    with ui.navigation():
        page.get_by_role("button", name="Create token").click()
    expect(page.get_by_role("status")).to_contain_text("Copy it now")
    secret = page.get_by_label("Token", exact=True).input_value()
    assert secret.startswith(ApiToken.PREFIX)

    status, body = api_get(ui.url("/api/me"), secret)
    assert status == 200, body
    assert body["email"] == practitioner.email

    row = page.get_by_role("row", name=re.compile("reporting script"))
    expect(row).to_contain_text(secret[:8])
    with ui.navigation():
        row.get_by_role("button", name="Revoke token reporting script").click()
    expect(page.get_by_role("status")).to_have_text("The token “reporting script” is revoked.")
    expect(page.get_by_role("row", name=re.compile("reporting script"))).to_contain_text("Revoked")
    assert secret not in page.content()

    status, body = api_get(ui.url("/api/me"), secret)
    assert status == 401, body


def assert_menu_fits(page) -> None:
    """Every link and button of the main menu is on screen, within the width of the viewport."""
    width = page.viewport_size["width"]
    items = nav(page).locator("a, button").all()
    assert items
    for item in items:
        expect(item).to_be_in_viewport()
        box = item.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, f"{item.inner_text()!r} is off screen: {box}"


def assert_no_horizontal_scroll(page) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"{page.url} scrolls sideways: {widths[0]}px of content in {widths[1]}px"


def api_get(url: str, secret: str) -> tuple[int, dict]:
    """GET with only the token: no browser cookies, so the session cannot stand in for it."""
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {secret}", "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())
