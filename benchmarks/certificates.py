"""Certificates benchmark: issue certificates for 50 attendees, beside WeasyPrint alone; memory over 500.

- The app: `certificate_batch_run` for a session of 50 attended registrations — database rows, the
  snapshot, the QR code, rendering through the locked-down fetcher, storing the PDF, the outbox e-mail.
- The floor, in the same run: WeasyPrint rendering the same certificate template 50 times with one shared
  font configuration and the parsed CSS, and no application code (the HTML is rendered once, up front).
- Floor and app alternate, >= 3 rounds (a new session each round), median and range.
- Memory: the resident set size of this process (it plays the worker) after every fifth of 500
  certificates; it must stay flat (--quick: 20 a session, 200 for memory).

    .venv/bin/python benchmarks/certificates.py [--quick]
"""

import resource
import tempfile
import time
from datetime import timedelta

from _setup import QUICK, ROUNDS, bench, django_setup, ratio_of, spread

SESSION = 20 if QUICK else 50
MEMORY_RUN = 200 if QUICK else 500


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

    first = make_session(partnership, 1, "template")
    certificate_batch_run(batch_id=CertificateBatch.objects.create(event=first, total=1).pk)
    html = render_to_string(
        "certificates/certificate.html",
        {"certificates": [_decorate(first.certificates.get())], "logo": logo_for("ballarat")},
    )
    from weasyprint import HTML

    from core.pdf import INTERNAL_ORIGIN, safe_url_fetcher

    css = [stylesheet(path) for path in STYLESHEETS]
    fonts = font_config()
    assert render_pdf  # the app's path goes through core.pdf.render_pdf

    def floor():
        for _ in range(SESSION):
            HTML(string=html, base_url=INTERNAL_ORIGIN + "/", url_fetcher=safe_url_fetcher).write_pdf(
                stylesheets=css, font_config=fonts, **PDF_OPTIONS
            )

    def app():
        event = make_session(partnership, SESSION, f"round-{time.perf_counter_ns()}")
        batch = CertificateBatch.objects.create(event=event, total=SESSION)
        t0 = time.perf_counter()
        certificate_batch_run(batch_id=batch.pk)
        seconds = time.perf_counter() - t0
        assert event.certificates.count() == SESSION
        return seconds * 1000

    floors, apps = [], []
    for n in range(ROUNDS):
        for label in ("floor", "app") if n % 2 == 0 else ("app", "floor"):
            if label == "floor":
                t0 = time.perf_counter()
                floor()
                floors.append((time.perf_counter() - t0) * 1000 / SESSION)
            else:
                apps.append(app() / SESSION)  # the session's rows are made outside the timing
    bench(f"certificates: {SESSION} issued, per certificate", spread(apps), spread(floors) + " WeasyPrint alone",
          ratio_of(apps, floors), "report", None)  # fmt: skip

    print(f"Memory of the worker over {MEMORY_RUN} certificates (resident set, MB)")
    big = make_session(partnership, MEMORY_RUN, "memory")
    batch = CertificateBatch.objects.create(event=big, total=MEMORY_RUN)
    step = MEMORY_RUN // 5
    from certificates import services

    readings = [rss_mb()]
    real_issue = services.certificate_issue
    issued = 0

    def counting_issue(**kwargs):
        nonlocal issued
        result = real_issue(**kwargs)
        issued += 1
        if issued % step == 0:
            readings.append(rss_mb())
        return result

    services.certificate_issue = counting_issue
    try:
        certificate_batch_run(batch_id=batch.pk)
    finally:
        services.certificate_issue = real_issue
    labels = ["start"] + [f"{n}" for n in range(step, MEMORY_RUN + 1, step)]
    print("  " + "  ".join(f"{label}: {mb:.0f}" for label, mb in zip(labels, readings, strict=False)))
    growth = readings[-1] - readings[1]
    bench(f"certificates: worker memory, {step} to {MEMORY_RUN} issued", f"{growth:+.1f} MB",
          f"{readings[1]:.0f} MB after {step}", (readings[-1] / readings[1]), "flat (<= 1.10x)",
          readings[-1] <= 1.10 * readings[1])  # fmt: skip


if __name__ == "__main__":
    main()
