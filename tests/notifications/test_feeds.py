"""Calendar feeds: RFC 5545/7986 content, HTTP caching, privacy, and two independent readers agreeing."""

import json
import re
import shutil
import subprocess
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from icalendar import Calendar

from events.services import event_cancel, event_update, series_create
from notifications.models import FeedToken
from notifications.services import feed_token_get_or_create, feed_token_reset
from tests.accounts.factories import sector
from tests.conftest import CI, ROOT
from tests.events.factories import EventFactory, OnlineVenueFactory, RegistrationFactory, TopicFactory, VenueFactory

pytestmark = pytest.mark.django_db
UTC = ZoneInfo("UTC")
MELBOURNE = ZoneInfo("Australia/Melbourne")
ICALJS = ROOT / "node_modules" / "ical.js"


def parse(response) -> Calendar:
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def vevents(calendar):
    return list(calendar.walk("VEVENT"))


def test_partnership_feed_has_the_calendar_properties(client, partnership):
    EventFactory(partnership=partnership, title="Speech pathways")
    response = client.get("/calendar/ballarat.ics")
    calendar = parse(response)
    assert calendar["PRODID"] == "-//Crossroads//Sessions and referral pathways//EN"
    assert calendar["VERSION"] == "2.0" and calendar["METHOD"] == "PUBLISH"
    assert calendar["NAME"] == calendar["X-WR-CALNAME"] == partnership.name
    assert calendar["X-WR-TIMEZONE"] == "Australia/Melbourne"
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in response.content.decode()
    assert "X-PUBLISHED-TTL:PT1H" in response.content.decode()
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Australia/Melbourne"]


def test_event_properties(client, partnership):
    topic = TopicFactory(name="Referral pathways", slug="referral-pathways")
    venue = VenueFactory(partnership=partnership, name="Library; Room 1, upstairs", address="1 Sturt St, Ballarat")
    event = EventFactory(partnership=partnership, title="Speech, language; and you", venue=venue)
    event.topics.add(topic)
    (vevent,) = vevents(parse(client.get("/calendar/ballarat.ics")))
    assert vevent["UID"] == f"{event.uid}@crossroads"
    assert "example" not in str(vevent["UID"]) and "@" in str(vevent["UID"])
    assert vevent["SUMMARY"] == "Speech, language; and you"
    assert vevent["DTSTART"].dt == event.start and vevent["DTSTART"].params["TZID"] == "Australia/Melbourne"
    assert vevent["DTEND"].dt == event.end
    assert vevent["DTSTAMP"].dt.tzinfo is not None and vevent["DTSTAMP"].dt.utcoffset() == timedelta(0)
    assert vevent["LOCATION"] == "Library; Room 1, upstairs, 1 Sturt St, Ballarat"
    assert vevent["URL"].endswith(f"/events/{event.pk}/")
    assert vevent["CATEGORIES"].cats == ["Referral pathways"]
    assert vevent["SEQUENCE"] == 0 and vevent["STATUS"] == "CONFIRMED"
    assert "LAST-MODIFIED" in vevent and "ATTENDEE" not in vevent and "ORGANIZER" not in vevent
    assert f"/events/{event.pk}/" in vevent["DESCRIPTION"]
    raw = client.get("/calendar/ballarat.ics").content.decode()
    assert "SUMMARY:Speech\\, language\\; and you" in raw


def test_lines_are_crlf_and_folded_at_75_octets_without_splitting_utf8(client, partnership):
    EventFactory(partnership=partnership, title="Hội thảo về giới thiệu dịch vụ — " * 6, description="ễ" * 200)
    body = client.get("/calendar/ballarat.ics").content
    assert b"\r\n" in body and b"\n" not in body.replace(b"\r\n", b"")
    for line in body.split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")  # no line ends inside a UTF-8 sequence
    assert vevents(Calendar.from_ical(body))[0]["SUMMARY"] == "Hội thảo về giới thiệu dịch vụ — " * 6


def test_uid_never_changes_and_sequence_rises_on_moves_and_cancellation(client, partnership):
    event = EventFactory(partnership=partnership)

    def current():
        (vevent,) = vevents(parse(client.get("/calendar/ballarat.ics")))
        return vevent

    before = current()
    event_update(event=event, start=event.start + timedelta(hours=1), end=event.end + timedelta(hours=1))
    moved = current()
    event_cancel(event=event, reason="Flooded")
    cancelled = current()
    assert before["UID"] == moved["UID"] == cancelled["UID"]
    assert (before["SEQUENCE"], moved["SEQUENCE"], cancelled["SEQUENCE"]) == (0, 1, 2)
    assert cancelled["STATUS"] == "CANCELLED" and "Flooded" in cancelled["DESCRIPTION"]


