from datetime import datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from accounts.auth import PUBLIC
from accounts.models import Sector
from core.schemas import ErrorOut
from core.types import DbId
from events.permissions import event_get_managed, event_get_visible_or_404

from . import selectors, services
from .models import Registration

router = Router(tags=["registrations"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
PASSWORD_WRONG = "The password is not right."


class RegistrationIn(Schema):
    needs: str = Field("", max_length=1000, description="Accessibility or dietary needs (coordinators only).")
    consent_attendee_list: bool = Field(False, description="Appear on the attendee list other attendees see.")
    talk_about: str = Field("", max_length=200, description="“Happy to talk about …”")


class RegistrationPatch(Schema):
    needs: str | None = Field(None, max_length=1000)
    consent_attendee_list: bool | None = None
    talk_about: str | None = Field(None, max_length=200)


class RegistrationOut(Schema):
    id: int
    event_id: DbId
    event_title: str
    event_start: datetime
    status: str = Field(
        ..., description="confirmed, offered (a place is held until offer_expires_at), waitlisted or cancelled"
    )
    waitlist_position: int | None
    offer_expires_at: datetime | None = Field(
        None, description="While offered: accept (or decline) by then, in the partnership's zone."
    )
    attendance: str = Field(..., description="unknown, attended or no_show")
    check_in_code: str | None = Field(None, description="For confirmed registrations: shown at the door.")
    needs: str
    consent_attendee_list: bool
    talk_about: str
    created_at: datetime

    @staticmethod
    def resolve_event_title(obj) -> str:
        return obj.event.title

    @staticmethod
    def resolve_event_start(obj) -> datetime:
        return obj.event.local_start

    @staticmethod
    def resolve_offer_expires_at(obj) -> datetime | None:
        return obj.local_offer_expires_at

    @staticmethod
    def resolve_check_in_code(obj) -> str | None:
        return obj.display_code if obj.status == Registration.Status.CONFIRMED else None


class RosterEntryOut(RegistrationOut):
    full_name: str
    email: str
    organisation: str
    sector: str | None
    source: str
    attendance_marked_at: datetime | None

    @staticmethod
    def resolve_full_name(obj) -> str:
        return obj.user.full_name if obj.user else "Former member"

    @staticmethod
    def resolve_email(obj) -> str:
        return obj.user.email if obj.user else ""

    @staticmethod
    def resolve_organisation(obj) -> str:
        return obj.user.organisation if obj.user else ""

    @staticmethod
    def resolve_sector(obj) -> str | None:
        return obj.sector.slug if obj.sector else None


class SectorCountOut(Schema):
    sector: str
    name: str
    count: int


class RosterCountsOut(Schema):
    confirmed: int
    offered: int = Field(..., description="Waitlist offers open: seats held, counted as taken.")
    waitlisted: int
    cancelled: int
    attended: int
    no_show: int
    by_sector: list[SectorCountOut]


class AttendeeOut(Schema):
    full_name: str
    organisation: str
    sector: str | None
    talk_about: str

    @staticmethod
    def resolve_full_name(obj) -> str:
        return obj.user.full_name

    @staticmethod
    def resolve_organisation(obj) -> str:
        return obj.user.organisation

    @staticmethod
    def resolve_sector(obj) -> str | None:
        return obj.sector.name if obj.sector else None


class CheckInIn(Schema):
    code: str = Field(..., min_length=1, max_length=20)
    override: bool = Field(
        False, description="Check in outside the check-in window (the coordinator knows the session's date)."
    )


class CheckInWindowOut(Schema):
    opens_at: datetime = Field(..., description="The partnership's lead time before the start.")
    closes_at: datetime = Field(..., description="The end plus the partnership's grace period.")
    is_open: bool


class AttendanceIn(Schema):
    attended: bool


class WalkInIn(Schema):
    email: str = Field(..., min_length=3, max_length=254)
    full_name: str = Field(..., min_length=1, max_length=150)
    organisation: str = Field("", max_length=150)
    sector: str | None = Field(None, description="A sector slug.")


class FinaliseOut(Schema):
    no_shows: int


class DeleteAccountIn(Schema):
    password: str = Field(..., min_length=1, max_length=200)


def _own_or_managed(request, registration_id: DbId) -> Registration:
    registration = selectors.registration_get_for_user(user=request.auth, registration_id=registration_id)
    if registration is None:
        raise Http404
    return registration


def _managed_registration(request, registration_id: DbId) -> Registration:
    registration = _own_or_managed(request, registration_id)
    if not request.auth.is_coordinator_of(registration.event.partnership_id):
        raise Http404
    return registration


@router.post("/events/{event_id}/registrations", response={200: RegistrationOut, 201: RegistrationOut, **ERRORS})
def create_registration(request, event_id: DbId, payload: RegistrationIn | None = None):
    """Register the caller: `confirmed` while a seat is free, else `waitlisted` with a position.

    Registering again answers 200 with the existing registration (double clicks create nothing).
    """
    event = event_get_visible_or_404(user=request.user, event_id=event_id)
    details = payload.dict() if payload is not None else {}
    registration, created = services.registration_create(event=event, user=request.auth, **details)
    return Status(201 if created else 200, registration)


@router.get("/registrations/{registration_id}", response={200: RegistrationOut, **ERRORS})
def get_registration(request, registration_id: DbId):
    return _own_or_managed(request, registration_id)


@router.patch("/registrations/{registration_id}", response={200: RegistrationOut, **ERRORS})
def update_registration(request, registration_id: DbId, payload: RegistrationPatch):
    """Change one's own needs, listing consent or talking points."""
    registration = _own_or_managed(request, registration_id)
    if registration.user_id != request.auth.pk:
        raise Http404
    return services.registration_update_details(registration=registration, **payload.dict(exclude_unset=True))


@router.delete("/registrations/{registration_id}", response={200: RegistrationOut, **ERRORS})
def cancel_registration(request, registration_id: DbId):
    """Cancel (the person until the start; the partnership's coordinators any time). The waitlist moves up."""
    registration = _own_or_managed(request, registration_id)
    return services.registration_cancel(registration=registration, by=request.auth)


def _own(request, registration_id: DbId) -> Registration:
    registration = selectors.registration_get(registration_id=registration_id, user_id=request.auth.pk)
    if registration is None:
        raise Http404
    return registration


@router.post("/registrations/{registration_id}/offer/accept", response={200: RegistrationOut, **ERRORS})
def accept_offer(request, registration_id: DbId):
    """Take the place a waitlist offer holds for the caller: confirmed, and the invitation is e-mailed.

    400 (`offer`) once the offer has ended: accepted, declined or past its deadline."""
    return services.offer_accept(registration=_own(request, registration_id))


@router.post("/registrations/{registration_id}/offer/decline", response={200: RegistrationOut, **ERRORS})
def decline_offer(request, registration_id: DbId):
    """Say no to the offered place: the caller leaves the waitlist and the next person is offered it."""
    return services.offer_decline(registration=_own(request, registration_id))


@router.get("/me/registrations", response=list[RegistrationOut])
@paginate
def list_my_registrations(request, when: Literal["upcoming", "past"] | None = None):
    return selectors.registration_list_for_user(user=request.auth, when=when)


@router.get("/events/{event_id}/sector-mix", response={200: list[SectorCountOut], 404: ErrorOut}, auth=PUBLIC)
def event_sector_mix(request, event_id: DbId):
    """Confirmed registrations per sector (counts only; public)."""
    return selectors.sector_mix(event=event_get_visible_or_404(user=request.user, event_id=event_id))


@router.get("/events/{event_id}/attendees", response={200: list[AttendeeOut], **ERRORS})
@paginate
def list_attendees(request, event_id: DbId):
    """Attendees who agreed to be listed: for other confirmed attendees and coordinators only."""
    event = event_get_visible_or_404(user=request.user, event_id=event_id)
    if not selectors.can_see_attendees(event=event, user=request.auth):
        raise Http404
    return selectors.attendee_list(event=event)


class RosterFilters(Schema):
    status: Literal["confirmed", "offered", "waitlisted", "cancelled", "attended", "no_show"] | None = None
    q: str | None = Field(None, max_length=100)


@router.get("/events/{event_id}/roster", response={200: list[RosterEntryOut], **ERRORS})
@paginate
def list_roster(request, event_id: DbId, filters: Query[RosterFilters]):
    """The roster, for the partnership's coordinators (404 for anyone else)."""
    event = event_get_managed(user=request.auth, event_id=event_id)
    return selectors.roster(event=event, **filters.dict())


@router.get("/events/{event_id}/roster/counts", response={200: RosterCountsOut, **ERRORS})
def roster_counts(request, event_id: DbId):
    return selectors.roster_counts(event=event_get_managed(user=request.auth, event_id=event_id))


@router.post("/events/{event_id}/walk-ins", response={201: RosterEntryOut, **ERRORS})
def add_walk_in(request, event_id: DbId, payload: WalkInIn):
    """Add someone who came without registering: confirmed and attended."""
    event = event_get_managed(user=request.auth, event_id=event_id)
    sector = None
    if payload.sector:
        sector = Sector.objects.filter(slug=payload.sector).first()
        if sector is None:
            raise ValidationError({"sector": f"Unknown sector: {payload.sector}."})
    registration = services.walk_in_add(
        event=event,
        by=request.auth,
        email=payload.email,
        full_name=payload.full_name,
        organisation=payload.organisation,
        sector=sector,
    )
    return Status(201, registration)


@router.post("/events/{event_id}/check-in", response={200: RosterEntryOut, **ERRORS})
def check_in(request, event_id: DbId, payload: CheckInIn):
    """Mark attendance by the registrant's check-in code (case and hyphens don't matter).

    Only inside the check-in window (`GET` this path); outside it the answer is 400 with the session's
    date, unless `override` is true.
    """
    event = event_get_managed(user=request.auth, event_id=event_id)
    return services.attendance_check_in(event=event, code=payload.code, by=request.auth, override=payload.override)


@router.get("/events/{event_id}/check-in", response={200: CheckInWindowOut, **ERRORS})
def check_in_window(request, event_id: DbId):
    """When check-in is open for this session (in the partnership's zone)."""
    event = event_get_managed(user=request.auth, event_id=event_id)
    opens, closes = services.check_in_window(event)
    return {
        "opens_at": opens.astimezone(event.zone),
        "closes_at": closes.astimezone(event.zone),
        "is_open": services.check_in_is_open(event),
    }


@router.post("/registrations/{registration_id}/check-in/undo", response={200: RosterEntryOut, **ERRORS})
def undo_check_in(request, registration_id: DbId):
    """Take back a mistaken check-in: the person is "not marked" again (400 once attendance is finalised)."""
    registration = _managed_registration(request, registration_id)
    return services.attendance_check_in_undo(registration=registration, by=request.auth)


@router.post("/registrations/{registration_id}/attendance", response={200: RosterEntryOut, **ERRORS})
def mark_attendance(request, registration_id: DbId, payload: AttendanceIn):
    registration = _managed_registration(request, registration_id)
    return services.attendance_mark(registration=registration, attended=payload.attended, by=request.auth)


@router.post("/registrations/{registration_id}/waitlist/top", response={200: RosterEntryOut, **ERRORS})
def move_to_top(request, registration_id: DbId):
    registration = _managed_registration(request, registration_id)
    return services.waitlist_move_to_top(registration=registration)


@router.post("/events/{event_id}/attendance/finalise", response={200: FinaliseOut, **ERRORS})
def finalise_attendance(request, event_id: DbId):
    """After the session: everyone confirmed and not marked attended becomes a no-show."""
    event = event_get_managed(user=request.auth, event_id=event_id)
    return {"no_shows": services.attendance_finalise(event=event, by=request.auth)}


@router.get("/me/export", response={200: dict, 401: ErrorOut})
def export_my_data(request):
    """All the data Crossroads holds about the caller."""
    return services.user_export_data(user=request.auth)


@router.post("/me/delete", response={204: None, **ERRORS})
def delete_my_account(request, payload: DeleteAccountIn):
    """Delete the caller's account (password required). Registrations are kept, anonymised."""
    if not request.auth.check_password(payload.password):
        raise ValidationError({"password": PASSWORD_WRONG})
    services.user_delete_account(user=request.auth)
    return Status(204, None)
