from django import template

from ..featured import sessions_featuring

register = template.Library()


@register.inclusion_tag("servicemap/_sessions.html")
def presented_at(service=None, pathway=None):
    """The sessions where a service was presented or a pathway discussed (one query)."""
    events = list(sessions_featuring(service=service, pathway=pathway)[:20])
    return {"events": events, "what": "presented" if service is not None else "discussed"}
