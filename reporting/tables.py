"""The report's tables: one definition serves the page, the PDF, the CSV files and the charts' text.

Cells are plain values (date, str, int, float, bool or None); `display` and `csv_value` format them the
same way everywhere, so a chart, its table and its CSV always show the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from core.csv import csv_text

from .selectors import Report

Cell = date | str | int | float | bool | None


def percent(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def two_decimals(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


@dataclass
class Table:
    key: str
    title: str
    description: str
    columns: list[str]
    rows: list[list[Cell]]
    footer: list[Cell] | None = None  # totals

    @property
    def filename(self) -> str:
        return f"{self.key}.csv"


def display(value: Cell) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return f"{value:%-d %b %Y}"
    if isinstance(value, date):
        return f"{value:%-d %b %Y}"
    if isinstance(value, float):
        return f"{value:g}" if value == int(value) else f"{value:.2f}".rstrip("0")
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def csv_value(value: Cell) -> str | int | Decimal:
    """A cell for the CSV; core.csv neutralises formulas in the text ones."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return Decimal(display(value))
    if isinstance(value, int):
        return value
    return str(value)


def _session_cells(session) -> list[Cell]:
    return [session.start.date(), session.title]


def sessions_table(report: Report) -> Table:
    rows = [
        [
            *_session_cells(s),
            s.capacity,
            s.registered,
            s.attended,
            s.no_shows,
            percent(s.no_show_rate),
            s.waitlisted,
            s.full,
            s.responses,
            two_decimals(s.average_rating),
        ]
        for s in report.sessions
    ]
    footer = [
        "Total",
        f"{report.sessions_held} sessions",
        sum(s.capacity for s in report.sessions),
        report.registered,
        report.attended,
        report.no_shows,
        percent(report.no_show_rate),
        report.waitlisted,
        report.sessions_full,
        report.responses,
        two_decimals(report.average_rating),
    ]
    return Table(
        "sessions",
        "Sessions held",
        "Each session held in the period: places, registrations, attendance, waitlist and feedback.",
        [
            "Date",
            "Session",
            "Capacity",
            "Registered",
            "Attended",
            "No-shows",
            "No-show rate (%)",
            "Still waitlisted",
            "Full",
            "Feedback responses",
            "Average rating (1–5)",
        ],
        rows,
        footer if rows else None,
    )


def sector_mix_table(report: Report) -> Table:
    rows = [
        [*_session_cells(s), *[s.by_sector.get(c.id, 0) for c in report.sectors], s.attended] for s in report.sessions
    ]
    footer = [
        "Total",
        "All sessions",
        *[sum(s.by_sector.get(c.id, 0) for s in report.sessions) for c in report.sectors],
        report.attended,
    ]
    return Table(
        "sector-mix",
        "Attendance by sector",
        "People who attended each session, by the sector they registered under.",
        ["Date", "Session", *[c.name for c in report.sectors], "Total attended"],
        rows,
        footer if rows else None,
    )


def practitioners_table(report: Report) -> Table:
    rows = [[sessions, people, former] for sessions, people, former in report.people_by_sessions]
    footer = ["All", report.unique_people, report.former_members]
    return Table(
        "practitioners",
        "Practitioners by sessions attended",
        "How many sessions each practitioner attended in the period; two or more is returning. "
        "Former members (deleted accounts) are counted once each.",
        ["Sessions attended", "Practitioners", "Of whom former members"],
        rows,
        footer if rows else None,
    )


def organisations_table(report: Report) -> Table:
    rows = [[o.name, o.people, o.attendances] for o in report.organisations]
    return Table(
        "organisations",
        "Organisations represented",
        "Organisations of the people who attended (as given in their accounts).",
        ["Organisation", "Practitioners", "Attendances"],
        rows,
        [
            "All organisations",
            sum(o.people for o in report.organisations),
            sum(o.attendances for o in report.organisations),
        ]
        if rows
        else None,
    )


def feedback_table(report: Report) -> Table:
    rows = [
        [
            *_session_cells(s),
            s.attended,
            s.responses,
            percent(s.response_rate),
            two_decimals(s.average_rating),
            percent(s.recommend_rate),
            s.new_contacts,
            percent(s.cross_sector_rate),
        ]
        for s in report.sessions
    ]
    footer = [
        "Total",
        "All sessions",
        report.attended,
        report.responses,
        percent(report.response_rate),
        two_decimals(report.average_rating),
        percent(report.recommend_rate),
        report.new_contacts,
        percent(report.cross_sector_rate),
    ]
    return Table(
        "feedback",
        "Feedback by session",
        "Responses from attendees, average rating, recommendations, new contacts, and the share who "
        "connected with a sector other than their own.",
        [
            "Date",
            "Session",
            "Attended",
            "Responses",
            "Response rate (%)",
            "Average rating (1–5)",
            "Would recommend (%)",
            "New contacts",
            "Connected across sectors (%)",
        ],
        rows,
        footer if rows else None,
    )


