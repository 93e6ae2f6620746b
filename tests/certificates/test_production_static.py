"""PDFs under production static storage: `collectstatic` with hashed names (ManifestStaticFilesStorage, which
whitenoise's CompressedManifestStaticFilesStorage extends with compression only: left out here, it takes
minutes), DEBUG off. `{% static %}` then names hashed copies that only STATIC_ROOT holds; the PDF fetcher
must serve them, so the certificate keeps both logos, and badges and the funder report their stylesheets —
with no URL refused. WeasyPrint draws SVG logos as vector paths: the Ballarat logo's gold ring
(#ffbf47) in the page's drawing shows it was drawn."""

import logging
from io import BytesIO

import pytest
from django.conf import settings as django_settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.test import override_settings
from pypdf import PdfReader

from certificates import services
from certificates.rendering import logo_for
from networking import services as networking_services
from networking.badges import badges_pdf
from reporting.selectors import report_build
from reporting.views import report_pdf_bytes
from tests.networking.factories import attendees
from tests.reporting.conftest import YEAR_2025, world  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


MANIFEST = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
GOLD_RING = b"1 0.74902 0.278431 RG"


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    root = tmp_path_factory.mktemp("static")
    storages = {**django_settings.STORAGES, "staticfiles": {"BACKEND": MANIFEST}}
    with override_settings(DEBUG=False, STATIC_ROOT=root, STORAGES=storages):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root, storages


@pytest.fixture
def production_static(settings, collected):
    root, storages = collected
    settings.DEBUG = False
    settings.STATIC_ROOT = root
    settings.STORAGES = storages
    return root


@pytest.fixture
def served(monkeypatch):
    """The URLs the PDF fetcher served."""
    from config import pdf

    urls = []
    real = pdf.safe_url_fetcher

    def spy(url):
        response = real(url)
        urls.append(url)
        return response

    spy._fail_on_errors = False
    monkeypatch.setattr(pdf, "safe_url_fetcher", spy)
    return urls


@pytest.fixture
def refused(caplog):
    caplog.set_level(logging.WARNING, logger="weasyprint")
    return lambda: [m for r in caplog.records if "BlockedURL" in (m := r.getMessage()) or "Failed" in m]


def test_the_certificate_has_its_logos_with_hashed_static_names(
    production_static, attended, coordinator, refused, served
):
    logo = logo_for("ballarat")
    assert logo != "/static/images/partnerships/ballarat.svg" and logo.endswith(".svg")  # hashed
    assert staticfiles_storage.exists(logo.removeprefix("/static/"))
    certificate = services.certificate_issue(registration=attended(), by=coordinator)
    with certificate.pdf.open("rb") as handle:
        reader = PdfReader(BytesIO(handle.read()))
    assert refused() == []
    assert GOLD_RING in reader.pages[0].get_contents().get_data(), "the partnership's logo is not drawn"
    assert any(url.endswith(logo) for url in served), served
    crossroads = staticfiles_storage.url("images/crossroads-logo.svg")
    assert crossroads != "/static/images/crossroads-logo.svg"
    assert any(url.endswith(crossroads) for url in served), served


def test_badges_and_the_funder_report_render_with_nothing_refused(
    production_static,
    partnership,
    coordinator,
    world,  # noqa: F811
    refused,
):
    from tests.events.factories import EventFactory

    event = EventFactory(partnership=partnership, title="Child safety standards")
    attendees(event, 9)
    plan = networking_services.plan_generate(event=event, by=coordinator, min_size=4, max_size=5, seed=1)
    badges = PdfReader(BytesIO(badges_pdf(plan=plan)))
    report = PdfReader(BytesIO(report_pdf_bytes(report_build(partnership=partnership, period=YEAR_2025))))
    assert refused() == []
    # Their stylesheets applied: A4 pages, and the report's charts drawn.
    for reader in (badges, report):
        page = reader.pages[0]
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    assert "People attending" in " ".join(p.extract_text() for p in report.pages)
