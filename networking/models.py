"""Table plans: for a session, the groups (tables or breakout rooms) and who sits at each.

One plan per event. Every change goes through `networking.services`, under a lock on the plan row;
the planning itself is pure Python in `networking.assignment`.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

MIN_TABLE_SIZE = 2
MAX_TABLE_SIZE = 50
MAX_SEED = 2**31 - 1


class TablePlan(models.Model):
    event = models.OneToOneField("events.Event", on_delete=models.CASCADE, related_name="table_plan")
    min_size = models.PositiveSmallIntegerField(
        "smallest table", default=6, validators=[MinValueValidator(MIN_TABLE_SIZE), MaxValueValidator(MAX_TABLE_SIZE)]
    )
    max_size = models.PositiveSmallIntegerField(
        "largest table", default=8, validators=[MinValueValidator(MIN_TABLE_SIZE), MaxValueValidator(MAX_TABLE_SIZE)]
    )
    seed = models.PositiveIntegerField(
        default=1, validators=[MaxValueValidator(MAX_SEED)], help_text="The same seed and people give the same plan."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    generated_at = models.DateTimeField(null=True, blank=True, help_text="When the planner last ran.")

    class Meta:
        ordering = ["-event__start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_size__lte=models.F("max_size")), name="table_plan_size_range"
            ),
            models.CheckConstraint(condition=models.Q(min_size__gte=MIN_TABLE_SIZE), name="table_plan_min_size"),
        ]

    def __str__(self) -> str:
        return f"Tables for {self.event}"

    def get_absolute_url(self) -> str:
        return reverse("table-plan", kwargs={"slug": self.event.partnership.slug, "event_id": self.event_id})


class TableGroup(models.Model):
    """A table (or breakout room). A locked table keeps its people when the plan is re-run."""

    plan = models.ForeignKey(TablePlan, on_delete=models.CASCADE, related_name="groups")
    number = models.PositiveSmallIntegerField()
    locked = models.BooleanField(default=False)
    label = models.CharField(max_length=80, blank=True, help_text="E.g. “Window table” or a room name.")
    prompt = models.TextField("facilitator prompt", max_length=1000, blank=True)

    class Meta:
        ordering = ["plan_id", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="table_group_unique_number")]

    def __str__(self) -> str:
        return f"Table {self.number}" + (f" ({self.label})" if self.label else "")


class Seat(models.Model):
    """A registration at a table. A pinned person stays at their table when the plan is re-run."""

    group = models.ForeignKey(TableGroup, on_delete=models.CASCADE, related_name="seats")
    registration = models.OneToOneField(
        "registrations.Registration", on_delete=models.CASCADE, related_name="table_seat"
    )
    pinned = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["group_id", "pk"]

    def __str__(self) -> str:
        return f"{self.registration.user or 'Former member'} at {self.group}"
