"""Writes for registrations. Every capacity decision is made under a lock on the event row.

`_lock_event` takes SELECT … FOR UPDATE on PostgreSQL; on SQLite the IMMEDIATE transaction mode
(settings) serialises writers instead. State is re-read after the lock is taken. Notifications
are sent through `registration_changed`, inside the transaction, so a receiver can write them to
an outbox that commits (or rolls back) with the change.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import dateformat, timezone

from accounts.models import User
from core.locking import lock_timeout_set
from events import services as event_services
from events.models import Event

from . import selectors
from .models import SEAT_STATUSES, Registration, new_check_in_code, normalise_code
from .signals import registration_changed

REGISTRATION_CLOSED = "Registration for this session is not open."
REGISTRATION_NOT_PUBLISHED = "This session is not open for registration."
CANCEL_AFTER_START = "The session has started: it can no longer be cancelled."
ALREADY_CANCELLED = "This registration is already cancelled."
NOT_WAITLISTED = "Only people on the waitlist can be moved."
CHECK_IN_UNKNOWN = "No confirmed registration has the code {code} for this session."
CHECK_IN_CANCELLED_EVENT = "This session is cancelled."
ATTENDANCE_ONLY_CONFIRMED = "Only confirmed registrations can be marked as attended."
FINALISE_BEFORE_START = "Attendance can be finalised once the session has started."
ALREADY_FINALISED = "Attendance for this session is already finalised."
CHECK_IN_CLOSED = (
    "Check-in for this session is open {window}. The session is on {date}: "
    "check the session, or override if you really mean to check someone in now."
)
CHECK_IN_NOT_ARRIVED = "This person is not checked in."
CHECK_IN_NEEDS_PERSON = "Give a check-in code or choose a person."
UNDO_AFTER_FINALISED = "Attendance for this session is finalised: change it on the roster."
WALK_IN_NEEDS_NAME = "A walk-in needs a name."
NEEDS_TOO_LONG = "Keep it under 1,000 characters."
OFFER_NOT_OPEN = "This offer is no longer open: it was accepted, declined or has ended."
OFFER_EXPIRED = "This offer ended at its deadline; the place has gone to the next person on the waitlist."
OFFER_EVENT_CANCELLED = "This session is cancelled."


def _lock_event(event: Event | int) -> Event:
    """The event, locked for this transaction. Call inside transaction.atomic.

    Waits at most settings.LOCK_TIMEOUT_MS for the lock (and any later lock in the transaction):
    past that the whole transaction rolls back and the request is a 503 (core.locking)."""
    lock_timeout_set()
    return event_services.event_lock(event=event, related=("partnership",))


def _confirmed_count(event: Event) -> int:
    return selectors.event_confirmed_count(event=event)


def _next_position(event: Event) -> int:
    top = event.registrations.filter(status=Registration.Status.WAITLISTED).aggregate(m=Max("waitlist_position"))["m"]
    return (top or 0) + 1


def _renumber_waitlist(event: Event) -> None:
    """Positions 1..n in order. Expects the event lock."""
    waiting = list(
        event.registrations.filter(status=Registration.Status.WAITLISTED).order_by("waitlist_position", "created_at")
    )
    for number, registration in enumerate(waiting, start=1):
        if registration.waitlist_position != number:
            Registration.objects.filter(pk=registration.pk).update(waitlist_position=number)


def offer_deadline(event: Event, now=None):
    """When an offer made now would end, or None when a freed seat is given at once (no offer).

    The partnership's offer window (0: no offers); never past the start of the instant period before
    the session (offer_instant_within_hours), when nobody can wait for a reply any more."""
    partnership = event.partnership
    now = now or timezone.now()
    if not partnership.offer_window_hours:
        return None
    instant_from = event.start - timedelta(hours=partnership.offer_instant_within_hours)
    if now >= instant_from:
        return None
    return min(now + timedelta(hours=partnership.offer_window_hours), instant_from).replace(microsecond=0)


def waitlist_promote(*, event: Event, now=None) -> list[Registration]:
    """Fill free seats from the head of the waitlist, in order. Expects the event lock (with its partnership).

    With an offer window (the partnership's offer_window_hours) each person is offered the seat, which is
    held for them until the deadline (status "offered", counted as taken); otherwise, or inside the
    instant period before the start, the seat is theirs at once ("promoted")."""
    free = event.capacity - _confirmed_count(event)
    promoted = []
    if free <= 0:
        return promoted
    deadline = offer_deadline(event, now)
    for registration in event.registrations.filter(status=Registration.Status.WAITLISTED).order_by(
        "waitlist_position", "created_at"
    )[:free]:
        registration.status = Registration.Status.CONFIRMED if deadline is None else Registration.Status.OFFERED
        registration.waitlist_position = None
        registration.offer_expires_at = deadline
        registration.save(update_fields=["status", "waitlist_position", "offer_expires_at", "updated_at"])
        promoted.append(registration)
    if promoted:
        _renumber_waitlist(event)  # before the messages, so theirs name the right places
        for registration in promoted:
            change = "promoted" if deadline is None else "offered"
            registration_changed.send(sender=Registration, registration=registration, change=change)
    return promoted


def _check_open(event: Event) -> None:
    if event.status != Event.Status.PUBLISHED:
        raise ValidationError({"event": REGISTRATION_NOT_PUBLISHED})
    if not event.registration_is_open:
        raise ValidationError({"event": REGISTRATION_CLOSED})


def _clean_details(needs: str, talk_about: str) -> tuple[str, str]:
    needs = (needs or "").strip()
    if len(needs) > 1000:
        raise ValidationError({"needs": NEEDS_TOO_LONG})
    return needs, (talk_about or "").strip()[:200]


@transaction.atomic
def registration_create(
    *,
    event: Event,
    user: User,
    needs: str = "",
    consent_attendee_list: bool = False,
    talk_about: str = "",
    source: str = Registration.Source.SELF,
    check_open: bool = True,
) -> tuple[Registration, bool]:
    """Register `user`: confirmed while a seat is free, else waitlisted. Idempotent.

    Returns (registration, created). An active registration is returned as it is; a cancelled one
    is taken up again (a new seat or waitlist place), as a person expects of "register again".
    """
    event = _lock_event(event)
    existing = event.registrations.filter(user=user).first()
    if existing is not None and existing.is_active:
        return existing, False
    if check_open:
        _check_open(event)
    needs, talk_about = _clean_details(needs, talk_about)
    if _confirmed_count(event) < event.capacity:
        status, position = Registration.Status.CONFIRMED, None
    else:
        status, position = Registration.Status.WAITLISTED, _next_position(event)
    registration = existing or Registration(event=event, user=user)
    registration.status = status
    registration.waitlist_position = position
    registration.sector_id = user.sector_id
    registration.needs = needs
    registration.consent_attendee_list = consent_attendee_list
    registration.talk_about = talk_about
    registration.source = source
    registration.cancelled_at = None
    registration.attendance = Registration.Attendance.UNKNOWN
    if existing is None:
        registration.check_in_code = _unique_code(event)
    registration.save()
    registration_changed.send(sender=Registration, registration=registration, change=status)
    return registration, True


def _unique_code(event: Event) -> str:
    taken = set(event.registrations.values_list("check_in_code", flat=True))
    while True:
        code = new_check_in_code()
        if code not in taken:
            return code


@transaction.atomic
def registration_update_details(
    *, registration: Registration, needs: str | None = None, consent_attendee_list=None, talk_about=None
) -> Registration:
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    clean_needs, clean_talk = _clean_details(
        registration.needs if needs is None else needs,
        registration.talk_about if talk_about is None else talk_about,
    )
    registration.needs, registration.talk_about = clean_needs, clean_talk
    if consent_attendee_list is not None:
        registration.consent_attendee_list = consent_attendee_list
    registration.save(update_fields=["needs", "talk_about", "consent_attendee_list", "updated_at"])
    return registration


@transaction.atomic
def registration_cancel(*, registration: Registration, by: User | None = None) -> Registration:
    """Cancel (by the person, until the start; by a coordinator, any time). A freed seat is refilled."""
    event = _lock_event(registration.event_id)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status == Registration.Status.CANCELLED:
        raise ValidationError({"status": ALREADY_CANCELLED})
    by_coordinator = by is not None and by.is_coordinator_of(event.partnership_id)
    if not by_coordinator and event.start <= timezone.now():
        raise ValidationError({"event": CANCEL_AFTER_START})
    was = registration.status
    _cancel_row(registration)
    registration_changed.send(sender=Registration, registration=registration, change="cancelled")
    if was in SEAT_STATUSES:
        waitlist_promote(event=event)
    else:
        _renumber_waitlist(event)
    return registration


def _cancel_row(registration: Registration) -> None:
    registration.status = Registration.Status.CANCELLED
    registration.waitlist_position = None
    registration.offer_expires_at = None
    registration.cancelled_at = timezone.now()
    registration.save(update_fields=["status", "waitlist_position", "offer_expires_at", "cancelled_at", "updated_at"])


@transaction.atomic
def waitlist_move_to_top(*, registration: Registration) -> Registration:
    event = _lock_event(registration.event_id)
    registration = Registration.objects.get(pk=registration.pk)
    if registration.status != Registration.Status.WAITLISTED:
        raise ValidationError({"status": NOT_WAITLISTED})
    event.registrations.filter(
        status=Registration.Status.WAITLISTED, waitlist_position__lt=registration.waitlist_position
    ).update(waitlist_position=F("waitlist_position") + 1)
    registration.waitlist_position = 1
    registration.save(update_fields=["waitlist_position", "updated_at"])
    _renumber_waitlist(event)
    registration.refresh_from_db()
    return registration


@transaction.atomic
def event_capacity_change(*, event: Event, capacity: int) -> Event:
    """Change capacity (not below the confirmed); raising it promotes from the waitlist."""
    from events.services import event_update

    event = event_update(event=event, capacity=capacity)
    return event


@transaction.atomic
def walk_in_add(
    *,
    event: Event,
    by: User,
    email: str,
    full_name: str,
    organisation: str = "",
    sector=None,
) -> Registration:
    """Someone who came without registering: confirmed and attended at once.

    An account is found by email or made (unverified, no password: the person can claim it with a
    password reset). If the room is full, capacity rises by one: they are in the room.
    """
    event = _lock_event(event)
    full_name = (full_name or "").strip()
    if not full_name:
        raise ValidationError({"full_name": WALK_IN_NEEDS_NAME})
    UserModel = get_user_model()
    email = UserModel.objects.normalize_email(email or "").strip().lower()
    user = UserModel.objects.filter(email__iexact=email).first()
    if user is None:
        user = UserModel(email=email, full_name=full_name, organisation=organisation, sector=sector)
        user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
    existing = event.registrations.filter(user=user).exclude(status=Registration.Status.CANCELLED).first()
    if existing is not None and existing.status == Registration.Status.CONFIRMED:
        registration = existing
    else:
        # In the room: a seat made for them if the room is full, unless an offer already holds theirs.
        held = existing is not None and existing.status == Registration.Status.OFFERED
        if not held and _confirmed_count(event) >= event.capacity:
            event_services.event_seat_add(event=event)
        if existing is not None:  # on the waitlist or offered a place: takes the seat
            existing.status, existing.waitlist_position = Registration.Status.CONFIRMED, None
            existing.offer_expires_at = None
            existing.save(update_fields=["status", "waitlist_position", "offer_expires_at", "updated_at"])
            _renumber_waitlist(event)
            registration = existing
        else:
            registration, _ = registration_create(
                event=event, user=user, source=Registration.Source.WALK_IN, check_open=False
            )
    return attendance_mark(registration=registration, attended=True, by=by)


@transaction.atomic
def attendance_mark(*, registration: Registration, attended: bool, by: User) -> Registration:
    registration = Registration.objects.select_for_update().select_related("event").get(pk=registration.pk)
    if registration.status != Registration.Status.CONFIRMED:
        raise ValidationError({"status": ATTENDANCE_ONLY_CONFIRMED})
    if registration.event.status == Event.Status.CANCELLED:
        raise ValidationError({"event": CHECK_IN_CANCELLED_EVENT})
    registration.attendance = Registration.Attendance.ATTENDED if attended else Registration.Attendance.NO_SHOW
    registration.attendance_marked_at = timezone.now()
    registration.attendance_marked_by = by
    registration.save(update_fields=["attendance", "attendance_marked_at", "attendance_marked_by", "updated_at"])
    return registration


def check_in_window(event: Event) -> tuple:
    """(opens, closes): from the partnership's lead time before the start to its grace after the end."""
    from datetime import timedelta

    partnership = event.partnership
    return (
        event.start - timedelta(minutes=partnership.check_in_opens_minutes),
        event.end + timedelta(minutes=partnership.check_in_grace_minutes),
    )


def check_in_is_open(event: Event, now=None) -> bool:
    opens, closes = check_in_window(event)
    return opens <= (now or timezone.now()) <= closes


def _day(moment) -> str:
    return moment.strftime("%A %-d %B %Y")


def _clock(moment) -> str:
    """ "9:30 a.m.", as the session pages print times (Django's "g:i a")."""
    return dateformat.format(moment, "g:i a")


def check_in_closed_message(event: Event) -> str:
    opens, closes = (timezone.localtime(moment, event.zone) for moment in check_in_window(event))
    if opens.date() == closes.date():
        window = f"on {_day(opens)}, {_clock(opens)} – {_clock(closes)}"
    else:
        window = f"from {_day(opens)}, {_clock(opens)} to {_day(closes)}, {_clock(closes)}"
    local = event.local_start
    return CHECK_IN_CLOSED.format(window=window, date=f"{_day(local)} at {_clock(local)}")


@transaction.atomic
def attendance_check_in(
    *,
    event: Event,
    by: User,
    code: str | None = None,
    registration_id: int | None = None,
    override: bool = False,
) -> Registration:
    """Check in by the code on the person's "My sessions" page (typed or scanned), or a person found by name.

    Only inside the check-in window (check_in_window) unless the coordinator overrides knowingly.
    """
    if event.status == Event.Status.CANCELLED:
        raise ValidationError({"event": CHECK_IN_CANCELLED_EVENT})
    if not override and not check_in_is_open(event):
        raise ValidationError({"event": check_in_closed_message(event)})
    confirmed = event.registrations.select_related("user").filter(status=Registration.Status.CONFIRMED)
    if registration_id is not None:
        registration = confirmed.filter(pk=registration_id).first()
        if registration is None:
            raise ValidationError({"registration": "No confirmed registration for this session has that id."})
    elif code is not None:
        code = normalise_code(code)
        registration = confirmed.filter(check_in_code=code).first()
        if registration is None:
            raise ValidationError({"code": CHECK_IN_UNKNOWN.format(code=code or "(empty)")})
    else:
        raise ValidationError({"code": CHECK_IN_NEEDS_PERSON})
    return attendance_mark(registration=registration, attended=True, by=by)


@transaction.atomic
def attendance_check_in_undo(*, registration: Registration, by: User) -> Registration:
    """Take back a mistaken check-in: the person is "not marked" again (not a no-show)."""
    registration = Registration.objects.select_for_update().select_related("event").get(pk=registration.pk)
    if registration.event.attendance_finalised_at:
        raise ValidationError({"event": UNDO_AFTER_FINALISED})
    if registration.attendance != Registration.Attendance.ATTENDED:
        raise ValidationError({"registration": CHECK_IN_NOT_ARRIVED})
    registration.attendance = Registration.Attendance.UNKNOWN
    registration.attendance_marked_at = timezone.now()
    registration.attendance_marked_by = by
    registration.save(update_fields=["attendance", "attendance_marked_at", "attendance_marked_by", "updated_at"])
    return registration


@transaction.atomic
def attendance_finalise(*, event: Event, by: User) -> int:
    """After the session: every confirmed registration not marked attended becomes a no-show."""
    event = _lock_event(event)
    if event.start > timezone.now():
        raise ValidationError({"event": FINALISE_BEFORE_START})
    if event.attendance_finalised_at:
        raise ValidationError({"event": ALREADY_FINALISED})
    now = timezone.now()
    no_shows = event.registrations.filter(status=Registration.Status.CONFIRMED).exclude(
        attendance=Registration.Attendance.ATTENDED
    )
    count = no_shows.update(
        attendance=Registration.Attendance.NO_SHOW, attendance_marked_at=now, attendance_marked_by=by
    )
    event_services.event_attendance_finalised_set(event=event, at=now)
    from .signals import attendance_finalised

    attendance_finalised.send(sender=Event, event=event, by=by)
    return count


# --- Privacy -----------------------------------------------------------------------------


def user_export_data(*, user: User) -> dict:
    """Everything Crossroads holds about a person, as JSON-ready data."""
    registrations = Registration.objects.filter(user=user).select_related("event", "event__partnership")
    data = {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "email": user.email,
            "full_name": user.full_name,
            "organisation": user.organisation,
            "sector": user.sector.name if user.sector else None,
            "role_title": user.role_title,
            "email_verified": user.email_verified,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
        },
        "partnership_roles": [
            {"partnership": m.partnership.slug, "role": m.role} for m in user.memberships.select_related("partnership")
        ],
        "api_tokens": [
            {
                "name": t.name,
                "hint": t.hint,
                "created_at": t.created_at.isoformat(),
                "revoked": t.revoked_at is not None,
            }
            for t in user.api_tokens.all()
        ],
        "registrations": [
            {
                "event": r.event.title,
                "event_url": r.event.get_absolute_url(),
                "start": r.event.start.isoformat(),
                "partnership": r.event.partnership.slug,
                "status": r.status,
                "waitlist_position": r.waitlist_position,
                "offer_expires_at": r.offer_expires_at.isoformat() if r.offer_expires_at else None,
                "attendance": r.attendance,
                "needs": r.needs,
                "consent_attendee_list": r.consent_attendee_list,
                "talk_about": r.talk_about,
                "registered_at": r.created_at.isoformat(),
                "feedback": _feedback_export(r),
            }
            for r in registrations.select_related("feedback")
        ],
    }
    # What the apps above hold about the person (follows, sessions presented, …).
    from .signals import personal_data_collected

    for _receiver, sections in personal_data_collected.send(sender=User, user=user):
        data.update(sections or {})
    return data


