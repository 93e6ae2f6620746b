"""Nothing is fetched while rendering, and fonts are subset by HarfBuzz (the fast path)."""

import socket
import threading

import pytest

from certificates import services
from tests.accounts.factories import UserFactory
from tests.certificates.test_certificates import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def listener():
    """A TCP server on a free local port that records every connection it gets."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.settimeout(0.2)
    connections = []
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            connections.append(conn.recv(1024))
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], connections
    stop.set()
    thread.join(timeout=2)
    server.close()


def test_a_hostile_name_and_title_show_as_text_and_nothing_is_read_or_requested(
    attended, coordinator, listener, monkeypatch
):
    import core.pdf

    port, connections = listener
    asked = []
    real = core.pdf._fetcher_class()

    class Spy(real):
        def fetch(self, url, headers=None):
            asked.append(url)
            return super().fetch(url, headers)

    monkeypatch.setattr(core.pdf.safe_url_fetcher, "_fetcher", Spy(), raising=False)
    opened = []
    real_open = open

    def watching_open(path, *args, **kwargs):
        opened.append(str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", watching_open)
    name = f'<img src="file:///etc/passwd"><link rel="stylesheet" href="http://127.0.0.1:{port}/x.css">Mallory'
    registration = attended(UserFactory(full_name=name))
    registration.event.title = f'<style>@import "http://127.0.0.1:{port}/y.css";</style>Evil & co'
    registration.event.save()
    certificate = services.certificate_issue(registration=registration, by=coordinator)
    monkeypatch.undo()
    text = pdf_text(certificate)
    assert '<img src="file:///etc/passwd">' in text.replace("\n", "")
    assert "Evil & co" in text
    assert "/etc/passwd" not in opened
    assert not any("127.0.0.1" in url for url in asked), asked
    assert all(url.startswith(("data:", "https://crossroads.invalid/static/")) for url in asked), asked
    assert connections == []


def test_the_fetcher_refuses_files_and_the_network(settings):
    from core.pdf import BlockedURL, safe_url_fetcher

    for url in (
        "file:///etc/passwd",
        "http://127.0.0.1:9/x.css",
        "https://example.org/logo.png",
        "https://crossroads.invalid/static/../../../etc/passwd",
        "https://crossroads.invalid/static/%2e%2e/settings.py",
        "ftp://example.org/x",
    ):
        with pytest.raises(BlockedURL):
            safe_url_fetcher(url)
    logo = safe_url_fetcher("https://crossroads.invalid/static/images/crossroads-logo.svg")
    assert b"<svg" in logo.read()


def test_fonts_are_subset_with_harfbuzz(attended, coordinator, monkeypatch):
    """Without libharfbuzz-subset0 WeasyPrint falls back to fontTools, about 10 times slower."""
    from weasyprint.pdf import fonts
    from weasyprint.text import ffi

    assert ffi.harfbuzz_subset is not None, "install libharfbuzz-subset0"
    assert ffi.harfbuzz.hb_version_atleast(4, 1, 0)
    calls = []
    original = fonts.Font._harfbuzz_subset

    def spy(self, *args, **kwargs):
        calls.append(self)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(fonts.Font, "_harfbuzz_subset", spy)
    services.certificate_issue(registration=attended(), by=coordinator)
    assert calls, "WeasyPrint did not subset fonts with HarfBuzz"
