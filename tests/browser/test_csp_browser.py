"""The Content-Security-Policy in a real browser: the harness hears every violation (so the other browser
tests, which fail on any, prove their pages — map, check-in camera, report charts — run under it)."""

from .support import BrowserUI


def test_an_inline_script_is_blocked_and_the_harness_reports_it(ui: BrowserUI):
    ui.visit("/accounts/login/")
    ran = ui.page.evaluate(
        """() => new Promise((resolve) => {
            window.__inlineRan = false;
            const script = document.createElement("script");
            script.textContent = "window.__inlineRan = true";
            document.body.append(script);
            setTimeout(() => resolve(window.__inlineRan), 200);
        })"""
    )
    assert ran is False, "the inline script ran: no Content-Security-Policy"
    ui.page.wait_for_timeout(100)
    assert any("script-src" in violation for violation in ui.csp_violations), ui.csp_violations
    assert "Content-Security-Policy violations" in "\n".join(ui.problems())
    ui.csp_violations.clear()


def test_public_pages_run_their_scripts_with_no_violation(ui: BrowserUI, partnership):
    for path in ("/", "/events/", "/events/month/", "/directory/", "/accounts/signup/"):
        ui.visit(path)
    assert ui.csp_violations == []