def test_drafts_never_and_old_sessions_not_in_the_feed(client, partnership):
    EventFactory(partnership=partnership, title="Draft", status="draft")
    EventFactory(partnership=partnership, title="Long ago", start=timezone.now() - timedelta(days=200))
    EventFactory(partnership=partnership, title="Last month", start=timezone.now() - timedelta(days=30))
    titles = [v["SUMMARY"] for v in vevents(parse(client.get("/calendar/ballarat.ics")))]
    assert titles == ["Last month"]


def test_feed_filters(client, partnership):
    medical = EventFactory(partnership=partnership, title="For doctors")
    medical.sectors.add(sector("medical"))
    EventFactory(partnership=partnership, title="For everyone")
    titles = [v["SUMMARY"] for v in vevents(parse(client.get("/calendar/ballarat.ics?sector=medical")))]
    assert titles == ["For doctors"]
    assert client.get("/calendar/ballarat.ics?series=abc").status_code == 400
    assert client.get("/calendar/nowhere.ics").status_code == 404


def test_online_link_only_in_the_personal_feed(client, partnership, practitioner):
    venue = OnlineVenueFactory(partnership=partnership)
    event = EventFactory(partnership=partnership, venue=venue)
    RegistrationFactory(event=event, user=practitioner)
    assert venue.online_url.encode() not in client.get("/calendar/ballarat.ics").content
    assert venue.online_url.encode() not in client.get(f"/events/{event.pk}.ics").content
    token = feed_token_get_or_create(user=practitioner, kind=FeedToken.Kind.PERSONAL).token
    assert venue.online_url.encode() in client.get(f"/calendar/me/{token}.ics").content


def test_personal_feed_shows_confirmed_and_tentative_waitlisted_and_cancelled_sessions(
    client, partnership, practitioner
):
    seated = RegistrationFactory(event=EventFactory(partnership=partnership, title="Seated"), user=practitioner)
    RegistrationFactory(
        event=EventFactory(partnership=partnership, title="Waiting"), user=practitioner, status="waitlisted"
    )
    RegistrationFactory(
        event=EventFactory(partnership=partnership, title="Gave up"), user=practitioner, status="cancelled"
    )
    RegistrationFactory(event=EventFactory(partnership=partnership, title="Someone else's"))
    token = feed_token_get_or_create(user=practitioner, kind=FeedToken.Kind.PERSONAL).token
    url = f"/calendar/me/{token}.ics"
    statuses = {str(v["SUMMARY"]): str(v["STATUS"]) for v in vevents(parse(client.get(url)))}
    assert statuses == {"Seated": "CONFIRMED", "Waiting": "TENTATIVE"}
    event_cancel(event=seated.event, reason="Storm")
    statuses = {str(v["SUMMARY"]): str(v["STATUS"]) for v in vevents(parse(client.get(url)))}
    assert statuses["Seated"] == "CANCELLED"
    response = client.get(url)
    assert "private" in response["Cache-Control"]


def test_unknown_or_reset_tokens_are_404(client, practitioner, coordinator):
    assert client.get("/calendar/me/nope.ics").status_code == 404
    old = feed_token_get_or_create(user=practitioner, kind=FeedToken.Kind.PERSONAL).token
    assert len(old) >= 32  # at least 128 bits, URL-safe base64
    assert client.get(f"/calendar/me/{old}.ics").status_code == 200
    new = feed_token_reset(user=practitioner, kind=FeedToken.Kind.PERSONAL).token
    assert new != old
    assert client.get(f"/calendar/me/{old}.ics").status_code == 404
    assert client.get(f"/calendar/me/{new}.ics").status_code == 200
    # A personal token does not open a coordinator feed.
    assert client.get(f"/calendar/coordinator/{new}.ics").status_code == 404


def test_coordinator_feed_has_their_partnerships_sessions_without_drafts(
    client, partnership, other_partnership, coordinator
):
    EventFactory(partnership=partnership, title="Mine")
    EventFactory(partnership=partnership, title="My draft", status="draft")
    EventFactory(partnership=other_partnership, title="Theirs")
    token = feed_token_get_or_create(user=coordinator, kind=FeedToken.Kind.COORDINATOR).token
    titles = [str(v["SUMMARY"]) for v in vevents(parse(client.get(f"/calendar/coordinator/{token}.ics")))]
    assert titles == ["Mine"]


