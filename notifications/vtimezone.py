"""VTIMEZONE components that every calendar reader understands (RFC 5545 §3.6.5).

icalendar's `Timezone.from_tzid` lists the transitions as DTSTART plus a multi-valued RDATE per
observance; Mozilla's ical.js (Thunderbird) and vobject read only the first RDATE, so every
transition after the first year is lost there. Here each zone is described the way Outlook and
Apple Calendar write it: one STANDARD and one DAYLIGHT observance with a yearly RRULE, built from
the zone's *current* rules — the POSIX TZ string at the end of its TZif file ("AEST-10AEDT,M10.1.0,M4.1.0/3").

The result is checked against `zoneinfo` for every year the calendar spans. If the rules changed
within the span (or the TZ string uses a form RRULE cannot say), each transition of the span gets
an observance of its own (DTSTART only, no RDATE list), which every reader also reads right.
"""

import re
import zoneinfo
from datetime import date, datetime, timedelta
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

_NAME = r"(?:<[^>]+>|[A-Za-z]{3,})"
_OFFSET = r"[+-]?\d{1,2}(?::\d{2}){0,2}"
_RULE = r"M\d{1,2}\.[1-5]\.[0-6](?:/[+-]?\d{1,3}(?::\d{2}){0,2})?"
_POSIX = re.compile(
    rf"^(?P<std>{_NAME})(?P<stdoff>{_OFFSET})"
    rf"(?:(?P<dst>{_NAME})(?P<dstoff>{_OFFSET})?,(?P<start>{_RULE}),(?P<end>{_RULE}))?$"
)
DAYS = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"]


class Unsupported(ValueError):
    """The zone's rules cannot be said as one yearly RRULE per observance."""


def posix_rule(tzid: str) -> str:
    """The TZ string at the end of the zone's TZif file (RFC 8536 §3.3): its current rules."""
    for directory in zoneinfo.TZPATH:
        path = Path(directory) / tzid
        if path.is_file():
            data = path.read_bytes()
            break
    else:
        data = resources.files("tzdata.zoneinfo").joinpath(*tzid.split("/")).read_bytes()
    if not data.startswith(b"TZif") or not data.endswith(b"\n"):
        raise Unsupported(f"{tzid}: no TZ string")
    return data[:-1].rsplit(b"\n", 1)[-1].decode("ascii")


def _seconds(text: str) -> int:
    sign = -1 if text.startswith("-") else 1
    parts = [int(p) for p in text.lstrip("+-").split(":")] + [0, 0]
    return sign * (parts[0] * 3600 + parts[1] * 60 + parts[2])


def _name(text: str) -> str:
    return text.strip("<>")


def _rule(text: str) -> tuple[int, int, int, int]:
    """(month, week 1-5 with 5 = last, weekday 0 = Sunday, seconds after local midnight)."""
    rule, _, at = text.partition("/")
    month, week, weekday = (int(p) for p in rule[1:].split("."))
    seconds = _seconds(at) if at else 7200
    if not 0 <= seconds < 86400:  # "/25" or "/-1": the day shifts, which BYDAY cannot say
        raise Unsupported(text)
    return month, week, weekday, seconds


def _occurrence(year: int, rule: tuple[int, int, int, int]) -> datetime:
    month, week, weekday, seconds = rule
    first = date(year, month, 1)
    python_weekday = (weekday - 1) % 7  # POSIX 0 = Sunday; Python 0 = Monday
    day = first + timedelta(days=(python_weekday - first.weekday()) % 7 + 7 * (week - 1))
    while day.month != month:  # week 5: the last such weekday
        day -= timedelta(days=7)
    return datetime.combine(day, datetime.min.time()) + timedelta(seconds=seconds)


def _observance(kind, *, name: str, offset_from: int, offset_to: int, start: datetime, rule=None):
    component = kind()
    component.add("dtstart", start)
    component.add("tzoffsetfrom", timedelta(seconds=offset_from))
    component.add("tzoffsetto", timedelta(seconds=offset_to))
    component.add("tzname", name)
    if rule is not None:
        month, week, weekday, _ = rule
        component.add(
            "rrule", {"freq": "yearly", "bymonth": month, "byday": f"{-1 if week == 5 else week}{DAYS[weekday]}"}
        )
    return component