def ratings_table(report: Report) -> Table:
    total = report.responses
    rows = [[value, count, percent(count / total) if total else None] for value, count in report.ratings.items()]
    return Table(
        "ratings",
        "Ratings",
        "How attendees rated the sessions overall (5 is excellent).",
        ["Rating", "Responses", "Share (%)"],
        rows if total else [],
        ["All", total, 100.0] if total else None,
    )


def connections_table(report: Report) -> Table:
    total = report.responses
    rows = [[sector.name, count, percent(count / total) if total else None] for sector, count in report.connections]
    return Table(
        "connections",
        "Sectors connected with",
        "Respondents who said they connected with people from each sector.",
        ["Sector", "Respondents", "Share of respondents (%)"],
        rows,
    )


def waitlist_table(report: Report) -> Table:
    rows = [[*_session_cells(s), s.capacity, s.registered, s.full, s.waitlisted] for s in report.sessions]
    footer = [
        "Total",
        f"{report.sessions_full} of {report.sessions_held} sessions full",
        None,
        report.registered,
        report.sessions_full,
        report.waitlisted,
    ]
    return Table(
        "waitlist",
        "Waitlist demand",
        "Sessions that filled up, and the people still on the waitlist when the session ran.",
        ["Date", "Session", "Capacity", "Registered", "Full", "Still waitlisted"],
        rows,
        footer if rows else None,
    )


BUILDERS = {
    "sessions": sessions_table,
    "sector-mix": sector_mix_table,
    "practitioners": practitioners_table,
    "organisations": organisations_table,
    "feedback": feedback_table,
    "ratings": ratings_table,
    "connections": connections_table,
    "waitlist": waitlist_table,
}
TABLE_KEYS = tuple(BUILDERS)


def report_tables(report: Report) -> dict[str, Table]:
    return {key: build(report) for key, build in BUILDERS.items()}


def table_rows(table: Table) -> list[list]:
    rows = [[csv_value(cell) for cell in row] for row in table.rows]
    if table.footer:
        rows.append([csv_value(cell) for cell in table.footer])
    return rows


def table_csv(table: Table) -> str:
    return csv_text(table.columns, table_rows(table))


@dataclass
class Figure:
    label: str
    value: str
    note: str = ""


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{display(percent(value))}%"


def key_figures(report: Report) -> list[Figure]:
    """The headline numbers, for the dashboard and the PDF."""
    rating = two_decimals(report.average_rating)
    return [
        Figure(
            "Sessions held",
            display(report.sessions_held),
            f"{report.cancelled_sessions} cancelled"
            + (f", {report.upcoming_sessions} to come" if report.upcoming_sessions else ""),
        ),
        Figure("Registrations", display(report.registered), f"{report.cancelled_registrations} cancelled"),
        Figure("Attendances", display(report.attended), f"attendance rate {_pct(report.attendance_rate)}"),
        Figure("No-show rate", _pct(report.no_show_rate), f"{display(report.no_shows)} no-shows"),
        Figure("Practitioners", display(report.unique_people), "different people who attended"),
        Figure(
            "Returning practitioners",
            display(report.returning_people),
            f"{_pct(report.returning_rate)} came to two or more sessions",
        ),
        Figure("Organisations represented", display(len(report.organisations))),
        Figure(
            "New contacts reported",
            display(report.new_contacts),
            f"{display(two_decimals(report.new_contacts_per_response))} per response",
        ),
        Figure("Feedback responses", display(report.responses), f"response rate {_pct(report.response_rate)}"),
        Figure("Average rating", f"{display(rating)} / 5" if rating is not None else "—"),
        Figure("Would recommend", _pct(report.recommend_rate), "of respondents"),
        Figure("Connected across sectors", _pct(report.cross_sector_rate), "of respondents met another sector"),
        Figure(
            "Sessions full",
            f"{report.sessions_full} of {report.sessions_held}",
            f"{display(report.waitlisted)} people still waitlisted",
        ),
    ]
