import calendar
from datetime import date, datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts import selectors as account_selectors
from accounts.models import Sector
from accounts.permissions import partnership_get_managed

from . import recurrence, selectors, services
from .forms import CancelForm, EventFilterForm, EventForm, SeriesForm, VenueForm, comma_list
from .models import Event, Series, Topic
from .permissions import partnership_event_get_managed

PAGE_SIZE = 20


def home(request):
    return render(
        request,
        "core/home.html",
        {
            "partnerships": account_selectors.partnership_list(),
            "upcoming": list(selectors.event_list_upcoming(user=request.user)[:3]),
        },
    )


def _filters(request):
    form = EventFilterForm(
        request.GET or None, sectors=Sector.objects.all(), topics=Topic.objects.filter(events__isnull=False).distinct()
    )
    values = {}
    if form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if v}
    return form, values


def events_upcoming(request):
    """Upcoming sessions, with filters by sector, topic and text."""
    form, values = _filters(request)
    events = selectors.event_list_upcoming(user=request.user, **values)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "events/upcoming.html",
        {"form": form, "page": page, "events": page.object_list, "query": query.urlencode()},
    )


def events_month(request):
    """A month grid of sessions (in the site's zone). Without ?month=, the month of the next session (matching
    the filters), or this month when none is coming."""
    form, values = _filters(request)
    zone = timezone.get_current_timezone()
    today = timezone.localdate()
    opening = today
    if "month" not in request.GET:
        upcoming = selectors.event_list_upcoming(user=request.user, **values).exclude(status="cancelled").first()
        if upcoming is not None:
            opening = upcoming.local_start.date()
    try:
        year, month = (int(p) for p in request.GET.get("month", f"{opening:%Y-%m}").split("-"))
        first = date(year, month, 1)
    except ValueError:
        first = today.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    start = datetime.combine(first, datetime.min.time(), tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    events = list(selectors.event_list(user=request.user, date_from=start, date_to=end, **values))
    by_day: dict[date, list[Event]] = {}
    for event in events:
        by_day.setdefault(event.local_start.date(), []).append(event)
    weeks = [
        [(day, by_day.get(day, []), day.month == first.month) for day in week]
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    ]
    previous_month = (first - timedelta(days=1)).replace(day=1)
    next_month = last + timedelta(days=1)
    query = request.GET.copy()
    query.pop("month", None)
    return render(
        request,
        "events/month.html",
        {
            "form": form,
            "weeks": weeks,
            "first": first,
            "events": events,
            "previous_month": previous_month,
            "next_month": next_month,
            "weekday_names": recurrence.WEEKDAY_NAMES,
            "query": query.urlencode(),
        },
    )


# --- coordinators ------------------------------------------------------------------------


@login_required
def manage_events(request, slug: str):
    partnership = partnership_get_managed(user=request.user, slug=slug)
    return render(
        request,
        "events/manage_events.html",
        {
            "partnership": partnership,
            "series_list": selectors.series_list(partnership_id=partnership.pk),
            "one_offs": selectors.event_queryset()
            .filter(partnership=partnership, series__isnull=True)
            .order_by("-start")[:50],
            "venues": selectors.venue_list(partnership_id=partnership.pk),
        },
    )


def _preview(form, partnership):
    data = form.cleaned_data
    return services.series_preview(
        partnership=partnership,
        rrule=data["rule"],
        start_date=data["start_date"],
        start_time=data["start_time"],
        duration_minutes=data["duration_minutes"],
        exdates=data["exdates"],
    )


def _topics(form):
    return [services.topic_get_or_create(name=name) for name in dict.fromkeys(comma_list(form.cleaned_data["topics"]))]


def _series_values(form) -> dict:
    data = form.cleaned_data
    return {
        **form.content(),
        "default_venue": data["default_venue"],
        "default_capacity": data["default_capacity"],
        "duration_minutes": data["duration_minutes"],
        "start_date": data["start_date"],
        "start_time": data["start_time"],
        "rrule": data["rule"],
        "exdates": data["exdates"],
    }


@login_required
@require_http_methods(["GET", "POST"])
def series_new(request, slug: str):
    partnership = partnership_get_managed(user=request.user, slug=slug)
    next_year = timezone.localdate().year + 1
    initial = {
        "start_date": date(next_year, 1, 1),
        "until": date(next_year, 11, 30),
        "months": list(range(2, 12)),
        "default_venue": getattr(partnership.venues.first(), "pk", None),
    }
    form = SeriesForm(request.POST or None, partnership=partnership, initial=initial)
    preview = None
    if request.method == "POST" and form.is_valid():
        try:
            preview = _preview(form, partnership)
            if request.POST.get("action") == "save":
                series = services.series_create(
                    partnership=partnership,
                    created_by=request.user,
                    topics=_topics(form),
                    sectors=list(form.cleaned_data["sectors"]),
                    publish=form.cleaned_data["publish"],
                    **_series_values(form),
                )
                state = "published" if series.is_published else "saved as drafts"
                messages.success(request, f"{series.events.count()} sessions of “{series.title}” {state}.")
                return redirect("series-edit", slug=slug, series_id=series.pk)
        except ValidationError as error:
            _add_errors(form, error)
            preview = None
    return render(
        request,
        "events/series_form.html",
        {"partnership": partnership, "form": form, "preview": preview, "series": None},
    )


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = {"rrule": "rrule" if form.cleaned_data.get("pattern") == "custom" else None}.get(field, field)
            if target not in form.fields:
                target = None
            for e in errors:
                form.add_error(target, e.messages)
    else:
        form.add_error(None, error)


@login_required
@require_http_methods(["GET", "POST"])
def series_edit(request, slug: str, series_id: int):
    partnership = partnership_get_managed(user=request.user, slug=slug)
    series = get_object_or_404(Series, pk=series_id, partnership=partnership)
    form = SeriesForm(request.POST or None, partnership=partnership, initial=SeriesForm.initial_for(series))
    preview = None
    needs_confirmation = False
    if request.method == "POST" and form.is_valid():
        try:
            preview = _preview(form, partnership)
            if request.POST.get("action") == "save":
                values = _series_values(form)
                result = services.series_update(
                    series=series,
                    topics=_topics(form),
                    sectors=list(form.cleaned_data["sectors"]),
                    confirm_moves=request.POST.get("confirm_moves") == "on",
                    **values,
                )
                if form.cleaned_data["publish"] and not series.is_published:
                    services.series_publish(series=series)
                messages.success(
                    request,
                    f"Saved. {len(result.updated)} future sessions updated, {len(result.moved)} moved, "
                    f"{len(result.created)} added, {len(result.removed)} removed, {len(result.cancelled)} cancelled.",
                )
                return redirect("series-edit", slug=slug, series_id=series.pk)
        except ValidationError as error:
            needs_confirmation = "confirm_moves" in getattr(error, "error_dict", {})
            _add_errors(form, error)
    return render(
        request,
        "events/series_form.html",
        {
            "partnership": partnership,
            "form": form,
            "preview": preview,
            "series": series,
            "needs_confirmation": needs_confirmation,
            "occurrences": selectors.series_occurrences(series=series),
            "rule_description": recurrence.describe(series.rrule, series.start_date),
        },
    )


@login_required
@require_POST
def series_publish(request, slug: str, series_id: int):
    partnership = partnership_get_managed(user=request.user, slug=slug)
    series = get_object_or_404(Series, pk=series_id, partnership=partnership)
    published = services.series_publish(series=series)
    messages.success(request, f"Published {len(published)} sessions of “{series.title}”.")
    return redirect("series-edit", slug=slug, series_id=series.pk)


@login_required
@require_http_methods(["GET", "POST"])
def event_new(request, slug: str):
    partnership = partnership_get_managed(user=request.user, slug=slug)
    form = EventForm(request.POST or None, partnership=partnership)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            event = services.event_create(
                partnership=partnership,
                topics=_topics(form),
                sectors=list(data["sectors"]),
                venue=data["venue"],
                start=data["start"],
                end=data["end"],
                capacity=data["capacity"],
                registration_opens_at=data["registration_opens_at"],
                registration_closes_at=data["registration_closes_at"],
                publish=request.POST.get("action") == "publish",
                **form.content(),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"“{event.title}” is saved ({event.get_status_display().lower()}).")
            return redirect("event-detail", event_id=event.pk)
    return render(request, "events/event_form.html", {"partnership": partnership, "form": form, "event": None})


@login_required
@require_http_methods(["GET", "POST"])
def event_edit(request, slug: str, event_id: int):
    partnership, event = partnership_event_get_managed(
        user=request.user, slug=slug, event_id=event_id, related=("partnership", "series")
    )
    form = EventForm(request.POST or None, partnership=partnership, initial=EventForm.initial_for(event))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changes = {**form.content()}
        for name in ("venue", "start", "end", "capacity", "registration_opens_at", "registration_closes_at"):
            if name in form.changed_data:
                changes[name] = data[name]
        try:
            services.event_update(event=event, topics=_topics(form), sectors=list(data["sectors"]), **changes)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "The session is saved.")
            return redirect("event-detail", event_id=event.pk)
    return render(request, "events/event_form.html", {"partnership": partnership, "form": form, "event": event})


@login_required
@require_POST
def event_publish(request, slug: str, event_id: int):
    _, event = partnership_event_get_managed(
        user=request.user, slug=slug, event_id=event_id, related=("partnership", "series")
    )
    try:
        services.event_publish(event=event)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The session is published.")
    return redirect("event-detail", event_id=event.pk)


@login_required
@require_http_methods(["GET", "POST"])
def event_cancel(request, slug: str, event_id: int):
    partnership, event = partnership_event_get_managed(
        user=request.user, slug=slug, event_id=event_id, related=("partnership", "series")
    )
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.event_cancel(event=event, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "The session is cancelled.")
            return redirect("event-detail", event_id=event.pk)
    return render(request, "events/cancel.html", {"partnership": partnership, "form": form, "event": event})


@login_required
@require_http_methods(["GET", "POST"])
def venues(request, slug: str):
    partnership = partnership_get_managed(user=request.user, slug=slug)
    form = VenueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.venue_create(partnership=partnership, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "The venue is added.")
            return redirect("manage-venues", slug=slug)
    return render(
        request,
        "events/venues.html",
        {"partnership": partnership, "form": form, "venues": selectors.venue_list(partnership_id=partnership.pk)},
    )
