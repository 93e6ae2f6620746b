from datetime import date, datetime, time

from ninja import Field, Schema

from core.types import DbId, LocalTime


class TopicOut(Schema):
    slug: str
    name: str


class SectorRef(Schema):
    slug: str
    name: str


class VenueOut(Schema):
    id: int
    name: str
    kind: str = Field(..., description="in_person, online or hybrid")
    address: str
    accessibility_notes: str
    parking_notes: str
    online_url: str | None = Field(
        None, description="The meeting link: only for the partnership's coordinators and confirmed registrants."
    )

    @staticmethod
    def resolve_online_url(obj, context) -> str | None:
        """Views opt in per venue by setting request.online_link_venue_ids; lists never do."""
        request = (context or {}).get("request")
        allowed = getattr(request, "online_link_venue_ids", ())
        return obj.online_url if obj.pk in allowed else None


class VenueIn(Schema):
    name: str = Field(..., min_length=1, max_length=150)
    kind: str = Field("in_person", pattern="^(in_person|online|hybrid)$")
    address: str = Field("", max_length=300)
    accessibility_notes: str = ""
    parking_notes: str = ""
    online_url: str = Field("", max_length=200)


class VenuePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=150)
    kind: str | None = Field(None, pattern="^(in_person|online|hybrid)$")
    address: str | None = Field(None, max_length=300)
    accessibility_notes: str | None = None
    parking_notes: str | None = None
    online_url: str | None = Field(None, max_length=200)


class EventOut(Schema):
    id: int
    url: str
    title: str
    description: str
    description_html: str
    partnership: str = Field(..., description="The partnership's slug.")
    partnership_name: str
    series_id: int | None
    start: datetime = Field(..., description="ISO 8601 with the partnership's UTC offset.")
    end: datetime
    timezone: str
    capacity: int
    confirmed_count: int
    waitlist_count: int
    spaces_left: int
    status: str = Field(..., description="draft, published, cancelled or completed")
    cancel_reason: str
    registration_open: bool
    registration_opens_at: datetime | None
    registration_closes_at: datetime | None
    venue: VenueOut | None
    topics: list[TopicOut]
    sectors: list[SectorRef]
    cohosts: list[str]
    facilitators: list[str]
    detached: list[str] = Field(..., description="Fields this occurrence changed on its own, away from its series.")
    sequence: int

    @staticmethod
    def resolve_url(obj) -> str:
        return obj.get_absolute_url()

    @staticmethod
    def resolve_description_html(obj) -> str:
        return str(obj.description_html)

    @staticmethod
    def resolve_partnership(obj) -> str:
        return obj.partnership.slug

    @staticmethod
    def resolve_partnership_name(obj) -> str:
        return obj.partnership.name

    @staticmethod
    def resolve_start(obj) -> datetime:
        return obj.local_start

    @staticmethod
    def resolve_end(obj) -> datetime:
        return obj.local_end

    @staticmethod
    def resolve_timezone(obj) -> str:
        return obj.partnership.time_zone

    @staticmethod
    def resolve_confirmed_count(obj) -> int:
        return getattr(obj, "confirmed_count", 0)

    @staticmethod
    def resolve_waitlist_count(obj) -> int:
        return getattr(obj, "waitlist_count", 0)

    @staticmethod
    def resolve_spaces_left(obj) -> int:
        return obj.spaces_left

    @staticmethod
    def resolve_status(obj) -> str:
        return obj.display_status

    @staticmethod
    def resolve_registration_open(obj) -> bool:
        return obj.registration_is_open

    @staticmethod
    def resolve_topics(obj) -> list:
        return list(obj.topics.all())

    @staticmethod
    def resolve_sectors(obj) -> list:
        return list(obj.sectors.all())


