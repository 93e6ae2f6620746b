"""A resource's stored file goes when its row goes: removed by hand, or with its session or partnership
(a cascade sends post_delete for each resource). The file is deleted only after the deletion commits, so
a rolled-back deletion keeps both."""

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from registrations.signals import personal_data_collected

from .models import Resource, SessionPresenter


@receiver(post_delete, sender=Resource, dispatch_uid="resources.delete_file")
def on_resource_deleted(sender, instance: Resource, **kwargs):
    if not instance.file:
        return
    name, storage = instance.file.name, instance.file.storage
    transaction.on_commit(lambda: storage.delete(name))


@receiver(personal_data_collected, dispatch_uid="resources.personal_data")
def on_personal_data_collected(sender, user, **kwargs):
    """The sessions the person was named to present, for their data export."""
    presenting = SessionPresenter.objects.filter(user=user).select_related("event").order_by("event__start")
    return {
        "presenting": [
            {"event": p.event.title, "start": p.event.start.isoformat(), "since": p.created_at.isoformat()}
            for p in presenting
        ]
    }
