"""Events list benchmark: GET /api/events and the upcoming page with 50, 500 and 5,000 events.

The floor, alternating with the product in the same run (>= 3 rounds, median and range): the same 20
rows over the same HTTP path — Django's test client, all the middleware — from a bare view that reads
them with `.values()` and returns JSON (for the API) or renders one small template (for the page),
without the app's selectors, schemas or templates (benchmarks/_floor_urls.py). Queries must not grow
with the number of events.

    .venv/bin/python benchmarks/events_list.py [--quick]  # SQLite (a temporary file)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python benchmarks/events_list.py
"""

import random
import sys
from datetime import timedelta

from _setup import QUICK, alternate, bench, count_queries, django_setup, ratio_of, spread

SIZES = (50, 5000) if QUICK else (50, 500, 5000)
GOAL = 3.0  # the app's page at most 3x a bare view of the same rows


def seed_to(total: int, state: dict) -> None:
    from django.utils import timezone

    from accounts.models import Partnership, Sector
    from events.models import Event, Topic, Venue
    from registrations.models import Registration

    partnership = state.setdefault(
        "partnership",
        Partnership.objects.get_or_create(
            slug="bench", defaults={"name": "Bench", "locality": "Ballarat", "contact_email": "b@example.org"}
        )[0],
    )
    if "venue" not in state:
        state["venue"] = Venue.objects.create(partnership=partnership, name="Hall", address="1 Sturt St")
        state["topics"] = [Topic.objects.create(name=f"Topic {i}", slug=f"topic-{i}") for i in range(12)]
        state["sectors"] = list(Sector.objects.all())
        from accounts.models import User

        state["users"] = User.objects.bulk_create(
            [User(email=f"bench{i}@example.org", full_name=f"Bench {i}") for i in range(60)]
        )
    have = Event.objects.count()
    rng = random.Random(total)
    now = timezone.now()
    new = []
    for i in range(have, total):
        start = now + timedelta(days=rng.randint(-300, 700), minutes=rng.randint(0, 600))
        new.append(
            Event(
                partnership=partnership,
                title=f"Session {i} on referral pathways",
                description="Monthly PD session",
                start=start,
                end=start + timedelta(hours=2),
                capacity=50,
                status=Event.Status.PUBLISHED,
                published_at=now,
                venue=state["venue"],
            )
        )
    created = Event.objects.bulk_create(new, batch_size=1000)
    Topic_through = Event.topics.through
    Sector_through = Event.sectors.through
    Topic_through.objects.bulk_create(
        [Topic_through(event_id=e.pk, topic_id=rng.choice(state["topics"]).pk) for e in created], batch_size=2000
    )
    Sector_through.objects.bulk_create(
        [Sector_through(event_id=e.pk, sector_id=rng.choice(state["sectors"]).pk) for e in created], batch_size=2000
    )
    Registration.objects.bulk_create(
        [
            Registration(event_id=e.pk, user_id=u.pk, status="confirmed")
            for e in created
            for u in rng.sample(state["users"], 5)
        ],
        batch_size=2000,
    )


def main() -> None:
    django_setup()
    from django.conf import settings
    from django.test import Client

    settings.ROOT_URLCONF = "_floor_urls"
    client = Client()
    state: dict = {}
    queries: dict = {}
    for size in SIZES:
        seed_to(size, state)

        def get(url):
            return lambda: client.get(url).status_code == 200 or sys.exit(f"{url} failed")

        pairs = {"API": ("/api/events?upcoming=true", "/floor/events.json"), "page": ("/events/", "/floor/events/")}
        for name, (url, floor_url) in pairs.items():
            queries.setdefault(name, []).append((size, count_queries(get(url))))
            if size != SIZES[-1]:
                continue
            samples = alternate({"floor": get(floor_url), name: get(url)}, repeat=3)
            ratio = ratio_of(samples[name], samples["floor"])
            counts = {q for _, q in queries[name]}
            sizes = ", ".join(f"{q} at {s:,}" for s, q in queries[name])
            bench(f"events {name} ({url}) at {size:,} events", spread(samples[name]) + f", queries {sizes}",
                  spread(samples["floor"]) + f" {floor_url}", ratio, f"<= {GOAL}x, queries fixed",
                  ratio <= GOAL and len(counts) == 1)  # fmt: skip


if __name__ == "__main__":
    main()
