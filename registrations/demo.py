"""Demo registrations for `manage.py seed_demo`. Idempotent.

Past sessions have attendance (finalised); the next session is full with a waitlist (so
practitioner1, left out, can try joining it) and an open waitlist offer (one person cancelled, the
head of the waitlist has a day to accept); later sessions are filling up.
"""

import random

from django.db import transaction
from django.utils import timezone

from accounts.demo import COORDINATOR_EMAIL, practitioner_email
from accounts.models import User
from events.models import Event

from . import services
from .models import Registration, new_check_in_code

TALK_ABOUT = [
    "speech pathology referrals",
    "kindergarten enrolment",
    "family violence safety planning",
    "NDIS early childhood approach",
    "perinatal mental health",
    "school refusal",
    "",
]


@transaction.atomic
def seed(stdout) -> None:
    events = list(Event.objects.filter(partnership__slug="ballarat").order_by("start"))
    if not events or Registration.objects.filter(event__in=events).exists():
        stdout.write("Registrations: already there.")
        return
    rng = random.Random(2026)
    coordinator = User.objects.get(email=COORDINATOR_EMAIL)
    people = list(User.objects.filter(email__in=[practitioner_email(n) for n in range(3, 61)]).order_by("pk"))
    now = timezone.now()
    past = [e for e in events if e.end <= now and e.status == Event.Status.PUBLISHED]
    upcoming = [e for e in events if e.start > now and e.status == Event.Status.PUBLISHED]
    rows = []  # bulk writes: seat and waitlist order as registration_create would give them
    for event in past:
        for registration in seat_registrations(event, rng.sample(people, rng.randint(34, 48)), rng, consent=0.6):
            if registration.status == Registration.Status.CONFIRMED and rng.random() < 0.86:
                registration.attendance = Registration.Attendance.ATTENDED
                registration.attendance_marked_at = event.start
                registration.attendance_marked_by = coordinator
            rows.append(registration)
    offer = None
    if upcoming:
        full = upcoming[0]
        seated = seat_registrations(full, people[: full.capacity + 8], rng, consent=0.6)
        offer = _open_offer(full, seated, now)
        rows += seated
        for event in upcoming[1:]:
            rows += seat_registrations(event, rng.sample(people, rng.randint(8, 30)), rng, consent=0.5)
    Registration.objects.bulk_create(rows, batch_size=500)
    for event in past[:-1]:  # the latest stays open, for the coordinator to finalise (and certify)
        services.attendance_finalise(event=event, by=coordinator)
    stdout.write(
        f"Registrations: {len(rows)} in {len(past)} past sessions with attendance; "
        "the next session is full with a waitlist"
        + (f" and an open offer to {offer.user.email} (accept on My sessions)." if offer else ".")
    )


def _open_offer(event: Event, seated: list[Registration], now) -> Registration | None:
    """As if the last confirmed person cancelled: the head of the waitlist holds the seat until the deadline."""
    deadline = services.offer_deadline(event, now)
    waiting = [r for r in seated if r.status == Registration.Status.WAITLISTED]
    if deadline is None or not waiting:
        return None
    gone = [r for r in seated if r.status == Registration.Status.CONFIRMED][-1]
    gone.status, gone.cancelled_at = Registration.Status.CANCELLED, now
    offer = waiting[0]
    offer.status, offer.waitlist_position, offer.offer_expires_at = Registration.Status.OFFERED, None, deadline
    for number, registration in enumerate(waiting[1:], start=1):
        registration.waitlist_position = number
    return offer


def seat_registrations(event: Event, users: list[User], rng: random.Random, *, consent: float) -> list[Registration]:
    """Registrations in arrival order: confirmed up to capacity, then the waitlist."""
    codes: set[str] = set()
    made = []
    for number, user in enumerate(users):
        code = new_check_in_code()
        while code in codes:
            code = new_check_in_code()
        codes.add(code)
        waiting = number >= event.capacity
        made.append(
            Registration(
                event=event,
                user=user,
                sector_id=user.sector_id,
                status=Registration.Status.WAITLISTED if waiting else Registration.Status.CONFIRMED,
                waitlist_position=number - event.capacity + 1 if waiting else None,
                check_in_code=code,
                consent_attendee_list=rng.random() < consent,
                talk_about=rng.choice(TALK_ABOUT),
            )
        )
    return made
