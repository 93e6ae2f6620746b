from django.http import Http404
from ninja import Router, Status

from core.schemas import ErrorOut
from core.types import DbId
from events.permissions import event_get_managed, event_get_visible_or_404

from . import selectors, services
from .badges import badges_pdf
from .models import TableGroup, TablePlan
from .schemas import GroupPatch, MoveIn, MyTableOut, PinIn, PlanIn, PlanOut
from .views import pdf_response

router = Router(tags=["networking"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
PDF_RESPONSE = {
    "responses": {
        "200": {
            "description": "Name badges (A4, 8 per sheet) and a list per table",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


def _managed_plan(request, event_id: int) -> TablePlan:
    plan = TablePlan.objects.select_related("event", "event__partnership").filter(
        event=event_get_managed(user=request.auth, event_id=event_id)
    )
    found = plan.first()
    if found is None:
        raise Http404
    return found


def _managed_group(request, group_id: int) -> TableGroup:
    group = TableGroup.objects.select_related("plan", "plan__event").filter(pk=group_id).first()
    if group is None or not request.auth.is_coordinator_of(group.plan.event.partnership_id):
        raise Http404
    return group


def _sector_slug(registration) -> str | None:
    return registration.sector.slug if registration.sector else None


def plan_out(plan: TablePlan) -> dict:
    view = selectors.plan_view(plan=selectors.plan_get(event=plan.event))
    sector_slugs = {s.pk: s.slug for s in view.sectors}
    groups = []
    for g in view.groups:
        figures = g.figures
        counts = figures.sectors if figures else {}
        groups.append(
            {
                "id": g.group.pk,
                "number": g.group.number,
                "label": g.group.label,
                "prompt": g.group.prompt,
                "locked": g.group.locked,
                "size": len(g.seats),
                "all_sectors": bool(figures and figures.all_sectors),
                "pairs": figures.pairs if figures else 0,
                "first_time_pairs": figures.first_time_pairs if figures else 0,
                "sectors": [
                    {"sector": sector_slugs.get(sector_id), "name": name, "count": count}
                    for (sector_id, count), (name, _) in zip(counts.items(), g.sector_mix, strict=True)
                ],
                "seats": [
                    {
                        "registration_id": seat.registration_id,
                        "full_name": seat.registration.user.full_name if seat.registration.user else "Former member",
                        "organisation": seat.registration.user.organisation if seat.registration.user else "",
                        "sector": _sector_slug(seat.registration),
                        "pinned": seat.pinned,
                        "coming": coming,
                    }
                    for seats, coming in ((g.seats, True), (g.departed, False))
                    for seat in seats
                ],
                "prompts": g.prompts,
            }
        )
    return {
        "id": view.plan.pk,
        "event_id": view.plan.event_id,
        "min_size": view.plan.min_size,
        "max_size": view.plan.max_size,
        "seed": view.plan.seed,
        "generated_at": view.plan.generated_at,
        "updated_at": view.plan.updated_at,
        "groups": groups,
        "unseated": [
            {
                "registration_id": r.pk,
                "full_name": r.user.full_name,
                "organisation": r.user.organisation,
                "sector": _sector_slug(r),
            }
            for r in view.unseated
        ],
        "explanation": view.explanation(),
    }


@router.get("/events/{event_id}/table-plan", response={200: PlanOut, **ERRORS})
def get_table_plan(request, event_id: DbId):
    """The session's table plan, with each table's sector mix and the figures against random seating.

    For the partnership's coordinators (404 for anyone else, and when there is no plan yet).
    """
    return plan_out(_managed_plan(request, event_id))


@router.post("/events/{event_id}/table-plan", response={200: PlanOut, 201: PlanOut, **ERRORS})
def create_table_plan(request, event_id: DbId, payload: PlanIn | None = None):
    """Plan the tables (201), or plan them again from scratch (200): pins are kept, locks cleared."""
    event = event_get_managed(user=request.auth, event_id=event_id)
    existed = TablePlan.objects.filter(event=event).exists()
    values = payload.dict() if payload is not None else PlanIn().dict()
    plan = services.plan_generate(event=event, by=request.auth, **values)
    return Status(200 if existed else 201, plan_out(plan))


@router.post("/events/{event_id}/table-plan/regenerate", response={200: PlanOut, **ERRORS})
def regenerate_table_plan(request, event_id: DbId):
    """Re-plan on the day: walk-ins are seated, no-shows freed; locked tables and pins stay."""
    plan = _managed_plan(request, event_id)
    return plan_out(services.plan_regenerate_unlocked(plan=plan, by=request.auth))


@router.post("/events/{event_id}/table-plan/move", response={200: PlanOut, **ERRORS})
def move_seat(request, event_id: DbId, payload: MoveIn):
    """Seat a person at a table by hand (pinned there unless `pin` is false)."""
    plan = _managed_plan(request, event_id)
    services.seat_move(
        plan=plan, registration=payload.registration_id, group=payload.group_id, by=request.auth, pin=payload.pin
    )
    return plan_out(plan)


@router.post("/events/{event_id}/table-plan/pin", response={200: PlanOut, **ERRORS})
def pin_seat(request, event_id: DbId, payload: PinIn):
    """Pin a person to their table (or unpin with `pinned: false`)."""
    plan = _managed_plan(request, event_id)
    services.seat_pin(plan=plan, registration=payload.registration_id, pinned=payload.pinned, by=request.auth)
    return plan_out(plan)


@router.post("/table-groups/{group_id}/lock", response={200: PlanOut, **ERRORS})
def lock_group(request, group_id: DbId):
    """Lock a table: re-planning leaves its people where they are."""
    group = _managed_group(request, group_id)
    services.group_lock(group=group, by=request.auth)
    return plan_out(group.plan)


@router.post("/table-groups/{group_id}/unlock", response={200: PlanOut, **ERRORS})
def unlock_group(request, group_id: DbId):
    group = _managed_group(request, group_id)
    services.group_unlock(group=group, by=request.auth)
    return plan_out(group.plan)


@router.patch("/table-groups/{group_id}", response={200: PlanOut, **ERRORS})
def update_group(request, group_id: DbId, payload: GroupPatch):
    """Name a table and set its facilitator prompt; fields left out stay as they are."""
    group = _managed_group(request, group_id)
    services.group_update(group=group, by=request.auth, **payload.dict(exclude_unset=True))
    return plan_out(group.plan)


@router.get(
    "/events/{event_id}/table-plan/badges.pdf",
    response={200: None, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    openapi_extra=PDF_RESPONSE,
)
def table_plan_badges(request, event_id: DbId):
    """Name badges (A4, 2 × 4) and the table lists, as a PDF."""
    plan = _managed_plan(request, event_id)
    return pdf_response(badges_pdf(plan=plan), event=plan.event)


@router.get("/events/{event_id}/my-table", response={200: MyTableOut, **ERRORS})
def get_my_table(request, event_id: DbId):
    """After the session: who sat at the caller's table (those who agreed to be listed).

    For the session's confirmed registrants and the partnership's coordinators (404 for others).
    Before the session ends `available` is false.
    """
    event = event_get_visible_or_404(user=request.auth, event_id=event_id)
    if not selectors.can_see_my_table_page(event=event, user=request.auth):
        raise Http404
    table = selectors.my_table(event=event, user=request.auth)
    return {
        "available": table.available,
        "group_number": table.group.number if table.group else None,
        "group_label": table.group.label if table.group else "",
        "tablemates": [
            {
                "full_name": r.user.full_name,
                "organisation": r.user.organisation,
                "sector": r.sector.name if r.sector else None,
                "talk_about": r.talk_about,
            }
            for r in table.tablemates
        ],
        "hidden": table.hidden,
    }
