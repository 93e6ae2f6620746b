"""Server-side SVG charts and the report's periods."""

from datetime import date
from xml.etree import ElementTree

import pytest
from django.core.exceptions import ValidationError

from reporting import periods
from reporting.charts import Series, lines, nice_ticks, stacked_bars
from reporting.periods import Period, period_for_preset, period_resolve

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)  # well-formed XML, or this raises


def test_stacked_bars_are_an_accessible_image_with_a_segment_per_number():
    svg = parse(
        stacked_bars(
            chart_id="c1",
            title="Attendance by sector",
            desc="Two sessions.",
            labels=["5 Mar 25", "4 Jun 25"],
            series=[Series("Medical", [3, 0], "#0b5c7a"), Series("<Education & care>", [2, 4], "#a3410b")],
            y_title="People attending",
        )
    )
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "c1-title" and svg.get("aria-describedby") == "c1-desc"
    assert svg.find(f"{SVG}title").text == "Attendance by sector"
    assert svg.find(f"{SVG}desc").text == "Two sessions."
    bars = [rect for rect in svg.iter(f"{SVG}rect") if rect.find(f"{SVG}title") is not None]
    assert [bar.find(f"{SVG}title").text for bar in bars] == [
        "5 Mar 25: Medical 3",
        "5 Mar 25: <Education & care> 2",
        "4 Jun 25: <Education & care> 4",
    ]
    # Stacked: the second segment of the first bar sits on top of the first, and heights follow the values.
    first, second = bars[0], bars[1]
    assert float(second.get("y")) + float(second.get("height")) == pytest.approx(float(first.get("y")))
    assert float(first.get("height")) / float(second.get("height")) == pytest.approx(3 / 2)
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert "<Education & care>" in texts and "People attending" in texts


def test_lines_break_where_a_value_is_missing():
    svg = parse(
        lines(
            chart_id="c2",
            title="Average rating",
            desc="Four sessions.",
            labels=["a", "b", "c", "d"],
            series=[Series("Average rating", [4.0, 4.5, None, 3.5], "#0b5c7a")],
            y_title="Rating",
            ticks=[1, 2, 3, 4, 5],
        )
    )
    polylines = list(svg.iter(f"{SVG}polyline"))
    assert len(polylines) == 1 and len(polylines[0].get("points").split()) == 2  # a, b; d stands alone
    assert [c.find(f"{SVG}title").text for c in svg.iter(f"{SVG}circle")] == [
        "a: Average rating 4",
        "b: Average rating 4.5",
        "d: Average rating 3.5",
    ]


def test_nice_ticks():
    assert nice_ticks(0) == [0, 1]
    assert nice_ticks(3) == [0, 1, 2, 3]
    assert nice_ticks(47) == [0, 10, 20, 30, 40, 50]
    assert nice_ticks(1200)[-1] == 1250


@pytest.mark.parametrize(
    ("preset", "today", "expected"),
    [
        ("last-12-months", date(2026, 11, 23), (date(2025, 11, 24), date(2026, 11, 23))),
        ("last-12-months", date(2024, 2, 29), (date(2023, 3, 1), date(2024, 2, 29))),
        ("this-calendar-year", date(2026, 11, 23), (date(2026, 1, 1), date(2026, 12, 31))),
        ("last-calendar-year", date(2026, 1, 1), (date(2025, 1, 1), date(2025, 12, 31))),
        ("this-financial-year", date(2026, 11, 23), (date(2026, 7, 1), date(2027, 6, 30))),
        ("this-financial-year", date(2026, 6, 30), (date(2025, 7, 1), date(2026, 6, 30))),
        ("last-financial-year", date(2026, 7, 1), (date(2025, 7, 1), date(2026, 6, 30))),
    ],
)
def test_presets(preset, today, expected):
    period = period_for_preset(preset, today=today)
    assert (period.date_from, period.date_to) == expected


def test_dates_are_checked_and_completed():
    today = date(2026, 11, 23)
    assert period_resolve(today=today).preset == "last-12-months"
    assert period_resolve(today=today, date_from=date(2026, 1, 1)) == Period(date(2026, 1, 1), today)
    assert period_resolve(today=today, date_to=date(2025, 6, 30)) == Period(date(2024, 7, 1), date(2025, 6, 30))
    assert period_resolve(today=today, date_from=date(2025, 1, 1), date_to=date(2025, 12, 31)).preset == (
        "last-calendar-year"
    )
    for wrong, message in (
        ({"date_from": date(2025, 2, 1), "date_to": date(2025, 1, 1)}, periods.RANGE_ORDER),
        ({"date_from": date(1999, 12, 31)}, periods.RANGE_BOUNDS),
        ({"date_from": date(2001, 1, 1), "date_to": date(2025, 1, 1)}, periods.RANGE_TOO_LONG),
        ({"preset": "forever"}, None),
    ):
        with pytest.raises(ValidationError) as error:
            period_resolve(today=today, **wrong)
        if message:
            assert message in error.value.messages
