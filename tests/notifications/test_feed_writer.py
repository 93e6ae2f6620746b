"""The feeds' fast VEVENT writer says byte for byte what `ical.vevent()` + icalendar say."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from events.models import Event
from notifications import feed_writer, ical
from tests.accounts.factories import PartnershipFactory
from tests.events.factories import EventFactory, OnlineVenueFactory, TopicFactory, VenueFactory

pytestmark = pytest.mark.django_db
STAMP = datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=ZoneInfo("UTC"))


def facts_for(event: Event) -> feed_writer.Facts:
    rows = list(Event.objects.filter(pk=event.pk).values(*feed_writer.EVENT_FIELDS))
    (facts,) = feed_writer.facts_from_rows(rows)
    return facts


def sessions(partnership):
    """One of every kind of session a feed shows."""
    plain = EventFactory(partnership=partnership, venue=None, description="")
    tricky = EventFactory(
        partnership=partnership,
        title="Speech, language; and you \\ me",
        description="Line one\nLine two, with; commas\r\nand a backslash \\N and \\",
        venue=VenueFactory(partnership=partnership, name="Library; Room 1, upstairs", address="1 Sturt St"),
        cohosts=["Ballarat Health", "Child & Family Services"],
    )
    tricky.topics.add(TopicFactory(name="Zebra, topics"), TopicFactory(name="Alpha; first"))
    long_utf8 = EventFactory(
        partnership=partnership, title="Hội thảo về giới thiệu dịch vụ — " * 6, description="ễ" * 200 + "\\" * 80
    )
    ascii_escape_at_fold = EventFactory(partnership=partnership, title="x" * 72 + ",,,,," + "y" * 100)
    online = EventFactory(partnership=partnership, venue=OnlineVenueFactory(partnership=partnership))
    hybrid = EventFactory(
        partnership=partnership,
        venue=VenueFactory(partnership=partnership, kind="hybrid", online_url="https://meet.example.org/h"),
    )
    cancelled = EventFactory(partnership=partnership, status="cancelled", cancel_reason="Flood; roads closed")
    cancelled.sequence = 3
    cancelled.save()
    utc = EventFactory(partnership=PartnershipFactory(time_zone="UTC"))
    perth = EventFactory(partnership=PartnershipFactory(time_zone="Australia/Perth"))
    return [plain, tricky, long_utf8, ascii_escape_at_fold, online, hybrid, cancelled, utc, perth]


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"show_online_link": True},
        {"status": "TENTATIVE"},
        {"status": "CONFIRMED", "show_online_link": True, "sequence": 7},
    ],
)
def test_the_writer_gives_the_bytes_icalendar_gives(partnership, kwargs):
    for event in sessions(partnership):
        event = Event.objects.select_related("partnership", "venue").get(pk=event.pk)
        expected = ical.vevent(event, stamp=STAMP, **kwargs).to_ical()
        assert feed_writer.vevent_bytes(facts_for(event), stamp=STAMP, **kwargs) == expected, event.title


def test_a_whole_feed_parses_and_holds_every_session_once(partnership):
    events = sessions(partnership)
    body = feed_writer.render(
        name="Feed", zone="Australia/Melbourne", components=((f, {}) for f in map(facts_for, events))
    )
    calendar = Calendar.from_ical(body)
    assert sorted(str(v["UID"]) for v in calendar.walk("VEVENT")) == sorted(f"{e.uid}@crossroads" for e in events)
    assert {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")} >= {"Australia/Melbourne", "Australia/Perth"}
    assert body.index(b"BEGIN:VTIMEZONE") < body.index(b"BEGIN:VEVENT")
    assert body.endswith(b"END:VEVENT\r\nEND:VCALENDAR\r\n")
    for line in body.split(b"\r\n"):
        assert len(line) <= 75
        line.decode()


def test_fold_matches_icalendar_on_edge_lengths():
    from icalendar.parser.string import _foldline

    for text in ["a" * n for n in (73, 74, 75, 76, 148, 149, 150)] + [
        "é" * 37,
        "é" * 38,
        "a" * 73 + "é",
        "a" * 73 + "\\,b" * 40,
        "a" * 72 + "^^" + "b" * 80,
        "\\" * 200,
    ]:
        assert feed_writer.fold(text) == _foldline(text), text
