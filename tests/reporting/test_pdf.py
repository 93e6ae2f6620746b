"""The funders' report as a real PDF (WeasyPrint), read back with pypdf."""

from io import BytesIO

import pytest
from django.urls import reverse
from pypdf import PdfReader

from core import pdf
from reporting.selectors import report_build
from reporting.views import report_pdf_bytes

from .conftest import YEAR_2025

pytestmark = pytest.mark.django_db
A4_POINTS = (595.28, 841.89)


def text_of(content: bytes) -> str:
    reader = PdfReader(BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def squashed(text: str) -> str:
    return " ".join(text.split())


def test_the_pdf_has_the_partnership_cohosts_figures_charts_and_picked_quotes(partnership, world):
    content = report_pdf_bytes(report_build(partnership=partnership, period=YEAR_2025))
    assert content.startswith(b"%PDF-")
    reader = PdfReader(BytesIO(content))
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert (round(width, 2), round(height, 2)) == A4_POINTS
    text = squashed(text_of(content))
    assert "Ballarat Community Partnership" in text
    assert "Sessions report, 1 January 2025 – 31 December 2025" in text
    assert "Co-hosted with City of Ballarat, Grampians PHU, Uniting." in text
    assert "Returning practitioners 2" in text
    assert "6 different practitioners attended; 2 came to two or more sessions" in text
    assert "Average rating 3.83 / 5" in text
    assert "“Meeting the kinder teachers.”" in text
    assert "People attending" in text  # the sector chart's axis: the SVG was drawn
    # Only the quote a coordinator picked (with consent): not other answers, and no names.
    assert "Hearing how the kindergarten handles referrals." not in text
    for name in ("Alice", "Bob", "Gus"):
        assert name not in text
    assert f"of {len(reader.pages)}" in text  # page numbers in the footer


def test_the_pdf_reads_nothing_from_outside(partnership, world, monkeypatch):
    """Everything the report needs is inline or a static file: the locked-down fetcher is asked for nothing else."""
    asked = []
    real = pdf.safe_url_fetcher

    class Spy:
        _fail_on_errors = False

        def __call__(self, url):
            asked.append(url)
            return real(url)

        def fetch(self, url, headers=None):
            asked.append(url)
            return real.fetch(url, headers)

    monkeypatch.setattr(pdf, "safe_url_fetcher", Spy())
    pdf.stylesheet.cache_clear()
    try:
        report_pdf_bytes(report_build(partnership=partnership, period=YEAR_2025))
    finally:
        pdf.stylesheet.cache_clear()
    assert all(pdf.static_file_for(url) or url.startswith("data:") for url in asked), asked


def test_the_pdf_link_downloads_the_report_for_the_period(client, coordinator, world):
    client.force_login(coordinator)
    response = client.get(
        reverse("reports-pdf", kwargs={"slug": "ballarat"}), {"date_from": "2025-01-01", "date_to": "2025-12-31"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="ballarat-report-2025-01-01-to-2025-12-31.pdf"'
    assert "Ballarat Community Partnership" in text_of(response.content)


def test_the_pdf_of_an_empty_period(partnership, world):
    from datetime import date

    from reporting.periods import Period

    content = report_pdf_bytes(
        report_build(partnership=partnership, period=Period(date(2023, 1, 1), date(2023, 3, 31)))
    )
    text = squashed(text_of(content))
    assert "Ballarat Community Partnership" in text and "Nothing in this period." in text
