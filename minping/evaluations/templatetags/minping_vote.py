from django import template

from minping.evaluations.forms import field_name

register = template.Library()


@register.filter
def field(question: dict, subject) -> str:
    return field_name(subject.pk if subject else None, question["key"])


@register.filter
def unknown_field(subject) -> str:
    return field_name(subject.pk, "unknown")


@register.filter
def get(mapping, key):
    return (mapping or {}).get(key, "")


@register.filter
def value(data, name):
    return data.get(name, "") if data else ""


@register.filter
def values(data, name):
    return data.getlist(name) if data else []
