from django import template

from minping.evaluations import lifecycle

register = template.Library()


@register.filter
def can(campaign, step: str) -> bool:
    """`{% if campaign|can:"edit" %}`: whether the campaign's state allows the step (evaluations/lifecycle.py)."""
    return lifecycle.allows(campaign, step)