def _feedback_export(registration) -> dict | None:
    feedback = getattr(registration, "feedback", None)
    if feedback is None:
        return None
    return {
        "rating": feedback.rating,
        "most_useful": feedback.most_useful,
        "do_differently": feedback.do_differently,
        "new_contacts": feedback.new_contacts,
        "would_recommend": feedback.would_recommend,
        "comments": feedback.comments,
        "consent_quote": feedback.consent_quote,
        "consent_name": feedback.consent_name,
    }


@transaction.atomic
def user_delete_account(*, user: User) -> None:
    """Delete the account. Registrations stay, anonymised, so attendance counts stay right.

    Upcoming seats are given up first (the waitlist moves up); then personal details are cleared.
    """
    now = timezone.now()
    for registration in Registration.objects.filter(
        user=user, event__start__gt=now, status__in=[*SEAT_STATUSES, Registration.Status.WAITLISTED]
    ):
        registration_cancel(registration=registration, by=None)
    Registration.objects.filter(user=user).update(
        needs="", talk_about="", consent_attendee_list=False, anonymised_at=now
    )
    try:
        user.delete()  # registrations keep their rows with user = NULL
    except IntegrityError as error:  # pragma: no cover - protected relations would be a bug
        raise PermissionDenied(str(error))


def registration_lock(*, registration: Registration, related: tuple[str, ...] = ()) -> Registration:
    """The registration row as it is now, locked until the caller's transaction ends (call inside one).

    Only the registration's own row is locked (`of=("self",)` on PostgreSQL), not its event's.
    """
    return Registration.objects.select_for_update(of=("self",)).select_related(*related).get(pk=registration.pk)