def test_etag_and_last_modified_give_304_until_something_changes(client, partnership):
    event = EventFactory(partnership=partnership)
    first = client.get("/calendar/ballarat.ics")
    assert first.status_code == 200 and first["ETag"] and first["Last-Modified"]
    assert "public" in first["Cache-Control"]
    assert client.get("/calendar/ballarat.ics", headers={"If-None-Match": first["ETag"]}).status_code == 304
    since = client.get("/calendar/ballarat.ics", headers={"If-Modified-Since": first["Last-Modified"]})
    assert since.status_code == 304
    event_update(event=event, title="Renamed")
    again = client.get("/calendar/ballarat.ics", headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 200 and again["ETag"] != first["ETag"]


def test_feed_queries_do_not_grow_with_events(client, partnership, practitioner):
    token = feed_token_get_or_create(user=practitioner, kind=FeedToken.Kind.PERSONAL).token

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    def add(n):
        for _ in range(n):
            event = EventFactory(partnership=partnership, venue=VenueFactory(partnership=partnership))
            event.topics.add(TopicFactory())
            RegistrationFactory(event=event, user=practitioner)

    add(3)
    small = (count("/calendar/ballarat.ics"), count(f"/calendar/me/{token}.ics"))
    add(25)
    assert (count("/calendar/ballarat.ics"), count(f"/calendar/me/{token}.ics")) == small


def test_single_session_download(client, partnership):
    event = EventFactory(partnership=partnership)
    response = client.get(f"/events/{event.pk}.ics")
    assert response["Content-Disposition"] == f'attachment; filename="session-{event.pk}.ics"'
    assert len(vevents(parse(response))) == 1
    draft = EventFactory(partnership=partnership, status="draft")
    assert client.get(f"/events/{draft.pk}.ics").status_code == 404


def test_list_pages_link_the_feed(client, partnership):
    EventFactory(partnership=partnership)
    for page in ("/events/", "/events/month/", "/partnerships/ballarat/"):
        html = client.get(page).content.decode()
        assert '<link rel="alternate" type="text/calendar"' in html and "/calendar/ballarat.ics" in html
    html = client.get("/partnerships/ballarat/").content.decode()
    assert "webcal://" in html and "calendar.google.com/calendar/r?cid=webcal" in html


def test_pages_offer_subscribe_and_download(client, partnership):
    event = EventFactory(partnership=partnership)
    html = client.get(event.get_absolute_url()).content.decode()
    assert f"/events/{event.pk}.ics" in html and "webcal://" in html and "Add to Google Calendar" in html


def node() -> str | None:
    return shutil.which("node")


def test_icaljs_and_icalendar_read_the_same_times_across_both_dst_changes(client, partnership):
    """A monthly series from February to November crosses April's and October's changes."""
    if not node() or not ICALJS.exists():
        if CI:
            pytest.fail("node and ical.js (npm ci) are needed for this test")
        pytest.skip("node or ical.js missing (npm ci)")
    year = timezone.localdate().year + 1
    series_create(
        partnership=partnership,
        title="Across daylight saving",
        start_date=datetime(year, 1, 1).date(),
        start_time=time(9, 30),
        rrule=f"FREQ=WEEKLY;BYDAY=WE;BYMONTH=3,4,9,10;UNTIL={year}1031",
        publish=True,
    )
    body = client.get("/calendar/ballarat.ics").content
    python = {
        str(v["UID"]): (v["DTSTART"].dt.astimezone(UTC), v["DTEND"].dt.astimezone(UTC))
        for v in vevents(Calendar.from_ical(body))
    }
    result = subprocess.run(  # noqa: S603
        [node(), str(Path(__file__).with_name("icaljs_times.mjs"))],
        input=body,
        capture_output=True,
        cwd=ROOT,
        check=True,
        timeout=60,
    )
    js = json.loads(result.stdout)
    assert len(js) == len(python) > 15
    offsets = set()
    for item in js:
        start = datetime.fromisoformat(item["start"].replace("Z", "+00:00"))
        end = datetime.fromisoformat(item["end"].replace("Z", "+00:00"))
        assert (start, end) == python[item["uid"]], item
        assert item["tzid"] == "Australia/Melbourne"
        local = start.astimezone(MELBOURNE)
        assert (local.hour, local.minute) == (9, 30)
        offsets.add(local.utcoffset())
    assert offsets == {timedelta(hours=10), timedelta(hours=11)}  # both sides of both changes


def test_bad_filters_are_refused_with_a_message_never_a_500(client, partnership):
    cases = {
        "?sector=astrology": (404, b"sector: there is no sector"),
        "?topic=nothing-here": (404, b"topic: there is no topic"),
        "?series=999999": (404, b"series: Ballarat Community Partnership has no series 999999"),
        "?series=abc": (400, b"series: must be a series number"),
        "?series=%D9%A3": (400, b"series: must be a series number"),  # an Arabic-Indic digit
        "?sector=medical%0ABcc": (400, b"sector: not a valid value"),
        "?topic=a%0Db": (400, b"topic: not a valid value"),
        "?sector=" + "x" * 101: (400, b"sector: not a valid value"),
    }
    for query, (status, message) in cases.items():
        response = client.get(f"/calendar/ballarat.ics{query}")
        assert (response.status_code, message in response.content) == (status, True), query
    nul = client.get("/calendar/ballarat.ics?topic=a%00b")
    assert nul.status_code == 400  # refused before the view (config/middleware.py)


def test_the_calendar_name_uses_display_names_escaped(client, partnership):
    from events.models import Series

    topic = TopicFactory(name="Speech, language; and, literacy", slug="speech")
    medical = sector("medical")
    series = Series.objects.create(
        partnership=partnership,
        title="Tuesday; mornings",
        rrule="FREQ=MONTHLY;COUNT=1",
        start_date=timezone.localdate() + timedelta(days=10),
        start_time=time(9, 30),
    )
    event = EventFactory(partnership=partnership, series=series)
    event.topics.add(topic)
    event.sectors.add(medical)
    response = client.get(f"/calendar/ballarat.ics?sector=medical&topic=speech&series={series.pk}")
    calendar = parse(response)
    expected = f"{partnership.name} — {medical.name}, {topic.name}, {series.title}"
    raw = response.content.decode().replace("\r\n ", "")  # unfolded
    lines = {line.split(":", 1)[0]: line.split(":", 1)[1] for line in raw.split("\r\n") if ":" in line}
    assert lines["NAME"] == lines["X-WR-CALNAME"]
    assert "Speech\\, language\\; and\\, literacy" in lines["NAME"] and "Tuesday\\; mornings" in lines["NAME"]
    unescaped = re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], lines["NAME"])
    assert unescaped == expected  # read back as TEXT (RFC 5545 §3.3.11)
    assert "speech" not in str(calendar["NAME"]) and str(series.pk) not in str(calendar["NAME"])


