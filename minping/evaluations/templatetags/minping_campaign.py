from django import template

from minping.evaluations import lifecycle
from minping.evaluations.instruments import TYPE_LABELS
from minping.evaluations.models import Campaign

register = template.Library()


@register.filter
def can(campaign, step: str) -> bool:
    """`{% if campaign|can:"edit" %}`: whether the campaign's state allows the step (evaluations/lifecycle.py)."""
    return lifecycle.allows(campaign, step)


@register.filter
def question_type(kind: str) -> str:
    """A question type's name for organisers (scale → 满意度量表)."""
    return TYPE_LABELS.get(kind, kind)


@register.filter
def channel(key: str) -> str:
    """A voting channel's name in the reader's language (qr → 会场扫码)."""
    return Campaign.Channel(key).label if key in Campaign.Channel.values else key
