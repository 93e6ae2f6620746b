"""Calendar feed benchmark: a partnership feed of 100, 1,000 and 10,000 sessions.

Prints the median time of GET /calendar/<slug>.ics beside the floor measured in the same run —
icalendar alone serialising the same events (VEVENTs built from plain values, one VTIMEZONE, no
database, no Django) — their ratio, the 304 path's time, and the query count.

    .venv/bin/python benchmarks/feed.py            # SQLite (a temporary file); DATABASE_URL for PostgreSQL
"""

from datetime import datetime, timedelta

from _setup import count_queries, django_setup, median_ms

SIZES = (100, 1000, 10000)


def seed_to(total: int, state: dict) -> None:
    from django.utils import timezone

    from accounts.models import Partnership
    from events.models import Event, Topic, Venue

    if "partnership" not in state:
        state["partnership"] = Partnership.objects.create(
            slug="bench", name="Bench Partnership", locality="Ballarat", contact_email="b@example.org"
        )
        state["venue"] = Venue.objects.create(
            partnership=state["partnership"], name="Library", address="178 Doveton St, Ballarat"
        )
        state["topics"] = [Topic.objects.create(name=f"Topic {i}", slug=f"topic-{i}") for i in range(8)]
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


def main() -> None:
    django_setup()
    from django.test import Client

    client = Client()
    state: dict = {}
    print(
        f"{'events':>7} | {'feed 200 (built)':>16} | {'floor (icalendar)':>17} | {'ratio':>6} | "
        f"{'200 (cached)':>12} | {'304':>8} | {'queries (built)':>15}"
    )
    for size in SIZES:
        seed_to(size, state)
        measure(size, client)


def measure(size: int, client) -> None:
    from django.core.cache import cache
    from django.db.models import F

    from events.models import Event

    url = "/calendar/bench.ics"
    first = client.get(url)
    assert first.status_code == 200
    etag = first["ETag"]
    rows = list(
        Event.objects.values("pk", "uid", "start", "end", "title", "description", "updated_at").annotate(
            topic=F("topics__name")
        )
    )
    repeat = 5 if size >= 10000 else 11

    def built():
        cache.clear()  # as after any change: the ETag moves and the feed is built again
        client.get(url)

    built_ms = median_ms(built, repeat=repeat, warmup=1)
    cached_ms = median_ms(lambda: client.get(url), repeat=repeat, warmup=1)
    floor_ms = median_ms(lambda: floor_ics(rows), repeat=repeat, warmup=1)
    not_modified_ms = median_ms(lambda: client.get(url, headers={"If-None-Match": etag}))
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    queries = count_queries(built)
    print(
        f"{size:>7} | {built_ms:>13.1f} ms | {floor_ms:>14.1f} ms | {built_ms / floor_ms:>5.2f}x | "
        f"{cached_ms:>9.1f} ms | {not_modified_ms:>5.1f} ms | {queries:>7}"
    )


if __name__ == "__main__":
    main()
