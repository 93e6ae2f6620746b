"""Series (a recurrence rule) and events (its occurrences, or one-offs), venues and topics.

Times are stored in UTC; a series keeps its local start time and the partnership's zone turns
each occurrence date into the right UTC instant, so 9:30 stays 9:30 across daylight saving.
"""

import uuid
from datetime import timedelta

import markdown as markdown_lib
import nh3
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe

from accounts.models import Partnership, Sector

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "h3", "h4", "blockquote", "code", "pre", "hr"}


def render_markdown(text: str) -> str:
    """Markdown to HTML, sanitised by nh3 (no scripts, no styles, links get rel=noopener)."""
    html = markdown_lib.markdown(text or "", extensions=["sane_lists"])
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes={"a": {"href", "title"}}, link_rel="noopener noreferrer")


class Topic(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Venue(models.Model):
    class Kind(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        ONLINE = "online", "Online"
        HYBRID = "hybrid", "Hybrid"

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="venues")
    name = models.CharField(max_length=150)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.IN_PERSON)
    address = models.CharField(max_length=300, blank=True)
    accessibility_notes = models.TextField(blank=True)
    parking_notes = models.TextField(blank=True)
    online_url = models.URLField(
        "meeting link", blank=True, help_text="Shown only to confirmed registrants and coordinators."
    )

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["partnership", "name"], name="venue_unique_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_online(self) -> bool:
        return self.kind in (self.Kind.ONLINE, self.Kind.HYBRID)

    @property
    def is_in_person(self) -> bool:
        return self.kind in (self.Kind.IN_PERSON, self.Kind.HYBRID)


class SessionContent(models.Model):
    """What a series and its events share: what the session is about and who runs it."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text="Markdown.")
    topics = models.ManyToManyField(Topic, blank=True)
    sectors = models.ManyToManyField(Sector, blank=True, help_text="The sectors the session is meant for.")
    cohosts = models.JSONField(default=list, blank=True, help_text="Co-hosting organisations.")
    facilitators = models.JSONField(default=list, blank=True, help_text="Facilitators or presenters.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.title

    @cached_property
    def description_html(self) -> str:
        return mark_safe(render_markdown(self.description))  # noqa: S308 - sanitised by nh3


class Series(SessionContent):
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="series")
    topics = models.ManyToManyField(Topic, blank=True, related_name="series")
    sectors = models.ManyToManyField(Sector, blank=True, related_name="series")
    default_venue = models.ForeignKey(Venue, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    default_capacity = models.PositiveIntegerField(default=50, validators=[MinValueValidator(1)])
    duration_minutes = models.PositiveIntegerField(
        default=120, validators=[MinValueValidator(15), MaxValueValidator(24 * 60)]
    )
    start_date = models.DateField(help_text="The first day the rule may fall on (local).")
    start_time = models.TimeField(help_text="Local start time in the partnership's zone.")
    rrule = models.CharField("recurrence rule", max_length=500, help_text="RFC 5545 RRULE, e.g. FREQ=MONTHLY;BYDAY=1WE")
    exdates = models.JSONField(default=list, blank=True, help_text="Local dates (YYYY-MM-DD) to leave out.")
    is_published = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["title"]
        verbose_name_plural = "series"

    def get_absolute_url(self) -> str:
        return reverse("series-edit", kwargs={"slug": self.partnership.slug, "series_id": self.pk})


class Event(SessionContent):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        CANCELLED = "cancelled", "Cancelled"

    # Fields an occurrence can change for itself; once changed, series edits leave them alone.
    DETACHABLE = ("start", "venue", "capacity")

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="events")
    topics = models.ManyToManyField(Topic, blank=True, related_name="events")
    sectors = models.ManyToManyField(Sector, blank=True, related_name="events")
    series = models.ForeignKey(Series, null=True, blank=True, on_delete=models.SET_NULL, related_name="events")
    occurrence_date = models.DateField(null=True, blank=True, help_text="The local date the rule gave (RECURRENCE-ID).")
    detached = models.JSONField(default=list, blank=True, help_text="Fields edited on this occurrence alone.")
    venue = models.ForeignKey(Venue, null=True, blank=True, on_delete=models.SET_NULL, related_name="events")
    start = models.DateTimeField(db_index=True)
    end = models.DateTimeField()
    capacity = models.PositiveIntegerField(default=50, validators=[MinValueValidator(1)])
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    cancel_reason = models.TextField(blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    registration_opens_at = models.DateTimeField(null=True, blank=True, help_text="Empty: opens on publishing.")
    registration_closes_at = models.DateTimeField(null=True, blank=True, help_text="Empty: closes at the start.")
    attendance_finalised_at = models.DateTimeField(null=True, blank=True)
    uid = models.UUIDField(
        default=uuid.uuid4, unique=True, editable=False, help_text="iCalendar UID: never changes, says nothing."
    )
    sequence = models.PositiveIntegerField(
        default=0, help_text="iCalendar SEQUENCE: raised on each change of time, place or status."
    )

    class Meta:
        ordering = ["start", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["series", "occurrence_date"], name="event_unique_occurrence"),
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="event_end_after_start"),
            models.CheckConstraint(condition=models.Q(capacity__gte=1), name="event_capacity_positive"),
        ]
        indexes = [models.Index(fields=["partnership", "status", "start"])]

    def get_absolute_url(self) -> str:
        return reverse("event-detail", kwargs={"event_id": self.pk})

    @property
    def is_past(self) -> bool:
        return self.end <= timezone.now()

    @property
    def display_status(self) -> str:
        """draft, published, cancelled, or completed (a published event that has ended)."""
        if self.status == self.Status.PUBLISHED and self.is_past:
            return "completed"
        return self.status

    @property
    def zone(self):
        return self.partnership.zone

    @property
    def local_start(self):
        return timezone.localtime(self.start, self.zone)

    @property
    def local_end(self):
        return timezone.localtime(self.end, self.zone)

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    @property
    def opens_at(self):
        return self.registration_opens_at or self.published_at

    @property
    def closes_at(self):
        return self.registration_closes_at or self.start

    @property
    def confirmed(self) -> int:
        """Confirmed registrations: the selectors' annotation when present, else one query."""
        if hasattr(self, "confirmed_count"):
            return self.confirmed_count
        from .seats import seats

        return seats().confirmed_count(self)

    @property
    def spaces_left(self) -> int:
        return max(0, self.capacity - self.confirmed)

    @property
    def is_full(self) -> bool:
        return self.spaces_left == 0

    @property
    def registration_is_open(self) -> bool:
        now = timezone.now()
        return (
            self.status == self.Status.PUBLISHED and self.opens_at is not None and self.opens_at <= now < self.closes_at
        )
