"""Security headers on every page: a Content-Security-Policy without inline scripts, Referrer-Policy and
Permissions-Policy (the camera only on the check-in page); and no template carries an inline script."""

import re
from pathlib import Path

import pytest

from tests.events.factories import EventFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


@pytest.mark.parametrize("url", ["/", "/events/", "/accounts/login/", "/api/docs", "/directory/"])
def test_pages_send_a_strict_csp_and_the_other_headers(client, url):
    response = client.get(url)
    assert response.status_code == 200
    csp = directives(response)
    assert csp["script-src"] == ["'self'"]
    assert csp["default-src"] == ["'self'"] and csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"] and csp["base-uri"] == ["'self'"]
    assert "'unsafe-inline'" not in csp["style-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


def test_the_check_in_page_may_use_the_camera_and_nothing_else_more(client, partnership, coordinator):
    event = EventFactory(partnership=partnership)
    client.force_login(coordinator)
    response = client.get(f"/manage/ballarat/events/{event.pk}/check-in/")
    assert response.status_code == 200
    policy = response["Permissions-Policy"]
    assert "camera=(self)" in policy and "microphone=()" in policy and "camera=()" not in policy


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def test_no_template_has_an_inline_script_or_event_handler():
    found = []
    for path in sorted((ROOT / "templates").rglob("*.html")) + sorted(ROOT.glob("*/templates/**/*.html")):
        text = path.read_text()
        if "/email/" in str(path):  # e-mail bodies are not pages
            continue
        for pattern in (INLINE_SCRIPT, EVENT_HANDLER):
            found += [f"{path.relative_to(ROOT)}: {m.group(0)[:80]}" for m in pattern.finditer(text)]
    assert not found, "move these into static/js:\n  " + "\n  ".join(found)
