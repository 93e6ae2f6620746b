"""The certificate PDF: WeasyPrint from templates/certificates/certificate.html, tagged (PDF/UA-1).

Rendering goes through core.pdf.render_pdf: the locked-down URL fetcher (data: and the app's own
static files only), one shared font configuration and the parsed print CSS cached per process.
"""

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils import timezone

from core import qr as core_qr
from core.pdf import render_pdf

from .models import Certificate

STYLESHEETS = ["css/certificate.css"]
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1"}  # tagged PDF with the document language and title


def verify_url(certificate: Certificate) -> str:
    return f"{settings.SITE_URL}{certificate.get_absolute_url()}"


def qr_svg(url: str, title: str) -> str:
    return core_qr.qr_svg(url, scale=3, border=1, title=title)


def logo_for(slug: str | None) -> str:
    path = f"images/partnerships/{slug}.svg"
    return static(path) if slug and finders.find(path) else static("images/crossroads-logo.svg")


def _decorate(certificate: Certificate) -> Certificate:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(certificate.time_zone)
    certificate.local_start = timezone.localtime(certificate.event_start, zone)
    certificate.local_end = timezone.localtime(certificate.event_end, zone)
    certificate.issued_local = timezone.localtime(certificate.issued_at, zone)
    certificate.verify_url = verify_url(certificate)
    certificate.qr = qr_svg(certificate.verify_url, f"Verify certificate {certificate.display_code}")
    return certificate


def certificate_html(certificates: list[Certificate], *, partnership_slug: str | None = None) -> str:
    return render_to_string(
        "certificates/certificate.html",
        {"certificates": [_decorate(c) for c in certificates], "logo": logo_for(partnership_slug)},
    )


def certificate_pdf(certificates: list[Certificate], *, partnership_slug: str | None = None) -> bytes:
    """One page per certificate (a single one, or a session's printable set)."""
    html = certificate_html(certificates, partnership_slug=partnership_slug)
    return render_pdf(html, stylesheets=STYLESHEETS, **PDF_OPTIONS)


def statement_pdf(context: dict) -> bytes:
    return render_pdf(render_to_string("certificates/statement.html", context), stylesheets=STYLESHEETS, **PDF_OPTIONS)
