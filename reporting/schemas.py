from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema

from core.types import DbId

from .models import MAX_NEW_CONTACTS
from .periods import PRESETS
from .selectors import Report, SessionFigures, respondent_name
from .services import MAX_TEXT
from .tables import TABLE_KEYS

Preset = Literal[tuple(PRESETS)]  # type: ignore[valid-type]
TableKey = Literal[TABLE_KEYS]  # type: ignore[valid-type]
QuoteFieldIn = Literal["most_useful", "do_differently", "comments", ""]

SHARE = "A share from 0 to 1 (null when there is nothing to divide by)."


class PeriodQuery(Schema):
    date_from: date | None = Field(None, description="First day (local), included. Default: a year before date_to.")
    date_to: date | None = Field(None, description="Last day (local), included. Default: today.")
    preset: Preset | None = Field(None, description="Instead of dates: " + ", ".join(PRESETS) + ".")


class FeedbackQuery(PeriodQuery):
    event_id: DbId | None = Field(None, description="Only this session's responses.")


class SectorRefOut(Schema):
    sector: str = Field(..., description="The sector's slug (not-stated when unknown).")
    name: str


class SectorCountOut(SectorRefOut):
    count: int


class SectorRespondentsOut(SectorRefOut):
    respondents: int
    share: float | None = Field(None, description=SHARE)


class SessionFiguresOut(Schema):
    event_id: int
    title: str
    start: datetime = Field(..., description="Local time in the partnership's zone.")
    capacity: int
    registered: int = Field(..., description="Confirmed registrations.")
    attended: int
    no_shows: int
    not_marked: int
    waitlisted: int = Field(..., description="Still on the waitlist when the session ran.")
    cancelled_registrations: int
    full: bool
    no_show_rate: float | None = Field(None, description=SHARE)
    by_sector: list[SectorCountOut] = Field(..., description="Attended, by sector.")
    responses: int
    response_rate: float | None = Field(None, description=SHARE)
    average_rating: float | None
    would_recommend_rate: float | None = Field(None, description=SHARE)
    new_contacts: int
    connected_across_sectors_rate: float | None = Field(None, description=SHARE)


class SessionsSummaryOut(Schema):
    held: int
    cancelled: int
    upcoming: int
    full: int
    with_waitlist: int


class RegistrationsSummaryOut(Schema):
    registered: int
    attended: int
    no_shows: int
    not_marked: int
    cancelled: int
    waitlisted: int
    attendance_rate: float | None = Field(None, description=SHARE)
    no_show_rate: float | None = Field(None, description=SHARE)


class SessionsAttendedOut(Schema):
    sessions: int
    practitioners: int
    former_members: int


class PractitionersOut(Schema):
    unique: int
    returning: int = Field(..., description="Attended two or more sessions in the period.")
    returning_rate: float | None = Field(None, description=SHARE)
    former_members: int = Field(..., description="Deleted accounts, each counted once.")
    by_sessions_attended: list[SessionsAttendedOut]


class OrganisationOut(Schema):
    name: str
    practitioners: int
    attendances: int


class OrganisationsOut(Schema):
    count: int
    items: list[OrganisationOut]


class RatingCountOut(Schema):
    rating: int
    responses: int


class FeedbackSummaryOut(Schema):
    responses: int
    response_rate: float | None = Field(None, description=SHARE)
    average_rating: float | None
    ratings: list[RatingCountOut]
    would_recommend_rate: float | None = Field(None, description=SHARE)
    new_contacts: int
    new_contacts_per_response: float | None
    connected_across_sectors: int
    connected_across_sectors_rate: float | None = Field(None, description=SHARE)
    sectors_connected: list[SectorRespondentsOut]


class QuoteOut(Schema):
    text: str
    event_title: str
    event_date: date


class ReportOut(Schema):
    partnership: str
    partnership_name: str
    cohosts: list[str]
    date_from: date
    date_to: date
    preset: str | None
    generated_at: datetime
    sessions: SessionsSummaryOut
    registrations: RegistrationsSummaryOut
    practitioners: PractitionersOut
    organisations: OrganisationsOut
    feedback: FeedbackSummaryOut
    sectors: list[SectorRefOut] = Field(..., description="The sectors in per_session.by_sector, in order.")
    per_session: list[SessionFiguresOut]
    quotes: list[QuoteOut]


