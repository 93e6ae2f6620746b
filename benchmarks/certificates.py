"""Certificates benchmark: issue certificates for 50 attendees, beside WeasyPrint alone; memory over 500.

- The app: `certificate_batch_run` for a session of 50 attended registrations — database rows, the
  snapshot, the QR code, rendering through the locked-down fetcher, storing the PDF, the outbox e-mail.
- The floor, in the same run: WeasyPrint rendering the same certificate template 50 times with one shared
  font configuration and the parsed CSS, and no application code (the HTML is rendered once, up front).
- Memory: the resident set size of this process (it plays the worker) after every 100 of 500
  certificates; it must stay flat.

    .venv/bin/python benchmarks/certificates.py
"""

import resource
import tempfile
import time
from datetime import timedelta

from _setup import django_setup


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_session(partnership, n: int, label: str):
    from django.utils import timezone

    from accounts.models import User
    from events.models import Event
    from registrations.models import Registration

    start = timezone.now() - timedelta(days=1)
    event = Event.objects.create(
        partnership=partnership,
        title=f"Referral pathways ({label})",
        start=start,
        end=start + timedelta(hours=2),
        status="published",
        published_at=start,
        cohosts=["City of Ballarat", "Grampians Public Health Unit"],
    )
    users = User.objects.bulk_create(
        [User(email=f"{label}-{i}@example.org", full_name=f"Nguyễn Thị {label} {i}") for i in range(n)]
    )
    Registration.objects.bulk_create(
        [
            Registration(event=event, user=u, status="confirmed", attendance="attended", check_in_code=f"{i:06d}")
            for i, u in enumerate(users)
        ]
    )
    return event


def main() -> None:
    django_setup()
    from django.conf import settings
    from django.template.loader import render_to_string

    from accounts.models import Partnership
    from certificates.models import CertificateBatch
    from certificates.rendering import PDF_OPTIONS, STYLESHEETS, _decorate, logo_for
    from certificates.services import certificate_batch_run
    from core.pdf import font_config, render_pdf, stylesheet

    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="crossroads-bench-media-")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    import logging

    logging.getLogger("celery").setLevel(logging.WARNING)
    partnership = Partnership.objects.create(
        slug="ballarat", name="Ballarat Community Partnership", locality="Ballarat", contact_email="p@example.org",
        signatory_name="Casey Coordinator", signatory_role="Facilitator",
    )  # fmt: skip

    # Warm up: fonts and CSS loaded once, as in a long-running worker.
    warm = make_session(partnership, 2, "warm")
    certificate_batch_run(batch_id=CertificateBatch.objects.create(event=warm, total=2).pk)

    event = make_session(partnership, 50, "fifty")
    batch = CertificateBatch.objects.create(event=event, total=50)
    t0 = time.perf_counter()
    certificate_batch_run(batch_id=batch.pk)
    app_seconds = time.perf_counter() - t0
    certificates = list(event.certificates.all())
    assert len(certificates) == 50

    html = render_to_string(
        "certificates/certificate.html",
        {"certificates": [_decorate(certificates[0])], "logo": logo_for("ballarat")},
    )
    from weasyprint import HTML

    from core.pdf import INTERNAL_ORIGIN, safe_url_fetcher

    css = [stylesheet(path) for path in STYLESHEETS]
    fonts = font_config()
    t0 = time.perf_counter()
    for _ in range(50):
        HTML(string=html, base_url=INTERNAL_ORIGIN + "/", url_fetcher=safe_url_fetcher).write_pdf(
            stylesheets=css, font_config=fonts, **PDF_OPTIONS
        )
    floor_seconds = time.perf_counter() - t0
    assert render_pdf  # the app's path goes through core.pdf.render_pdf

    print("Issue 50 certificates (one session)")
    print(f"  app (certificate_batch_run): {app_seconds:6.2f} s  ({app_seconds / 50 * 1000:5.1f} ms each)")
    print(f"  floor (WeasyPrint alone):    {floor_seconds:6.2f} s  ({floor_seconds / 50 * 1000:5.1f} ms each)")
    print(f"  ratio app / floor:           {app_seconds / floor_seconds:6.2f}x")

    print("Memory of the worker over 500 certificates (resident set, MB)")
    big = make_session(partnership, 500, "five-hundred")
    batch = CertificateBatch.objects.create(event=big, total=500)
    from certificates import services

    readings = [rss_mb()]
    real_issue = services.certificate_issue
    issued = 0

    def counting_issue(**kwargs):
        nonlocal issued
        result = real_issue(**kwargs)
        issued += 1
        if issued % 100 == 0:
            readings.append(rss_mb())
        return result

    services.certificate_issue = counting_issue
    try:
        certificate_batch_run(batch_id=batch.pk)
    finally:
        services.certificate_issue = real_issue
    labels = ["start"] + [f"{n}" for n in range(100, 501, 100)]
    print("  " + "  ".join(f"{label}: {mb:.0f}" for label, mb in zip(labels, readings, strict=False)))
    growth = readings[-1] - readings[1]
    print(f"  growth from 100 to 500 certificates: {growth:+.1f} MB")


if __name__ == "__main__":
    main()
