import io
import zipfile
from datetime import date, datetime
from typing import Annotated

from django.http import Http404, HttpResponse
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from accounts.auth import PUBLIC
from core.ratelimit import VERIFY_GROUP, VERIFY_RATE, limit
from core.schemas import ErrorOut
from core.types import DbId
from events.permissions import event_get_managed
from registrations.models import Registration
from registrations.selectors import registration_get_for_user

from . import selectors, services
from .models import Certificate
from .openbadges import credential
from .rendering import statement_pdf

router = Router(tags=["certificates"])
FinancialYear = Annotated[int, Field(ge=2000, le=2100, description="e.g. 2027 for 1 July 2026 – 30 June 2027")]
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
NOT_ATTENDED_409 = "This registration was not marked as attended: there is no certificate."


def _binary(content_type: str, description: str) -> dict:
    return {
        "responses": {
            "200": {
                "description": description,
                "content": {content_type: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    }


class VerificationOut(Schema):
    code: str
    status: str = Field(..., description="valid, superseded or revoked")
    recipient_name: str
    event_title: str
    start: datetime
    end: datetime
    time_zone: str
    partnership: str
    cohosts: list[str]
    cpd_hours: float
    signatory_name: str
    signatory_role: str
    issued_at: datetime
    revoked_at: datetime | None
    superseded_by: str | None
    url: str


class CertificateOut(Schema):
    code: str
    status: str
    recipient_name: str
    event_id: int | None
    registration_id: int | None
    cpd_hours: float
    minutes_attended: int
    issued_at: datetime
    revoked_at: datetime | None
    revoke_reason: str


class IssueIn(Schema):
    minutes_attended: int | None = Field(
        None, ge=1, le=1440, description="Partial attendance; empty: the whole session."
    )


class RevokeIn(Schema):
    reason: str = Field(..., min_length=1, max_length=2000)


class BatchOut(Schema):
    id: int
    status: str
    total: int
    done: int
    percent: int
    error: str


class StatementRowOut(Schema):
    date: date
    title: str
    partnership: str
    hours: float
    code: str


class StatementOut(Schema):
    start: date
    end: date
    total_hours: float
    sessions: list[StatementRowOut]


@router.get("/certificates/verify/{code}", response={200: VerificationOut, 404: ErrorOut, 429: ErrorOut}, auth=PUBLIC)
def verify_certificate(request, code: str):
    """Anyone can check a certificate: its status and every fact printed on it (no e-mail, nothing else).
    Rate-limited per address together with the verification page (429 with Retry-After)."""
    limit(request, group=VERIFY_GROUP, rate=VERIFY_RATE)
    certificate = selectors.certificate_by_code(code)
    if certificate is None:
        raise Http404
    return selectors.verification(certificate)


@router.get("/certificates/{code}/badge", response={200: dict, 404: ErrorOut, 429: ErrorOut}, auth=PUBLIC)
def certificate_badge(request, code: str):
    """The certificate as an Open Badges 3.0 OpenBadgeCredential (unsigned). Rate-limited with verification."""
    limit(request, group=VERIFY_GROUP, rate=VERIFY_RATE)
    certificate = selectors.certificate_by_code(code)
    if certificate is None:
        raise Http404
    return credential(certificate)


@router.get(
    "/registrations/{registration_id}/certificate.pdf",
    response={200: None, **ERRORS},
    openapi_extra=_binary("application/pdf", "The certificate of attendance"),
)
def registration_certificate_pdf(request, registration_id: DbId):
    """The owner's or the partnership's coordinators' (404 for anyone else; 409 when not attended)."""
    registration = registration_get_for_user(user=request.auth, registration_id=registration_id)
    if registration is None:
        raise Http404
    if (
        registration.attendance != Registration.Attendance.ATTENDED
        or registration.status != Registration.Status.CONFIRMED
    ):
        raise HttpError(409, NOT_ATTENDED_409)
    certificate = Certificate.objects.filter(registration=registration, status="valid").first()
    if certificate is None:
        raise HttpError(409, "No certificate has been issued for this registration yet.")
    response = HttpResponse(services.certificate_pdf_bytes(certificate=certificate), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{certificate.code}.pdf"'
    return response


@router.post("/registrations/{registration_id}/certificate", response={201: CertificateOut, **ERRORS})
def issue_certificate(request, registration_id: DbId, payload: IssueIn):
    """Issue or re-issue one certificate (coordinators). Re-issuing supersedes the previous one."""
    registration = registration_get_for_user(user=request.auth, registration_id=registration_id)
    if registration is None or not request.auth.is_coordinator_of(registration.event.partnership_id):
        raise Http404
    if "minutes_attended" in payload.dict(exclude_unset=True):
        services.attendance_minutes_set(registration=registration, minutes=payload.minutes_attended)
    return Status(201, services.certificate_issue(registration=registration, by=request.auth))


@router.post("/certificates/{code}/revoke", response={200: CertificateOut, **ERRORS})
def revoke_certificate(request, code: str, payload: RevokeIn):
    certificate = selectors.certificate_by_code(code)
    if (
        certificate is None
        or not certificate.event
        or not request.auth.is_coordinator_of(certificate.event.partnership_id)
    ):
        raise Http404
    return services.certificate_revoke(certificate=certificate, by=request.auth, reason=payload.reason)


@router.get("/events/{event_id}/certificates", response={200: list[CertificateOut], **ERRORS})
@paginate
def list_event_certificates(request, event_id: DbId):
    return selectors.certificates_for_event(event=event_get_managed(user=request.auth, event_id=event_id))


@router.post("/events/{event_id}/certificates", response={202: BatchOut, **ERRORS})
def issue_event_certificates(request, event_id: DbId):
    """Issue certificates to everyone who attended and has none (a Celery task; poll the batch)."""
    batch = services.certificate_batch_start(
        event=event_get_managed(user=request.auth, event_id=event_id), by=request.auth
    )
    batch.refresh_from_db()
    return Status(202, batch)


@router.get("/certificate-batches/{batch_id}", response={200: BatchOut, **ERRORS})
def get_certificate_batch(request, batch_id: DbId):
    from .models import CertificateBatch

    batch = CertificateBatch.objects.select_related("event").filter(pk=batch_id).first()
    if batch is None or not request.auth.is_coordinator_of(batch.event.partnership_id):
        raise Http404
    return batch


@router.get(
    "/events/{event_id}/certificates.zip",
    response={200: None, **ERRORS},
    openapi_extra=_binary("application/zip", "The session's valid certificates (the stored PDFs)"),
)
def event_certificates_zip(request, event_id: DbId):
    event = event_get_managed(user=request.auth, event_id=event_id)
    certificates = list(Certificate.objects.filter(event=event, status="valid").order_by("recipient_name"))
    if not certificates:
        raise Http404
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for certificate in certificates:
            archive.writestr(
                f"certificate-{certificate.code}.pdf", services.certificate_pdf_bytes(certificate=certificate)
            )
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="certificates-{event.pk}.zip"'
    return response


@router.get("/me/cpd-statement", response={200: StatementOut, **ERRORS})
def cpd_statement(
    request,
    start: date | None = None,
    end: date | None = None,
    financial_year: FinancialYear | None = None,
):
    """Attended sessions in a period (default: the last 12 months; or an Australian financial year)."""
    start, end = services.statement_period(start=start, end=end, financial_year=financial_year)
    rows, total = services.statement_rows(user=request.auth, start=start, end=end)
    return {"start": start, "end": end, "total_hours": float(total), "sessions": rows}


@router.get(
    "/me/cpd-statement.pdf",
    response={200: None, **ERRORS},
    openapi_extra=_binary("application/pdf", "The CPD statement"),
)
def cpd_statement_pdf(request, start: date | None = None, end: date | None = None):
    from django.conf import settings

    start, end = services.statement_period(start=start, end=end)
    rows, total = services.statement_rows(user=request.auth, start=start, end=end)
    body = statement_pdf(
        {
            "name": request.auth.full_name,
            "start": start,
            "end": end,
            "rows": rows,
            "total": total,
            "verify_base": f"{settings.SITE_URL}/certificates/verify/",
        }
    )
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="cpd-statement-{start}-{end}.pdf"'
    return response
