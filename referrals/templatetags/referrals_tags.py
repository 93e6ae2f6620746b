from urllib.parse import urlsplit

from django import template

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
