import io
import json
import zipfile
from datetime import date

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import partnership_get_managed
from core import csv as core_csv
from core.pages import page_of
from core.ratelimit import VERIFY_GROUP, VERIFY_RATE, limit
from events.models import Event
from events.permissions import partnership_event_get_managed
from registrations import selectors as registration_selectors
from registrations.models import Registration
from resources import selectors as resource_selectors

from . import selectors, services
from .models import Certificate, CertificateBatch
from .openbadges import credential
from .rendering import statement_pdf

BAD_PERIOD = "Use dates as YYYY-MM-DD, with the start before the end."


MY_SESSIONS_PER_PAGE = 20


@login_required
def my_sessions(request):
    """A practitioner's sessions, a page of each: check-in codes for the coming ones (QR codes only for
    the confirmed ones shown, each rendered once and cached), certificates for the past ones.

    Registrations' page (its template and URL name), composed here because certificates sits above
    registrations (.importlinter).
    """
    upcoming, upcoming_query = page_of(
        request,
        registration_selectors.registration_list_for_user(user=request.user, when="upcoming"),
        MY_SESSIONS_PER_PAGE,
    )
    past, past_query = page_of(
        request,
        registration_selectors.registration_list_for_user(user=request.user, when="past"),
        MY_SESSIONS_PER_PAGE,
        "past",
    )
    valid = selectors.certificates_valid_by_registration(user=request.user, registration_ids=[r.pk for r in past])
    resource_counts = resource_selectors.resource_counts_for_registrations(user=request.user, registrations=past)
    for registration in past:
        registration.valid_certificate = valid.get(registration.pk)
        registration.resource_count = resource_counts.get(registration.event_id, 0)
    shown = [
        r for r in upcoming if r.status == Registration.Status.CONFIRMED and r.event.status != Event.Status.CANCELLED
    ]
    qr = registration_selectors.check_in_qr_svgs(shown)
    for registration in shown:
        registration.qr = qr[registration.pk]
    return render(
        request,
        "registrations/my_sessions.html",
        {"upcoming": upcoming, "past": past, "upcoming_query": upcoming_query, "past_query": past_query},
    )


def _pdf(body: bytes, filename: str, *, inline: bool = True) -> HttpResponse:
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def stored_pdf(certificate: Certificate) -> bytes:
    return services.certificate_pdf_bytes(certificate=certificate)


# --- Public verification -----------------------------------------------------------------


def verify(request, code: str):
    limit(request, group=VERIFY_GROUP, rate=VERIFY_RATE)
    certificate = selectors.certificate_by_code(code)
    if certificate is None:
        return render(request, "certificates/verify_unknown.html", {"code": code}, status=404)
    return render(request, "certificates/verify.html", {"facts": selectors.verification(certificate)})


def lookup(request):
    """The form on the "not found" page: /certificates/verify/?code=…"""
    code = "".join(ch for ch in request.GET.get("code", "") if ch.isalnum())[:20]
    if not code:
        return render(request, "certificates/verify_unknown.html", {"code": ""})
    return redirect("certificate-verify", code=code)


def verify_json(request, code: str):
    limit(request, group=VERIFY_GROUP, rate=VERIFY_RATE)
    certificate = selectors.certificate_by_code(code)
    if certificate is None:
        return JsonResponse({"detail": "No certificate has this code."}, status=404)
    facts = selectors.verification(certificate)
    return JsonResponse({k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in facts.items()})


def badge(request, code: str):
    limit(request, group=VERIFY_GROUP, rate=VERIFY_RATE)
    certificate = selectors.certificate_by_code(code)
    if certificate is None:
        raise Http404
    response = HttpResponse(json.dumps(credential(certificate), indent=2), content_type="application/ld+json")
    response["Content-Disposition"] = f'inline; filename="certificate-{certificate.code}.json"'
    return response


# --- Practitioners -----------------------------------------------------------------------


@login_required
def my_certificate(request, code: str):
    certificate = get_object_or_404(Certificate, code=code.upper(), user=request.user)
    return _pdf(stored_pdf(certificate), f"certificate-{certificate.code}.pdf")


@login_required
def statement(request):
    """The CPD statement for a period: a page, or its PDF or CSV (?format=pdf|csv)."""
    try:
        financial_year = int(request.GET["fy"]) if request.GET.get("fy") else None
        start = date.fromisoformat(request.GET["start"]) if request.GET.get("start") else None
        end = date.fromisoformat(request.GET["end"]) if request.GET.get("end") else None
        start, end = services.statement_period(start=start, end=end, financial_year=financial_year)
        error = None
    except (ValueError, ValidationError) as problem:
        start, end = services.statement_period()
        error = BAD_PERIOD if isinstance(problem, ValueError) else " ".join(problem.messages)
    rows, total = services.statement_rows(user=request.user, start=start, end=end)
    context = {"name": request.user.full_name, "start": start, "end": end, "rows": rows, "total": total}
    fmt = request.GET.get("format")
    if fmt == "pdf" and not error:
        body = statement_pdf({**context, "verify_base": f"{settings.SITE_URL}/certificates/verify/"})
        return _pdf(body, f"cpd-statement-{start}-{end}.pdf", inline=False)
    if fmt == "csv" and not error:
        header = ["Date", "Session", "Hosted by", "CPD hours", "Certificate code"]
        lines = [[row["date"].isoformat(), row["title"], row["partnership"], row["hours"], row["code"]] for row in rows]
        lines.append(["", "Total", "", total, ""])
        return core_csv.csv_response(f"cpd-statement-{start}-{end}.csv", header, lines)
    today = timezone.localdate()
    this_fy = today.year + 1 if today.month >= 7 else today.year
    return render(
        request,
        "certificates/statement_page.html",
        {
            **context,
            "error": error,
            "financial_years": [this_fy, this_fy - 1, this_fy - 2],
            "query": request.GET.urlencode(),
        },
    )


