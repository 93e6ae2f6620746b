from django import template

from reporting.tables import display

register = template.Library()


@register.filter
def cell(value) -> str:
    """A table cell, formatted as on every page, PDF and CSV of the report."""
    return display(value)


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None