def _from_rules(tzid: str, first_year: int) -> Timezone:
    match = _POSIX.match(posix_rule(tzid))
    if match is None:
        raise Unsupported(tzid)
    standard = -_seconds(match["stdoff"])  # POSIX offsets are west of Greenwich
    vtimezone = Timezone()
    vtimezone.add("tzid", tzid)
    if not match["dst"]:
        vtimezone.add_component(
            _observance(
                TimezoneStandard,
                name=_name(match["std"]),
                offset_from=standard,
                offset_to=standard,
                start=datetime(1970, 1, 1),
            )
        )
        return vtimezone
    daylight = -_seconds(match["dstoff"]) if match["dstoff"] else standard + 3600
    to_daylight, to_standard = _rule(match["start"]), _rule(match["end"])
    year = first_year - 1
    vtimezone.add_component(
        _observance(
            TimezoneDaylight,
            name=_name(match["dst"]),
            offset_from=standard,
            offset_to=daylight,
            start=_occurrence(year, to_daylight),
            rule=to_daylight,
        )
    )
    vtimezone.add_component(
        _observance(
            TimezoneStandard,
            name=_name(match["std"]),
            offset_from=daylight,
            offset_to=standard,
            start=_occurrence(year, to_standard),
            rule=to_standard,
        )
    )
    return vtimezone


def _utc_transitions(zone: ZoneInfo, first_year: int, last_year: int) -> list[tuple[datetime, timedelta]]:
    """(UTC instant, new offset) for every change of offset in the span (day by day, then to the second)."""
    utc = ZoneInfo("UTC")
    moment = datetime(first_year - 1, 1, 1, tzinfo=utc)
    end = datetime(last_year + 1, 1, 1, tzinfo=utc)
    offset = moment.astimezone(zone).utcoffset()
    found = []
    step = timedelta(days=1)
    while moment < end:
        following = moment + step
        new = following.astimezone(zone).utcoffset()
        if new != offset:
            low, high = moment, following  # narrow down to the second
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                if middle.astimezone(zone).utcoffset() == offset:
                    low = middle
                else:
                    high = middle
            found.append((high, new))
            offset = new
        moment = following
    return found


def _reads_like(vtimezone: Timezone, tzid: str, first_year: int, last_year: int) -> bool:
    """Do the observances give zoneinfo's offset at every transition of the span (and between)?"""
    zone = ZoneInfo(tzid)
    read = Timezone.from_ical(vtimezone.to_ical()).to_tz(lookup_tzid=False)
    utc = ZoneInfo("UTC")
    since = datetime(first_year, 1, 1, tzinfo=ZoneInfo("UTC"))
    checks = [
        instant + delta
        for instant, _ in _utc_transitions(zone, first_year, last_year)
        for delta in (
            timedelta(seconds=-1),
            timedelta(0),
            timedelta(days=30),
        )
    ]
    checks += [datetime(year, month, 15, tzinfo=utc) for year in range(first_year, last_year + 1) for month in (1, 7)]
    checks = [moment for moment in checks if moment >= since]
    return all(moment.astimezone(zone).utcoffset() == moment.astimezone(read).utcoffset() for moment in checks)


def _one_per_transition(tzid: str, first_year: int, last_year: int) -> Timezone:
    """Every transition of the span as its own observance: no multi-valued RDATE to misread."""
    zone = ZoneInfo(tzid)
    vtimezone = Timezone()
    vtimezone.add("tzid", tzid)
    start = datetime(first_year - 1, 1, 1, tzinfo=ZoneInfo("UTC"))
    local = start.astimezone(zone)
    offset = local.utcoffset()
    kind = TimezoneStandard if not local.dst() else TimezoneDaylight
    vtimezone.add_component(
        _observance(
            kind,
            name=local.tzname(),
            offset_from=offset.total_seconds(),
            offset_to=offset.total_seconds(),
            start=local.replace(tzinfo=None),
        )
    )
    for instant, new in _utc_transitions(zone, first_year, last_year):
        after = instant.astimezone(zone)
        kind = TimezoneStandard if not after.dst() else TimezoneDaylight
        vtimezone.add_component(
            _observance(
                kind,
                name=after.tzname(),
                offset_from=offset.total_seconds(),
                offset_to=new.total_seconds(),
                start=(instant + offset).replace(tzinfo=None),  # local time before the change
            )
        )
        offset = new
    return vtimezone


def vtimezone(tzid: str, first_year: int, last_year: int) -> Timezone:
    """The VTIMEZONE for `tzid`, right for every instant from `first_year` to `last_year`."""
    try:
        component = _from_rules(tzid, first_year)
        if _reads_like(component, tzid, first_year, last_year):
            return component
    except (Unsupported, OSError):
        pass
    return _one_per_transition(tzid, first_year, last_year)
