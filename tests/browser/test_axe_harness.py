"""The harness itself: axe-core really runs, says clearly what is wrong, and no loaded page escapes it."""

import pytest

from .support import AccessibilityError


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
