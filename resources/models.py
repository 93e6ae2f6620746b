"""What a session leaves behind: files (slides, handouts) and links, and the presenters who may add them.

A file is stored under a name Crossroads makes (`resources/<event>/<random>.<ext>`), never the name it was
uploaded with; that name, made safe, is kept in `filename` for the download's Content-Disposition. Files are
never served from MEDIA_URL: every download goes through a view that checks who is asking (views.py, api.py).
"""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse

from events.models import Event


def resource_upload_to(instance: "Resource", filename: str) -> str:
    """The storage name: the session's folder and a random name with the (checked) extension."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"resources/{instance.event_id}/{uuid.uuid4().hex}.{extension}"


class SessionPresenter(models.Model):
    """Someone a coordinator named as a presenter of one session: they may add and remove its resources."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="presenters")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="presenting")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["event", "user__full_name", "pk"]
        constraints = [models.UniqueConstraint(fields=["event", "user"], name="session_presenter_unique")]

    def __str__(self) -> str:
        return f"{self.user} presents {self.event}"


class Resource(models.Model):
    class Kind(models.TextChoices):
        FILE = "file", "File"
        LINK = "link", "Link"

    class Visibility(models.TextChoices):
        ATTENDEES = "attendees", "Attendees only"
        PUBLIC = "public", "Public"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="resources")
    kind = models.CharField(max_length=4, choices=Kind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=2000)
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.ATTENDEES)
    file = models.FileField(upload_to=resource_upload_to, max_length=200, blank=True)
    filename = models.CharField(max_length=200, blank=True, help_text="The uploaded file's name, made safe.")
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    url = models.URLField("link", max_length=2000, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["event", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="file") & ~models.Q(file="") & models.Q(url=""))
                | (models.Q(kind="link") & models.Q(file="") & ~models.Q(url="")),
                name="resource_file_or_link",
            ),
        ]
        indexes = [models.Index(fields=["visibility", "event"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        """Where the resource opens: its file's download page, or the link itself."""
        if self.kind == self.Kind.LINK:
            return self.url
        return reverse("resource-file", kwargs={"resource_id": self.pk})

    @property
    def is_public(self) -> bool:
        return self.visibility == self.Visibility.PUBLIC

    @property
    def is_file(self) -> bool:
        return self.kind == self.Kind.FILE
