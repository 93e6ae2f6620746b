import csv
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
from django_ratelimit.decorators import ratelimit

from accounts.views import get_coordinated_partnership_or_404
from config.pages import page_of
from events.models import Event
from registrations.models import Registration

from . import selectors, services
from .models import Certificate, CertificateBatch
from .openbadges import credential
from .rendering import statement_pdf

VERIFY_RATE = "30/m"
BAD_PERIOD = "Use dates as YYYY-MM-DD, with the start before the end."


def _pdf(body: bytes, filename: str, *, inline: bool = True) -> HttpResponse:
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def stored_pdf(certificate: Certificate) -> bytes:
    with certificate.pdf.open("rb") as handle:
        return handle.read()


# --- Public verification -----------------------------------------------------------------


@ratelimit(key="ip", rate=VERIFY_RATE, block=True)
def verify(request, code: str):
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


@ratelimit(key="ip", rate=VERIFY_RATE, block=True)
def verify_json(request, code: str):
    certificate = selectors.certificate_by_code(code)
    if certificate is None:
        return JsonResponse({"detail": "No certificate has this code."}, status=404)
    facts = selectors.verification(certificate)
    return JsonResponse({k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in facts.items()})


@ratelimit(key="ip", rate=VERIFY_RATE, block=True)
def badge(request, code: str):
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
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["Date", "Session", "Hosted by", "CPD hours", "Certificate code"])
        for row in rows:
            writer.writerow([row["date"].isoformat(), row["title"], row["partnership"], row["hours"], row["code"]])
        writer.writerow(["", "Total", "", total, ""])
        response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="cpd-statement-{start}-{end}.csv"'
        return response
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


def _managed_event(request, slug: str, event_id: int):
    partnership = get_coordinated_partnership_or_404(request, slug)
    return partnership, get_object_or_404(
        Event.objects.select_related("partnership"), pk=event_id, partnership=partnership
    )


CERTIFICATES_PER_PAGE = 100
HISTORY_SHOWN = 50


@login_required
def event_certificates(request, slug: str, event_id: int):
    """A page of attendees with their certificates, and the latest superseded or revoked ones."""
    partnership, event = _managed_event(request, slug, event_id)
    attended = (
        Registration.objects.filter(event=event, status="confirmed", attendance="attended")
        .select_related("user")
        .order_by("user__full_name", "pk")
    )
    page, page_query = page_of(request, attended, CERTIFICATES_PER_PAGE)
    certificates = selectors.certificates_for_event(event=event)
    valid = {c.registration_id: c for c in certificates.filter(status="valid", registration__in=list(page))}
    history = certificates.exclude(status="valid")
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
            "valid_count": certificates.filter(status="valid").count(),
        },
    )


@login_required
@require_POST
def event_certificates_issue(request, slug: str, event_id: int):
    _, event = _managed_event(request, slug, event_id)
    try:
        batch = services.certificate_batch_start(event=event, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"Issuing {batch.total} certificate{'s' if batch.total != 1 else ''}…")
    return redirect("event-certificates", slug=slug, event_id=event.pk)


@login_required
def batch_progress(request, slug: str, batch_id: int):
    partnership = get_coordinated_partnership_or_404(request, slug)
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
    partnership = get_coordinated_partnership_or_404(request, slug)
    registration = get_object_or_404(
        Registration.objects.select_related("event"), pk=registration_id, event__partnership=partnership
    )
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
    partnership = get_coordinated_partnership_or_404(request, slug)
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
    return list(Certificate.objects.filter(event=event, status="valid").order_by("recipient_name"))


@login_required
def event_certificates_zip(request, slug: str, event_id: int):
    _, event = _managed_event(request, slug, event_id)
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

    _, event = _managed_event(request, slug, event_id)
    certificates = _valid_certificates(event)
    if not certificates:
        raise Http404
    writer = PdfWriter()
    for certificate in certificates:
        writer.append(io.BytesIO(stored_pdf(certificate)))
    out = io.BytesIO()
    writer.write(out)
    return _pdf(out.getvalue(), f"certificates-{event.pk}.pdf")