# --- Coordinators ------------------------------------------------------------------------


CERTIFICATES_PER_PAGE = 100
HISTORY_SHOWN = 50


@login_required
def event_certificates(request, slug: str, event_id: int):
    """A page of attendees with their certificates, and the latest superseded or revoked ones."""
    partnership, event = partnership_event_get_managed(
        user=request.user, slug=slug, event_id=event_id, related=("partnership",)
    )
    attended = (
        registration_selectors.registrations_attended(event=event, with_account=False)
        .select_related("user")
        .order_by("user__full_name", "pk")
    )
    page, page_query = page_of(request, attended, CERTIFICATES_PER_PAGE)
    certificates = selectors.certificates_for_event(event=event)
    valid = {
        c.registration_id: c for c in certificates.filter(status=Certificate.Status.VALID, registration__in=list(page))
    }
    history = certificates.exclude(status=Certificate.Status.VALID)
    batch = event.certificate_batches.first()
    return render(
        request,
        "certificates/event_certificates.html",
        {
            "partnership": partnership,
            "event": event,
            "page": page,
            "page_query": page_query,
            "rows": [(r, valid.get(r.pk)) for r in page],
            "history": list(history[:HISTORY_SHOWN]),
            "history_count": history.count(),
            "batch": batch,
            "valid_count": certificates.filter(status=Certificate.Status.VALID).count(),
        },
    )


@login_required
@require_POST
def event_certificates_issue(request, slug: str, event_id: int):
    _, event = partnership_event_get_managed(user=request.user, slug=slug, event_id=event_id, related=("partnership",))
    if event.start <= timezone.now() and not services.certificates_pending_count(event=event):
        messages.info(request, "Nothing to issue: everyone marked as attended already has a certificate.")
        return redirect("event-certificates", slug=slug, event_id=event.pk)
    try:
        batch = services.certificate_batch_start(event=event, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            f"Issuing {batch.total} certificate{'s' if batch.total != 1 else ''}: "
            "the bar below shows the progress; you can leave this page.",
        )
    return redirect("event-certificates", slug=slug, event_id=event.pk)


@login_required
def batch_progress(request, slug: str, batch_id: int):
    partnership = partnership_get_managed(user=request.user, slug=slug)
    batch = get_object_or_404(CertificateBatch, pk=batch_id, event__partnership=partnership)
    return JsonResponse(
        {
            "status": batch.status,
            "done": batch.done,
            "total": batch.total,
            "percent": batch.percent,
            "error": batch.error,
        }
    )


@login_required
@require_http_methods(["POST"])
def registration_certificate(request, slug: str, registration_id: int):
    """Issue or re-issue one certificate, optionally with partial attendance (minutes)."""
    partnership = partnership_get_managed(user=request.user, slug=slug)
    registration = registration_selectors.registration_get_in_partnership(
        registration_id=registration_id, partnership=partnership
    )
    if registration is None:
        raise Http404
    try:
        minutes = request.POST.get("minutes_attended", "").strip()
        if minutes or "minutes_attended" in request.POST:
            services.attendance_minutes_set(registration=registration, minutes=int(minutes) if minutes else None)
        certificate = services.certificate_issue(registration=registration, by=request.user)
    except ValueError:
        messages.error(request, "Minutes attended must be a whole number.")
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"Certificate {certificate.display_code} issued to {certificate.recipient_name}.")
    return redirect("event-certificates", slug=slug, event_id=registration.event_id)


@login_required
@require_POST
def certificate_revoke(request, slug: str, code: str):
    partnership = partnership_get_managed(user=request.user, slug=slug)
    certificate = get_object_or_404(Certificate, code=code, event__partnership=partnership)
    try:
        services.certificate_revoke(certificate=certificate, by=request.user, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"Certificate {certificate.display_code} is revoked.")
    return redirect("event-certificates", slug=slug, event_id=certificate.event_id)


def _valid_certificates(event):
    return list(Certificate.objects.filter(event=event, status=Certificate.Status.VALID).order_by("recipient_name"))


@login_required
def event_certificates_zip(request, slug: str, event_id: int):
    _, event = partnership_event_get_managed(user=request.user, slug=slug, event_id=event_id, related=("partnership",))
    certificates = _valid_certificates(event)
    if not certificates:
        raise Http404
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for certificate in certificates:
            safe = "".join(ch if ch.isalnum() else "-" for ch in certificate.recipient_name).strip("-")[:60]
            archive.writestr(f"{safe}-{certificate.code}.pdf", stored_pdf(certificate))
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="certificates-{event.pk}.zip"'
    return response


@login_required
def event_certificates_pdf(request, slug: str, event_id: int):
    """All of a session's certificates as one printable PDF (the stored PDFs, page after page)."""
    from pypdf import PdfWriter

    _, event = partnership_event_get_managed(user=request.user, slug=slug, event_id=event_id, related=("partnership",))
    certificates = _valid_certificates(event)
    if not certificates:
        raise Http404
    writer = PdfWriter()
    for certificate in certificates:
        writer.append(io.BytesIO(stored_pdf(certificate)))
    out = io.BytesIO()
    writer.write(out)
    return _pdf(out.getvalue(), f"certificates-{event.pk}.pdf")
