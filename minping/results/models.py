"""Results of closed campaigns: pre-aggregated counts, the results policy, publication, objections, review flags.

Counts are rolled up once, when a campaign closes, inside the transaction that seals its ballot box: before
close nothing per subject may be seen, and keeping running counts while voting is open would need an order of
arrival, which a ballot must not have. After close the ballots never change, so the counts stay exact;
`minping tally verify` recomputes them from the ballots.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minping.evaluations.models import Campaign, EvaluatorGroup, Subject


class Policy(models.Model):
    """How a campaign's figures are computed and judged. The denominator is fixed when voting opens; follow-up
    rules may be changed until publication, each change audited."""

    class Denominator(models.TextChoices):
        ANSWERED = "answered", _("Valid ballots, 不了解 included")
        KNOWN = "known", _("Valid ballots, 不了解 and 不认识 left out")
        ALL = "all", _("Valid ballots, 不了解 and 不认识 included")

    campaign = models.OneToOneField(Campaign, models.CASCADE, primary_key=True, related_name="result_policy")
    denominator = models.CharField(_("denominator"), max_length=8, choices=Denominator.choices, default=Denominator.ANSWERED)
    rules = models.JSONField(_("follow-up rules"), default=list, blank=True)
    notice_days = models.PositiveIntegerField(_("public notice period (days)"), default=7)


class Tally(models.Model):
    """How many answers chose `option` of `question`, per subject, evaluator group and channel.

    question "" holds the sections themselves: option "valid", "unknown" (不认识) or "void" (an invalid section);
    with no subject it holds whole ballots: "ballots" and "void_ballots". A score question's answers are counted
    under option "" with their sum in `total`
    and sum of squares in `squares`; a text or multiple-choice question's answered count likewise."""

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="tallies")
    subject = models.ForeignKey(Subject, models.CASCADE, null=True, related_name="+")
    group = models.ForeignKey(EvaluatorGroup, models.CASCADE, related_name="+")
    channel = models.CharField(max_length=8)
    question = models.CharField(max_length=32)
    option = models.CharField(max_length=32)
    n = models.PositiveIntegerField()
    total = models.BigIntegerField(default=0)
    squares = models.BigIntegerField(default=0)  # Σ score², for the interval of a mean

    class Meta:
        indexes = [
            models.Index(fields=["campaign", "subject"], name="tally_campaign_subject"),
            models.Index(fields=["campaign", "question"], name="tally_campaign_question"),
        ]


class TextAnswer(models.Model):
    """A free-text answer, detached from its ballot, with phone numbers, ID numbers and names masked."""

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="text_answers")
    subject = models.ForeignKey(Subject, models.CASCADE, null=True, related_name="+")
    group = models.ForeignKey(EvaluatorGroup, models.CASCADE, related_name="+")
    question = models.CharField(max_length=32)
    text = models.TextField()

    class Meta:
        indexes = [models.Index(fields=["campaign", "subject"], name="text_campaign_subject")]


class ReviewFlag(models.Model):
    """Something in a closed campaign an organiser should look at. Ballots are never dropped because of one."""

    class Kind(models.TextChoices):
        IDENTICAL = "identical", _("Many identical ballots")
        STRAIGHT = "straight", _("Straight-lining across the matrix")
        HIGH_RATE = "high_rate", _("A rate ≥ 99.5%")
        CHANNEL_GAP = "channel_gap", _("Large gap between channels")
        OVER_ISSUED = "over_issued", _("More ballots than issued codes")

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="review_flags")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    subject = models.ForeignKey(Subject, models.CASCADE, null=True, related_name="+")
    evidence = models.JSONField(default=dict)

    class Meta:
        ordering = ["pk"]


class Notice(models.Model):
    """The public notice (公示) of a published campaign; objections are taken until `objections_until`."""

    campaign = models.OneToOneField(Campaign, models.CASCADE, related_name="notice")
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    objections_until = models.DateTimeField()


class Objection(models.Model):
    """An objection (申诉) to published results and the organiser's answer."""

    notice = models.ForeignKey(Notice, models.CASCADE, related_name="objections")
    subject = models.ForeignKey(Subject, models.CASCADE, null=True, blank=True, related_name="+")
    text = models.TextField(_("objection"))
    contact = models.CharField(_("contact (optional)"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["pk"]
