"""Sessions and the service system: the services presented at a session and the pathways discussed.

The map and the insights themselves are reads over referrals' services and pathways (selectors.py);
only what a coordinator decides about a session is stored here.
"""

from django.db import models

from events.models import Event
from referrals.models import Pathway, Service


class FeaturedService(models.Model):
    """A service presented at a session (its people are the presenters)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="featured_services")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="featured_in")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["event", "service__name"]
        constraints = [models.UniqueConstraint(fields=["event", "service"], name="featured_service_once")]

    def __str__(self) -> str:
        return f"{self.service} at {self.event}"


class FeaturedPathway(models.Model):
    """A pathway discussed at a session (printed as a card for the room)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="featured_pathways")
    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="featured_in")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["event", "pathway__target_service__name"]
        constraints = [models.UniqueConstraint(fields=["event", "pathway"], name="featured_pathway_once")]

    def __str__(self) -> str:
        return f"{self.pathway} at {self.event}"
