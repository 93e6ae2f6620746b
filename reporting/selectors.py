"""Reads for reports and feedback. Every figure comes from a fixed set of aggregate queries.

`report_build` costs the same number of queries for 3 sessions or 300 (tests/reporting/test_queries.py):

1. the partnership's sessions in the period, each annotated with its registration counts;
2. attendance by (session, sector) — the sector is the registration's snapshot, kept after account deletion;
3. the sectors (names and order);
4. sessions attended per person (for unique and returning practitioners);
5. organisations represented (people and attendances per organisation);
6. feedback per session (responses, ratings, recommendations, new contacts, cross-sector connections);
7. sectors connected with (respondents per sector);
8. the quotes the coordinators picked.

"Held" sessions are published ones that have ended. Registration and attendance figures count the
confirmed registrations of held sessions; cancelled sessions and upcoming ones are counted, not
measured.

People: a registration's person is its user. A deleted account leaves its registrations anonymised
(user NULL) and stamped with one `anonymised_at` (registrations.services.user_delete_account marks them
all in one UPDATE), so registrations sharing an `anonymised_at` are counted as one former member;
an anonymised registration without that stamp counts as one person on its own. Unique and returning
counts therefore stay right after people delete their accounts. Organisations come from accounts (the
registration keeps no copy), so former members' organisations are not counted.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Case, Count, Exists, F, IntegerField, Min, OuterRef, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, Lower, Trim
from django.utils import timezone

from accounts.models import Partnership, Sector
from events.models import Event
from events.selectors import events_held_between
from registrations.models import Registration
from registrations.selectors import registrations_attended

from .models import Feedback, FeedbackRequest, hash_token
from .periods import Period

NOT_STATED = "Not stated"
CONFIRMED = Registration.Status.CONFIRMED
ATTENDED = Registration.Attendance.ATTENDED


def ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class SectorColumn:
    id: int | None
    slug: str
    name: str


@dataclass
class SessionFigures:
    event_id: int
    title: str
    start: datetime  # local, in the partnership's zone
    capacity: int
    registered: int  # confirmed registrations
    attended: int
    no_shows: int
    not_marked: int
    waitlisted: int  # still on the waitlist when the session ran: turned away
    cancelled: int  # registrations cancelled
    cohosts: list[str]
    by_sector: dict[int | None, int] = field(default_factory=dict)
    responses: int = 0
    rating_sum: int = 0
    ratings: dict[int, int] = field(default_factory=dict)
    recommend: int = 0
    new_contacts: int = 0
    cross_sector: int = 0

    @property
    def full(self) -> bool:
        return self.registered >= self.capacity

    @property
    def no_show_rate(self) -> float | None:
        return ratio(self.no_shows, self.attended + self.no_shows)

    @property
    def response_rate(self) -> float | None:
        return ratio(self.responses, self.attended)

    @property
    def average_rating(self) -> float | None:
        return ratio(self.rating_sum, self.responses)

    @property
    def recommend_rate(self) -> float | None:
        return ratio(self.recommend, self.responses)

    @property
    def cross_sector_rate(self) -> float | None:
        return ratio(self.cross_sector, self.responses)


@dataclass
class OrganisationFigures:
    name: str
    people: int
    attendances: int


@dataclass
class Quote:
    text: str
    event_title: str
    event_start: datetime  # local
    feedback_id: int


@dataclass
class Report:
    partnership: Partnership
    period: Period
    generated_at: datetime
    sessions: list[SessionFigures]
    sectors: list[SectorColumn]  # the columns of the sector mix: sectors with attendance, then "Not stated"
    cancelled_sessions: int
    upcoming_sessions: int
    people_by_sessions: list[tuple[int, int, int]]  # (sessions attended, people, of whom former members)
    organisations: list[OrganisationFigures]
    connections: list[tuple[SectorColumn, int]]  # (sector connected with, respondents)
    quotes: list[Quote]
    cohosts: list[str]

    # --- Totals over held sessions --------------------------------------------------------------
    def _sum(self, name: str) -> int:
        return sum(getattr(s, name) for s in self.sessions)

    @property
    def sessions_held(self) -> int:
        return len(self.sessions)

    @property
    def registered(self) -> int:
        return self._sum("registered")

    @property
    def attended(self) -> int:
        return self._sum("attended")

    @property
    def no_shows(self) -> int:
        return self._sum("no_shows")

    @property
    def not_marked(self) -> int:
        return self._sum("not_marked")

    @property
    def cancelled_registrations(self) -> int:
        return self._sum("cancelled")

    @property
    def attendance_rate(self) -> float | None:
        """Of the people whose attendance was recorded, the share who came."""
        return ratio(self.attended, self.attended + self.no_shows)

    @property
    def no_show_rate(self) -> float | None:
        return ratio(self.no_shows, self.attended + self.no_shows)

    @property
    def sessions_full(self) -> int:
        return sum(1 for s in self.sessions if s.full)

    @property
    def sessions_with_waitlist(self) -> int:
        return sum(1 for s in self.sessions if s.waitlisted)

    @property
    def waitlisted(self) -> int:
        return self._sum("waitlisted")

    @property
    def unique_people(self) -> int:
        return sum(people for _, people, _ in self.people_by_sessions)

    @property
    def returning_people(self) -> int:
        return sum(people for sessions, people, _ in self.people_by_sessions if sessions >= 2)

    @property
    def returning_rate(self) -> float | None:
        return ratio(self.returning_people, self.unique_people)

    @property
    def former_members(self) -> int:
        return sum(former for _, _, former in self.people_by_sessions)

    @property
    def responses(self) -> int:
        return self._sum("responses")

    @property
    def response_rate(self) -> float | None:
        return ratio(self.responses, self.attended)

    @property
    def average_rating(self) -> float | None:
        return ratio(self._sum("rating_sum"), self.responses)

    @property
    def ratings(self) -> dict[int, int]:
        return {value: sum(s.ratings.get(value, 0) for s in self.sessions) for value in range(5, 0, -1)}

    @property
    def recommend_rate(self) -> float | None:
        return ratio(self._sum("recommend"), self.responses)

    @property
    def new_contacts(self) -> int:
        return self._sum("new_contacts")

    @property
    def new_contacts_per_response(self) -> float | None:
        return ratio(self.new_contacts, self.responses)

    @property
    def cross_sector(self) -> int:
        return self._sum("cross_sector")

    @property
    def cross_sector_rate(self) -> float | None:
        return ratio(self.cross_sector, self.responses)


def _held(prefix: str, partnership: Partnership, period: Period, now: datetime) -> Q:
    """Published sessions of the partnership that started in the period and have ended."""
    start, end = period.bounds(partnership.zone)
    return Q(
        **{
            f"{prefix}partnership": partnership,
            f"{prefix}status": Event.Status.PUBLISHED,
            f"{prefix}start__gte": start,
            f"{prefix}start__lt": end,
            f"{prefix}end__lte": now,
        }
    )


def _counted(status: str, attendance: str | None = None) -> Count:
    condition = Q(registrations__status=status)
    if attendance:
        condition &= Q(registrations__attendance=attendance)
    return Count("registrations", filter=condition)


def _sessions(partnership: Partnership, period: Period, now: datetime) -> tuple[list[SessionFigures], int, int]:
    start, end = period.bounds(partnership.zone)
    rows = (
        events_held_between(partnership=partnership, start=start, end=end)
        .annotate(
            registered=_counted(CONFIRMED),
            attended=_counted(CONFIRMED, ATTENDED),
            no_shows=_counted(CONFIRMED, Registration.Attendance.NO_SHOW),
            not_marked=_counted(CONFIRMED, Registration.Attendance.UNKNOWN),
            waitlisted=_counted(Registration.Status.WAITLISTED),
            cancelled_registrations=_counted(Registration.Status.CANCELLED),
        )
        .values(
            "pk",
            "title",
            "start",
            "end",
            "status",
            "capacity",
            "cohosts",
            "registered",
            "attended",
            "no_shows",
            "not_marked",
            "waitlisted",
            "cancelled_registrations",
        )
        .order_by("start", "pk")
    )
    sessions, cancelled, upcoming = [], 0, 0
    zone = partnership.zone
    for row in rows:
        if row["status"] == Event.Status.CANCELLED:
            cancelled += 1
            continue
        if row["end"] > now:
            upcoming += 1
            continue
        sessions.append(
            SessionFigures(
                event_id=row["pk"],
                title=row["title"],
                start=timezone.localtime(row["start"], zone),
                capacity=row["capacity"],
                registered=row["registered"],
                attended=row["attended"],
                no_shows=row["no_shows"],
                not_marked=row["not_marked"],
                waitlisted=row["waitlisted"],
                cancelled=row["cancelled_registrations"],
                cohosts=[str(c).strip() for c in (row["cohosts"] or []) if str(c).strip()],
            )
        )
    return sessions, cancelled, upcoming


def _attended(partnership: Partnership, period: Period, now: datetime) -> QuerySet[Registration]:
    return registrations_attended(with_account=False).filter(_held("event__", partnership, period, now))


def _people_by_sessions(attended: QuerySet[Registration]) -> list[tuple[int, int, int]]:
    """(sessions attended, people, of whom former members), from one GROUP BY person."""
    lone = Case(When(user__isnull=True, anonymised_at__isnull=True, then=F("pk")), default=None)
    per_person = (
        attended.annotate(lone=lone)
        .values("user_id", "anonymised_at", "lone")
        .order_by()
        .annotate(sessions=Count("event_id", distinct=True))
    )
    people: Counter[int] = Counter()
    former: Counter[int] = Counter()
    for row in per_person:
        people[row["sessions"]] += 1
        if row["user_id"] is None:
            former[row["sessions"]] += 1
    return [(sessions, people[sessions], former[sessions]) for sessions in sorted(people)]


def _organisations(attended: QuerySet[Registration]) -> list[OrganisationFigures]:
    rows = (
        attended.filter(user__isnull=False)
        .annotate(key=Lower(Trim("user__organisation")))
        .exclude(key="")
        .values("key")
        .order_by()
        .annotate(name=Min(Trim("user__organisation")), people=Count("user_id", distinct=True), attendances=Count("pk"))
    )
    found = [OrganisationFigures(name=r["name"], people=r["people"], attendances=r["attendances"]) for r in rows]
    return sorted(found, key=lambda o: (-o.people, -o.attendances, o.name.casefold()))


def _feedback(partnership: Partnership, period: Period, now: datetime) -> QuerySet[Feedback]:
    return Feedback.objects.filter(
        _held("registration__event__", partnership, period, now),
        registration__status=CONFIRMED,
        registration__attendance=ATTENDED,
    )


def _add_feedback(sessions: list[SessionFigures], feedback: QuerySet[Feedback]) -> None:
    through = Feedback.sectors_connected.through
    other_sector = through.objects.filter(feedback_id=OuterRef("pk")).exclude(
        sector_id=Coalesce(OuterRef("registration__sector_id"), Value(0), output_field=IntegerField())
    )
    ratings = {f"rating_{value}": Count("pk", filter=Q(rating=value)) for value in range(1, 6)}
    rows = (
        feedback.values("registration__event_id")
        .order_by()
        .annotate(
            responses=Count("pk"),
            rating_sum=Sum("rating"),
            recommend=Count("pk", filter=Q(would_recommend=True)),
            contacts=Sum("new_contacts"),
            cross=Count("pk", filter=Q(Exists(other_sector))),
            **ratings,
        )
    )
    by_event = {s.event_id: s for s in sessions}
    for row in rows:
        session = by_event.get(row["registration__event_id"])
        if session is None:
            continue
        session.responses = row["responses"]
        session.rating_sum = row["rating_sum"] or 0
        session.ratings = {value: row[f"rating_{value}"] for value in range(1, 6)}
        session.recommend = row["recommend"]
        session.new_contacts = row["contacts"] or 0
        session.cross_sector = row["cross"]


def _connections(feedback: QuerySet[Feedback], sectors: dict[int, SectorColumn]) -> list[tuple[SectorColumn, int]]:
    through = Feedback.sectors_connected.through
    rows = (
        through.objects.filter(feedback__in=feedback.values("pk"))
        .values("sector_id")
        .order_by()
        .annotate(respondents=Count("feedback_id", distinct=True))
    )
    found = [(sectors[r["sector_id"]], r["respondents"]) for r in rows if r["sector_id"] in sectors]
    order = list(sectors)
    return sorted(found, key=lambda item: (-item[1], order.index(item[0].id)))


def _quotes(feedback: QuerySet[Feedback], partnership: Partnership) -> list[Quote]:
    picked = (
        feedback.filter(consent_quote=True)
        .exclude(quote_field="")
        .select_related("registration__event")
        .order_by("registration__event__start", "pk")
    )
    quotes = []
    for item in picked:
        if item.quote.strip():
            event = item.registration.event
            quotes.append(
                Quote(
                    text=item.quote.strip(),
                    event_title=event.title,
                    event_start=timezone.localtime(event.start, partnership.zone),
                    feedback_id=item.pk,
                )
            )
    return quotes


def _cohosts(sessions: list[SessionFigures]) -> list[str]:
    counts: Counter[str] = Counter()
    spelled: dict[str, str] = {}
    for session in sessions:
        for name in dict.fromkeys(session.cohosts):
            key = name.casefold()
            counts[key] += 1
            spelled.setdefault(key, name)
    return [spelled[key] for key, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def report_build(*, partnership: Partnership, period: Period, now: datetime | None = None) -> Report:
    """Every figure of the partnership's report for the period, in eight queries."""
    now = now or timezone.now()
    sessions, cancelled, upcoming = _sessions(partnership, period, now)
    attended = _attended(partnership, period, now)
    mix = attended.values("event_id", "sector_id").order_by().annotate(count=Count("pk"))
    by_event = {s.event_id: s for s in sessions}
    used: set[int | None] = set()
    for row in mix:
        session = by_event.get(row["event_id"])
        if session is not None:
            session.by_sector[row["sector_id"]] = row["count"]
            used.add(row["sector_id"])
    all_sectors = {s.pk: SectorColumn(s.pk, s.slug, s.name) for s in Sector.objects.all()}
    columns = [column for pk, column in all_sectors.items() if pk in used]
    if None in used or any(pk not in all_sectors for pk in used):
        columns.append(SectorColumn(None, "not-stated", NOT_STATED))
        for session in sessions:  # a sector deleted since counts as not stated
            for pk in [pk for pk in session.by_sector if pk is not None and pk not in all_sectors]:
                session.by_sector[None] = session.by_sector.get(None, 0) + session.by_sector.pop(pk)
    feedback = _feedback(partnership, period, now)
    _add_feedback(sessions, feedback)
    return Report(
        partnership=partnership,
        period=period,
        generated_at=now,
        sessions=sessions,
        sectors=columns,
        cancelled_sessions=cancelled,
        upcoming_sessions=upcoming,
        people_by_sessions=_people_by_sessions(attended),
        organisations=_organisations(attended),
        connections=_connections(feedback, all_sectors),
        quotes=_quotes(feedback, partnership),
        cohosts=_cohosts(sessions),
    )


