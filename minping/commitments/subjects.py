"""Commitment items as a subject kind: residents rate published commitments through a campaign (评诺), with the
ballots' anonymity, counts and small-group protection."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from minping.commitments.models import CommitmentForm, Item
from minping.evaluations.subjects import Description, SubjectKind, register


def describe(item: Item) -> Description:
    if item.form.status != CommitmentForm.Status.PUBLISHED:
        raise ValidationError(f"承诺“{item.content[:30]}”尚未公开，不能评议")
    form = item.form
    category = form.sequence.name if form.sequence_id else item.get_category_display()
    return Description(f"{form.owner}：{item.content}", f"目标：{item.target}", str(category), form.region)


register(
    SubjectKind(
        "commitment", _("Commitment"), Item, describe, lambda region: Item.objects.published().within(region).select_related("form")
    )
)
