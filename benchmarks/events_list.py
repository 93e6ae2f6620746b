"""Events list benchmark: GET /api/events and the upcoming page with 50, 500 and 5,000 events.

Prints the median time and SQL query count at each size, beside a floor measured in the same run:
the same page of rows read with `.values()` and serialised with json.dumps, without the app.
Queries must not grow with the number of events.

    .venv/bin/python benchmarks/events_list.py            # SQLite (a temporary file)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python benchmarks/events_list.py
"""

import json
import random
from datetime import timedelta

from _setup import count_queries, django_setup, median_ms

SIZES = (50, 500, 5000)


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
    from django.test import Client
    from django.utils import timezone

    from events.models import Event

    client = Client()
    state: dict = {}
    print(f"{'events':>7} | {'GET /api/events':>16} {'queries':>7} | {'/events/ page':>13} {'queries':>7} | "
          f"{'floor (.values+json)':>20} | {'API / floor':>11}")  # fmt: skip
    for size in SIZES:
        seed_to(size, state)

        def api():
            response = client.get("/api/events?upcoming=true")
            assert response.status_code == 200, response.content[:300]

        def page():
            response = client.get("/events/")
            assert response.status_code == 200

        def floor():
            rows = list(
                Event.objects.filter(end__gte=timezone.now(), status="published")
                .order_by("start")
                .values("id", "title", "description", "start", "end", "capacity", "status")[:20]
            )
            json.dumps(rows, default=str)

        api_ms, page_ms, floor_ms = median_ms(api), median_ms(page), median_ms(floor)
        api_q, page_q = count_queries(api), count_queries(page)
        print(
            f"{size:>7} | {api_ms:>13.1f} ms {api_q:>7} | {page_ms:>10.1f} ms {page_q:>7} | "
            f"{floor_ms:>17.2f} ms | {api_ms / floor_ms:>10.1f}x"
        )


if __name__ == "__main__":
    main()
