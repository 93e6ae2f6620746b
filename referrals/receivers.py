"""After a session (attendance finalised, inside that transaction): prompt featured services to re-verify."""

from django.dispatch import receiver

from core.muting import notifications_are_muted
from registrations.signals import attendance_finalised


@receiver(attendance_finalised, dispatch_uid="servicemap.attendance_finalised")
def on_attendance_finalised(sender, event, **kwargs):
    if notifications_are_muted():
        return
    from .featured import reverify_prompts_send

    reverify_prompts_send(event=event)


# --- A directory changed: recompute its network insights (debounced; insights_store.py) -------------------

from django.db.models.signals import m2m_changed, post_delete, post_save  # noqa: E402

from .models import Attribute, Pathway, Service, ServiceArea  # noqa: E402


def _directory_changed(sender, instance, **kwargs):
    if kwargs.get("raw"):
        return
    from .insights_store import insights_request

    insights_request(directory_id=getattr(instance, "directory_id", None))


def _pathway_links_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    from .insights_store import insights_request

    if not reverse:
        insights_request(directory_id=instance.directory_id)
    elif pk_set:
        for directory_id in set(Pathway.objects.filter(pk__in=pk_set).values_list("directory_id", flat=True)):
            insights_request(directory_id=directory_id)


for _model in (Service, Pathway, Attribute, ServiceArea):
    post_save.connect(_directory_changed, sender=_model, dispatch_uid=f"insights.saved.{_model.__name__}")
    post_delete.connect(_directory_changed, sender=_model, dispatch_uid=f"insights.deleted.{_model.__name__}")
for _through in (Pathway.needs.through, Pathway.alternatives.through, Pathway.referrer_roles.through):
    m2m_changed.connect(_pathway_links_changed, sender=_through, dispatch_uid=f"insights.links.{_through.__name__}")
