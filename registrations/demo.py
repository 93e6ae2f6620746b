"""Demo registrations for `manage.py seed_demo`. Idempotent.

Past sessions have attendance (finalised); the next session is full with a waitlist (so
practitioner1, left out, can try joining it); later sessions are filling up.
"""

import random

from django.db import transaction
from django.utils import timezone

from accounts.demo import COORDINATOR_EMAIL, practitioner_email
from accounts.models import User
from events.models import Event

from . import services
from .models import Registration

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
    for event in past:
        for user in rng.sample(people, rng.randint(34, 48)):
            registration, _ = services.registration_create(
                event=event,
                user=user,
                check_open=False,
                consent_attendee_list=rng.random() < 0.6,
                talk_about=rng.choice(TALK_ABOUT),
            )
            if registration.status == Registration.Status.CONFIRMED and rng.random() < 0.86:
                services.attendance_mark(registration=registration, attended=True, by=coordinator)
        if event is not past[-1]:  # the latest stays open, for the coordinator to finalise (and certify)
            services.attendance_finalise(event=event, by=coordinator)
    if upcoming:
        full = upcoming[0]
        for user in people[: full.capacity + 8]:
            services.registration_create(
                event=full, user=user, consent_attendee_list=rng.random() < 0.6, talk_about=rng.choice(TALK_ABOUT)
            )
        for event in upcoming[1:]:
            for user in rng.sample(people, rng.randint(8, 30)):
                services.registration_create(event=event, user=user, consent_attendee_list=rng.random() < 0.5)
    stdout.write(f"Registrations: {len(past)} past sessions with attendance; the next session is full with a waitlist.")