def _share(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _rating(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _session_out(session: SessionFigures, report: Report) -> dict:
    return {
        "event_id": session.event_id,
        "title": session.title,
        "start": session.start,
        "capacity": session.capacity,
        "registered": session.registered,
        "attended": session.attended,
        "no_shows": session.no_shows,
        "not_marked": session.not_marked,
        "waitlisted": session.waitlisted,
        "cancelled_registrations": session.cancelled,
        "full": session.full,
        "no_show_rate": _share(session.no_show_rate),
        "by_sector": [
            {"sector": c.slug, "name": c.name, "count": session.by_sector.get(c.id, 0)} for c in report.sectors
        ],
        "responses": session.responses,
        "response_rate": _share(session.response_rate),
        "average_rating": _rating(session.average_rating),
        "would_recommend_rate": _share(session.recommend_rate),
        "new_contacts": session.new_contacts,
        "connected_across_sectors_rate": _share(session.cross_sector_rate),
    }


def report_data(report: Report) -> dict:
    """The report as the API's JSON (ReportOut)."""
    responses = report.responses
    return {
        "partnership": report.partnership.slug,
        "partnership_name": report.partnership.name,
        "cohosts": report.cohosts,
        "date_from": report.period.date_from,
        "date_to": report.period.date_to,
        "preset": report.period.preset or None,
        "generated_at": report.generated_at,
        "sessions": {
            "held": report.sessions_held,
            "cancelled": report.cancelled_sessions,
            "upcoming": report.upcoming_sessions,
            "full": report.sessions_full,
            "with_waitlist": report.sessions_with_waitlist,
        },
        "registrations": {
            "registered": report.registered,
            "attended": report.attended,
            "no_shows": report.no_shows,
            "not_marked": report.not_marked,
            "cancelled": report.cancelled_registrations,
            "waitlisted": report.waitlisted,
            "attendance_rate": _share(report.attendance_rate),
            "no_show_rate": _share(report.no_show_rate),
        },
        "practitioners": {
            "unique": report.unique_people,
            "returning": report.returning_people,
            "returning_rate": _share(report.returning_rate),
            "former_members": report.former_members,
            "by_sessions_attended": [
                {"sessions": sessions, "practitioners": people, "former_members": former}
                for sessions, people, former in report.people_by_sessions
            ],
        },
        "organisations": {
            "count": len(report.organisations),
            "items": [
                {"name": o.name, "practitioners": o.people, "attendances": o.attendances} for o in report.organisations
            ],
        },
        "feedback": {
            "responses": responses,
            "response_rate": _share(report.response_rate),
            "average_rating": _rating(report.average_rating),
            "ratings": [{"rating": value, "responses": count} for value, count in report.ratings.items()],
            "would_recommend_rate": _share(report.recommend_rate),
            "new_contacts": report.new_contacts,
            "new_contacts_per_response": _rating(report.new_contacts_per_response),
            "connected_across_sectors": report.cross_sector,
            "connected_across_sectors_rate": _share(report.cross_sector_rate),
            "sectors_connected": [
                {
                    "sector": c.slug,
                    "name": c.name,
                    "respondents": n,
                    "share": _share(n / responses if responses else None),
                }
                for c, n in report.connections
            ],
        },
        "sectors": [{"sector": c.slug, "name": c.name} for c in report.sectors],
        "per_session": [_session_out(s, report) for s in report.sessions],
        "quotes": [
            {"text": q.text, "event_title": q.event_title, "event_date": q.event_start.date()} for q in report.quotes
        ],
    }


# --- Feedback -------------------------------------------------------------------------------------


class FeedbackOut(Schema):
    """A response as coordinators see it: no registration, no person, unless the respondent agreed to the name."""

    id: int
    event_id: int
    event_title: str
    event_start: datetime
    rating: int
    most_useful: str
    do_differently: str
    new_contacts: int
    sectors_connected: list[SectorRefOut]
    would_recommend: bool
    comments: str
    consent_quote: bool
    respondent_name: str | None = Field(None, description="Only if the respondent agreed.")
    quote_field: str | None = Field(None, description="The answer picked to quote in reports, if any.")

    @staticmethod
    def resolve_event_id(obj) -> int:
        return obj.registration.event_id

    @staticmethod
    def resolve_event_title(obj) -> str:
        return obj.registration.event.title

    @staticmethod
    def resolve_event_start(obj) -> datetime:
        return obj.registration.event.local_start

    @staticmethod
    def resolve_sectors_connected(obj) -> list[dict]:
        return [{"sector": s.slug, "name": s.name} for s in obj.sectors_connected.all()]

    @staticmethod
    def resolve_respondent_name(obj) -> str | None:
        return respondent_name(obj)

    @staticmethod
    def resolve_quote_field(obj) -> str | None:
        return obj.quote_field or None


class QuoteIn(Schema):
    quote_field: QuoteFieldIn | None = Field(None, description="most_useful, do_differently, comments; empty: none.")


class FeedbackIn(Schema):
    rating: int = Field(..., ge=1, le=5)
    would_recommend: bool
    most_useful: str = Field("", max_length=MAX_TEXT)
    do_differently: str = Field("", max_length=MAX_TEXT)
    new_contacts: int = Field(0, ge=0, le=MAX_NEW_CONTACTS)
    sectors_connected: list[str] = Field([], max_length=50, description="Sector slugs.")
    comments: str = Field("", max_length=MAX_TEXT)
    consent_quote: bool = Field(False, description="May be quoted anonymously in reports.")
    consent_name: bool = Field(False, description="Coordinators may see my name with this feedback.")


class MyAnswersOut(Schema):
    rating: int
    would_recommend: bool
    most_useful: str
    do_differently: str
    new_contacts: int
    sectors_connected: list[str]
    comments: str
    consent_quote: bool
    consent_name: bool
    submitted_at: datetime
    updated_at: datetime


class MyFeedbackOut(Schema):
    registration_id: int
    event_id: int
    event_title: str
    can_answer: bool = Field(..., description="Whether PUT would take an answer now.")
    reason: str | None = Field(None, description="Why not, when it would not.")
    editable_until: datetime | None
    feedback: MyAnswersOut | None
