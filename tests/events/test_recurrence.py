"""Recurrence in the partnership's zone: 9:30 stays 9:30 local across both Melbourne DST changes."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from events import recurrence

MELBOURNE = ZoneInfo("Australia/Melbourne")
UTC = ZoneInfo("UTC")


def expand(rule, start=date(2027, 1, 1), at=time(9, 30), **kw):
    return recurrence.expand(
        rule=rule, start_date=start, start_time=at, duration=timedelta(hours=2), zone=MELBOURNE, **kw
    )


def test_first_wednesday_february_to_november():
    rule = recurrence.build_rrule(
        pattern="weekday", ordinal=1, weekday="WE", months=list(range(2, 12)), until=date(2027, 11, 30)
    )
    assert rule == "FREQ=MONTHLY;BYDAY=1WE;BYMONTH=2,3,4,5,6,7,8,9,10,11;UNTIL=20271130"
    days = [o.date for o in expand(rule)]
    assert days == [
        date(2027, 2, 3), date(2027, 3, 3), date(2027, 4, 7), date(2027, 5, 5), date(2027, 6, 2),
        date(2027, 7, 7), date(2027, 8, 4), date(2027, 9, 1), date(2027, 10, 6), date(2027, 11, 3),
    ]  # fmt: skip


def test_local_time_holds_across_the_april_change_to_standard_time():
    # DST ends on Sunday 4 April 2027 in Melbourne: UTC+11 before, UTC+10 after.
    before, after = expand("FREQ=WEEKLY;BYDAY=WE;COUNT=2", start=date(2027, 3, 31))
    assert (before.start.hour, before.start.minute) == (9, 30) == (after.start.hour, after.start.minute)
    assert before.start_utc == datetime(2027, 3, 30, 22, 30, tzinfo=UTC)
    assert after.start_utc == datetime(2027, 4, 6, 23, 30, tzinfo=UTC)
    assert after.end_utc - after.start_utc == timedelta(hours=2)


def test_local_time_holds_across_the_october_change_to_daylight_time():
    # DST starts on Sunday 3 October 2027 in Melbourne: UTC+10 before, UTC+11 after.
    before, after = expand("FREQ=WEEKLY;BYDAY=WE;COUNT=2", start=date(2027, 9, 29))
    assert before.start_utc == datetime(2027, 9, 28, 23, 30, tzinfo=UTC)
    assert after.start_utc == datetime(2027, 10, 5, 22, 30, tzinfo=UTC)
    assert after.start.utcoffset() == timedelta(hours=11)


def test_a_session_on_the_night_of_the_change_lasts_its_real_length():
    # 1:30-3:30 on 4 April 2027: the clock goes back at 3:00 (DST) to 2:00 (standard).
    (occurrence,) = expand("FREQ=DAILY;COUNT=1", start=date(2027, 4, 4), at=time(1, 30))
    assert occurrence.end_utc - occurrence.start_utc == timedelta(hours=2)


def test_a_start_in_the_spring_forward_gap_moves_forward_not_back():
    # 2:30 does not exist on 3 October 2027 in Melbourne.
    (occurrence,) = expand("FREQ=DAILY;COUNT=1", start=date(2027, 10, 3), at=time(2, 30))
    assert occurrence.start.hour == 3


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"pattern": "weekday", "ordinal": -1, "weekday": "FR", "count": 6}, "FREQ=MONTHLY;BYDAY=-1FR;COUNT=6"),
        (
            {"pattern": "month_day", "month_day": 15, "interval": 2, "until": date(2027, 12, 31)},
            "FREQ=MONTHLY;BYMONTHDAY=15;INTERVAL=2;UNTIL=20271231",
        ),
        ({"pattern": "weekly", "weekday": "TU", "interval": 3, "count": 4}, "FREQ=WEEKLY;BYDAY=TU;INTERVAL=3;COUNT=4"),
    ],
)
def test_picker_builds_rules_and_reads_them_back(kwargs, expected):
    rule = recurrence.build_rrule(**kwargs)
    assert rule == expected
    back = recurrence.picker_from_rule(rule, date(2027, 1, 1))
    assert recurrence.build_rrule(**{k: v for k, v in back.items() if k != "end"}) == expected


def test_last_friday_and_exception_dates():
    days = [o.date for o in expand("FREQ=MONTHLY;BYDAY=-1FR;COUNT=3", exdates=[date(2027, 2, 26)])]
    assert days == [date(2027, 1, 29), date(2027, 3, 26)]


def test_open_ended_rules_stop_after_two_years():
    occurrences = expand("FREQ=MONTHLY;BYMONTHDAY=1")
    assert len(occurrences) == 25
    assert occurrences[-1].date == date(2029, 1, 1)


@pytest.mark.parametrize(
    ("rule", "message_part"),
    [
        ("FREQ=FORTNIGHTLY", "Not a valid recurrence rule"),
        ("BYDAY=1WE", "Not a valid recurrence rule"),
        ("FREQ=HOURLY;COUNT=3", "daily, weekly, monthly or yearly"),
        ("DTSTART:20270101T000000\nRRULE:FREQ=MONTHLY", "DTSTART"),
        ("FREQ=DAILY;COUNT=500", "more than 120"),
        ("FREQ=MONTHLY;BYMONTHDAY=31;BYMONTH=2;COUNT=1", "no dates"),
        ("FREQ=MONTHLY;BYMONTHDAY=30;BYMONTH=2", "no dates"),
        ("", "empty"),
    ],
)
def test_bad_rules_name_the_rrule_field(rule, message_part):
    with pytest.raises(ValidationError) as info:
        expand(rule)
    assert list(info.value.message_dict) == ["rrule"]
    assert message_part in info.value.message_dict["rrule"][0]


def test_describe_reads_like_the_picker():
    rule = "FREQ=MONTHLY;BYDAY=1WE;BYMONTH=2,3,4,5,6,7,8,9,10,11;UNTIL=20271130"
    assert recurrence.describe(rule, date(2027, 1, 1)) == (
        "Every month on the first Wednesday, February to November, until 30 November 2027"
    )
