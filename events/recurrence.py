"""RFC 5545 recurrence rules: build one from the friendly picker, validate it, expand it in a zone.

dateutil expands the rule over local dates; each date is combined with the series' local start
time in the partnership's zone (zoneinfo), so the wall-clock time holds across daylight saving.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil import rrule as du
from django.core.exceptions import ValidationError

MAX_OCCURRENCES = 120
OPEN_ENDED_YEARS = 2

RRULE_INVALID = "Not a valid recurrence rule: {error}."
RRULE_FREQ = "Sessions can repeat daily, weekly, monthly or yearly."
RRULE_DTSTART = "Leave DTSTART out of the rule: the start date and time are separate fields."
RRULE_TOO_MANY = "The rule gives more than {limit} sessions; add an end date or a count."
RRULE_EMPTY = "The rule gives no dates after the start date."

WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}
MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December"]  # fmt: skip


@dataclass(frozen=True)
class Occurrence:
    date: date
    start: datetime  # aware, in the partnership's zone
    end: datetime

    @property
    def start_utc(self) -> datetime:
        return self.start.astimezone(ZoneInfo("UTC"))

    @property
    def end_utc(self) -> datetime:
        return self.end.astimezone(ZoneInfo("UTC"))


def build_rrule(
    *,
    pattern: str,
    interval: int = 1,
    ordinal: int | None = None,
    weekday: str | None = None,
    month_day: int | None = None,
    months: list[int] | None = None,
    until: date | None = None,
    count: int | None = None,
) -> str:
    """The RRULE for the picker's choices.

    pattern: "weekday" (nth or last weekday of the month), "month_day" (a given day of month),
    or "weekly" (every N weeks on a weekday).
    """
    parts: list[str]
    if pattern == "weekly":
        parts = ["FREQ=WEEKLY", f"BYDAY={weekday}"]
    elif pattern == "month_day":
        parts = ["FREQ=MONTHLY", f"BYMONTHDAY={month_day}"]
    else:
        parts = ["FREQ=MONTHLY", f"BYDAY={ordinal}{weekday}"]
    if interval and interval > 1:
        parts.append(f"INTERVAL={interval}")
    if months and len(months) < 12:
        parts.append("BYMONTH=" + ",".join(str(m) for m in sorted(set(months))))
    if until:
        parts.append(f"UNTIL={until:%Y%m%d}")
    elif count:
        parts.append(f"COUNT={count}")
    return ";".join(parts)


def _parse(rule: str, start_date: date) -> du.rrule:
    rule = (rule or "").strip()
    if rule.upper().startswith("RRULE:"):
        rule = rule[6:]
    if not rule:
        raise ValidationError({"rrule": RRULE_INVALID.format(error="it is empty")})
    if "DTSTART" in rule.upper():
        raise ValidationError({"rrule": RRULE_DTSTART})
    try:
        parsed = du.rrulestr(rule, dtstart=datetime.combine(start_date, time(0, 0)), forceset=False)
    except (ValueError, TypeError, IndexError, KeyError, OverflowError) as error:
        raise ValidationError({"rrule": RRULE_INVALID.format(error=str(error).rstrip("."))})
    if not isinstance(parsed, du.rrule) or parsed._freq not in (du.YEARLY, du.MONTHLY, du.WEEKLY, du.DAILY):
        raise ValidationError({"rrule": RRULE_FREQ})
    return parsed


def normalise_rrule(rule: str) -> str:
    rule = (rule or "").strip()
    return rule[6:] if rule.upper().startswith("RRULE:") else rule


def expand(
    *,
    rule: str,
    start_date: date,
    start_time: time,
    duration: timedelta,
    zone: ZoneInfo,
    exdates: list[date] | None = None,
) -> list[Occurrence]:
    """Every occurrence of the rule, at most MAX_OCCURRENCES; open-ended rules stop after two years."""
    parsed = _parse(rule, start_date)
    excluded = set(exdates or [])
    horizon = datetime.combine(start_date, time(0, 0)) + timedelta(days=366 * OPEN_ENDED_YEARS)
    open_ended = parsed._until is None and parsed._count is None
    result: list[Occurrence] = []
    for moment in parsed:
        if open_ended and moment > horizon:
            break
        day = moment.date()
        if day in excluded:
            continue
        if len(result) >= MAX_OCCURRENCES:
            raise ValidationError({"rrule": RRULE_TOO_MANY.format(limit=MAX_OCCURRENCES)})
        start = datetime.combine(day, start_time, tzinfo=zone)
        # Normalise through UTC: a time that does not exist (a spring-forward gap) moves forward.
        start = start.astimezone(ZoneInfo("UTC")).astimezone(zone)
        end = (start.astimezone(ZoneInfo("UTC")) + duration).astimezone(zone)
        result.append(Occurrence(date=day, start=start, end=end))
    if not result:
        raise ValidationError({"rrule": RRULE_EMPTY})
    return result


def describe(rule: str, start_date: date) -> str:
    """A short English description: "Monthly on the first Wednesday, February to November"."""
    try:
        parsed = _parse(rule, start_date)
    except ValidationError:
        return rule
    interval = parsed._interval
    freq = {du.YEARLY: "year", du.MONTHLY: "month", du.WEEKLY: "week", du.DAILY: "day"}[parsed._freq]
    text = f"Every {interval} {freq}s" if interval > 1 else f"Every {freq}"
    if parsed._freq == du.MONTHLY:
        if parsed._bynweekday:
            wd, n = parsed._bynweekday[0]
            text += f" on the {ORDINALS.get(n, f'{n}th')} {WEEKDAY_NAMES[wd]}"
        elif parsed._bymonthday or parsed._bynmonthday:
            days = list(parsed._bymonthday) + list(parsed._bynmonthday)
            text += f" on day {days[0]}" if days[0] > 0 else " on the last day"
    elif parsed._freq == du.WEEKLY and parsed._byweekday:
        text += " on " + ", ".join(WEEKDAY_NAMES[d] for d in sorted(parsed._byweekday))
    if parsed._bymonth and len(parsed._bymonth) < 12:
        months = sorted(parsed._bymonth)
        if months == list(range(months[0], months[-1] + 1)) and len(months) > 2:
            text += f", {MONTH_NAMES[months[0] - 1]} to {MONTH_NAMES[months[-1] - 1]}"
        else:
            text += ", in " + ", ".join(MONTH_NAMES[m - 1] for m in months)
    if parsed._until:
        text += f", until {parsed._until:%-d %B %Y}"
    elif parsed._count:
        text += f", {parsed._count} times"
    return text


def picker_from_rule(rule: str, start_date: date) -> dict:
    """The friendly picker's values for a rule it can express; {} leaves it on "custom"."""
    try:
        parsed = _parse(rule, start_date)
    except ValidationError:
        return {}
    values: dict = {"interval": parsed._interval}
    if parsed._bymonth and len(parsed._bymonth) < 12:
        values["months"] = sorted(parsed._bymonth)
    if parsed._until:
        values.update(end="until", until=parsed._until.date())
    elif parsed._count:
        values.update(end="count", count=parsed._count)
    else:
        return {}
    upper = rule.upper()
    if parsed._freq == du.MONTHLY and parsed._bynweekday and len(parsed._bynweekday) == 1 and "BYSETPOS" not in upper:
        wd, n = parsed._bynweekday[0]
        if n in ORDINALS:
            values.update(pattern="weekday", ordinal=n, weekday=WEEKDAYS[wd])
            return values
    if parsed._freq == du.MONTHLY and "BYMONTHDAY" in upper and len(parsed._bymonthday) == 1:
        values.update(pattern="month_day", month_day=parsed._bymonthday[0])
        return values
    if parsed._freq == du.WEEKLY and parsed._byweekday and len(parsed._byweekday) == 1:
        values.update(pattern="weekly", weekday=WEEKDAYS[parsed._byweekday[0]])
        return values
    return {}