# --- Waitlist offers ----------------------------------------------------------------------
# A freed seat is offered to the head of the waitlist (waitlist_promote); the person accepts or declines
# by the e-mail's links (registrations.offer_links) or the API, and the sweep (offers_expire_due, run by
# Celery beat) ends offers past their deadline and offers the seat to the next person.


def _offer_locked(registration: Registration, now) -> tuple[Event, Registration]:
    """The event (locked) and the registration (locked, as it is now), if its offer is still open."""
    event = _lock_event(registration.event_id)
    registration = registration_lock(registration=registration)
    if registration.status != Registration.Status.OFFERED:
        raise ValidationError({"offer": OFFER_NOT_OPEN})
    if event.status == Event.Status.CANCELLED:
        raise ValidationError({"event": OFFER_EVENT_CANCELLED})
    if registration.offer_expires_at <= now:
        raise ValidationError({"offer": OFFER_EXPIRED})
    return event, registration


@transaction.atomic
def offer_accept(*, registration: Registration, now=None) -> Registration:
    """Take the offered seat: confirmed at once, and the calendar invitation goes out ("promoted")."""
    now = now or timezone.now()
    event, registration = _offer_locked(registration, now)
    registration.status = Registration.Status.CONFIRMED
    registration.offer_expires_at = None
    registration.save(update_fields=["status", "offer_expires_at", "updated_at"])
    registration.event = event
    registration_changed.send(sender=Registration, registration=registration, change="promoted")
    return registration


