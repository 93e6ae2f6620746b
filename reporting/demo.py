"""Demo history for `manage.py seed_demo`, so the reports show real shapes. Idempotent.

- Last year's monthly sessions (February to November, smaller rooms, two co-hosts), with registrations,
  waitlists, cancellations and finalised attendance; the sector mix broadens over the year.
- Feedback from about two in three attendees of every past session whose attendance is final, in both
  years (ratings and cross-sector connections improving), and a few anonymous quotes picked for the report.

The most recent session's attendance is left open by registrations.demo: finalising it sends the feedback
invitations, to try the e-mailed form.
"""

import random
from datetime import date, time, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.demo import COORDINATOR_EMAIL, FIRST_NAMES, LAST_NAMES, practitioner_email
from accounts.models import Partnership, Sector, User
from events import services as event_services
from events.demo import COHOSTS, DESCRIPTION, SERIES_TITLE, TOPICS_BY_MONTH
from events.models import Event, Series, Venue
from registrations import services as registration_services
from registrations.demo import seat_registrations
from registrations.models import Registration, new_check_in_code

from . import services
from .models import Feedback

MOST_USEFUL = [
    "Hearing how the kindergarten teachers decide when to refer.",
    "The walk-through of the referral pathway for speech delays.",
    "Meeting the maternal and child health nurses from my area.",
    "The case study: seeing who does what for one family.",
    "The table conversations with people from other sectors.",
    "Learning what the GP clinics need in a referral letter.",
    "Understanding the Child Safe Standards from the schools' side.",
    "Hearing from the family violence team about safety planning.",
    "Finding out the community health waiting list is shorter than I thought.",
    "",
]
DO_DIFFERENTLY = [
    "Call the kinder before referring, instead of only sending a form.",
    "Check the service directory before I refer a family.",
    "Put the family's consent and the key details in every referral.",
    "Invite the school wellbeing officer to our case meetings.",
    "Follow up every referral within a week.",
    "Ask about safety at intake, every time.",
    "",
]
COMMENTS = [
    "",
    "",
    "",
    "More time for networking, please.",
    "The venue worked well.",
    "Could the presentations be shared afterwards?",
    "The most useful professional development I have done this year.",
    "A session on the NDIS early childhood approach would help.",
]
# People who came once or twice last year, as walk-ins (accounts without a password, claimable by reset).
GUEST_ORGANISATIONS = {
    "medical": ["Ballarat Base Hospital", "Lucas Medical Centre", "Ballarat Paediatrics"],
    "education-and-care": ["Wendouree Kindergarten", "Alfredton Primary School", "Goodstart Early Learning"],
    "community-services": ["Ballarat and District Aboriginal Co-operative", "Berry Street", "CAFS Family Services"],
    "other": ["Federation University", "Ballarat Libraries"],
}
# Last year's mix: mostly medical at first, broadening as the word spread (weights by month index 0..9).
MIX = {
    "medical": lambda m: 5 - m * 0.3,
    "education-and-care": lambda m: 1.5 + m * 0.3,
    "community-services": lambda m: 2 + m * 0.15,
    "other": lambda m: 0.6,
}


def _weighted_sample(rng: random.Random, people: list[User], weights: dict[int, float], count: int) -> list[User]:
    """`count` people without replacement, each chosen in proportion to its sector's weight."""
    keyed = sorted(people, key=lambda p: rng.random() ** (1 / max(weights.get(p.sector_id, 1.0), 0.05)), reverse=True)
    return keyed[:count]


