"""Demo people and the Ballarat partnership, for `manage.py seed_demo`. Idempotent."""

import os

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction

from .models import Membership, Partnership, Sector, User

DEMO_PASSWORD = os.environ.get("CROSSROADS_DEMO_PASSWORD", "crossroads-demo")
COORDINATOR_EMAIL = "coordinator@example.org"

FIRST_NAMES = [
    "Aisha",
    "Ben",
    "Chloe",
    "Dang",
    "Ella",
    "Farid",
    "Grace",
    "Hamish",
    "Isla",
    "Jack",
    "Kiri",
    "Liam",
    "Mia",
    "Ngoc",
    "Olivia",
    "Priya",
    "Quinn",
    "Ruby",
    "Sam",
    "Tahlia",
    "Uma",
    "Vikram",
    "Willow",
    "Xavier",
    "Yasmin",
    "Zoe",
    "Amelie",
    "Bảo",
    "Cian",
    "Daku",
]
LAST_NAMES = [
    "Nguyen",
    "Smith",
    "O'Brien",
    "Kaur",
    "Williams",
    "Jones",
    "Brown",
    "Wilson",
    "Taylor",
    "Martin",
    "Anderson",
    "Thompson",
    "Lee",
    "Walker",
    "Harris",
    "Ryan",
    "Kelly",
    "Murphy",
    "Clarke",
    "Trần",
]
ORGANISATIONS = {
    "medical": ["Ballarat Health Services", "Sturt Street Medical Clinic", "Wendouree Family Practice"],
    "education-and-care": ["Sebastopol Kindergarten", "Ballarat Early Learning Centre", "Delacombe Primary School"],
    "community-services": ["Ballarat Community Health", "Child and Family Services Ballarat", "Uniting Ballarat"],
    "other": ["City of Ballarat", "Ballarat Neighbourhood House"],
}
ROLES = {
    "medical": ["General practitioner", "Paediatrician", "Practice nurse", "Speech pathologist"],
    "education-and-care": ["Early childhood teacher", "Educator", "School wellbeing officer"],
    "community-services": ["Family worker", "Case manager", "Maternal and child health nurse"],
    "other": ["Librarian", "Community development officer"],
}


def practitioner_email(n: int) -> str:
    return f"practitioner{n}@example.org"


@transaction.atomic
def seed(stdout) -> dict:
    partnership, _ = Partnership.objects.update_or_create(
        slug="ballarat",
        defaults={
            "name": "Ballarat Community Partnership",
            "locality": "Ballarat",
            "time_zone": "Australia/Melbourne",
            "contact_email": "partnership@ballarat.example.org",
            "signatory_name": "Casey Coordinator",
            "signatory_role": "Community Partnerships Facilitator, City of Ballarat",
            "offer_window_hours": 24,  # a freed seat is offered to the waitlist's head for a day
        },
    )
    # One password hash for every demo account (hashing is deliberately slow: 61 hashes took ~20 s), and
    # none when every account is there already (a second run).
    password = make_password(DEMO_PASSWORD) if _missing_accounts() else "!"
    coordinator = _person(
        COORDINATOR_EMAIL,
        password=password,
        full_name="Casey Coordinator",
        organisation="City of Ballarat",
        sector=Sector.objects.get(slug="other"),
        role_title="Community partnerships facilitator",
    )
    Membership.objects.get_or_create(user=coordinator, partnership=partnership, defaults={"role": "coordinator"})

    sectors = list(Sector.objects.filter(slug__in=ORGANISATIONS))
    by_slug = {s.slug: s for s in sectors}
    # Weighted like the real sessions: most come from medical, education and care, and community services.
    rota = ["medical", "education-and-care", "community-services"] * 3 + ["other"]
    existing = set(
        User.objects.filter(email__in=[practitioner_email(n) for n in range(1, 61)]).values_list("email", flat=True)
    )
    new = []
    for n in range(1, 61):
        if practitioner_email(n) in existing:
            continue
        slug = rota[(n - 1) % len(rota)]
        first = FIRST_NAMES[(n - 1) % len(FIRST_NAMES)]
        last = LAST_NAMES[(n * 7) % len(LAST_NAMES)]
        orgs, roles = ORGANISATIONS[slug], ROLES[slug]
        new.append(
            User(
                email=practitioner_email(n),
                email_verified=True,
                password=password,
                full_name=f"{first} {last}",
                organisation=orgs[n % len(orgs)],
                sector=by_slug[slug],
                role_title=roles[n % len(roles)],
            )
        )
    User.objects.bulk_create(new)
    # The page's path written out, not reverse()d: reversing imports the URLconf and with it the whole API
    # (seconds on a slow machine) that seeding never needs. tests/reporting/test_demo.py follows this link.
    stdout.write(f"Partnership: {partnership.name} ({settings.SITE_URL}/partnerships/{partnership.slug}/)")
    stdout.write(f"Coordinator login: {COORDINATOR_EMAIL} / {DEMO_PASSWORD}")
    stdout.write(f"Practitioner logins: practitioner1@example.org … practitioner60@example.org / {DEMO_PASSWORD}")
    return {"partnership": partnership, "coordinator": coordinator}


def _missing_accounts() -> bool:
    wanted = [COORDINATOR_EMAIL] + [practitioner_email(n) for n in range(1, 61)]
    return User.objects.filter(email__in=wanted).count() < len(wanted)


def _person(email: str, *, password: str, **details) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create(email=email, email_verified=True, password=password, **details)
    return user
