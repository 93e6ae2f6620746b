"""Pages: the coordinator's table planner, badges PDF, "my table" after a session, networking cards."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from events.permissions import partnership_event_get_managed
from events.selectors import event_get_visible
from registrations.selectors import can_see_attendees

from . import selectors, services
from .badges import badges_pdf
from .forms import GroupForm, LockForm, MoveForm, PinForm, PlanForm
from .models import TableGroup, TablePlan


def _messages_for(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _form_errors(request, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


def _managed_plan(request, slug: str, event_id: int) -> TablePlan:
    _, event = partnership_event_get_managed(user=request.user, slug=slug, event_id=event_id)
    plan = TablePlan.objects.select_related("event", "event__partnership").filter(event=event).first()
    if plan is None:
        raise Http404
    return plan


def _back(slug: str, event_id: int):
    return redirect("table-plan", slug=slug, event_id=event_id)


@login_required
def table_plan(request, slug: str, event_id: int):
    partnership, event = partnership_event_get_managed(user=request.user, slug=slug, event_id=event_id)
    plan = selectors.plan_get(event=event)
    view = selectors.plan_view(plan=plan) if plan else None
    initial = {"min_size": plan.min_size, "max_size": plan.max_size} if plan else None
    return render(
        request,
        "networking/plan.html",
        {
            "partnership": partnership,
            "event": event,
            "view": view,
            "plan": plan,
            "plan_form": PlanForm(initial=initial),
            "confirmed": event.confirmed,
        },
    )


@login_required
@require_POST
def table_plan_generate(request, slug: str, event_id: int):
    _, event = partnership_event_get_managed(user=request.user, slug=slug, event_id=event_id)
    form = PlanForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(slug, event.pk)
    try:
        plan = services.plan_generate(event=event, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        _messages_for(request, error)
    else:
        tables = plan.groups.count()
        messages.success(request, f"The tables are planned: {tables} table{'s' if tables != 1 else ''}.")
    return _back(slug, event.pk)


@login_required
@require_POST
def table_plan_regenerate(request, slug: str, event_id: int):
    plan = _managed_plan(request, slug, event_id)
    try:
        services.plan_regenerate_unlocked(plan=plan, by=request.user)
    except ValidationError as error:
        _messages_for(request, error)
    else:
        messages.success(request, "Re-planned: locked tables and pinned people stayed where they were.")
    return _back(slug, event_id)


@login_required
@require_POST
def table_plan_move(request, slug: str, event_id: int):
    plan = _managed_plan(request, slug, event_id)
    form = MoveForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(slug, event_id)
    try:
        seat = services.seat_move(
            plan=plan, registration=form.cleaned_data["registration"], group=form.cleaned_data["group"], by=request.user
        )
    except ValidationError as error:
        _messages_for(request, error)
    else:
        name = seat.registration.user.full_name
        messages.success(request, f"{name} is now at table {seat.group.number} (pinned there).")
        size = seat.group.seats.filter(selectors.seatable_filter("registration__")).count()
        if size > plan.max_size:
            messages.warning(
                request,
                f"Table {seat.group.number} now has {size} people, more than the largest size ({plan.max_size}).",
            )
    return _back(slug, event_id)


@login_required
@require_POST
def table_plan_pin(request, slug: str, event_id: int):
    plan = _managed_plan(request, slug, event_id)
    form = PinForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(slug, event_id)
    try:
        seat = services.seat_pin(
            plan=plan,
            registration=form.cleaned_data["registration"],
            pinned=form.cleaned_data["pinned"],
            by=request.user,
        )
    except ValidationError as error:
        _messages_for(request, error)
    else:
        name = seat.registration.user.full_name
        state = "pinned to" if seat.pinned else "no longer pinned to"
        messages.success(request, f"{name} is {state} table {seat.group.number}.")
    return _back(slug, event_id)


def _managed_group(request, slug: str, event_id: int, group_id: int) -> TableGroup:
    plan = _managed_plan(request, slug, event_id)
    return get_object_or_404(TableGroup.objects.select_related("plan"), pk=group_id, plan=plan)


@login_required
@require_POST
def table_group_lock(request, slug: str, event_id: int, group_id: int):
    group = _managed_group(request, slug, event_id, group_id)
    form = LockForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(slug, event_id)
    if form.cleaned_data["locked"]:
        services.group_lock(group=group, by=request.user)
        messages.success(request, f"Table {group.number} is locked: re-planning leaves it as it is.")
    else:
        services.group_unlock(group=group, by=request.user)
        messages.success(request, f"Table {group.number} is unlocked.")
    return _back(slug, event_id)


@login_required
@require_POST
def table_group_edit(request, slug: str, event_id: int, group_id: int):
    group = _managed_group(request, slug, event_id, group_id)
    form = GroupForm(request.POST, instance=group)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(slug, event_id)
    try:
        services.group_update(group=group, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        _messages_for(request, error)
    else:
        messages.success(request, f"Table {group.number} is saved.")
    return _back(slug, event_id)


def pdf_response(pdf: bytes, *, event) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"badges-{event.pk}-{event.local_start:%Y-%m-%d}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@login_required
def table_plan_badges(request, slug: str, event_id: int):
    plan = _managed_plan(request, slug, event_id)
    return pdf_response(badges_pdf(plan=plan), event=plan.event)


# --- Practitioners -------------------------------------------------------------------------------


@login_required
def my_table(request, event_id: int):
    event = event_get_visible(user=request.user, event_id=event_id)
    if event is None or not selectors.can_see_my_table_page(event=event, user=request.user):
        raise Http404
    return render(
        request,
        "networking/my_table.html",
        {"event": event, "table": selectors.my_table(event=event, user=request.user)},
    )


@login_required
def networking_card(request, event_id: int, registration_id: int):
    """A practitioner's card (the QR code on their badge): for the session's attendees and coordinators,
    and only if the practitioner agreed to appear on the attendee list."""
    event = event_get_visible(user=request.user, event_id=event_id)
    if event is None or not can_see_attendees(event=event, user=request.user):
        raise Http404
    registration = selectors.networking_card(event=event, registration_id=registration_id)
    if registration is None:
        raise Http404
    return render(request, "networking/card.html", {"event": event, "registration": registration})
