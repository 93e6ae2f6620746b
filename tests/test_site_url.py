"""Absolute links follow the address the app serves on (ADDRPORT) when SITE_URL is not set."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from pypdf import PdfReader

from config.siteurl import site_url_for

ROOT = Path(__file__).resolve().parent.parent
PORT = 8183  # not 8000


@pytest.mark.parametrize(
    ("addrport", "url"),
    [
        ("", "http://127.0.0.1:8000"),
        ("8081", "http://127.0.0.1:8081"),
        ("127.0.0.1:8082", "http://127.0.0.1:8082"),
        ("0.0.0.0:8083", "http://127.0.0.1:8083"),
        ("localhost:8084", "http://localhost:8084"),
        ("[::1]:8085", "http://[::1]:8085"),
        ("crossroads.local", "http://crossroads.local:8000"),
    ],
)
def test_site_url_for_an_addrport(addrport, url):
    assert site_url_for(addrport) == url


def _settings_site_url(**env) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in {"SITE_URL", "ADDRPORT"}}
    code = "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)"
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return out.stdout.strip()


def test_settings_follow_addrport_and_site_url_wins():
    assert _settings_site_url(ADDRPORT=f"127.0.0.1:{PORT}") == f"http://127.0.0.1:{PORT}"
    assert _settings_site_url(ADDRPORT=f"127.0.0.1:{PORT}", SITE_URL="https://x.example.org/") == (
        "https://x.example.org"
    )


def test_run_sh_passes_its_address_on():
    script = (ROOT / "scripts" / "run.sh").read_text()
    assert 'export ADDRPORT="${ADDRPORT:-127.0.0.1:8000}"' in script
    assert 'runserver "${ADDRPORT}"' in script


@pytest.mark.django_db
def test_certificate_feed_and_email_carry_the_port(settings, client, attended_registration, practitioner):
    """Rendered for real on a non-default port: the PDF's text, the feed page and an e-mail name it."""
    from accounts.services import user_send_verification
    from certificates.services import certificate_issue

    settings.SITE_URL = _settings_site_url(ADDRPORT=f"127.0.0.1:{PORT}")
    base = f"127.0.0.1:{PORT}"

    certificate = certificate_issue(registration=attended_registration, notify=False)
    with certificate.pdf.open("rb") as pdf:
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.read())).pages)
    assert f"http://{base}/certificates/verify/" in text.replace("\n", "")
    assert ":8000" not in text

    client.force_login(practitioner)
    page = client.get("/my/calendar/").content.decode()
    assert f"webcal://{base}/calendar/me/" in page and "127.0.0.1:8000" not in page

    mail.outbox = []
    user_send_verification(user=practitioner)
    assert f"http://{base}/accounts/" in mail.outbox[0].body
    assert ":8000" not in mail.outbox[0].body


@pytest.fixture
def attended_registration(partnership, coordinator, settings, tmp_path):
    from datetime import timedelta

    from django.utils import timezone

    from registrations.services import attendance_mark
    from tests.events.factories import EventFactory, RegistrationFactory

    settings.MEDIA_ROOT = tmp_path / "media"
    start = timezone.now() - timedelta(days=1)
    event = EventFactory(partnership=partnership, start=start, end=start + timedelta(hours=2))
    return attendance_mark(registration=RegistrationFactory(event=event), attended=True, by=coordinator)
