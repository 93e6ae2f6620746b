"""The harness itself: axe-core really runs, says clearly what is wrong, and no loaded page escapes it."""

import pytest

from .support import AccessibilityError, SidewaysScrollError


def test_axe_reports_violations_readably(ui):
    ui.visit("/accounts/login/")
    ui.page.evaluate(
        """() => {
            document.querySelector("h1").style.color = "#c0c0c0";
            document.querySelector("main").insertAdjacentHTML("beforeend", '<input id="nameless" type="text">');
        }"""
    )
    with pytest.raises(AccessibilityError) as raised:
        ui.check_accessibility()
    message = str(raised.value)
    assert "/accounts/login/" in message
    assert "[serious] color-contrast: Elements must meet minimum color contrast ratio thresholds" in message
    assert "- h1" in message
    assert "[critical] label: Form elements must have labels" in message
    assert "- #nameless" in message
    assert "https://dequeuniversity.com/rules/axe/" in message

    ui.page.evaluate(
        """() => { document.querySelector("#nameless").remove(); document.querySelector("h1").style.color = ""; }"""
    )
    ui.check_accessibility()


def test_a_page_loaded_without_a_check_is_reported(ui):
    ui.visit("/")
    ui.page.goto(ui.url("/accounts/signup/"))  # a bare goto: no axe check
    ui.page.goto(ui.url("/accounts/login/"))
    assert ui.unchecked_documents() == [ui.url("/accounts/signup/"), ui.url("/accounts/login/")]
    assert "loaded without an accessibility check" in ui.problems()[0]

    ui.check_accessibility()  # checks the page on screen only; the one before it stays unchecked
    assert ui.unchecked_documents() == [ui.url("/accounts/signup/")]
    ui.documents.clear()  # so this test's own teardown passes


def test_a_page_wider_than_a_phone_fails_the_check(phone_ui):
    phone_ui.visit("/accounts/login/")
    assert phone_ui.page.viewport_size == {"width": 390, "height": 844}
    phone_ui.page.evaluate(
        """() => document.querySelector("main").insertAdjacentHTML(
            "beforeend", '<div id="too-wide" style="width: 900px; height: 10px"></div>')"""
    )
    with pytest.raises(SidewaysScrollError) as raised:
        phone_ui.check_accessibility()
    message = str(raised.value)
    assert "/accounts/login/ scrolls sideways" in message
    assert "in a 390 px viewport" in message
    assert "div#too-wide" in message

    # Wide content inside its own scrolling region is fine: the page itself does not scroll sideways.
    phone_ui.page.evaluate(
        """() => {
            const region = document.createElement("div");
            region.className = "table-scroll";
            region.appendChild(document.querySelector("#too-wide"));
            document.querySelector("main").appendChild(region);
        }"""
    )
    phone_ui.check_accessibility()
