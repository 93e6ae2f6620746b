from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from ninja import Query, Router, Status
from ninja.pagination import paginate

from accounts.models import Partnership, Sector
from accounts.permissions import partnership_get_managed
from core.schemas import ErrorOut
from core.types import DbId
from registrations.selectors import registration_get_for_user

from . import selectors, services
from .periods import Period, period_resolve
from .schemas import (
    FeedbackIn,
    FeedbackOut,
    FeedbackQuery,
    MyFeedbackOut,
    PeriodQuery,
    QuoteIn,
    ReportOut,
    TableKey,
    report_data,
)
from .tables import BUILDERS
from .views import csv_response, pdf_response, report_pdf_bytes

router = Router(tags=["reports"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
SECTOR_UNKNOWN = "Unknown sector: {slug}."


def _file(content_type: str, description: str) -> dict:
    return {
        "responses": {
            "200": {
                "description": description,
                "content": {content_type: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    }


def _period(partnership: Partnership, query: PeriodQuery) -> Period:
    return period_resolve(
        today=timezone.localdate(timezone=partnership.zone),
        date_from=query.date_from,
        date_to=query.date_to,
        preset=query.preset,
    )


@router.get("/partnerships/{slug}/report", response={200: ReportOut, **ERRORS})
def get_report(request, slug: str, query: Query[PeriodQuery]):
    """Every figure of the partnership's report for a period (default: the last 12 months).

    Coordinators of the partnership only. Shares are 0–1; times are local to the partnership.
    """
    partnership = partnership_get_managed(user=request.auth, slug=slug)
    report = selectors.report_build(partnership=partnership, period=_period(partnership, query))
    return report_data(report)


@router.get(
    "/partnerships/{slug}/report/{table}.csv",
    response={200: None, **ERRORS},
    openapi_extra=_file("text/csv", "One table of the report, as CSV (UTF-8, a header row, totals last)"),
)
def get_report_table_csv(request, slug: str, table: TableKey, query: Query[PeriodQuery]):
    """One table of the report as CSV: sessions, sector-mix, practitioners, organisations, feedback, ratings,
    connections or waitlist."""
    partnership = partnership_get_managed(user=request.auth, slug=slug)
    period = _period(partnership, query)
    report = selectors.report_build(partnership=partnership, period=period)
    return csv_response(BUILDERS[table](report), partnership=partnership, period=period)


@router.get(
    "/partnerships/{slug}/report.pdf",
    response={200: None, **ERRORS},
    openapi_extra=_file("application/pdf", "The printable report for funders (A4)"),
)
def get_report_pdf(request, slug: str, query: Query[PeriodQuery]):
    """The printable report (A4 PDF): figures, charts, tables, co-hosts and the picked anonymous quotes."""
    partnership = partnership_get_managed(user=request.auth, slug=slug)
    period = _period(partnership, query)
    report = selectors.report_build(partnership=partnership, period=period)
    return pdf_response(report_pdf_bytes(report), partnership=partnership, period=period)


@router.get("/partnerships/{slug}/feedback", response={200: list[FeedbackOut], **ERRORS})
@paginate
def list_feedback(request, slug: str, query: Query[FeedbackQuery]):
    """Responses in the period (newest sessions first), for the partnership's coordinators. Names only
    where the respondent agreed."""
    partnership = partnership_get_managed(user=request.auth, slug=slug)
    responses = selectors.feedback_list_for_partnership(
        partnership=partnership, period=_period(partnership, query), event_id=query.event_id
    )
    return responses


@router.patch("/feedback/{feedback_id}", response={200: FeedbackOut, **ERRORS})
def update_feedback_quote(request, feedback_id: DbId, payload: QuoteIn):
    """Pick the answer to quote (anonymously) in reports, or none. Only if the respondent agreed."""
    feedback = selectors.feedback_get_for_coordinator(feedback_id=feedback_id, user=request.auth)
    if feedback is None:
        raise Http404
    services.feedback_quote_select(feedback=feedback, quote_field=payload.quote_field or "", by=request.auth)
    return selectors.feedback_get_for_coordinator(feedback_id=feedback.pk, user=request.auth)


def _own_attended_registration(request, registration_id: int):
    registration = registration_get_for_user(user=request.auth, registration_id=registration_id)
    if registration is None or registration.user_id != request.auth.pk:
        raise Http404
    return registration


def _my_feedback(registration) -> dict:
    feedback = selectors.feedback_for_registration(registration_id=registration.pk)
    reason = None
    if not services.is_attendee(registration):
        reason = services.FEEDBACK_NOT_ATTENDED
    elif feedback is not None and timezone.now() >= feedback.editable_until:
        reason = services.FEEDBACK_EDIT_CLOSED
    answers = None
    if feedback is not None:
        answers = {
            "rating": feedback.rating,
            "would_recommend": feedback.would_recommend,
            "most_useful": feedback.most_useful,
            "do_differently": feedback.do_differently,
            "new_contacts": feedback.new_contacts,
            "sectors_connected": [s.slug for s in feedback.sectors_connected.all()],
            "comments": feedback.comments,
            "consent_quote": feedback.consent_quote,
            "consent_name": feedback.consent_name,
            "submitted_at": feedback.submitted_at,
            "updated_at": feedback.updated_at,
        }
    return {
        "registration_id": registration.pk,
        "event_id": registration.event_id,
        "event_title": registration.event.title,
        "can_answer": reason is None,
        "reason": reason,
        "editable_until": feedback.editable_until if feedback else None,
        "feedback": answers,
    }


@router.get("/registrations/{registration_id}/feedback", response={200: MyFeedbackOut, **ERRORS})
def get_my_feedback(request, registration_id: DbId):
    """One's own feedback on a session one attended (and whether it can be given or changed now)."""
    return _my_feedback(_own_attended_registration(request, registration_id))


@router.put("/registrations/{registration_id}/feedback", response={200: MyFeedbackOut, 201: MyFeedbackOut, **ERRORS})
def put_my_feedback(request, registration_id: DbId, payload: FeedbackIn):
    """Give feedback on a session one attended (201), or change it within a week of first giving it (200)."""
    registration = _own_attended_registration(request, registration_id)
    slugs = list(dict.fromkeys(payload.sectors_connected))
    sectors = list(Sector.objects.filter(slug__in=slugs))
    missing = sorted(set(slugs) - {s.slug for s in sectors})
    if missing:
        raise ValidationError({"sectors_connected": SECTOR_UNKNOWN.format(slug=missing[0])})
    _, created = services.feedback_submit(
        registration=registration, **payload.dict(exclude={"sectors_connected"}), sectors_connected=sectors
    )
    return Status(201 if created else 200, _my_feedback(registration))
