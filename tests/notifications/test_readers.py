"""Three independent readers — Python's icalendar, vobject, and Mozilla's ical.js (Thunderbird) —
read the same UTC start and end for every session of feeds that span more than three years, in a
southern zone with daylight saving (Melbourne), one without (Brisbane) and a northern one (London)."""

import json
import subprocess
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import vobject
from icalendar import Calendar

from notifications.vtimezone import _occurrence, _rule, posix_rule, vtimezone
from tests.accounts.factories import PartnershipFactory, UserFactory
from tests.conftest import CI, ROOT
from tests.events.factories import EventFactory, RegistrationFactory
from tests.notifications.test_feeds import ICALJS, node

pytestmark = pytest.mark.django_db
UTC = ZoneInfo("UTC")
ZONES = ["Australia/Melbourne", "Australia/Brisbane", "Europe/London"]


def transition_days(tzid: str, year: int) -> list[date]:
    """The local dates on which the zone's offset changes in `year` (none for Brisbane)."""
    zone = ZoneInfo(tzid)
    days = []
    day = date(year, 1, 1)
    while day.year == year:
        if datetime.combine(day, time(0), zone).utcoffset() != datetime.combine(day, time(23), zone).utcoffset():
            days.append(day)
        day += timedelta(days=1)
    return days


def sessions(partnership, first_year: int, years: int = 4):
    """9:30–11:30 on the 10th of every month, and on every changeover day a session across the change."""
    zone = partnership.zone
    events = []
    for year in range(first_year, first_year + years):
        for month in range(1, 13):
            start = datetime(year, month, 10, 9, 30, tzinfo=zone)
            events.append(EventFactory(partnership=partnership, start=start, end=start + timedelta(hours=2)))
        for day in transition_days(partnership.time_zone, year):
            start = datetime.combine(day, time(0, 30), zone)  # before the change, local
            end = datetime.combine(day, time(4, 30), zone)  # after it
            events.append(EventFactory(partnership=partnership, start=start, end=end, title=f"Across {day}"))
    return events


def read_icalendar(body: bytes) -> dict:
    return {
        str(v["UID"]): (v["DTSTART"].dt.astimezone(UTC), v["DTEND"].dt.astimezone(UTC))
        for v in Calendar.from_ical(body).walk("VEVENT")
    }


def read_vobject(body: bytes) -> dict:
    calendar = vobject.readOne(body.decode("utf-8"))
    return {v.uid.value: (v.dtstart.value.astimezone(UTC), v.dtend.value.astimezone(UTC)) for v in calendar.vevent_list}


def read_icaljs(body: bytes) -> dict:
    if not node() or not ICALJS.exists():
        if CI:
            pytest.fail("node and ical.js (npm ci) are needed for this test")
        pytest.skip("node or ical.js missing (npm ci)")
    result = subprocess.run(  # noqa: S603
        [node(), str(Path(__file__).with_name("icaljs_times.mjs"))],
        input=body,
        capture_output=True,
        cwd=ROOT,
        check=True,
        timeout=60,
    )

    def utc(text):
        return datetime.fromisoformat(text.replace("Z", "+00:00"))

    return {item["uid"]: (utc(item["start"]), utc(item["end"])) for item in json.loads(result.stdout)}


def assert_every_reader_agrees(body: bytes, events) -> None:
    truth = {f"{event.uid}@crossroads": (event.start.astimezone(UTC), event.end.astimezone(UTC)) for event in events}
    for reader in (read_icalendar, read_vobject, read_icaljs):
        assert reader(body) == truth, reader.__name__


