"""Feedback after a session, and the invitation (a secret link) that asks for it.

One response per attendee is a database rule (a one-to-one on the registration). Coordinators read
responses without names unless the respondent agreed; a response can be quoted (anonymously) in the
funders' report only if its author agreed, which the database checks too.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

LINK_DAYS = 30  # an invitation link opens the form for this long
EDIT_DAYS = 7  # an answer can be changed for this long after it was first given
MAX_NEW_CONTACTS = 200


def new_feedback_token() -> str:
    return secrets.token_urlsafe(32)  # 256 bits


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class FeedbackRequest(models.Model):
    """The invitation to give feedback on one session, by an e-mailed link that needs no login.

    Only the SHA-256 of the link's token is stored (like API tokens), so the table alone cannot be used
    to answer for anyone. The link names this one registration and nothing else; it works until
    `expires_at`, and always for the editing week after an answer (see `usable_until`).
    """

    registration = models.OneToOneField(
        "registrations.Registration", on_delete=models.CASCADE, related_name="feedback_request"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Feedback invitation for registration {self.registration_id}"

    def usable_until(self, feedback: "Feedback | None") -> timezone.datetime:
        if feedback is None:
            return self.expires_at
        return max(self.expires_at, feedback.editable_until)


class Feedback(models.Model):
    class QuoteField(models.TextChoices):
        MOST_USEFUL = "most_useful", "The most useful part"
        DO_DIFFERENTLY = "do_differently", "What they will do differently"
        COMMENTS = "comments", "Other comments"

    registration = models.OneToOneField(
        "registrations.Registration", on_delete=models.CASCADE, related_name="feedback"
    )  # one response per attendee
    rating = models.PositiveSmallIntegerField(
        "overall rating", validators=[MinValueValidator(1), MaxValueValidator(5)], help_text="1 (poor) to 5 (excellent)"
    )
    most_useful = models.TextField("the most useful part", blank=True)
    do_differently = models.TextField("what you will do differently", blank=True)
    new_contacts = models.PositiveSmallIntegerField(
        "new contacts made", default=0, validators=[MaxValueValidator(MAX_NEW_CONTACTS)]
    )
    sectors_connected = models.ManyToManyField(
        "accounts.Sector", blank=True, related_name="feedback_connections", verbose_name="sectors connected with"
    )
    would_recommend = models.BooleanField("would recommend the sessions to a colleague")
    comments = models.TextField(blank=True)
    consent_quote = models.BooleanField("may be quoted anonymously", default=False)
    consent_name = models.BooleanField("coordinators may see my name with this feedback", default=False)
    quote_field = models.CharField(
        max_length=20,
        choices=QuoteField.choices,
        blank=True,
        help_text="The answer the coordinators picked to quote (anonymously) in reports.",
    )
    quote_selected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now, help_text="When it was first given.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name_plural = "feedback"
        constraints = [
            models.CheckConstraint(condition=models.Q(rating__gte=1, rating__lte=5), name="feedback_rating_1_to_5"),
            models.CheckConstraint(
                condition=models.Q(new_contacts__lte=MAX_NEW_CONTACTS), name="feedback_new_contacts_bounded"
            ),
            models.CheckConstraint(
                condition=models.Q(quote_field="") | models.Q(consent_quote=True), name="feedback_quote_needs_consent"
            ),
        ]

    def __str__(self) -> str:
        return f"Feedback {self.pk} ({self.rating}/5)"

    @property
    def editable_until(self):
        return self.submitted_at + timedelta(days=EDIT_DAYS)

    @property
    def quote(self) -> str:
        return getattr(self, self.quote_field, "") if self.quote_field else ""
