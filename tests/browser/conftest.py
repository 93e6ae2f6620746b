"""Real Chromium through Playwright against pytest-django's live server, with axe-core on every page.

Every test in tests/browser is marked `browser`, so tests/conftest.py skips it when Chromium or axe-core is
missing (and fails it under CI=true). Tests use the `ui` fixture (see tests/browser/support.py):

    def test_something(ui):
        ui.visit("/accounts/login/")                 # loads the page, runs axe-core, checks no sideways scroll
        with ui.navigation():                        # any action that loads a new page; axe runs after it
            ui.page.get_by_role("button", name="Log in").click()

At teardown the fixture fails the test if a page was loaded without an axe check, a script threw, or a
stylesheet/script/image failed to load; when a test fails, a full-page screenshot and the HTML go to
test-artifacts/browser/.
"""

import glob
import os
import re
import warnings
from pathlib import Path

import pytest

from tests.conftest import AXE_JS, CHROMIUM, ROOT

from .support import AccessibilityError, BrowserUI

HERE = Path(__file__).resolve().parent
ARTIFACTS = ROOT / "test-artifacts" / "browser"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium's own background fetches get connections refused and can stall start-up.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}  # iPhone 12-15 sized: the phone layout every page must fit
TIMEOUT_MS = 5_000

_reports = pytest.StashKey[dict]()


def pytest_collection_modifyitems(config, items):
    """Everything under tests/browser drives Chromium: mark it, so the Chromium/axe-core check applies."""
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, so fixtures can tell at teardown whether the test failed."""
    report = yield
    item.stash.setdefault(_reports, {})[report.when] = report
    return report


@pytest.fixture(scope="session")
def playwright_instance():
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an asyncio loop in this thread, and Django refuses ORM calls from a thread
    # with a running loop. The test code is synchronous, so allow it while Playwright is running.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    thread_connections = {alias: connections[alias] for alias in connections}
    manager = sync_playwright().start()
    # While an asyncio loop runs in a thread, Django hands that thread a second, separate set of database
    # connections (asgiref's Local keeps them per context, not per thread). Keep the thread's own: the test
    # database was set up on them, and serialized for rollback on them; fresh ones would lack that copy.
    for alias, connection in thread_connections.items():
        connections[alias] = connection
    yield manager
    manager.stop()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser(playwright_instance):
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


@pytest.fixture
def live_url(live_server, django_db_serialized_rollback, settings) -> str:
    """The live server's base URL. The e-mailed links point at it too.

    Serialized rollback puts back the rows migrations create (the sectors), which a live-server test's
    database flush would otherwise remove.
    """
    settings.SITE_URL = live_server.url
    return live_server.url


@pytest.fixture
def make_ui(request, browser, live_url, axe_source):
    """make_ui(viewport=..., **context options) -> a fresh browser context and page, checked by axe-core."""
    made: list[BrowserUI] = []
    name = re.sub(r"[^\w.-]+", "_", request.node.nodeid.split("/")[-1])
    for stale in ARTIFACTS.glob(f"{glob.escape(name)}*"):  # from an earlier failing run of this test
        stale.unlink()

    def make(*, viewport: dict | None = None, **options) -> BrowserUI:
        context = browser.new_context(
            viewport=viewport or DESKTOP,
            base_url=live_url,
            locale="en-AU",
            timezone_id="Australia/Melbourne",
            **options,
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.add_init_script(script=axe_source)
        ui = BrowserUI(context=context, page=context.new_page(), base_url=live_url)
        made.append(ui)
        return ui

    yield make

    reports = request.node.stash.get(_reports, {})
    failed = any(report.failed for report in reports.values())
    problems: list[str] = []
    for number, ui in enumerate(made):
        try:
            found = []
            if not failed:
                if ui.documents and not ui.documents[-1].checked:
                    try:
                        ui.check_accessibility()  # the page the test ended on
                    except AccessibilityError as error:
                        found.append(str(error))
                found += ui.problems()
            if failed or found:
                try:
                    ui.screenshot(ARTIFACTS / (f"{name}-{number}.png" if number else f"{name}.png"))
                except Exception as error:  # a crashed page must not hide the test's own failure
                    warnings.warn(f"no screenshot of {request.node.nodeid}: {error}", stacklevel=1)
            problems += found
        finally:
            ui.context.close()
    if problems:
        pytest.fail("\n\n".join(problems), pytrace=False)


@pytest.fixture
def ui(make_ui) -> BrowserUI:
    """A desktop-sized browser tab on the live server."""
    return make_ui()


@pytest.fixture
def phone_ui(make_ui) -> BrowserUI:
    """A phone-sized (390 × 844) touch browser tab on the live server."""
    return make_ui(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