class EventIn(Schema):
    partnership: str = Field(..., description="The partnership's slug.")
    title: str = Field(..., min_length=1, max_length=200)
    description: str = ""
    topics: list[str] = Field(default_factory=list, description="Topic names; new ones are created.")
    sectors: list[str] = Field(default_factory=list, description="Sector slugs.")
    cohosts: list[str] = Field(default_factory=list)
    facilitators: list[str] = Field(default_factory=list)
    venue_id: DbId | None = None
    start: datetime = Field(..., description="With an offset, or local to the partnership when without.")
    end: datetime
    capacity: int = Field(50, ge=1, le=100000)
    registration_opens_at: datetime | None = None
    registration_closes_at: datetime | None = None
    publish: bool = False


class EventPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = None
    topics: list[str] | None = None
    sectors: list[str] | None = None
    cohosts: list[str] | None = None
    facilitators: list[str] | None = None
    venue_id: DbId | None = None
    start: datetime | None = None
    end: datetime | None = None
    capacity: int | None = Field(None, ge=1, le=100000)
    registration_opens_at: datetime | None = None
    registration_closes_at: datetime | None = None


class CancelIn(Schema):
    reason: str = Field(..., min_length=1, max_length=2000)


class RecurrenceIn(Schema):
    rrule: str = Field(..., min_length=1, max_length=500, description="RFC 5545 RRULE, e.g. FREQ=MONTHLY;BYDAY=1WE")
    start_date: date
    start_time: LocalTime = Field(..., description="Local start time in the partnership's zone, without an offset.")
    duration_minutes: int = Field(120, ge=15, le=1440)
    exdates: list[date] = Field(default_factory=list, description="Local dates to leave out.")


class SeriesPreviewIn(RecurrenceIn):
    partnership: str


class OccurrenceOut(Schema):
    date: date
    start: datetime
    end: datetime


class SeriesPreviewOut(Schema):
    description: str
    timezone: str
    occurrences: list[OccurrenceOut]


class SeriesIn(RecurrenceIn):
    partnership: str
    title: str = Field(..., min_length=1, max_length=200)
    description: str = ""
    topics: list[str] = Field(default_factory=list)
    sectors: list[str] = Field(default_factory=list)
    cohosts: list[str] = Field(default_factory=list)
    facilitators: list[str] = Field(default_factory=list)
    default_venue_id: DbId | None = None
    default_capacity: int = Field(50, ge=1, le=100000)
    publish: bool = False


class SeriesPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = None
    topics: list[str] | None = None
    sectors: list[str] | None = None
    cohosts: list[str] | None = None
    facilitators: list[str] | None = None
    default_venue_id: DbId | None = None
    default_capacity: int | None = Field(None, ge=1, le=100000)
    duration_minutes: int | None = Field(None, ge=15, le=1440)
    start_date: date | None = None
    start_time: LocalTime | None = None
    rrule: str | None = Field(None, min_length=1, max_length=500)
    exdates: list[date] | None = None
    confirm_moves: bool = Field(False, description="Go ahead even if sessions with registrations move.")


class SeriesOut(Schema):
    id: int
    partnership: str
    title: str
    description: str
    rrule: str
    rule_description: str
    start_date: date
    start_time: time
    duration_minutes: int
    exdates: list[date]
    default_capacity: int
    default_venue_id: int | None
    timezone: str
    is_published: bool
    cohosts: list[str]
    facilitators: list[str]
    topics: list[TopicOut]
    sectors: list[SectorRef]
    occurrences: list[EventOut]

    @staticmethod
    def resolve_partnership(obj) -> str:
        return obj.partnership.slug

    @staticmethod
    def resolve_timezone(obj) -> str:
        return obj.partnership.time_zone

    @staticmethod
    def resolve_rule_description(obj) -> str:
        from .recurrence import describe

        return describe(obj.rrule, obj.start_date)

    @staticmethod
    def resolve_topics(obj) -> list:
        return list(obj.topics.all())

    @staticmethod
    def resolve_sectors(obj) -> list:
        return list(obj.sectors.all())

    @staticmethod
    def resolve_occurrences(obj) -> list:
        from .selectors import series_occurrences

        return list(series_occurrences(series=obj))


class SeriesChangesOut(Schema):
    series: SeriesOut
    created: list[int]
    moved: list[int]
    removed: list[int]
    cancelled: list[int]
