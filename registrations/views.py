import json
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.backends.utils import csrf_input
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import partnership_get_managed
from core import csv as core_csv
from core.headers import permissions_policy
from core.pages import page_of
from events import selectors as event_selectors
from events.models import Event
from events.permissions import event_get_visible_or_404, partnership_event_get_managed
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


ROSTER_PER_PAGE = 100


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


def event_detail(request, event_id: int):
    """The session's page, with its registration panel (registrations owns seats and the form)."""
    event = event_get_visible_or_404(user=request.user, event_id=event_id)
    can_manage = request.user.is_authenticated and request.user.is_coordinator_of(event.partnership_id)
    registration = selectors.registration_for(event=event, user=request.user)
    return render(
        request,
        "events/detail.html",
        {
            "event": event,
            "can_manage": can_manage,
            "spaces_left": event.spaces_left,
            "show_online_link": event_selectors.event_can_see_online_link(event=event, user=request.user),
            "registration": registration,
            "registration_form": RegistrationForm(instance=registration),
            "sector_mix": selectors.sector_mix(event=event),
            "can_see_attendees": selectors.can_see_attendees(event=event, user=request.user),
            "now": timezone.now(),
        },
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
    "Offer held until",
]


@login_required
def roster(request, slug: str, event_id: int):
    partnership, event = partnership_event_get_managed(user=request.user, slug=slug, event_id=event_id)
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
            "rows": _roster_rows(partnership.slug, page, event.zone),
            "csrf_field": csrf_input(request),  # once, not a {% csrf_token %} per row's form
            "next": request.get_full_path(),
            "page_query": page_query,
            "counts": selectors.roster_counts(event=event),
            "filters": filters,
            "walk_in_form": WalkInForm(),
            "capacity_form": CapacityForm(initial={"capacity": event.capacity}),
            "query": request.GET.urlencode(),
            "started": event.start <= timezone.now(),
        },
    )


def _url_pattern(name: str, **kwargs) -> Callable[[int], str]:
    """reverse() once, with a placeholder id; each row's URL is then a substitution, not a reverse()."""
    placeholder = 2_147_483_647
    prefix, _, suffix = reverse(name, kwargs={**kwargs, "registration_id": placeholder}).partition(str(placeholder))
    return lambda pk: f"{prefix}{pk}{suffix}"


def _offer_until(moment, zone) -> str:
    return dateformat.format(timezone.localtime(moment, zone), "D j M, g:i a")


def _roster_rows(slug: str, page, zone) -> list[dict]:
    """The page's rows with everything the template shows worked out once (plain dicts: the template
    only looks keys up). Names, e-mails and needs stay plain strings, so the template escapes them."""
    attendance_url = _url_pattern("roster-attendance", slug=slug)
    top_url = _url_pattern("roster-top", slug=slug)
    cancel_url = _url_pattern("registration-cancel")
    statuses, attendances = dict(Registration.Status.choices), dict(Registration.Attendance.choices)
    sources = {value: label.lower() for value, label in Registration.Source.choices}
    confirmed, waitlisted = Registration.Status.CONFIRMED, Registration.Status.WAITLISTED
    rows = []
    for r in page:
        user = r.user
        status = r.status
        rows.append(
            {
                "user": user is not None,
                "name": user.full_name if user else "",
                "who": (user.full_name if user else "") or "former member",
                "email": user.email if user else "",
                "organisation": (user.organisation if user else "") or "—",
                "sector": r.sector.name if r.sector_id and r.sector else "—",
                "status": statuses.get(status, status),
                "position": r.waitlist_position,
                "source": "" if r.source == Registration.Source.SELF else sources.get(r.source, r.source),
                "attendance": attendances.get(r.attendance, r.attendance) if status == confirmed else "—",
                "needs": r.needs or "—",
                "confirmed": status == confirmed,
                "waitlisted": status == waitlisted,
                "offer_until": _offer_until(r.offer_expires_at, zone) if status == Registration.Status.OFFERED else "",
                "attended": r.attendance == Registration.Attendance.ATTENDED,
                "cancellable": status != Registration.Status.CANCELLED,
                "attendance_url": attendance_url(r.pk),
                "top_url": top_url(r.pk),
                "cancel_url": cancel_url(r.pk),
            }
        )
    return rows


def _roster_csv(event: Event, entries) -> HttpResponse:
    rows = (
        [
            user.full_name if (user := r.user) else "Former member",
            user.email if user else "",
            user.organisation if user else "",
            r.sector.name if r.sector else "",
            r.get_status_display(),
            r.waitlist_position or "",
            r.get_attendance_display(),
            r.get_source_display(),
            r.needs,
            timezone.localtime(r.created_at, event.zone).strftime("%Y-%m-%d %H:%M"),
            timezone.localtime(r.offer_expires_at, event.zone).strftime("%Y-%m-%d %H:%M") if r.offer_expires_at else "",
        ]
        for r in entries
    )
    return core_csv.csv_response(f"roster-{event.pk}-{event.local_start:%Y-%m-%d}.csv", ROSTER_COLUMNS, rows)


