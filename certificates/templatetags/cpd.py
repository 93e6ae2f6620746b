"""`{{ value|cpd_hours }}`: CPD hours in the one format used everywhere ("2 h", "1.25 h")."""

from django import template

from certificates.models import format_cpd_hours

register = template.Library()


@register.filter(name="cpd_hours")
def cpd_hours(value) -> str:
    return format_cpd_hours(value)