def _last_year_sessions(partnership: Partnership, coordinator: User, rng: random.Random, stdout) -> list[Event]:
    last_year = timezone.localdate().year - 1
    title = f"{SERIES_TITLE} ({last_year})"
    series = Series.objects.filter(partnership=partnership, title=title).first()
    if series is None:
        venue = Venue.objects.filter(partnership=partnership, kind=Venue.Kind.IN_PERSON).order_by("pk").first()
        series = event_services.series_create(
            partnership=partnership,
            title=title,
            description=DESCRIPTION,
            topics=[event_services.topic_get_or_create(name="Referral pathways")],
            sectors=list(Sector.objects.filter(slug__in=["medical", "education-and-care", "community-services"])),
            cohosts=COHOSTS[:2],
            facilitators=["Casey Coordinator (City of Ballarat)"],
            default_venue=venue,
            default_capacity=40,
            duration_minutes=120,
            start_date=date(last_year, 1, 1),
            start_time=time(9, 30),
            rrule=f"FREQ=MONTHLY;BYDAY=1WE;BYMONTH=2,3,4,5,6,7,8,9,10,11;UNTIL={last_year}1130",
            publish=True,
        )
        now = timezone.now()
        series.events.filter(start__lte=now).update(
            status=Event.Status.PUBLISHED, published_at=now - timedelta(days=800)
        )
        for event in series.events.all():
            topic, names = TOPICS_BY_MONTH.get(event.occurrence_date.month, (SERIES_TITLE, []))
            event.title = f"{SERIES_TITLE}: {topic}"
            event.save(update_fields=["title"])
            event.topics.add(*[event_services.topic_get_or_create(name=n) for n in names])
    events = list(series.events.filter(status=Event.Status.PUBLISHED).order_by("start"))
    if Registration.objects.filter(event__in=events).exists():
        return events
    people = list(User.objects.filter(email__in=[practitioner_email(n) for n in range(3, 61)]).order_by("pk"))
    sectors = {s.slug: s.pk for s in Sector.objects.all()}
    guests = 0
    guest_users = {u.email: u for u in User.objects.filter(email__startswith="guest", email__endswith="@example.org")}
    for month, event in enumerate(events):
        weights = {sectors[slug]: weight(month) for slug, weight in MIX.items() if slug in sectors}
        wanted = min(len(people), 24 + month * 2 + rng.randint(0, 6))  # 24–48: later sessions fill up
        # Bulk writes, with the outcome the services would give: seats, then a few cancel (the waitlist
        # moves up), then attendance.
        rows = seat_registrations(event, _weighted_sample(rng, people, weights, wanted), rng, consent=0.5)
        confirmed = [r for r in rows if r.status == Registration.Status.CONFIRMED]
        waiting = [r for r in rows if r.status == Registration.Status.WAITLISTED]
        for registration in confirmed[: rng.randint(0, 3)]:
            registration.status, registration.cancelled_at = Registration.Status.CANCELLED, event.start
            if waiting:
                promoted = waiting.pop(0)
                promoted.status = Registration.Status.CONFIRMED
        for position, registration in enumerate(waiting, start=1):
            registration.waitlist_position = position
        for registration in rows:
            if registration.status != Registration.Status.WAITLISTED:
                registration.waitlist_position = None
            if registration.status == Registration.Status.CONFIRMED and rng.random() < 0.84 + month * 0.01:
                registration.attendance = Registration.Attendance.ATTENDED
                registration.attendance_marked_at, registration.attendance_marked_by = event.start, coordinator
        # Walk-ins, as walk_in_add would record them (an account without a password on a first visit,
        # confirmed and attended, one more seat when the room is full), written with the session's rows.
        confirmed_count = sum(1 for r in rows if r.status == Registration.Status.CONFIRMED)
        capacity = event.capacity
        here: dict[str, Registration] = {}
        new_guests = []
        for _ in range(rng.randint(1, 4)):
            if guests and rng.random() < 0.25:
                number = rng.randint(1, guests)  # an earlier guest comes back
            else:
                guests += 1
                number = guests
            slug = rng.choice(list(GUEST_ORGANISATIONS))
            first, last = FIRST_NAMES[(number * 11) % len(FIRST_NAMES)], LAST_NAMES[(number * 3) % len(LAST_NAMES)]
            organisation = rng.choice(GUEST_ORGANISATIONS[slug])
            email = f"guest{number}@example.org"
            user = guest_users.get(email)
            if user is None:
                user = User(
                    email=email, full_name=f"{first} {last}", organisation=organisation, sector_id=sectors[slug]
                )
                user.set_unusable_password()
                user.full_clean(exclude=["password", "sector"], validate_unique=False)
                guest_users[email] = user
                new_guests.append(user)
            if email not in here:
                if confirmed_count >= event.capacity:
                    event.capacity += 1  # event_seat_add: they are in the room
                confirmed_count += 1
                codes = {r.check_in_code for r in rows}
                code = new_check_in_code()
                while code in codes:
                    code = new_check_in_code()
                here[email] = Registration(
                    event=event,
                    user=user,
                    sector_id=user.sector_id,
                    status=Registration.Status.CONFIRMED,
                    source=Registration.Source.WALK_IN,
                    check_in_code=code,
                )
                rows.append(here[email])
            walk_in = here[email]
            walk_in.attendance = Registration.Attendance.ATTENDED
            walk_in.attendance_marked_at, walk_in.attendance_marked_by = timezone.now(), coordinator
        User.objects.bulk_create(new_guests)
        Registration.objects.bulk_create(rows)
        if event.capacity != capacity:
            Event.objects.filter(pk=event.pk).update(capacity=event.capacity)
        registration_services.attendance_finalise(event=event, by=coordinator)
    stdout.write(
        f"Reporting: last year's {len(events)} monthly sessions with registrations, attendance and "
        f"walk-ins ({guests} guests)."
    )
    return events


