"""Pages: the coordinators' dashboard (CSV per table, PDF report), the responses with quote picking,
and the feedback form that attendees open from the e-mailed link (no login needed)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import partnership_get_managed
from core import csv as core_csv
from core.pdf import render_pdf

from . import selectors, services
from .charts import report_charts
from .forms import FeedbackForm, PeriodForm, QuoteForm
from .periods import PRESETS, Period, period_for_preset, period_resolve, presets
from .tables import BUILDERS, key_figures, report_tables, table_rows

PDF_STYLESHEET = "reporting/report-print.css"
FEEDBACK_PAGE_SIZE = 20


def _period(request, partnership) -> tuple[Period, PeriodForm]:
    """The period the query string asks for (a preset, or dates); the default if it asks for nothing valid."""
    today = timezone.localdate(timezone=partnership.zone)
    preset = request.GET.get("preset", "")
    if preset in PRESETS:
        period = period_for_preset(preset, today=today)
        return period, PeriodForm(initial=period.as_query())
    form = PeriodForm(request.GET if ("date_from" in request.GET or "date_to" in request.GET) else None)
    if form.is_bound and form.is_valid():
        try:
            period = period_resolve(today=today, **form.cleaned_data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            return period, PeriodForm(initial=period.as_query())
    period = period_resolve(today=today)
    return period, form if form.is_bound else PeriodForm(initial=period.as_query())


def _range_query(period: Period) -> str:
    return urlencode(period.as_query())


def _form_errors(form, error: ValidationError) -> None:
    """A service's errors on the form's fields (or above the form, for other names)."""
    for field, errors in error.message_dict.items():
        for message in errors:
            form.add_error(field if field in form.fields else None, message)


@login_required
def dashboard(request, slug: str):
    partnership = partnership_get_managed(user=request.user, slug=slug)
    period, form = _period(request, partnership)
    report = selectors.report_build(partnership=partnership, period=period)
    today = timezone.localdate(timezone=partnership.zone)
    return render(
        request,
        "reporting/dashboard.html",
        {
            "partnership": partnership,
            "report": report,
            "tables": report_tables(report),
            "charts": report_charts(report),
            "figures": key_figures(report),
            "form": form,
            "presets": presets(today=today),
            "period": period,
            "range_query": _range_query(period),
        },
    )


@login_required
def report_csv(request, slug: str, table: str):
    partnership = partnership_get_managed(user=request.user, slug=slug)
    if table not in BUILDERS:
        raise Http404
    period, form = _period(request, partnership)
    if form.errors:
        return HttpResponseBadRequest("Invalid dates: " + "; ".join(e for errs in form.errors.values() for e in errs))
    report = selectors.report_build(partnership=partnership, period=period)
    return csv_response(BUILDERS[table](report), partnership=partnership, period=period)


def csv_response(table, *, partnership, period: Period) -> HttpResponse:
    filename = f"{partnership.slug}-{table.key}-{period.date_from:%Y-%m-%d}-to-{period.date_to:%Y-%m-%d}.csv"
    return core_csv.csv_response(filename, table.columns, table_rows(table), bom=False)


def report_pdf_bytes(report) -> bytes:
    html = render_to_string(
        "reporting/report_pdf.html",
        {
            "report": report,
            "tables": report_tables(report),
            "charts": report_charts(report),
            "figures": key_figures(report),
        },
    )
    return render_pdf(html, stylesheets=[PDF_STYLESHEET])


def pdf_response(pdf: bytes, *, partnership, period: Period) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"{partnership.slug}-report-{period.date_from:%Y-%m-%d}-to-{period.date_to:%Y-%m-%d}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def report_pdf(request, slug: str):
    partnership = partnership_get_managed(user=request.user, slug=slug)
    period, form = _period(request, partnership)
    if form.errors:
        return HttpResponseBadRequest("Invalid dates.")
    report = selectors.report_build(partnership=partnership, period=period)
    return pdf_response(report_pdf_bytes(report), partnership=partnership, period=period)


@login_required
def feedback_list(request, slug: str):
    """The responses, newest sessions first, without names unless the respondent agreed; quotes picked here."""
    partnership = partnership_get_managed(user=request.user, slug=slug)
    period, form = _period(request, partnership)
    sessions = selectors.feedback_sessions(partnership=partnership, period=period)
    try:
        event_id = int(request.GET.get("event") or 0) or None
    except ValueError:
        event_id = None
    if event_id not in {pk for pk, _ in sessions}:
        event_id = None
    responses = selectors.feedback_list_for_partnership(partnership=partnership, period=period, event_id=event_id)
    page = Paginator(responses, FEEDBACK_PAGE_SIZE).get_page(request.GET.get("page"))
    for feedback in page.object_list:
        feedback.respondent = selectors.respondent_name(feedback)
        feedback.quote_form = QuoteForm(feedback=feedback) if feedback.consent_quote else None
    query = {**period.as_query(), **({"event": event_id} if event_id else {})}
    return render(
        request,
        "reporting/feedback_list.html",
        {
            "partnership": partnership,
            "period": period,
            "form": form,
            "sessions": sessions,
            "event_id": event_id,
            "page": page,
            "query": urlencode(query),
            "range_query": _range_query(period),
        },
    )


@login_required
@require_POST
def feedback_quote(request, slug: str, feedback_id: int):
    partnership = partnership_get_managed(user=request.user, slug=slug)
    feedback = selectors.feedback_get_for_coordinator(feedback_id=feedback_id, user=request.user)
    if feedback is None or feedback.registration.event.partnership_id != partnership.pk:
        raise Http404
    form = QuoteForm(request.POST, feedback=feedback)
    if form.is_valid():
        try:
            services.feedback_quote_select(
                feedback=feedback, quote_field=form.cleaned_data["quote_field"], by=request.user
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request, "The quote is in the report." if form.cleaned_data["quote_field"] else "Not quoted any more."
            )
    else:
        messages.error(request, "Choose one of the answers to quote.")
    target = request.POST.get("next") or reverse("reports-feedback", kwargs={"slug": slug})
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("reports-feedback", kwargs={"slug": slug})
    return redirect(f"{target}#feedback-{feedback.pk}" if "#" not in target else target)


def _private(response: HttpResponse) -> HttpResponse:
    """The link's token is the credential: keep the page out of shared caches and search indexes.

    The site's Referrer-Policy (same-origin) already keeps the URL from other sites. Not "no-referrer":
    browsers then send `Origin: null` with the form, and Django's CSRF check refuses it.
    """
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_http_methods(["GET", "POST"])
def feedback_answer(request, token: str):
    """The feedback form, opened from the e-mailed link by whoever holds it (logged in or not)."""
    feedback_request = selectors.feedback_request_get_by_token(token=token)
    if feedback_request is None:
        raise Http404
    registration = feedback_request.registration
    event = registration.event
    feedback = selectors.feedback_for_registration(registration_id=registration.pk)
    context = {"event": event, "partnership": event.partnership, "feedback": feedback}
    if not services.feedback_link_usable(feedback_request=feedback_request, feedback=feedback):
        return _private(render(request, "reporting/feedback_closed.html", {**context, "expired": True}, status=410))
    if feedback is not None and timezone.now() >= feedback.editable_until:
        return _private(render(request, "reporting/feedback_closed.html", {**context, "final": True}))
    form = FeedbackForm.for_feedback(feedback, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            feedback, created = services.feedback_submit_with_link(
                feedback_request=feedback_request, **form.cleaned_data
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            until = timezone.localtime(feedback.editable_until, event.zone)
            messages.success(
                request,
                f"Thank you: your feedback is {'in' if created else 'updated'}. "
                f"You can change it with the same link until {until:%-d %B %Y}.",
            )
            return _private(redirect(request.path))
    context.update(
        {
            "form": form,
            "editable_until": timezone.localtime(feedback.editable_until, event.zone) if feedback else None,
            "is_attendee": services.is_attendee(registration),
        }
    )
    return _private(render(request, "reporting/feedback_form.html", context))
