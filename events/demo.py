"""Demo sessions for `manage.py seed_demo`: Ballarat's monthly series for this year and next. Idempotent."""

from datetime import date, time, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Partnership, Sector

from . import services
from .models import Event, Series, Venue

SERIES_TITLE = "Collaborating for Systems Improvement"
COHOSTS = ["City of Ballarat", "Grampians Public Health Unit", "Child and Family Services Ballarat"]
TOPICS_BY_MONTH = {
    2: ("Referral pathways: who does what for families", ["Referral pathways"]),
    3: ("Child safety and the Child Safe Standards", ["Child safety"]),
    4: ("Family violence: recognising and responding", ["Family violence"]),
    5: ("Early intervention for development concerns", ["Early intervention"]),
    6: ("Allied health: speech, OT and physio pathways", ["Allied health", "Referral pathways"]),
    7: ("Kindergarten transitions and school readiness", ["Kindergarten transitions"]),
    8: ("Infant and child mental health", ["Infant mental health"]),
    9: ("Working with Aboriginal families: cultural safety", ["Cultural safety"]),
    10: ("Perinatal wellbeing and the first 1000 days", ["Perinatal"]),
    11: ("The year in review: what changed in our service system", ["Referral pathways"]),
}
DESCRIPTION = """Monthly two-hour professional-development and networking session for practitioners from the
**medical**, **education and care** and **community services** sectors.

Come to understand the local service system, including its *referral pathways*, and meet the people
who work with the same children and families.

Co-designed by the City of Ballarat, the Grampians Public Health Unit and Child and Family Services Ballarat."""


@transaction.atomic
def seed(stdout) -> None:
    partnership = Partnership.objects.get(slug="ballarat")
    library, _ = Venue.objects.get_or_create(
        partnership=partnership,
        name="Ballarat Library, Community Room",
        defaults={
            "kind": Venue.Kind.IN_PERSON,
            "address": "178 Doveton Street North, Ballarat Central VIC 3350",
            "accessibility_notes": "Step-free entry from Doveton Street; accessible toilets; hearing loop.",
            "parking_notes": "Two-hour street parking; accessible bays at the front.",
        },
    )
    online, _ = Venue.objects.get_or_create(
        partnership=partnership,
        name="Online (video meeting)",
        defaults={"kind": Venue.Kind.ONLINE, "online_url": "https://meet.example.org/ballarat-csi"},
    )
    Venue.objects.get_or_create(
        partnership=partnership,
        name="Ballarat Town Hall, Council Chamber (hybrid)",
        defaults={
            "kind": Venue.Kind.HYBRID,
            "address": "225 Sturt Street, Ballarat Central VIC 3350",
            "online_url": "https://meet.example.org/ballarat-town-hall",
            "accessibility_notes": "Lift from the Armstrong Street entrance.",
        },
    )
    if Series.objects.filter(partnership=partnership, title=SERIES_TITLE).exists():
        stdout.write(f"Events: the series “{SERIES_TITLE}” already exists.")
        return
    this_year = timezone.localdate().year
    sectors = list(Sector.objects.filter(slug__in=["medical", "education-and-care", "community-services"]))
    series = services.series_create(
        partnership=partnership,
        title=SERIES_TITLE,
        description=DESCRIPTION,
        topics=[services.topic_get_or_create(name="Referral pathways")],
        sectors=sectors,
        cohosts=COHOSTS,
        facilitators=["Casey Coordinator (City of Ballarat)"],
        default_venue=library,
        default_capacity=50,
        duration_minutes=120,
        start_date=date(this_year, 1, 1),
        start_time=time(9, 30),
        rrule=f"FREQ=MONTHLY;BYDAY=1WE;BYMONTH=2,3,4,5,6,7,8,9,10,11;UNTIL={this_year + 1}1130",
        publish=True,
    )
    now = timezone.now()
    # Seeding history: past occurrences are shown as completed sessions that were published.
    series.events.filter(start__lte=now).update(status=Event.Status.PUBLISHED, published_at=now - timedelta(days=400))
    upcoming = list(series.events.filter(start__gt=now).order_by("start"))
    for event in series.events.all():
        title, topic_names = TOPICS_BY_MONTH.get(event.occurrence_date.month, (SERIES_TITLE, []))
        event.title = f"{SERIES_TITLE}: {title}"
        event.save(update_fields=["title"])
        event.topics.add(*[services.topic_get_or_create(name=n) for n in topic_names])
    if len(upcoming) >= 4:
        services.event_update(event=upcoming[1], venue=online)
        moved = upcoming[2]
        services.event_update(event=moved, start=moved.start + timedelta(days=7), end=moved.end + timedelta(days=7))
        services.event_cancel(event=upcoming[3], reason="The venue is closed for maintenance; see you next month.")
    stdout.write(f"Events: {series.events.count()} monthly sessions in “{SERIES_TITLE}” ({this_year}–{this_year + 1}).")