# --- Feedback ----------------------------------------------------------------------------------


def feedback_request_get_by_token(*, token: str) -> FeedbackRequest | None:
    """The invitation the link's token names (with its registration, session and any answer), or None."""
    if not token or len(token) > 100:
        return None
    return (
        FeedbackRequest.objects.select_related("registration__event__partnership")
        .filter(token_hash=hash_token(token))
        .first()
    )


def feedback_for_registration(*, registration_id: int) -> Feedback | None:
    return Feedback.objects.prefetch_related("sectors_connected").filter(registration_id=registration_id).first()


def feedback_list_for_partnership(
    *, partnership: Partnership, period: Period, event_id: int | None = None, now: datetime | None = None
) -> QuerySet[Feedback]:
    """Responses for the coordinators: newest sessions first. Names only where the respondent agreed
    (see `respondent_name`); nothing here identifies the registration."""
    qs = (
        _feedback(partnership, period, now or timezone.now())
        .select_related("registration__event__partnership", "registration__user")
        .prefetch_related("sectors_connected")
        .order_by("-registration__event__start", "-registration__event_id", "pk")
    )
    if event_id is not None:
        qs = qs.filter(registration__event_id=event_id)
    return qs


def respondent_name(feedback: Feedback) -> str | None:
    """The respondent's name for coordinators, only if they agreed (and still have an account)."""
    user = feedback.registration.user
    if feedback.consent_name and user is not None:
        return user.full_name
    return None


def feedback_get_for_coordinator(*, feedback_id: int, user) -> Feedback | None:
    feedback = (
        Feedback.objects.select_related("registration__event__partnership", "registration__user")
        .prefetch_related("sectors_connected")
        .filter(pk=feedback_id)
        .first()
    )
    if feedback is None or not user.is_coordinator_of(feedback.registration.event.partnership_id):
        return None
    return feedback


def feedback_sessions(
    *, partnership: Partnership, period: Period, now: datetime | None = None
) -> list[tuple[int, str]]:
    """(event id, label) of held sessions with feedback in the period: the filter of the responses page."""
    rows = (
        _feedback(partnership, period, now or timezone.now())
        .values("registration__event_id", "registration__event__title", "registration__event__start")
        .order_by("-registration__event__start")
        .distinct()
    )
    zone = partnership.zone
    sessions = []
    for row in rows:
        start = timezone.localtime(row["registration__event__start"], zone)
        sessions.append((row["registration__event_id"], f"{start:%-d %b %Y} — {row['registration__event__title']}"))
    return sessions


def feedback_exists(*, registration: Registration) -> bool:
    """Has this registration's feedback been given (through the form or the API)?"""
    return Feedback.objects.filter(registration=registration).exists()
