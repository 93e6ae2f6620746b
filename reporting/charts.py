"""Charts as server-side SVG: the same markup on the page and in the PDF, no JavaScript.

Each chart is `role="img"` with a <title> and <desc> (screen readers announce those and skip the
drawing), and the page always puts the table with the same numbers next to it. Colour is never the only
cue: series are named in a legend, lines also differ by dash and marker, and every bar segment and point
carries a <title> with its number (a tooltip for mouse users).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Dark enough for 3:1 against white (WCAG 1.4.11, graphical objects); ordered so neighbours differ in hue.
PALETTE = ["#0b5c7a", "#a3410b", "#1d6b34", "#6a3d9a", "#7a1f4d", "#5c4d00", "#005f73", "#4a525c"]
NOT_STATED_COLOUR = "#6b747d"
INK, MUTED, GRID = "#1b1f24", "#4a525c", "#d5dce2"
FONT = "DejaVu Sans, Noto Sans, system-ui, sans-serif"
DASHES = ["", "6 4", "2 3", "8 3 2 3"]

LEFT, RIGHT, PLOT_HEIGHT, LABELS_HEIGHT = 60, 16, 240, 76
MIN_PLOT_WIDTH, MAX_PLOT_WIDTH, STEP = 520, 940, 52  # bars get thinner beyond 18 sessions
CHAR_WIDTH = 7.8  # rough width of a 13px character, to lay out the legend


@dataclass
class Series:
    name: str
    values: list[float | None]
    colour: str


def colour_for(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def nice_ticks(maximum: float, *, count: int = 5, integer: bool = True) -> list[float]:
    """0 … a round number at or above `maximum`, in steps of 1, 2, 2.5 or 5 × 10ⁿ."""
    if maximum <= 0:
        return [0, 1]
    raw = maximum / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    if integer:
        step = max(1, math.ceil(step))
    top = math.ceil(maximum / step) * step
    return [round(i * step, 6) for i in range(int(round(top / step)) + 1)]


def _number(value: float) -> str:
    return f"{value:g}"


class _Canvas:
    def __init__(self, *, chart_id: str, title: str, desc: str, labels: list[str], legend: list[tuple[str, str, str]]):
        self.chart_id = chart_id
        self.labels = labels
        self.plot_width = min(MAX_PLOT_WIDTH, max(MIN_PLOT_WIDTH, STEP * len(labels)))
        self.width = LEFT + self.plot_width + RIGHT
        self.parts: list[str] = []
        legend_rows = self._legend(legend)
        self.top = 14 + legend_rows * 22 + 10
        self.height = self.top + PLOT_HEIGHT + LABELS_HEIGHT
        self.head = (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" role="img" '
            f'aria-labelledby="{chart_id}-title" aria-describedby="{chart_id}-desc" '
            f'viewBox="0 0 {self.width} {self.height}" '
            f'width="{self.width}" height="{self.height}" preserveAspectRatio="xMinYMin meet" '
            f'font-family="{FONT}" font-size="13">'
            f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(desc)}</desc>'
        )

    def _legend(self, legend: list[tuple[str, str, str]]) -> int:
        x, y, rows = LEFT, 14, 1 if legend else 0
        for name, colour, dash in legend:
            width = 26 + CHAR_WIDTH * len(name) + 14
            if x + width > self.width - RIGHT and x > LEFT:
                x, y, rows = LEFT, y + 22, rows + 1
            if dash is None:
                self.parts.append(f'<rect x="{x}" y="{y}" width="16" height="14" fill="{colour}"/>')
            else:
                dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
                self.parts.append(
                    f'<line x1="{x}" y1="{y + 7}" x2="{x + 18}" y2="{y + 7}" stroke="{colour}" '
                    f'stroke-width="3"{dash_attr}/>'
                )
            self.parts.append(f'<text x="{x + 22}" y="{y + 12}" fill="{INK}">{escape(name)}</text>')
            x += width
        return rows

    def y(self, value: float, ticks: list[float]) -> float:
        low, high = ticks[0], ticks[-1]
        return round(self.top + PLOT_HEIGHT - (value - low) / (high - low) * PLOT_HEIGHT, 2)

    def x_centre(self, index: int) -> float:
        return round(LEFT + (index + 0.5) * self.plot_width / max(len(self.labels), 1), 2)

    def axes(self, ticks: list[float], y_title: str, suffix: str = "") -> None:
        for tick in ticks:
            y = self.y(tick, ticks)
            self.parts.append(f'<line x1="{LEFT}" y1="{y}" x2="{LEFT + self.plot_width}" y2="{y}" stroke="{GRID}"/>')
            self.parts.append(
                f'<text x="{LEFT - 6}" y="{y + 4}" text-anchor="end" fill="{MUTED}">{_number(tick)}{suffix}</text>'
            )
        middle = self.top + PLOT_HEIGHT / 2
        self.parts.append(
            f'<text x="14" y="{middle}" text-anchor="middle" fill="{MUTED}" '
            f'transform="rotate(-90 14 {middle})">{escape(y_title)}</text>'
        )
        base = self.top + PLOT_HEIGHT
        self.parts.append(f'<line x1="{LEFT}" y1="{base}" x2="{LEFT + self.plot_width}" y2="{base}" stroke="{MUTED}"/>')
        for index, label in enumerate(self.labels):
            x = self.x_centre(index)
            self.parts.append(
                f'<text x="{x}" y="{base + 16}" text-anchor="end" fill="{INK}" '
                f'transform="rotate(-45 {x} {base + 16})">{escape(label)}</text>'
            )

    def render(self) -> SafeString:
        return mark_safe(self.head + "".join(self.parts) + "</svg>")  # noqa: S308 - every text is escaped


def stacked_bars(
    *, chart_id: str, title: str, desc: str, labels: list[str], series: list[Series], y_title: str
) -> SafeString:
    """One bar per label, stacked by series (e.g. attendance by sector per session)."""
    canvas = _Canvas(
        chart_id=chart_id, title=title, desc=desc, labels=labels, legend=[(s.name, s.colour, None) for s in series]
    )
    totals = [sum(s.values[i] or 0 for s in series) for i in range(len(labels))]
    ticks = nice_ticks(max(totals, default=0))
    canvas.axes(ticks, y_title)
    bar = round(canvas.plot_width / max(len(labels), 1) * 0.66, 2)
    for index, label in enumerate(labels):
        x = round(canvas.x_centre(index) - bar / 2, 2)
        running = 0.0
        for s in series:
            value = s.values[index] or 0
            if not value:
                continue
            y_top = canvas.y(running + value, ticks)
            height = round(canvas.y(running, ticks) - y_top, 2)
            canvas.parts.append(
                f'<rect x="{x}" y="{y_top}" width="{bar}" height="{height}" fill="{s.colour}" stroke="#fff" '
                f'stroke-width="1"><title>{escape(label)}: {escape(s.name)} {_number(value)}</title></rect>'
            )
            running += value
    return canvas.render()


def lines(
    *,
    chart_id: str,
    title: str,
    desc: str,
    labels: list[str],
    series: list[Series],
    y_title: str,
    ticks: list[float],
    suffix: str = "",
) -> SafeString:
    """One line per series over the labels; a missing value (None) breaks the line."""
    legend = [(s.name, s.colour, DASHES[i % len(DASHES)]) for i, s in enumerate(series)]
    canvas = _Canvas(chart_id=chart_id, title=title, desc=desc, labels=labels, legend=legend)
    canvas.axes(ticks, y_title, suffix)
    for number, s in enumerate(series):
        dash = DASHES[number % len(DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        runs: list[list[str]] = [[]]
        points: list[str] = []
        for index, value in enumerate(s.values):
            if value is None:
                runs.append([])
                continue
            x, y = canvas.x_centre(index), canvas.y(value, ticks)
            runs[-1].append(f"{x},{y}")
            tip = f"<title>{escape(labels[index])}: {escape(s.name)} {_number(value)}{suffix}</title>"
            if number % 2:
                points.append(f'<rect x="{x - 4}" y="{y - 4}" width="8" height="8" fill="{s.colour}">{tip}</rect>')
            else:
                points.append(f'<circle cx="{x}" cy="{y}" r="4" fill="{s.colour}">{tip}</circle>')
        for run in runs:
            if len(run) > 1:
                canvas.parts.append(
                    f'<polyline points="{" ".join(run)}" fill="none" stroke="{s.colour}" stroke-width="2.5"'
                    f'{dash_attr} stroke-linejoin="round"/>'
                )
        canvas.parts.extend(points)
    return canvas.render()


# --- The report's charts ------------------------------------------------------------------------


def _session_label(session) -> str:
    return f"{session.start:%-d %b %y}"


def _span(report) -> str:
    if not report.sessions:
        return "no sessions"
    first, last = report.sessions[0].start, report.sessions[-1].start
    count = len(report.sessions)
    return f"{count} session{'s' if count != 1 else ''} from {first:%-d %B %Y} to {last:%-d %B %Y}"


def report_charts(report) -> dict[str, SafeString]:
    """The dashboard's and the PDF's charts; empty when no session was held in the period."""
    if not report.sessions:
        return {}
    from .tables import percent, two_decimals

    labels = [_session_label(s) for s in report.sessions]
    sector_series = [
        Series(
            column.name,
            [s.by_sector.get(column.id, 0) for s in report.sessions],
            NOT_STATED_COLOUR if column.id is None else colour_for(index),
        )
        for index, column in enumerate(report.sectors)
    ]
    charts = {
        "sector-mix": stacked_bars(
            chart_id="chart-sector-mix",
            title="Attendance by sector, per session",
            desc=(
                f"Stacked bars for {_span(report)}: the people who attended each session, by sector. "
                f"{report.attended} attendances in all. The table “Attendance by sector” gives every number."
            ),
            labels=labels,
            series=sector_series,
            y_title="People attending",
        )
    }
    if report.responses:
        charts["ratings"] = lines(
            chart_id="chart-ratings",
            title="Average rating per session (1 to 5)",
            desc=(
                f"A line over {_span(report)}: the average overall rating given in feedback, from 1 to 5; "
                f"{two_decimals(report.average_rating)} over the period. Sessions without feedback leave a gap. "
                "The table “Feedback by session” gives every number."
            ),
            labels=labels,
            series=[Series("Average rating", [two_decimals(s.average_rating) for s in report.sessions], PALETTE[0])],
            y_title="Average rating",
            ticks=[1, 2, 3, 4, 5],
        )
        charts["rates"] = lines(
            chart_id="chart-rates",
            title="Would recommend, and response rate, per session",
            desc=(
                f"Two lines over {_span(report)}: the share of respondents who would recommend the sessions "
                f"({percent(report.recommend_rate)}% over the period, solid line) and the share of attendees who "
                f"gave feedback ({percent(report.response_rate)}%, dashed line). "
                "The table “Feedback by session” gives every number."
            ),
            labels=labels,
            series=[
                Series("Would recommend (%)", [percent(s.recommend_rate) for s in report.sessions], PALETTE[2]),
                Series("Response rate (%)", [percent(s.response_rate) for s in report.sessions], PALETTE[1]),
            ],
            y_title="Per cent",
            ticks=[0, 20, 40, 60, 80, 100],
            suffix="%",
        )
    return charts
