"""People, sectors, place-based partnerships, roles and personal API tokens."""

import hashlib
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

TIME_ZONE_UNKNOWN = "Unknown time zone: {value}."


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(TIME_ZONE_UNKNOWN.format(value=value), code="invalid")


class Sector(models.Model):
    """A sector practitioners work in. Seeded with four; coordinators can add more."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    ordering = models.PositiveIntegerField(default=100)

    class Meta:
        ordering = ["ordering", "name"]

    def __str__(self) -> str:
        return self.name


class UserManager(DjangoUserManager):
    """Email is the login; there is no username."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        extra_fields.setdefault("email_verified", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    username = None
    first_name = None
    last_name = None
    email = models.EmailField("email address", unique=True)
    email_verified = models.BooleanField(default=False)
    full_name = models.CharField(max_length=150)
    organisation = models.CharField(max_length=150, blank=True)
    sector = models.ForeignKey(Sector, null=True, blank=True, on_delete=models.SET_NULL, related_name="people")
    role_title = models.CharField("role or title", max_length=150, blank=True)
    calendar_invites = models.BooleanField(
        "email me calendar invitations",
        default=True,
        help_text="Turn off if you subscribe to your personal calendar feed, so sessions don't show twice.",
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    objects = UserManager()

    class Meta:
        ordering = ["full_name", "email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.email.strip().lower()

    @cached_property
    def coordinated_partnership_ids(self) -> frozenset[int]:
        """Ids of the partnerships this person coordinates (one query, cached per request)."""
        if not self.is_authenticated:
            return frozenset()
        return frozenset(
            self.memberships.filter(role=Membership.Role.COORDINATOR).values_list("partnership_id", flat=True)
        )

    def is_coordinator_of(self, partnership: "Partnership | int") -> bool:
        if self.is_staff:
            return True
        pk = partnership if isinstance(partnership, int) else partnership.pk
        return pk in self.coordinated_partnership_ids


class Partnership(models.Model):
    """A place-based Community Partnership: it owns events and a service directory."""

    name = models.CharField(max_length=150)
    slug = models.SlugField(max_length=80, unique=True)
    locality = models.CharField(max_length=150)
    time_zone = models.CharField(
        max_length=64, default=settings.CROSSROADS_DEFAULT_TIME_ZONE, validators=[validate_time_zone]
    )
    contact_email = models.EmailField()
    signatory_name = models.CharField(
        max_length=150, blank=True, help_text="Who signs certificates of attendance (e.g. the facilitator)."
    )
    signatory_role = models.CharField(max_length=150, blank=True)
    reminder_days_before = models.PositiveSmallIntegerField(
        default=2, help_text="Days before a session that registrants get a reminder (0: no reminders)."
    )
    check_in_opens_minutes = models.PositiveIntegerField(
        "check-in opens (minutes before the start)",
        default=120,
        help_text="The check-in page and API take codes from this long before a session starts.",
    )
    check_in_grace_minutes = models.PositiveIntegerField(
        "check-in grace (minutes after the end)",
        default=60,
        help_text="…and until this long after it ends. Outside the window a coordinator must override knowingly.",
    )
    offer_window_hours = models.PositiveSmallIntegerField(
        "waitlist offer window (hours)",
        default=0,
        help_text="When a seat frees, the head of the waitlist is offered it and has this long to accept "
        "(0: the seat is given at once, no offer).",
    )
    offer_instant_within_hours = models.PositiveSmallIntegerField(
        "instant promotion within (hours before the start)",
        default=12,
        help_text="This close to the start nobody can wait for a reply: a freed seat is given at once, "
        "and open offers end here.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("partnership-detail", kwargs={"slug": self.slug})

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class Membership(models.Model):
    """A person's role in a partnership."""

    class Role(models.TextChoices):
        COORDINATOR = "coordinator", "Coordinator"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.COORDINATOR)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "partnership"], name="membership_unique_user_partnership")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} of {self.partnership}"


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the token is shown once."""

    PREFIX = "cr_"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(max_length=12, editable=False, help_text="The token's first characters, to recognise it.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def revoke(self) -> None:
        self.revoked_at = timezone.now()