def test_a_one_session_download_is_an_appointment_not_a_calendar(client, partnership):
    event = EventFactory(partnership=partnership)
    calendar = parse(client.get(f"/events/{event.pk}.ics"))
    for name in ("X-WR-CALNAME", "NAME", "REFRESH-INTERVAL", "X-PUBLISHED-TTL"):
        assert name not in calendar, name
    assert calendar["METHOD"] == "PUBLISH" and len(vevents(calendar)) == 1
    assert "X-WR-CALNAME" in parse(client.get("/calendar/ballarat.ics"))  # feeds keep their name


def test_description_is_plain_text_with_the_session_link(client, partnership):
    event = EventFactory(
        partnership=partnership,
        description="A session about **referral pathways**.\n\n- one *two*\n- [the guide](https://example.org/g)",
    )
    (entry,) = vevents(parse(client.get(f"/events/{event.pk}.ics")))
    description = str(entry["DESCRIPTION"])
    assert "*" not in description and "<" not in description and "[" not in description
    assert description.startswith(
        "A session about referral pathways.\n\n- one two\n- the guide (https://example.org/g)"
    )
    assert f"http://127.0.0.1:8000/events/{event.pk}/" in description


def test_editing_a_venue_raises_sequence_and_last_modified_and_changes_the_etag(
    client, partnership, coordinator, token_for, admin_client
):
    from events.services import venue_update

    venue = VenueFactory(partnership=partnership, address="1 Sturt Street")
    event = EventFactory(partnership=partnership, venue=venue)
    elsewhere = EventFactory(partnership=partnership)
    from events.models import Event

    Event.objects.update(updated_at=timezone.now() - timedelta(hours=1))  # LAST-MODIFIED has whole seconds
    first = client.get("/calendar/ballarat.ics")
    before = {str(v["UID"]): v for v in vevents(parse(first))}
    uid = f"{event.uid}@crossroads"
    venue_update(venue=venue, address="2 Lydiard Street")
    second = client.get("/calendar/ballarat.ics", headers={"If-None-Match": first["ETag"]})
    assert second.status_code == 200 and second["ETag"] != first["ETag"]
    after = {str(v["UID"]): v for v in vevents(parse(second))}
    assert "2 Lydiard Street" in str(after[uid]["LOCATION"])
    assert after[uid]["SEQUENCE"] == before[uid]["SEQUENCE"] + 1
    assert after[uid]["LAST-MODIFIED"].dt > before[uid]["LAST-MODIFIED"].dt
    other = f"{elsewhere.uid}@crossroads"
    assert after[other]["SEQUENCE"] == before[other]["SEQUENCE"]  # sessions elsewhere are untouched
    # Through the API…
    response = client.patch(
        f"/api/venues/{venue.pk}",
        data={"address": "3 Camp Street"},
        content_type="application/json",
        headers=token_for(coordinator),
    )
    assert response.status_code == 200 and response.json()["address"] == "3 Camp Street"
    third = client.get("/calendar/ballarat.ics", headers={"If-None-Match": second["ETag"]})
    assert third.status_code == 200 and "3 Camp Street" in third.content.decode()
    # …and the admin.
    form = admin_client.get(f"/admin/events/venue/{venue.pk}/change/")
    assert form.status_code == 200
    data = {
        "partnership": partnership.pk,
        "name": venue.name,
        "kind": "in_person",
        "address": "4 Mair Street",
        "online_url": "",
        "accessibility_notes": "",
        "parking_notes": "",
    }
    assert admin_client.post(f"/admin/events/venue/{venue.pk}/change/", data).status_code == 302
    fourth = client.get("/calendar/ballarat.ics", headers={"If-None-Match": third["ETag"]})
    assert fourth.status_code == 200
    entry = {str(v["UID"]): v for v in vevents(parse(fourth))}[uid]
    assert "4 Mair Street" in str(entry["LOCATION"]) and entry["SEQUENCE"] == before[uid]["SEQUENCE"] + 3


