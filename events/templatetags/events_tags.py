from django import template

register = template.Library()


@register.filter
def fields_named(form, names: str):
    """The form's bound fields named in a space-separated list, in that order."""
    return [form[name] for name in names.split() if name in form.fields]
