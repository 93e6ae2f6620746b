"""Calendar feed benchmark: the partnership feed and a practitioner's personal feed of 10,000 sessions.

The floor, in the same run: icalendar alone serialising the same events (VEVENTs built from plain
values already in memory, one VTIMEZONE, no database, no Django). Floor and feed alternate, round after
round; each prints median and range.

- cold: GET with an empty cache (as after any change: the ETag moves and the body is built again);
  goal <= 1.3x the floor;
- peak memory (tracemalloc) of a cold GET, against the floor's; goal <= 1.3x;
- warm: the cached body; 304: a conditional GET, in the same number of queries at 1,000 and 10,000.

    .venv/bin/python benchmarks/feed.py [--quick]     # SQLite (a temporary file); DATABASE_URL for PostgreSQL
"""

import sys
import tracemalloc
from datetime import datetime, timedelta

from _setup import QUICK, alternate, bench, count_queries, django_setup, ratio_of, spread

SIZES = (1000, 10000)
GOAL = 1.3


def seed_to(total: int, state: dict) -> None:
    from django.utils import timezone

    from accounts.models import Partnership, User
    from events.models import Event, Topic, Venue
    from registrations.models import Registration

    if "partnership" not in state:
        state["partnership"] = Partnership.objects.create(
            slug="bench", name="Bench Partnership", locality="Ballarat", contact_email="b@example.org"
        )
        state["venue"] = Venue.objects.create(
            partnership=state["partnership"], name="Library", address="178 Doveton St, Ballarat"
        )
        state["topics"] = [Topic.objects.create(name=f"Topic {i}", slug=f"topic-{i}") for i in range(8)]
        state["user"] = User.objects.create(email="feed@example.org", full_name="Feed Reader")
    have = Event.objects.count()
    now = timezone.now().replace(second=0, microsecond=0)
    created = Event.objects.bulk_create(
        [
            Event(
                partnership=state["partnership"],
                title=f"Session {i}: referral pathways for families",
                description="Monthly professional development and networking.",
                start=now + timedelta(hours=6 * i),
                end=now + timedelta(hours=6 * i + 2),
                capacity=50,
                status=Event.Status.PUBLISHED,
                published_at=now,
                venue=state["venue"],
            )
            for i in range(have, total)
        ],
        batch_size=1000,
    )
    through = Event.topics.through
    through.objects.bulk_create(
        [through(event_id=e.pk, topic_id=state["topics"][e.pk % 8].pk) for e in created], batch_size=2000
    )
    Registration.objects.bulk_create(
        [Registration(event=e, user=state["user"], status="confirmed", check_in_code=f"F{e.pk:07d}") for e in created],
        batch_size=2000,
    )


def floor_ics(rows) -> bytes:
    """icalendar alone: the same VEVENTs from plain values already in memory."""
    from zoneinfo import ZoneInfo

    from icalendar import Calendar, Event, Timezone

    zone = ZoneInfo("Australia/Melbourne")
    calendar = Calendar()
    calendar.add("prodid", "-//floor//")
    calendar.add("version", "2.0")
    calendar.add_component(Timezone.from_tzid("Australia/Melbourne"))
    stamp = datetime.now(ZoneInfo("UTC"))
    for row in rows:
        event = Event()
        event.add("uid", row["uid"])
        event.add("dtstamp", stamp)
        event.add("dtstart", row["start"].astimezone(zone))
        event.add("dtend", row["end"].astimezone(zone))
        event.add("summary", row["title"])
        event.add("description", row["description"])
        event.add("location", "Library, 178 Doveton St, Ballarat")
        event.add("url", f"http://127.0.0.1:8000/events/{row['pk']}/")
        event.add("categories", [row["topic"]])
        event.add("last-modified", row["updated_at"])
        event.add("sequence", 0)
        event.add("status", "CONFIRMED")
        calendar.add_component(event)
    return calendar.to_ical()


def peak_mb(fn) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def main() -> None:
    django_setup()
    from django.core.cache import cache
    from django.db.models import F
    from django.test import Client

    from events.models import Event
    from notifications.models import FeedToken
    from notifications.services import feed_token_get_or_create

    client = Client()
    state: dict = {}
    not_modified_queries = {}
    for size in (100, SIZES[-1]) if QUICK else SIZES:
        seed_to(size, state)
        token = feed_token_get_or_create(user=state["user"], kind=FeedToken.Kind.PERSONAL).token
        feeds = {"partnership": "/calendar/bench.ics", "personal": f"/calendar/me/{token}.ics"}
        rows = list(
            Event.objects.values("pk", "uid", "start", "end", "title", "description", "updated_at").annotate(
                topic=F("topics__name")
            )
        )
        floor = lambda rows=rows: floor_ics(rows)  # noqa: E731
        cold, warm, conditional = {}, {}, {}
        for name, url in feeds.items():
            first = client.get(url)
            assert first.status_code == 200 and first.content.count(b"BEGIN:VEVENT") == size
            cold[name] = lambda url=url: client.get(url).status_code == 200 or sys.exit(f"{url} failed")
            warm[name] = cold[name]
            conditional[name] = lambda url=url, etag=first["ETag"]: (
                client.get(url, headers={"If-None-Match": etag}).status_code == 304 or sys.exit(f"{url}: no 304")
            )
        # Floor and both feeds alternate; the floor is timed once per round for both.
        samples = alternate({"floor": floor, **cold}, before=cache.clear, warmup=0)
        for name in feeds:
            ratio = ratio_of(samples[name], samples["floor"])
            bench(f"feed {name} {size:,} cold", spread(samples[name]), spread(samples["floor"]), ratio,
                  f"<= {GOAL}x", ratio <= GOAL)  # fmt: skip
        memory_floor = peak_mb(floor)
        for name in feeds:
            cache.clear()
            memory = peak_mb(cold[name])
            ratio = memory / memory_floor
            bench(f"feed {name} {size:,} peak memory", f"{memory:.1f} MB", f"{memory_floor:.1f} MB", ratio,
                  f"<= {GOAL}x", ratio <= GOAL)  # fmt: skip
        for name in feeds:
            timed = alternate({"warm": warm[name], "304": conditional[name]})
            ratio = ratio_of(timed["warm"], samples["floor"])
            bench(f"feed {name} {size:,} warm (cached)", spread(timed["warm"]), spread(samples["floor"]), ratio,
                  "< 0.1x (a cached body)", ratio < 0.1)  # fmt: skip
            not_modified_queries.setdefault(name, []).append(
                (size, count_queries(conditional[name]), spread(timed["304"]))
            )
    for name, results in not_modified_queries.items():
        counts = {queries for _, queries, _ in results}
        size, queries, timing = results[-1]
        sizes = " = ".join(f"{q} at {s:,}" for s, q, _ in results)
        bench(f"feed {name} 304", f"{timing}, {queries} queries", sizes if len(results) > 1 else "-", None,
              "queries fixed", len(counts) == 1 if len(results) > 1 else None)  # fmt: skip


if __name__ == "__main__":
    main()
