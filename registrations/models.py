"""Registrations for events: confirmed seats, the waitlist, attendance and networking consent.

Capacity is decided by the services under a row lock on the event; the database backs the
one-registration-per-person-per-event rule and the per-event uniqueness of check-in codes.
"""

from django.conf import settings
from django.db import models

from core.codes import normalise_code, random_code

__all__ = ["SEAT_STATUSES", "Registration", "new_check_in_code", "normalise_code"]
CHECK_IN_CODE_LENGTH = 6  # 30 bits: unique per event, short enough to read out at the door


def new_check_in_code() -> str:
    return random_code(CHECK_IN_CODE_LENGTH)


class Registration(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        WAITLISTED = "waitlisted", "Waitlisted"
        OFFERED = "offered", "Offered a place"  # a held seat, counted as taken, until offer_expires_at
        CANCELLED = "cancelled", "Cancelled"

    class Attendance(models.TextChoices):
        UNKNOWN = "unknown", "Not marked"
        ATTENDED = "attended", "Attended"
        NO_SHOW = "no_show", "No-show"

    class Source(models.TextChoices):
        SELF = "self", "Registered themselves"
        COORDINATOR = "coordinator", "Added by a coordinator"
        WALK_IN = "walk_in", "Walk-in"

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="registrations"
    )
    status = models.CharField(max_length=12, choices=Status.choices, db_index=True)
    waitlist_position = models.PositiveIntegerField(null=True, blank=True)
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.SELF)
    # Kept when the account is deleted, so reports still count attendance by sector.
    sector = models.ForeignKey("accounts.Sector", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    needs = models.TextField(
        "accessibility or dietary needs", blank=True, help_text="Seen only by the partnership's coordinators."
    )
    consent_attendee_list = models.BooleanField(
        "appear on the attendee list", default=False, help_text="Other confirmed attendees see your name."
    )
    talk_about = models.CharField("happy to talk about", max_length=200, blank=True)
    check_in_code = models.CharField(max_length=12, default=new_check_in_code, editable=False)
    attendance = models.CharField(max_length=10, choices=Attendance.choices, default=Attendance.UNKNOWN)
    minutes_attended = models.PositiveIntegerField(
        null=True, blank=True, help_text="For partial attendance; empty: the whole session (CPD hours follow)."
    )
    attendance_marked_at = models.DateTimeField(null=True, blank=True)
    attendance_marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(
        null=True, blank=True, help_text="While offered a place from the waitlist: the seat is held until then."
    )
    ical_sequence_sent = models.PositiveIntegerField(
        null=True, blank=True, help_text="The last iCalendar SEQUENCE e-mailed to this person for this session."
    )
    anonymised_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user"], condition=models.Q(user__isnull=False), name="registration_unique_person"
            ),
            models.UniqueConstraint(fields=["event", "check_in_code"], name="registration_unique_check_in_code"),
            models.CheckConstraint(
                condition=models.Q(status="waitlisted", waitlist_position__isnull=False)
                | (~models.Q(status="waitlisted") & models.Q(waitlist_position__isnull=True)),
                name="registration_waitlist_position_iff_waitlisted",
            ),
            models.CheckConstraint(
                condition=models.Q(status="offered", offer_expires_at__isnull=False)
                | (~models.Q(status="offered") & models.Q(offer_expires_at__isnull=True)),
                name="registration_offer_deadline_iff_offered",
            ),
        ]
        indexes = [models.Index(fields=["event", "status", "waitlist_position"])]

    def __str__(self) -> str:
        return f"{self.user or 'Former member'} — {self.event} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status != self.Status.CANCELLED

    @property
    def takes_a_seat(self) -> bool:
        """Confirmed, or offered a place (the seat is held for them)."""
        return self.status in SEAT_STATUSES

    @property
    def local_offer_expires_at(self):
        """The offer's deadline in the partnership's zone (None without an open offer)."""
        from django.utils import timezone

        return timezone.localtime(self.offer_expires_at, self.event.zone) if self.offer_expires_at else None

    def offer_paths(self) -> dict[str, str]:
        """The Accept and Decline pages of the open offer (site-relative), for the person's own pages."""
        from django.urls import reverse

        from .offer_links import offer_token

        token = offer_token(self)
        return {
            "accept": reverse("offer-accept", kwargs={"token": token}),
            "decline": reverse("offer-decline", kwargs={"token": token}),
        }

    @property
    def display_code(self) -> str:
        return f"{self.check_in_code[:3]}-{self.check_in_code[3:]}"


# Statuses that take one of the event's seats: capacity counts both (a held offer is taken).
SEAT_STATUSES = (Registration.Status.CONFIRMED, Registration.Status.OFFERED)