@transaction.atomic
def offer_decline(*, registration: Registration, now=None) -> Registration:
    """Say no to the offered seat: the person leaves the waitlist and the seat is offered to the next."""
    now = now or timezone.now()
    event, registration = _offer_locked(registration, now)
    _cancel_row(registration)
    registration.event = event
    registration_changed.send(sender=Registration, registration=registration, change="declined")
    waitlist_promote(event=event, now=now)
    return registration


def offers_withdraw(*, event: Event) -> int:
    """The session was cancelled: seats held by offers are no longer held. The people offered go back to
    the head of the waitlist, in the order they were offered (they hear of the cancellation as everyone
    else does). Expects the event lock; returns how many offers ended."""
    offered = list(
        event.registrations.select_for_update()
        .filter(status=Registration.Status.OFFERED)
        .order_by("offer_expires_at", "created_at", "pk")
    )
    if not offered:
        return 0
    event.registrations.filter(status=Registration.Status.WAITLISTED).update(
        waitlist_position=F("waitlist_position") + len(offered)
    )
    for position, registration in enumerate(offered, start=1):
        registration.status = Registration.Status.WAITLISTED
        registration.waitlist_position = position
        registration.offer_expires_at = None
        registration.save(update_fields=["status", "waitlist_position", "offer_expires_at", "updated_at"])
    return len(offered)


