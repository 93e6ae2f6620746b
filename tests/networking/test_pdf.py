"""Badges as a real PDF (read back with pypdf), and the locked-down URL fetcher of config/pdf.py."""

import base64
import socket
from io import BytesIO

import pytest
from django.conf import settings
from pypdf import PdfReader

from core import pdf
from networking import services
from networking.badges import BADGES_PER_SHEET, badges_context, badges_pdf, card_url, qr_svg
from networking.selectors import plan_view
from registrations.models import Registration
from tests.accounts.factories import UserFactory, sector
from tests.events.factories import EventFactory, RegistrationFactory

from .factories import attendees

pytestmark = pytest.mark.django_db
A4_POINTS = (595.28, 841.89)
HOSTILE_NAME = '<img src="file:///etc/passwd">'


class SpyFetcher:
    """Wraps the real fetcher and records what WeasyPrint asked for, and what it was given."""

    _fail_on_errors = False

    def __init__(self, real):
        self.real = real
        self.asked: list[str] = []
        self.served: list[str] = []

    def __call__(self, url):
        self.asked.append(url)
        response = self.real(url)
        self.served.append(url)
        return response


@pytest.fixture
def spy(monkeypatch):
    spy = SpyFetcher(pdf.safe_url_fetcher)
    monkeypatch.setattr(pdf, "safe_url_fetcher", spy)
    return spy


