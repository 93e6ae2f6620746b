"""Date ranges for reports: local dates in the partnership's zone, both ends included.

The default is the last 12 months (a year back from today, today included). Presets give calendar and
Australian financial years (1 July – 30 June).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError

PRESETS = {
    "last-12-months": "Last 12 months",
    "this-calendar-year": "This calendar year",
    "last-calendar-year": "Last calendar year",
    "this-financial-year": "This financial year",
    "last-financial-year": "Last financial year",
}
DEFAULT_PRESET = "last-12-months"
EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)
MAX_DAYS = 366 * 10

RANGE_ORDER = "The start date must not be after the end date."
RANGE_BOUNDS = "Choose a date between 2000 and 2100."
RANGE_TOO_LONG = "Choose at most ten years."
PRESET_UNKNOWN = "Unknown preset: choose one of {choices}."


@dataclass(frozen=True)
class Period:
    date_from: date
    date_to: date
    preset: str = ""

    @property
    def label(self) -> str:
        return f"{self.date_from:%-d %B %Y} – {self.date_to:%-d %B %Y}"

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1

    def bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """[start, end): local midnight of the first day to local midnight after the last."""
        start = datetime.combine(self.date_from, time.min, tzinfo=zone)
        end = datetime.combine(self.date_to + timedelta(days=1), time.min, tzinfo=zone)
        return start, end

    def as_query(self) -> dict[str, str]:
        return {"date_from": self.date_from.isoformat(), "date_to": self.date_to.isoformat()}


def _financial_year_start(today: date) -> date:
    return date(today.year if today.month >= 7 else today.year - 1, 7, 1)


def period_for_preset(preset: str, *, today: date) -> Period:
    if preset == "last-12-months":
        return Period(today - relativedelta(years=1) + timedelta(days=1), today, preset)
    if preset == "this-calendar-year":
        return Period(date(today.year, 1, 1), date(today.year, 12, 31), preset)
    if preset == "last-calendar-year":
        return Period(date(today.year - 1, 1, 1), date(today.year - 1, 12, 31), preset)
    if preset == "this-financial-year":
        start = _financial_year_start(today)
        return Period(start, date(start.year + 1, 6, 30), preset)
    if preset == "last-financial-year":
        start = _financial_year_start(today) - relativedelta(years=1)
        return Period(start, date(start.year + 1, 6, 30), preset)
    raise ValidationError({"preset": PRESET_UNKNOWN.format(choices=", ".join(PRESETS))})


def presets(*, today: date) -> list[tuple[str, str, Period]]:
    return [(key, label, period_for_preset(key, today=today)) for key, label in PRESETS.items()]


def period_resolve(
    *, today: date, date_from: date | None = None, date_to: date | None = None, preset: str | None = None
) -> Period:
    """The period asked for: a preset, or dates (a missing end is today; a missing start, a year before the end)."""
    if preset:
        return period_for_preset(preset, today=today)
    if date_from is None and date_to is None:
        return period_for_preset(DEFAULT_PRESET, today=today)
    errors = {}
    for name, value in (("date_from", date_from), ("date_to", date_to)):
        if value is not None and not EARLIEST <= value <= LATEST:
            errors[name] = RANGE_BOUNDS
    if errors:
        raise ValidationError(errors)
    date_to = date_to or max(today, date_from)
    date_from = date_from or date_to - relativedelta(years=1) + timedelta(days=1)
    if date_from > date_to:
        raise ValidationError({"date_from": RANGE_ORDER})
    if (date_to - date_from).days + 1 > MAX_DAYS:
        raise ValidationError({"date_from": RANGE_TOO_LONG})
    for key in PRESETS:  # dates that are a preset are shown as that preset
        if period_for_preset(key, today=today) == Period(date_from, date_to, key):
            return Period(date_from, date_to, key)
    return Period(date_from, date_to)
