"""A Playwright page that checks every document it loads with axe-core (WCAG 2.2 AA).

Tests never touch navigation without going through one of two doors, and both run axe once the new
document has loaded:

    ui.visit("/accounts/login/")                     # open a URL
    with ui.navigation():                            # anything that loads a new document
        page.get_by_role("button", name="Log in").click()

The page's own "load" events are counted as well, so a document that is loaded some other way (a bare
page.goto, a click outside ui.navigation()) is caught: the `ui` fixture fails the test at teardown and names it.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from playwright.sync_api import BrowserContext, Page, Response

# The WCAG 2.0, 2.1 and 2.2 success criteria at levels A and AA (axe-core's tags for them).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# Runs in the page: axe is already there (an init script injects it into every document).
AXE_RUN = """
async (tags) => {
  if (!window.axe) { throw new Error("axe-core is not loaded in this document"); }
  const results = await window.axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({target: n.target, html: n.html, summary: n.failureSummary})),
  }));
}
"""

# Runs in the page: does the document scroll sideways? If it does, name the elements that stick out past the
# viewport's right edge: not those a scrolling region clips (unless they are positioned, which escapes the clip
# when the region is not their containing block), and not the children of one already named.
OVERFLOW_CHECK = """
() => {
  const root = document.scrollingElement || document.documentElement;
  const width = root.clientWidth;
  if (root.scrollWidth <= width) { return null; }
  const clipped = (el) => {
    if (["absolute", "fixed"].includes(getComputedStyle(el).position)) { return false; }
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== "visible") { return true; }
    }
    return false;
  };
  const culprits = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.right <= width + 0.5 || box.width === 0 || clipped(el)) { continue; }
    if (culprits.some((outer) => outer.contains(el))) { continue; }
    culprits.push(el);
    if (culprits.length >= 5) { break; }
  }
  return {
    scrollWidth: root.scrollWidth,
    clientWidth: width,
    culprits: culprits.map((el) => {
      const box = el.getBoundingClientRect();
      const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
        (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : "");
      return name + " (right edge at " + Math.round(box.right) + " px)";
    }),
  };
}
"""

# Subresources whose failure would make the page (and axe's verdict on it, e.g. colour contrast) meaningless.
ASSET_TYPES = {"stylesheet", "script", "image", "font"}


class AccessibilityError(AssertionError):
    """axe-core found WCAG 2.2 AA violations on a page."""


class SidewaysScrollError(AccessibilityError):
    """The page is wider than the viewport: it scrolls sideways (WCAG 1.4.10 Reflow, at a phone's width)."""


def format_violations(url: str, violations: list[dict]) -> str:
    count = sum(len(v["nodes"]) for v in violations)
    lines = [f"axe-core: {len(violations)} WCAG 2.2 AA rule(s) violated by {count} element(s) on {url}"]
    for violation in violations:
        lines.append("")
        lines.append(f"  [{violation['impact'] or 'unknown'}] {violation['id']}: {violation['help']}")
        lines.append(f"    {violation['helpUrl']}")
        for node in violation["nodes"]:
            target = " ".join(json.dumps(t) if not isinstance(t, str) else t for t in node["target"])
            lines.append(f"    - {target}")
            lines.append(f"      {_shorten(node['html'], 200)}")
            for detail in (node.get("summary") or "").splitlines():
                if detail.strip():
                    lines.append(f"        {detail.strip()}")
    return "\n".join(lines)


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolation(`${location.href}: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` (${event.sourceFile || ""}:${event.lineNumber || ""})`);
});
"""


@dataclass
class Document:
    """One document the page loaded, in order; `checked` once axe has run on it."""

    url: str
    checked: bool = False


@dataclass(repr=False)
class BrowserUI:
    context: BrowserContext
    page: Page
    base_url: str
    documents: list[Document] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    broken_assets: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)
    axe_runs: int = 0

    def __repr__(self) -> str:
        return f"<BrowserUI at {self.page.url}>"

    def __post_init__(self) -> None:
        self.page.on("load", self._on_load)
        self.page.on("pageerror", lambda error: self.page_errors.append(f"{self.page.url}: {error}"))
        self.page.on("response", self._on_response)
        # Content-Security-Policy violations, both ways the browser tells: the securitypolicyviolation event
        # (reported through a binding, which the policy cannot block) and the console message.
        self.context.expose_binding("__cspViolation", lambda source, text: self.csp_violations.append(text))
        self.context.add_init_script(script=CSP_LISTENER)
        self.page.on("console", self._on_console)

    # --- Navigation: the two doors ----------------------------------------------------------

    def url(self, path: str) -> str:
        return urljoin(self.base_url + "/", path.lstrip("/")) if not urlsplit(path).scheme else path

    def visit(self, path: str, *, expect_status: int | None = 200) -> Response | None:
        """Open a URL (a path on the live server, or absolute) and check the page with axe."""
        response = self.page.goto(self.url(path))
        if expect_status is not None:
            status = response.status if response else None
            assert status == expect_status, f"GET {path} answered {status}, expected {expect_status}"
        self.check_accessibility()
        return response

    @contextlib.contextmanager
    def navigation(self, timeout: float | None = None) -> Iterator[None]:
        """Wrap the action that loads a new document (click, Enter, submit); axe checks the result.

        `timeout` (ms) for a request known to do heavy work in tests (PDFs rendered inline)."""
        with self.page.expect_navigation(wait_until="load", timeout=timeout):
            yield
        self.check_accessibility()

    def reload(self) -> None:
        with self.navigation():
            self.page.reload(wait_until="load")

    # --- Checks ---------------------------------------------------------------------------

    def check_accessibility(self) -> None:
        """Run axe-core on the current document; raise AccessibilityError on any WCAG 2.2 AA violation.

        Also called again after a change within a page (an error message shown, say) if a test wants it.
        """
        self.page.wait_for_load_state("load")
        violations = self.page.evaluate(AXE_RUN, WCAG_TAGS)
        self.axe_runs += 1
        # The page's "load" event is delivered before the navigation that waited for it returns; the newest
        # document is the one on screen. Earlier unchecked ones stay unchecked, and are reported at teardown.
        if self.documents:
            self.documents[-1].checked = True
        if violations:
            raise AccessibilityError(format_violations(self.page.url, violations))
        self.check_no_sideways_scroll()

    def check_no_sideways_scroll(self) -> None:
        """Fail if the document is wider than the viewport (at any width; it matters most on a phone).

        Wide content belongs in a region that scrolls by itself (`.table-scroll`, labelled and focusable) or
        in stacked cards; the page itself never scrolls sideways. Part of every check_accessibility().
        """
        overflow = self.page.evaluate(OVERFLOW_CHECK)
        if overflow:
            raise SidewaysScrollError(
                f"{self.page.url} scrolls sideways: {overflow['scrollWidth']} px wide in a "
                f"{overflow['clientWidth']} px viewport; sticking out: " + ", ".join(overflow["culprits"])
            )

    def unchecked_documents(self) -> list[str]:
        return [doc.url for doc in self.documents if not doc.checked]

    def problems(self) -> list[str]:
        """What the teardown reports: pages never checked, script errors, assets that failed to load."""
        found = []
        if unchecked := self.unchecked_documents():
            found.append(
                "loaded without an accessibility check (use ui.visit(...) or `with ui.navigation():`):\n"
                + "\n".join(f"    {url}" for url in unchecked)
            )
        if self.page_errors:
            found.append("JavaScript errors:\n" + "\n".join(f"    {e}" for e in self.page_errors))
        if self.broken_assets:
            found.append("assets that failed to load:\n" + "\n".join(f"    {a}" for a in self.broken_assets))
        if self.csp_violations:
            found.append("Content-Security-Policy violations:\n" + "\n".join(f"    {v}" for v in self.csp_violations))
        return found

    # --- Conveniences -----------------------------------------------------------------------

    def log_in_as(self, user) -> None:
        """Give the browser a session for `user` without the login form (for tests about other pages)."""
        from django.conf import settings
        from django.test import Client

        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        self.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": self.base_url}])

    def screenshot(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path), full_page=True)
        path.with_suffix(".html").write_text(self.page.content(), encoding="utf-8")

    def _on_load(self, page: Page) -> None:
        self.documents.append(Document(url=page.url))

    def _on_console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.csp_violations.append(f"{self.page.url}: {message.text}")

    def _on_response(self, response: Response) -> None:
        if response.status >= 400 and response.request.resource_type in ASSET_TYPES:
            self.broken_assets.append(f"{response.status} {response.url}")
