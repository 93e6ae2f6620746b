"""The session page's resources section: events/detail.html loads it (registrations, which renders that page,
sits below resources and never imports it)."""

from django import template

from .. import files, selectors

register = template.Library()


@register.inclusion_tag("resources/_session.html", takes_context=True)
def session_resources(context, event):
    """What the viewer may see of the session's resources (three queries at most), and a link to manage them."""
    user = context.get("user") or getattr(context.get("request"), "user", None)
    can_manage = selectors.resource_can_manage(event=event, user=user)
    see_all = can_manage or selectors.resource_can_see_all(event=event, user=user)
    resources = list(selectors.resource_list_for_event(event=event, user=user, see_all=True))
    shown = resources if see_all else [r for r in resources if r.is_public]
    return {
        "event": event,
        "user": user,
        "resources": shown,
        "hidden": len(resources) - len(shown),
        "can_manage": can_manage,
    }


@register.filter
def resource_kind_label(resource) -> str:
    if not resource.is_file:
        return "link"
    kind = files.TYPES.get(files.extension_of(resource.file.name))
    return kind.label if kind else "file"