def _feedback(partnership: Partnership, rng: random.Random) -> int:
    """Answers from about two in three attendees of every past session whose attendance is final."""
    events = list(
        Event.objects.filter(
            partnership=partnership,
            status=Event.Status.PUBLISHED,
            attendance_finalised_at__isnull=False,
            end__lte=timezone.now(),
        ).order_by("start")
    )
    done = set(Feedback.objects.filter(registration__event__in=events).values_list("registration__event_id", flat=True))
    sectors = list(Sector.objects.all())
    first = events[0].start if events else timezone.now()
    made = 0
    rows = []
    for event in events:
        if event.pk in done:  # a session with answers has had its turn (seed_demo runs again and again)
            continue
        progress = min(1.0, (event.start - first).days / 660)  # 0 at the first session, 1 two years on
        waiting = event.registrations.filter(
            status=Registration.Status.CONFIRMED, attendance=Registration.Attendance.ATTENDED, feedback__isnull=True
        ).select_related("sector")
        for registration in waiting:
            if rng.random() > 0.55 + progress * 0.2:
                continue
            rating = max(1, min(5, round(rng.gauss(3.7 + progress * 0.8, 0.8))))
            others = [s for s in sectors if s.pk != registration.sector_id]
            connected = rng.sample(others, rng.randint(0, 2) + (1 if rng.random() < 0.4 + progress * 0.4 else 0))
            if rng.random() < 0.2 and registration.sector:
                connected.append(registration.sector)
            answers = {
                "rating": rating,
                "would_recommend": rng.random() < 0.35 + rating * 0.13,
                "most_useful": rng.choice(MOST_USEFUL),
                "do_differently": rng.choice(DO_DIFFERENTLY),
                "new_contacts": max(0, round(rng.gauss(1.5 + progress * 2.5, 1.2))),
                "comments": rng.choice(COMMENTS),
                "consent_quote": rng.random() < 0.45,
                "consent_name": rng.random() < 0.3,
            }
            answered = event.end + timedelta(days=rng.randint(1, 6), hours=rng.randint(0, 10))
            rows.append((Feedback(registration=registration, submitted_at=answered, **answers), connected))
            made += 1
    Feedback.objects.bulk_create([feedback for feedback, _ in rows])  # one write for every answer
    links = Feedback.sectors_connected.through
    links.objects.bulk_create(
        [links(feedback_id=feedback.pk, sector_id=sector.pk) for feedback, sectors in rows for sector in sectors]
    )
    return made


def _quotes(partnership: Partnership, coordinator: User, rng: random.Random) -> int:
    answers = Feedback.objects.filter(registration__event__partnership=partnership)
    if answers.exclude(quote_field="").exists():
        return 0
    candidates = list(
        answers.filter(consent_quote=True, rating__gte=4).exclude(most_useful="").order_by("registration__event__start")
    )
    seen: set[str] = set()
    picked = 0
    for feedback in rng.sample(candidates, min(len(candidates), 30)):
        if feedback.most_useful in seen or picked >= 6:
            continue
        seen.add(feedback.most_useful)
        field = "do_differently" if feedback.do_differently and rng.random() < 0.4 else "most_useful"
        services.feedback_quote_select(feedback=feedback, quote_field=field, by=coordinator)
        picked += 1
    return picked


@transaction.atomic
def seed(stdout) -> None:
    partnership = Partnership.objects.filter(slug="ballarat").first()
    coordinator = User.objects.filter(email=COORDINATOR_EMAIL).first()
    if partnership is None or coordinator is None:
        stdout.write("Reporting: no demo partnership.")
        return
    rng = random.Random(2024)
    _last_year_sessions(partnership, coordinator, rng, stdout)
    made = _feedback(partnership, rng)
    picked = _quotes(partnership, coordinator, rng)
    if made or picked:
        stdout.write(f"Reporting: {made} feedback responses; {picked} anonymous quotes picked for the report.")
    else:
        stdout.write("Reporting: feedback already there.")