@pytest.mark.parametrize("tzid", ZONES)
def test_three_readers_read_a_four_year_feed_the_same(client, tzid):
    first_year = date.today().year + 1
    partnership = PartnershipFactory(slug="zone-test", time_zone=tzid)
    events = sessions(partnership, first_year)
    body = client.get("/calendar/zone-test.ics").content
    assert_every_reader_agrees(body, events)
    calendar = Calendar.from_ical(body)
    (vtz,) = calendar.walk("VTIMEZONE")
    assert "RDATE" not in vtz.to_ical().decode()
    observances = vtz.subcomponents
    if tzid == "Australia/Brisbane":
        assert [o.name for o in observances] == ["STANDARD"] and "RRULE" not in observances[0]
    else:
        assert sorted(o.name for o in observances) == ["DAYLIGHT", "STANDARD"]
        assert all("RRULE" in o for o in observances)
        local = {e.start.astimezone(partnership.zone).utcoffset() for e in events}
        assert len(local) == 2  # the feed really crosses both changes, every year


def test_a_feed_with_three_zones_reads_the_same_everywhere(client):
    """The coordinator feed of a staff member holds several partnerships: one VTIMEZONE per zone."""
    from notifications.services import feed_token_get_or_create

    first_year = date.today().year + 1
    events = []
    for index, tzid in enumerate(ZONES):
        partnership = PartnershipFactory(slug=f"zone-{index}", time_zone=tzid)
        events += sessions(partnership, first_year, years=3)
    staff = UserFactory(is_staff=True)
    token = feed_token_get_or_create(user=staff, kind="coordinator")
    body = client.get(f"/calendar/coordinator/{token.token}.ics").content
    assert sorted(str(v["TZID"]) for v in Calendar.from_ical(body).walk("VTIMEZONE")) == sorted(ZONES)
    assert_every_reader_agrees(body, events)


def test_personal_feed_and_one_session_download_read_the_same_everywhere(client):
    from notifications.services import feed_token_get_or_create

    partnership = PartnershipFactory(slug="zone-mel", time_zone="Australia/Melbourne")
    user = UserFactory()
    events = sessions(partnership, date.today().year + 1, years=3)
    for event in events:
        RegistrationFactory(event=event, user=user)
    token = feed_token_get_or_create(user=user, kind="personal")
    assert_every_reader_agrees(client.get(f"/calendar/me/{token.token}.ics").content, events)
    later = events[-1]
    assert_every_reader_agrees(client.get(f"/events/{later.pk}.ics").content, [later])


@pytest.mark.parametrize("tzid", ZONES + ["America/New_York", "Pacific/Auckland"])
def test_the_rrules_onsets_are_the_zones_instants(tzid):
    """Each RRULE occurrence is the instant zoneinfo changes the offset, for ten years."""
    component = vtimezone(tzid, 2027, 2036)
    rule = posix_rule(tzid)
    zone = ZoneInfo(tzid)
    for observance in component.subcomponents:
        if "RRULE" not in observance:
            assert "," not in rule  # only a zone without daylight saving has no rule
            continue
        offset_from = observance["TZOFFSETFROM"].td
        offset_to = observance["TZOFFSETTO"].td
        parts = rule.split(",")[1:]
        posix = _rule(parts[0] if observance.name == "DAYLIGHT" else parts[1])
        for year in range(2027, 2037):
            local = _occurrence(year, posix)
            instant = (local - offset_from).replace(tzinfo=UTC)
            assert (instant - timedelta(seconds=1)).astimezone(zone).utcoffset() == offset_from
            assert instant.astimezone(zone).utcoffset() == offset_to


def test_a_zone_whose_rules_cannot_be_one_rrule_still_reads_right():
    """America/Santiago's TZ string changes at 24:00 ("M9.1.6/24"): one observance per change instead."""
    component = vtimezone("America/Santiago", 2027, 2029)
    assert "RDATE" not in component.to_ical().decode()
    read = Timezone_from(component)
    zone = ZoneInfo("America/Santiago")
    moment = datetime(2027, 1, 1, tzinfo=UTC)
    while moment < datetime(2030, 1, 1, tzinfo=UTC):
        assert moment.astimezone(read).utcoffset() == moment.astimezone(zone).utcoffset(), moment
        moment += timedelta(hours=7)


def Timezone_from(component):  # noqa: N802 - reads like the class it builds
    from icalendar import Timezone

    return Timezone.from_ical(component.to_ical()).to_tz(lookup_tzid=False)
