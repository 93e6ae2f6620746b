"""The outbox (every message recorded with the change that caused it) and calendar feed tokens."""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone


class OutboxMessage(models.Model):
    """An e-mail to send. Written in the transaction of the change that caused it; delivered after commit.

    `dedupe_key` makes "send once" a database rule (reminders, thank-yous): a second schedule run
    finds the row already there.
    """

    class Kind(models.TextChoices):
        INVITE = "invite", "Invitation"
        UPDATE = "update", "Updated invitation"
        CANCEL = "cancel", "Cancellation"
        WAITLISTED = "waitlisted", "On the waitlist"
        REMINDER = "reminder", "Reminder"
        THANK_YOU = "thank_you", "Thank you"
        NOTICE = "notice", "Notice"
        ANNOUNCEMENT = "announcement", "Announcement"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING, db_index=True)
    to_email = models.EmailField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    event = models.ForeignKey(
        "events.Event", null=True, blank=True, on_delete=models.CASCADE, related_name="outbox_messages"
    )
    registration = models.ForeignKey(
        "registrations.Registration", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject = models.CharField(max_length=250)
    # What to render at delivery (outside the lock of the change that caused the message): a
    # template name and the facts taken in that transaction. Rendered bodies are stored when sent.
    template = models.CharField(max_length=80, blank=True)
    facts = models.JSONField(default=dict, blank=True)
    ical_sequence = models.PositiveIntegerField(
        null=True, blank=True, help_text="The SEQUENCE taken with the change, for the calendar part."
    )
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    ical = models.TextField(blank=True, help_text="An iMIP calendar part (RFC 6047), if any.")
    ical_method = models.CharField(max_length=10, blank=True)
    reply_to = models.EmailField(blank=True)
    dedupe_key = models.CharField(max_length=120, null=True, blank=True, unique=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.to_email} ({self.status})"


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)  # 192 bits


class FeedToken(models.Model):
    """The secret in a personal or coordinator calendar feed URL. Reset it to revoke the old URL."""

    class Kind(models.TextChoices):
        PERSONAL = "personal", "My sessions"
        COORDINATOR = "coordinator", "Sessions I coordinate"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_tokens")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    token = models.CharField(max_length=64, unique=True, default=new_feed_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="feed_token_one_per_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} feed of {self.user}"


class Follow(models.Model):
    """A person asked to hear when a partnership publishes sessions (consent for announcements).

    With topics, only sessions on one of them are announced to this person; without, all of them.
    Unfollowing deletes the row: nothing more is sent, including messages still waiting in the outbox.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows")
    partnership = models.ForeignKey("accounts.Partnership", on_delete=models.CASCADE, related_name="followers")
    topics = models.ManyToManyField("events.Topic", blank=True, related_name="+")
    source = models.CharField(max_length=20, default="preferences", help_text="Where consent was given.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["partnership__name", "pk"]
        constraints = [models.UniqueConstraint(fields=["user", "partnership"], name="follow_one_per_partnership")]

    def __str__(self) -> str:
        return f"{self.user} follows {self.partnership}"


class Announcement(models.Model):
    """One announcement to a partnership's followers: new sessions (one per publishing action) or a
    coordinator's message. The log of what went to how many."""

    class Kind(models.TextChoices):
        SESSIONS = "sessions", "New sessions"
        MESSAGE = "message", "Message from a coordinator"

    partnership = models.ForeignKey("accounts.Partnership", on_delete=models.CASCADE, related_name="announcements")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject = models.CharField(max_length=150)
    body = models.TextField(blank=True)
    event_ids = models.JSONField(default=list, blank=True, help_text="The sessions published (new sessions).")
    recipients = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.subject} ({self.partnership}, {self.recipients} recipients)"
