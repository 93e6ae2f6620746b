from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from accounts.models import Partnership
from notifications.links import feed_links

register = template.Library()


@register.simple_tag
def calendar_alternates(partnership=None):
    """<link rel="alternate" type="text/calendar"> for the partnership's feed (or every partnership's)."""
    partnerships = [partnership] if partnership else Partnership.objects.only("name", "slug")
    return format_html_join(
        "\n",
        '<link rel="alternate" type="text/calendar" title="{} sessions" href="{}">',
        ((p.name, feed_links(reverse("partnership-feed", kwargs={"slug": p.slug}))["url"]) for p in partnerships),
    )


@register.inclusion_tag("notifications/_subscribe.html")
def subscribe_buttons(path: str, label: str = "this calendar"):
    return {"links": feed_links(path), "label": label}


@register.simple_tag
def feed_url(name: str, **kwargs):
    return format_html("{}", feed_links(reverse(name, kwargs=kwargs))["url"])