def test_venue_api_refuses_bad_input_and_other_partnerships(
    client, partnership, coordinator, other_coordinator, token_for
):
    venue = VenueFactory(partnership=partnership)
    headers = token_for(coordinator)
    bad = client.patch(
        f"/api/venues/{venue.pk}", data={"address": ""}, content_type="application/json", headers=headers
    )
    assert bad.status_code == 400 and "address" in bad.json()["errors"]
    other = client.patch(
        f"/api/venues/{venue.pk}",
        data={"name": "Mine"},
        content_type="application/json",
        headers=token_for(other_coordinator),
    )
    assert other.status_code == 404


def test_not_modified_answers_carry_the_validators(client, partnership, practitioner):
    EventFactory(partnership=partnership)
    token = feed_token_get_or_create(user=practitioner, kind=FeedToken.Kind.PERSONAL).token
    RegistrationFactory(event=EventFactory(partnership=partnership), user=practitioner)
    for url in ("/calendar/ballarat.ics", f"/calendar/me/{token}.ics"):
        first = client.get(url)
        again = client.get(url, headers={"If-None-Match": first["ETag"]})
        assert again.status_code == 304
        assert again["ETag"] == first["ETag"] and again["Last-Modified"] == first["Last-Modified"]


def test_feeds_are_gzipped_when_asked_and_pages_are_not(client, partnership, practitioner):
    import gzip

    for _ in range(3):
        EventFactory(partnership=partnership)
    plain = client.get("/calendar/ballarat.ics")
    zipped = client.get("/calendar/ballarat.ics", headers={"Accept-Encoding": "gzip"})
    assert zipped["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped["Vary"]
    assert gzip.decompress(zipped.content) == plain.content and "Content-Encoding" not in plain
    page = client.get("/events/", headers={"Accept-Encoding": "gzip"})
    assert page.status_code == 200 and "Content-Encoding" not in page  # pages with CSRF tokens: never


def test_the_personal_feeds_time_zone_is_the_partnerships(client, practitioner):
    from tests.accounts.factories import PartnershipFactory

    brisbane = PartnershipFactory(slug="brisbane", time_zone="Australia/Brisbane")
    RegistrationFactory(event=EventFactory(partnership=brisbane), user=practitioner)
    token = feed_token_get_or_create(user=practitioner, kind=FeedToken.Kind.PERSONAL).token
    calendar = parse(client.get(f"/calendar/me/{token}.ics"))
    assert str(calendar["X-WR-TIMEZONE"]) == "Australia/Brisbane"
    assert [str(v["TZID"]) for v in calendar.walk("VTIMEZONE")] == ["Australia/Brisbane"]
