from urllib.parse import urlsplit

from django import template
from django.template.defaultfilters import linebreaksbr
from django.utils import dateformat
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def web_url(value: str) -> str:
    """The address if it is an http(s) link, else "": imported HSDS may hold any URI (javascript: too)."""
    value = (value or "").strip()
    return value if urlsplit(value).scheme.lower() in {"http", "https"} else ""


@register.filter
def days(value) -> str:
    """3 → "3 days", 1 → "1 day" (never "1 days")."""
    if value is None or value == "":
        return ""
    value = int(value)
    return f"{value} day" if value == 1 else f"{value} days"


# Badges and the safety facts, written in Python: an answer of "where can I refer?" prints them a few
# hundred times, and each `{% include %}` of a small template costs more than the markup it makes.


def _day(value, fmt: str) -> str:
    return dateformat.format(value, fmt)


@register.simple_tag
def verified_badge(verified, state) -> str:
    """Current (verified on …), overdue (with when it was last verified) or not yet verified."""
    if state == "overdue":
        last = format_html(" · last verified {}", _day(verified, "j M Y")) if verified else ""
        return format_html('<span class="badge badge-danger">Review overdue{}</span>', last)
    if state == "unverified" or not verified:
        return mark_safe('<span class="badge badge-warn">Not yet verified</span>')
    return format_html('<span class="badge badge-ok">Verified {}</span>', _day(verified, "j M Y"))


@register.simple_tag
def capacity_badge(service) -> str:
    """Whether the service takes referrals now: its status first, then its capacity."""
    if service.status == "temporarily closed":
        return mark_safe('<span class="badge badge-danger">Temporarily closed</span>')
    if service.status != "active":
        return format_html('<span class="badge badge-danger">{}</span>', service.get_status_display())
    capacity = service.capacity_status
    if capacity == "closed":
        return mark_safe('<span class="badge badge-danger">Closed to new referrals</span>')
    if capacity == "unknown":
        return mark_safe('<span class="badge">Capacity not known</span>')
    if capacity == "waitlist":
        as_of = format_html(" (as of {})", _day(service.capacity_as_of, "j M")) if service.capacity_as_of else ""
        return format_html('<span class="badge badge-warn">Waitlist{}</span>', as_of)
    return mark_safe('<span class="badge badge-ok">Taking referrals</span>')


@register.simple_tag
def safety_facts(pathway) -> str:
    """Red flags, the escalation route and when it is urgent: always shown before how to refer."""
    facts = [
        (label, value)
        for label, value in (
            ("Red flags", pathway.red_flags),
            ("Escalation", pathway.escalation),
            ("Urgent when", pathway.urgent_criteria),
        )
        if value
    ]
    if not facts:
        return ""
    rows = format_html_join("\n  ", "<dt>{}</dt><dd>{}</dd>", ((label, linebreaksbr(v)) for label, v in facts))
    return format_html('<dl class="facts compact safety">\n  {}\n</dl>', rows)
