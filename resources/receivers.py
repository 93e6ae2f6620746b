"""A resource's stored file goes when its row goes: removed by hand, or with its session or partnership
(a cascade sends post_delete for each resource). The file is deleted only after the deletion commits, so
a rolled-back deletion keeps both."""

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from .models import Resource


@receiver(post_delete, sender=Resource, dispatch_uid="resources.delete_file")
def on_resource_deleted(sender, instance: Resource, **kwargs):
    if not instance.file:
        return
    name, storage = instance.file.name, instance.file.storage
    transaction.on_commit(lambda: storage.delete(name))