def offers_expire_due(*, now=None) -> int:
    """End every offer past its deadline and offer the seats to the next people, one event at a time.

    Each event in its own transaction under its lock, with the overdue offers read again after the lock:
    two sweeps at once (or a sweep racing an accept) end each offer once. Returns how many ended."""
    now = now or timezone.now()
    event_ids = (
        Registration.objects.filter(
            status=Registration.Status.OFFERED, offer_expires_at__lte=now, event__status=Event.Status.PUBLISHED
        )
        .values_list("event_id", flat=True)
        .distinct()
    )
    return sum(offers_expire_for_event(event_id=event_id, now=now) for event_id in list(event_ids))


@transaction.atomic
def offers_expire_for_event(*, event_id: int, now=None) -> int:
    now = now or timezone.now()
    event = _lock_event(event_id)
    overdue = list(
        event.registrations.select_for_update()
        .filter(status=Registration.Status.OFFERED, offer_expires_at__lte=now)
        .order_by("offer_expires_at", "pk")
    )
    for registration in overdue:
        _cancel_row(registration)
        registration.event = event
        registration_changed.send(sender=Registration, registration=registration, change="offer_expired")
    if overdue and event.status == Event.Status.PUBLISHED:
        waitlist_promote(event=event, now=now)
    return len(overdue)
