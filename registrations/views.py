import csv
import hashlib
import json

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from accounts.views import get_coordinated_partnership_or_404
from config.pages import page_of
from events.models import Event
from events.selectors import event_get_visible

from . import selectors, services
from .forms import CapacityForm, CheckInForm, DeleteAccountForm, RegistrationForm, RosterFilterForm, WalkInForm
from .models import Registration


def _messages_for(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _back(request, default: str) -> str:
    target = request.POST.get("next") or default
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def check_in_url(registration: Registration) -> str:
    path = reverse("check-in", kwargs={"slug": registration.event.partnership.slug, "event_id": registration.event_id})
    return f"{settings.SITE_URL}{path}?code={registration.check_in_code}"


QR_MASK = 0  # a fixed mask: segno otherwise scores all eight, which is most of a QR code's cost
QR_CACHE_SECONDS = 60 * 60 * 24 * 30
MY_SESSIONS_PER_PAGE = 20
ROSTER_PER_PAGE = 100


def qr_svg(data: str, title: str) -> str:
    """An inline, accessible SVG QR code (segno)."""
    return segno.make(data, error="m", mask=QR_MASK).svg_inline(
        scale=4, border=2, title=title, dark="#000", light="#fff"
    )


def _qr_key(data: str, title: str) -> str:
    return "qr:" + hashlib.sha256(f"{QR_MASK}|{data}|{title}".encode()).hexdigest()


def check_in_qr_svgs(registrations) -> dict[int, str]:
    """The check-in QR codes of these registrations, each rendered once and then kept in the cache
    (keyed by what it encodes, so a new code or address is a new image): one cache round trip."""
    wanted = {r.pk: (check_in_url(r), f"Check-in code {r.display_code}") for r in registrations}
    keys = {pk: _qr_key(*args) for pk, args in wanted.items()}
    found = cache.get_many(list(keys.values()))
    made = {}
    svgs = {}
    for pk, key in keys.items():
        svg = found.get(key)
        if svg is None:
            svg = made[key] = qr_svg(*wanted[pk])
        svgs[pk] = svg
    if made:
        cache.set_many(made, QR_CACHE_SECONDS)
    return svgs


# --- Practitioners -----------------------------------------------------------------------


@login_required
@require_POST
def register(request, event_id: int):
    event = event_get_visible(user=request.user, event_id=event_id)
    if event is None:
        raise Http404
    form = RegistrationForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(event.get_absolute_url())
    try:
        registration, created = services.registration_create(event=event, user=request.user, **form.cleaned_data)
    except ValidationError as error:
        _messages_for(request, error)
    else:
        if not created:
            messages.info(request, "You were already registered.")
        elif registration.status == Registration.Status.CONFIRMED:
            messages.success(request, "You're registered. Your check-in code is on “My sessions”.")
        else:
            messages.success(
                request,
                f"The session is full: you're number {registration.waitlist_position} on the waitlist. "
                "If a place frees up you get it automatically, and we'll tell you.",
            )
    return redirect(event.get_absolute_url())


@login_required
@require_POST
def registration_cancel(request, registration_id: int):
    registration = selectors.registration_get_for_user(user=request.user, registration_id=registration_id)
    if registration is None:
        raise Http404
    try:
        services.registration_cancel(registration=registration, by=request.user)
    except ValidationError as error:
        _messages_for(request, error)
    else:
        if registration.user_id == request.user.pk:
            messages.success(request, "Your registration is cancelled.")
        else:
            messages.success(request, f"{registration.user or 'The registration'} is removed.")
    return redirect(_back(request, registration.event.get_absolute_url()))


@login_required
@require_POST
def registration_details(request, registration_id: int):
    registration = get_object_or_404(Registration, pk=registration_id, user=request.user)
    form = RegistrationForm(request.POST, instance=registration)
    if form.is_valid():
        services.registration_update_details(registration=registration, **form.cleaned_data)
        messages.success(request, "Your details for this session are saved.")
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect(registration.event.get_absolute_url())


@login_required
def my_sessions(request):
    """Upcoming and past sessions, a page of each; QR codes only for the confirmed ones shown."""
    from certificates.models import Certificate

    upcoming, upcoming_query = page_of(
        request, selectors.registration_list_for_user(user=request.user, when="upcoming"), MY_SESSIONS_PER_PAGE
    )
    past, past_query = page_of(
        request, selectors.registration_list_for_user(user=request.user, when="past"), MY_SESSIONS_PER_PAGE, "past"
    )
    valid = {
        c.registration_id: c
        for c in Certificate.objects.filter(user=request.user, status="valid", registration_id__in=[r.pk for r in past])
    }
    for registration in past:
        registration.valid_certificate = valid.get(registration.pk)
    shown = [
        r for r in upcoming if r.status == Registration.Status.CONFIRMED and r.event.status != Event.Status.CANCELLED
    ]
    qr = check_in_qr_svgs(shown)
    for registration in shown:
        registration.qr = qr[registration.pk]
    return render(
        request,
        "registrations/my_sessions.html",
        {"upcoming": upcoming, "past": past, "upcoming_query": upcoming_query, "past_query": past_query},
    )


@login_required
def attendees(request, event_id: int):
    event = event_get_visible(user=request.user, event_id=event_id)
    if event is None or not selectors.can_see_attendees(event=event, user=request.user):
        raise Http404
    return render(
        request,
        "registrations/attendees.html",
        {"event": event, "attendees": selectors.attendee_list(event=event), "mix": selectors.sector_mix(event=event)},
    )


@login_required
def my_data(request):
    data = services.user_export_data(user=request.user)
    response = HttpResponse(json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="crossroads-data-{timezone.localdate()}.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request):
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        services.user_delete_account(user=user)
        messages.success(request, "Your account is deleted. Thank you for taking part.")
        return redirect("home")
    return render(request, "registrations/delete_account.html", {"form": form})


# --- Coordinators ------------------------------------------------------------------------


def _managed_event(request, slug: str, event_id: int):
    partnership = get_coordinated_partnership_or_404(request, slug)
    event = event_get_visible(user=request.user, event_id=event_id)
    if event is None or event.partnership_id != partnership.pk:
        raise Http404
    return partnership, event


ROSTER_COLUMNS = [
    "Name",
    "Email",
    "Organisation",
    "Sector",
    "Status",
    "Waitlist position",
    "Attendance",
    "Source",
    "Needs",
    "Registered at",
]


@login_required
def roster(request, slug: str, event_id: int):
    partnership, event = _managed_event(request, slug, event_id)
    filters = RosterFilterForm(request.GET or None)
    values = filters.cleaned_data if filters.is_valid() else {}
    entries = selectors.roster(event=event, status=values.get("status") or None, q=values.get("q") or None)
    if request.GET.get("format") == "csv":
        return _roster_csv(event, entries)
    page, page_query = page_of(request, entries, ROSTER_PER_PAGE)
    return render(
        request,
        "registrations/roster.html",
        {
            "partnership": partnership,
            "event": event,
            "entries": page,
            "page_query": page_query,
            "counts": selectors.roster_counts(event=event),
            "filters": filters,
            "walk_in_form": WalkInForm(),
            "capacity_form": CapacityForm(initial={"capacity": event.capacity}),
            "query": request.GET.urlencode(),
            "started": event.start <= timezone.now(),
        },
    )


def _roster_csv(event: Event, entries) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="roster-{event.pk}-{event.local_start:%Y-%m-%d}.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 CSV correctly with a BOM
    writer = csv.writer(response)
    writer.writerow(ROSTER_COLUMNS)
    for r in entries:
        user = r.user
        writer.writerow(
            [
                _csv_safe(user.full_name if user else "Former member"),
                _csv_safe(user.email if user else ""),
                _csv_safe(user.organisation if user else ""),
                r.sector.name if r.sector else "",
                r.get_status_display(),
                r.waitlist_position or "",
                r.get_attendance_display(),
                r.get_source_display(),
                _csv_safe(r.needs),
                timezone.localtime(r.created_at, event.zone).strftime("%Y-%m-%d %H:%M"),
            ]
        )
    return response


def _csv_safe(value: str) -> str:
    """Neutralise spreadsheet formulas (CSV injection) in free text."""
    value = value or ""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@login_required
@require_POST
def roster_walk_in(request, slug: str, event_id: int):
    _, event = _managed_event(request, slug, event_id)
    form = WalkInForm(request.POST)
    if form.is_valid():
        try:
            registration = services.walk_in_add(event=event, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _messages_for(request, error)
        else:
            messages.success(request, f"{registration.user.full_name} is added and checked in.")
    else:
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(request, f"{form.fields[field].label if field in form.fields else ''}: {error}")
    return redirect(_back(request, reverse("roster", kwargs={"slug": slug, "event_id": event.pk})))


@login_required
@require_POST
def roster_capacity(request, slug: str, event_id: int):
    _, event = _managed_event(request, slug, event_id)
    form = CapacityForm(request.POST)
    if form.is_valid():
        try:
            services.event_capacity_change(event=event, capacity=form.cleaned_data["capacity"])
        except ValidationError as error:
            _messages_for(request, error)
        else:
            messages.success(request, f"Capacity is now {form.cleaned_data['capacity']}.")
    else:
        messages.error(request, "Capacity must be a whole number of at least 1.")
    return redirect("roster", slug=slug, event_id=event.pk)


def _managed_registration(request, slug: str, registration_id: int) -> Registration:
    partnership = get_coordinated_partnership_or_404(request, slug)
    return get_object_or_404(
        Registration.objects.select_related("event", "user"), pk=registration_id, event__partnership=partnership
    )


@login_required
@require_POST
def roster_attendance(request, slug: str, registration_id: int):
    registration = _managed_registration(request, slug, registration_id)
    attended = request.POST.get("attended") == "yes"
    try:
        services.attendance_mark(registration=registration, attended=attended, by=request.user)
    except ValidationError as error:
        _messages_for(request, error)
    default = reverse("roster", kwargs={"slug": slug, "event_id": registration.event_id})
    return redirect(_back(request, default))


@login_required
@require_POST
def roster_top(request, slug: str, registration_id: int):
    registration = _managed_registration(request, slug, registration_id)
    try:
        services.waitlist_move_to_top(registration=registration)
    except ValidationError as error:
        _messages_for(request, error)
    return redirect("roster", slug=slug, event_id=registration.event_id)


@login_required
@require_POST
def roster_finalise(request, slug: str, event_id: int):
    _, event = _managed_event(request, slug, event_id)
    try:
        no_shows = services.attendance_finalise(event=event, by=request.user)
    except ValidationError as error:
        _messages_for(request, error)
    else:
        messages.success(request, f"Attendance is final: {no_shows} marked as no-show.")
    return redirect("roster", slug=slug, event_id=event.pk)


@login_required
@require_http_methods(["GET", "POST"])
def check_in(request, slug: str, event_id: int):
    """The door: a code typed, or read by the phone's camera, marks attendance."""
    partnership, event = _managed_event(request, slug, event_id)
    form = CheckInForm(request.POST or None, initial={"code": request.GET.get("code", "")})
    checked = None
    if request.method == "POST" and form.is_valid():
        try:
            checked = services.attendance_check_in(event=event, code=form.cleaned_data["code"], by=request.user)
        except ValidationError as error:
            form.add_error("code", error.messages[0])
        else:
            form = CheckInForm()
    arrived = (
        event.registrations.filter(attendance=Registration.Attendance.ATTENDED, status=Registration.Status.CONFIRMED)
        .select_related("user", "sector")
        .order_by("-attendance_marked_at")
    )
    return render(
        request,
        "registrations/check_in.html",
        {
            "partnership": partnership,
            "event": event,
            "form": form,
            "checked": checked,
            "arrived": arrived,
            "counts": selectors.roster_counts(event=event),
        },
    )