@login_required
@require_POST
def roster_walk_in(request, slug: str, event_id: int):
    _, event = partnership_event_get_managed(user=request.user, slug=slug, event_id=event_id)
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
    _, event = partnership_event_get_managed(user=request.user, slug=slug, event_id=event_id)
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
    partnership = partnership_get_managed(user=request.user, slug=slug)
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
@require_http_methods(["GET", "POST"])
def roster_finalise(request, slug: str, event_id: int):
    """A decision first (GET: what will happen), then the work in the background (POST).

    Unmarked people become no-shows at once; certificates are issued by a batch after commit and the
    coordinator is taken to its progress bar.
    """
    partnership, event = partnership_event_get_managed(user=request.user, slug=slug, event_id=event_id)
    if request.method == "POST":
        try:
            no_shows = services.attendance_finalise(event=event, by=request.user)
        except ValidationError as error:
            _messages_for(request, error)
            return redirect("roster", slug=slug, event_id=event.pk)
        messages.success(
            request,
            f"Attendance is final: {no_shows} marked as no-show. Certificates are being issued below; "
            "attendees get them, and the feedback form, by e-mail.",
        )
        return redirect("event-certificates", slug=slug, event_id=event.pk)
    counts = selectors.roster_counts(event=event)
    unmarked = list(
        event.registrations.filter(status=Registration.Status.CONFIRMED)
        .exclude(attendance=Registration.Attendance.ATTENDED)
        .select_related("user")
        .order_by("user__full_name", "pk")
    )
    return render(
        request,
        "registrations/finalise.html",
        {
            "partnership": partnership,
            "event": event,
            "counts": counts,
            "unmarked": unmarked,
            "started": event.start <= timezone.now(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@permissions_policy(camera="self")
def check_in(request, slug: str, event_id: int):
    """The door: a code typed or read by the phone's camera, or a name searched, marks attendance.

    Outside the check-in window the page says when the session is and takes a check-in only with
    "check in anyway" ticked.
    """
    partnership, event = partnership_event_get_managed(user=request.user, slug=slug, event_id=event_id)
    window_open = services.check_in_is_open(event)
    data = request.POST if request.method == "POST" and "code" in request.POST else None
    form = CheckInForm(data, initial={"code": request.GET.get("code", "")}, window_open=window_open)
    checked, search_error = None, None
    q = (request.POST.get("q") if request.method == "POST" else request.GET.get("q", "")) or ""
    q = q.strip()[:100]
    if request.method == "POST" and data is not None and form.is_valid():
        try:
            checked = services.attendance_check_in(
                event=event,
                code=form.cleaned_data["code"],
                by=request.user,
                override=form.cleaned_data.get("override", False),
            )
        except ValidationError as error:
            form.add_error("code", error.messages[0])
        else:
            form = CheckInForm(window_open=window_open)
    elif request.method == "POST" and "registration" in request.POST:
        try:
            checked = services.attendance_check_in(
                event=event,
                registration_id=_posted_id(request.POST.get("registration")),
                by=request.user,
                override=request.POST.get("override") == "yes",
            )
        except ValidationError as error:
            search_error = error.messages[0]
    found = selectors.check_in_search(event=event, q=q) if q else None
    return render(
        request,
        "registrations/check_in.html",
        {
            "partnership": partnership,
            "event": event,
            "form": form,
            "checked": checked,
            "arrived": selectors.check_in_arrived(event=event),
            "counts": selectors.roster_counts(event=event),
            "window_open": window_open,
            "window": services.check_in_window(event),
            "closed_message": None if window_open else services.check_in_closed_message(event),
            "q": q,
            "found": found,
            "search_error": search_error,
        },
    )


def _posted_id(value) -> int:
    """A posted id; anything else is an id no registration has (the service then names the field)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


@login_required
@require_POST
def check_in_undo(request, slug: str, registration_id: int):
    registration = _managed_registration(request, slug, registration_id)
    try:
        services.attendance_check_in_undo(registration=registration, by=request.user)
    except ValidationError as error:
        _messages_for(request, error)
    else:
        messages.success(request, f"{registration.user or 'Former member'} is no longer checked in.")
    target = reverse("check-in", kwargs={"slug": slug, "event_id": registration.event_id})
    return redirect(_back(request, target))


# --- Waitlist offers (the e-mail's Accept / Decline links) ---------------------------------


@require_http_methods(["GET", "POST"])
def offer_respond(request, token: str, action: str):
    """Accept or decline a waitlist offer from its e-mail: a page with one button, no login needed.

    GET only asks (mail scanners follow links); POST acts. A link whose offer has ended (accepted,
    declined, expired, or an earlier offer's link) says so plainly."""
    from .offer_links import offer_from_token

    found = offer_from_token(token)
    if found is None:
        raise Http404
    registration, is_this_offer = found
    event = registration.event
    error, done = "", ""
    if request.method == "POST" and is_this_offer:
        act = services.offer_accept if action == "accept" else services.offer_decline
        try:
            registration = act(registration=registration)
        except ValidationError as exc:
            error = " ".join(m for messages_ in exc.message_dict.values() for m in messages_)
        else:
            done = action
    elif request.method == "POST":
        error = services.OFFER_NOT_OPEN
    open_offer = is_this_offer and not done and registration.offer_expires_at > timezone.now()
    return render(
        request,
        "registrations/offer.html",
        {
            "registration": registration,
            "event": event,
            "action": action,
            "token": token,
            "done": done,
            "error": error,
            "open_offer": open_offer and not error,
            "deadline": timezone.localtime(registration.offer_expires_at, event.zone) if open_offer else None,
        },
        status=400 if error else 200,
    )