@pytest.fixture
def listener():
    """A TCP listener on 127.0.0.1 (an ephemeral port): no connection may ever reach it."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.setblocking(False)
    yield server
    server.close()


def connections_to(server) -> int:
    count = 0
    while True:
        try:
            connection, _ = server.accept()
        except BlockingIOError:
            return count
        connection.close()
        count += 1


def is_static_or_data(url: str) -> bool:
    return url.startswith("data:") or pdf.static_file_for(url) is not None


def pages_text(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(BytesIO(content)).pages]


@pytest.fixture
def event(partnership):
    return EventFactory(partnership=partnership, title="Child safety standards")


def test_badges_pdf_has_8_badges_per_a4_sheet_then_a_list_per_table(event, coordinator):
    people = attendees(event, 19)
    plan = services.plan_generate(event=event, by=coordinator, min_size=6, max_size=7, seed=1)
    reader = PdfReader(BytesIO(badges_pdf(plan=plan)))
    sheets = -(-19 // BADGES_PER_SHEET)
    assert len(reader.pages) == sheets + 3  # three badge sheets, three tables
    for page in reader.pages:
        assert (round(float(page.mediabox.width), 2), round(float(page.mediabox.height), 2)) == A4_POINTS
    texts = [page.extract_text() for page in reader.pages]
    badge_names = [[r.user.full_name for r in people if r.user.full_name in text] for text in texts[:sheets]]
    assert [len(names) for names in badge_names] == [8, 8, 3]
    assert sorted(name for names in badge_names for name in names) == sorted(r.user.full_name for r in people)
    assert "MEDICAL" in texts[0] and "Organisation 0" in texts[0]
    for number, text in enumerate(texts[sheets:], start=1):
        assert text.startswith(f"Table {number}")
        seated = plan.groups.get(number=number).seats.all()
        assert all(seat.registration.user.full_name in text for seat in seated)


def test_badges_sit_in_a_two_by_four_grid(event, coordinator):
    from django.template.loader import render_to_string
    from weasyprint import HTML

    attendees(event, 8)
    plan = services.plan_generate(event=event, by=coordinator, min_size=8, max_size=8, seed=1)
    html = render_to_string("networking/badges_pdf.html", badges_context(plan_view(plan=plan)))
    document = HTML(string=html, base_url=pdf.INTERNAL_ORIGIN + "/", url_fetcher=pdf.safe_url_fetcher).render(
        stylesheets=[pdf.stylesheet("css/badges.css")], font_config=pdf.font_config()
    )

    def badges(box):
        element = getattr(box, "element", None)
        if element is not None and element.get("class") == "badge" and box.element_tag == "div":
            yield box
        for child in getattr(box, "children", None) or []:
            yield from badges(child)

    mm = 96 / 25.4
    found = list(dict.fromkeys(badges(document.pages[0]._page_box)))
    positions = sorted({(round(b.position_x / mm), round(b.position_y / mm)) for b in found})
    assert len(positions) == 8
    assert sorted({x for x, _ in positions}) == [10, 105]
    assert sorted({y for _, y in positions}) == [10, 79, 148, 217]


def test_qr_code_only_for_people_on_the_attendee_list(event, coordinator):
    listed, unlisted = attendees(event, 2)
    Registration.objects.filter(pk=unlisted.pk).update(consent_attendee_list=False)
    plan = services.plan_generate(event=event, by=coordinator, seed=1)
    context = badges_context(plan_view(plan=plan))
    badges = {badge.name: badge for sheet in context["sheets"] for badge in sheet}
    assert badges[listed.user.full_name].qr_svg == qr_svg(card_url(listed))
    assert card_url(listed) == f"{settings.SITE_URL}/events/{event.pk}/cards/{listed.pk}/"
    assert badges[unlisted.user.full_name].qr_svg == ""
    assert badges[listed.user.full_name].sector == "Medical"


def test_a_hostile_name_is_printed_as_text_and_nothing_outside_static_is_read(event, coordinator, spy, listener):
    port = listener.getsockname()[1]
    hostile_org = f'<link rel="stylesheet" href="http://127.0.0.1:{port}/x.css">'
    user = UserFactory(
        email="mallory@example.org", full_name=HOSTILE_NAME, organisation=hostile_org, sector=sector("other")
    )
    RegistrationFactory(event=event, user=user, consent_attendee_list=True)
    attendees(event, 3)
    plan = services.plan_generate(event=event, by=coordinator, seed=1)

    content = badges_pdf(plan=plan)

    text = "\n".join(pages_text(content))
    assert HOSTILE_NAME in text.replace("\n", "")
    assert f"http://127.0.0.1:{port}/x.css" in text.replace("\n", "")
    assert all(is_static_or_data(url) for url in spy.asked), spy.asked
    assert connections_to(listener) == 0


def test_raw_hostile_html_gets_nothing_but_static_files(spy, listener, settings):
    """Even unescaped markup cannot make the renderer read a file or open a connection."""
    port = listener.getsockname()[1]
    pixel = base64.b64encode(b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>').decode()
    html = f"""<html><head>
      <link rel="stylesheet" href="http://127.0.0.1:{port}/x.css">
      <link rel="stylesheet" href="/static/css/badges.css">
      <style>@import url("http://127.0.0.1:{port}/i.css"); body {{ background: url("file:///etc/hostname"); }}</style>
      </head><body>
      <p>Visible text</p>
      <img src="file:///etc/passwd"><img src="http://127.0.0.1:{port}/a.png"><img src="//127.0.0.1:{port}/b.png">
      <img src="/static/../config/settings.py"><img src="/static/css/%2e%2e/%2e%2e/manage.py">
      <img src="/static/favicon.svg"><img src="data:image/svg+xml;base64,{pixel}">
      <iframe src="file:///etc/passwd"></iframe><object data="http://127.0.0.1:{port}/o"></object>
    </body></html>"""

    content = pdf.render_pdf(html)

    assert "Visible text" in pages_text(content)[0]
    assert spy.asked, "the renderer asked for nothing at all: the test would prove nothing"
    assert all(is_static_or_data(url) for url in spy.served), spy.served
    assert any(url.endswith("/static/favicon.svg") for url in spy.served)
    assert any(url.startswith("data:") for url in spy.served)
    refused = [url for url in spy.asked if url not in spy.served]
    assert any(url.startswith("file:///etc/passwd") for url in refused)
    assert any(f"127.0.0.1:{port}" in url for url in refused)
    assert connections_to(listener) == 0


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file://" + str(settings.BASE_DIR / "static" / "css" / "badges.css"),  # even a static file, by path
        "http://127.0.0.1:9/x.css",
        "https://example.org/static/css/badges.css",  # another origin
        "ftp://127.0.0.1/x",
        "gopher://127.0.0.1/x",
        f"{pdf.INTERNAL_ORIGIN}/static/../config/settings.py",
        f"{pdf.INTERNAL_ORIGIN}/static/css/%2e%2e/%2e%2e/manage.py",
        f"{pdf.INTERNAL_ORIGIN}/static/css/..%2F..%2Fmanage.py",
        f"{pdf.INTERNAL_ORIGIN}/static//etc/passwd",
        f"{pdf.INTERNAL_ORIGIN}/static/css/nothing-here.css",
        f"{pdf.INTERNAL_ORIGIN}/static/",
        f"{pdf.INTERNAL_ORIGIN}/media/upload.png",
        f"{pdf.INTERNAL_ORIGIN}/etc/passwd",
        "data:text/plain",  # malformed: no comma
    ],
)
def test_the_fetcher_refuses_anything_but_data_and_static(url):
    with pytest.raises(Exception):  # noqa: B017 - any refusal will do; WeasyPrint catches it
        pdf.safe_url_fetcher(url)


def test_the_fetcher_refuses_a_local_port_without_connecting(listener):
    port = listener.getsockname()[1]
    for url in (f"http://127.0.0.1:{port}/x.css", f"https://127.0.0.1:{port}/x.css"):
        with pytest.raises(pdf.BlockedURL):
            pdf.safe_url_fetcher(url)
    assert connections_to(listener) == 0


def test_the_fetcher_serves_static_files_and_data_urls(settings):
    response = pdf.safe_url_fetcher(f"{pdf.INTERNAL_ORIGIN}/static/css/badges.css")
    assert response.content_type == "text/css" and b"@page" in response.read()
    settings.SITE_URL = "https://crossroads.example.org"
    assert pdf.safe_url_fetcher("https://crossroads.example.org/static/favicon.svg").read().startswith(b"<svg")
    data = pdf.safe_url_fetcher("data:text/plain;base64," + base64.b64encode(b"hello").decode())
    assert (data.read(), data.content_type) == (b"hello", "text/plain")
    assert pdf.safe_url_fetcher("data:,a%20b").read() == b"a b"


def test_stylesheets_are_parsed_once_and_fonts_shared():
    assert pdf.stylesheet("css/badges.css") is pdf.stylesheet("css/badges.css")
    assert pdf.font_config() is pdf.font_config()
    with pytest.raises(pdf.BlockedURL):
        pdf.stylesheet("../config/settings.py")
