"""Certificates of attendance: a snapshot of what each one says, its PDF, and its verification code."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse

from core.codes import normalise_code, random_code

__all__ = ["Certificate", "CertificateBatch", "hours_for", "new_code", "normalise_code"]
CODE_LENGTH = 10  # 50 bits: unguessable at a rate-limited lookup, short enough to type from paper


def new_code() -> str:
    return random_code(CODE_LENGTH)


def certificate_upload_to(instance, filename: str) -> str:
    return f"certificates/{instance.issued_at:%Y/%m}/{instance.code}.pdf"


class Certificate(models.Model):
    class Status(models.TextChoices):
        VALID = "valid", "Valid"
        SUPERSEDED = "superseded", "Superseded"
        REVOKED = "revoked", "Revoked"

    code = models.CharField(max_length=CODE_LENGTH, unique=True, default=new_code, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.VALID, db_index=True)
    registration = models.ForeignKey(
        "registrations.Registration", null=True, on_delete=models.SET_NULL, related_name="certificates"
    )
    event = models.ForeignKey("events.Event", null=True, on_delete=models.SET_NULL, related_name="certificates")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="certificates"
    )
    # The snapshot: exactly what the certificate says, whatever changes later.
    recipient_name = models.CharField(max_length=150)
    event_title = models.CharField(max_length=200)
    event_start = models.DateTimeField()
    event_end = models.DateTimeField()
    time_zone = models.CharField(max_length=64)
    partnership_name = models.CharField(max_length=150)
    cohosts = models.JSONField(default=list, blank=True)
    minutes_attended = models.PositiveIntegerField()
    cpd_hours = models.DecimalField(max_digits=5, decimal_places=2)
    signatory_name = models.CharField(max_length=150)
    signatory_role = models.CharField(max_length=150)
    email_hash = models.CharField(
        max_length=120, blank=True, help_text="sha256$salt$hash of the e-mail, for Open Badges (no e-mail stored)."
    )
    pdf = models.FileField(upload_to=certificate_upload_to, blank=True)
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    superseded_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoke_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration"],
                condition=models.Q(status="valid"),
                name="certificate_one_valid_per_registration",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.recipient_name}, {self.event_title} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("certificate-verify", kwargs={"code": self.code})

    @property
    def display_code(self) -> str:
        return f"{self.code[:5]}-{self.code[5:]}"

    @property
    def hours_display(self) -> str:
        return format_cpd_hours(self.cpd_hours)

    @property
    def is_valid(self) -> bool:
        return self.status == self.Status.VALID


def format_cpd_hours(value) -> str:
    """CPD hours in one format everywhere: "2 h", "1.25 h", "14 h" (no trailing zeros; empty stays empty)."""
    if value is None or value == "":
        return ""
    number = Decimal(str(value)).quantize(Decimal("0.01"))
    text = f"{number.normalize():f}"
    return f"{text} h"


def hours_for(minutes: int) -> Decimal:
    """CPD hours from minutes attended, to the nearest quarter hour."""
    return (Decimal(minutes) / Decimal(60) * 4).quantize(Decimal("1")) / Decimal(4)


class CertificateBatch(models.Model):
    """Bulk issue for a session, run by a Celery task; the page shows its progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        FINISHED = "finished", "Finished"
        FAILED = "failed", "Failed"

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="certificate_batches")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    progress_at = models.DateTimeField(
        null=True, blank=True, help_text="The last sign of life: started, or a certificate issued."
    )
    resumes = models.PositiveSmallIntegerField(default=0, help_text="Times the sweep restarted it after it stalled.")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Certificates for {self.event}: {self.done}/{self.total} ({self.status})"

    @property
    def percent(self) -> int:
        return 100 if not self.total else round(100 * self.done / self.total)
