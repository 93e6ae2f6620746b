"""Registrations for events. The services that write them arrive with the registrations issue."""

from django.conf import settings
from django.db import models


class Registration(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        WAITLISTED = "waitlisted", "Waitlisted"
        CANCELLED = "cancelled", "Cancelled"

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="registrations"
    )
    status = models.CharField(max_length=12, choices=Status.choices, db_index=True)
    waitlist_position = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user"], condition=models.Q(user__isnull=False), name="registration_unique_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.event} ({self.status})"
