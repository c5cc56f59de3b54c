"""Instruments, campaigns, one-time codes and ballots.

Secrecy by construction: a Ballot row holds a random id, its campaign, evaluator group, channel, the date it
was cast and the answers. Nothing links it to a code, a user, an address, a user agent or a time of day.
A Code row knows whether it was used, never by which ballot. See docs/threat-model.md.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minping.org.models import ScopedQuerySet


class Instrument(models.Model):
    """A questionnaire (测评表). Its content lives in versions; the version a campaign uses is frozen."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    builtin_key = models.CharField(max_length=40, blank=True)  # the built-in template it is, if any
    region = models.ForeignKey("org.Region", models.PROTECT, null=True, blank=True, related_name="instruments")
    copied_from = models.ForeignKey("self", models.SET_NULL, null=True, blank=True, related_name="copies")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")

    def __str__(self) -> str:
        return self.name

    @property
    def is_template(self) -> bool:
        return self.region_id is None

    def latest(self) -> "InstrumentVersion":
        return self.versions.order_by("-number").first()


class InstrumentVersion(models.Model):
    instrument = models.ForeignKey(Instrument, models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    definition = models.JSONField()
    is_frozen = models.BooleanField(default=False)

    class Meta:
        ordering = ["instrument", "number"]
        constraints = [models.UniqueConstraint(fields=["instrument", "number"], name="instrument_version_unique")]

    def __str__(self) -> str:
        return f"{self.instrument} v{self.number}"


class Campaign(models.Model):
    """A round of evaluation (测评活动). Always anonymous: there is no setting that could switch it off."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    class Channel(models.TextChoices):
        QR = "qr", _("QR slip at a meeting")
        PAPER = "paper", _("Paper ballot")
        ONLINE = "online", _("Online, code sent to a registered person")
        PHONE = "phone", _("Telephone interview")

    name = models.CharField(_("name"), max_length=200)
    region = models.ForeignKey("org.Region", models.PROTECT, related_name="campaigns", verbose_name=_("region"))
    instrument_version = models.ForeignKey(InstrumentVersion, models.PROTECT, related_name="campaigns")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    channels = models.JSONField(default=list)
    quorum = models.PositiveIntegerField(_("quorum (valid ballots per subject)"), default=50)
    starts_at = models.DateTimeField(_("voting opens"), null=True, blank=True)
    ends_at = models.DateTimeField(_("voting closes"), null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    head_at_open = models.CharField(max_length=64, blank=True)
    head_at_close = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self) -> str:
        return self.name

    @property
    def definition(self) -> dict:
        return self.instrument_version.definition


class EvaluatorGroup(models.Model):
    class Kind(models.TextChoices):
        MASSES = "masses", _("Residents")
        ENTERPRISES = "enterprises", _("Enterprises")
        GRASSROOTS = "grassroots", _("Grassroots units")
        SUPERIORS = "superiors", _("Superiors")
        CUSTOM = "custom", _("Other")

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="groups")
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.MASSES)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=4, default=1)
    quorum = models.PositiveIntegerField(_("quorum"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["campaign", "name"], name="group_unique_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def effective_quorum(self) -> int:
        return self.campaign.quorum if self.quorum is None else self.quorum


class Subject(models.Model):
    """Who or what is evaluated: a record of a registered subject kind (evaluations/subjects.py), by its kind and
    id, with the description its module gave when it was added (the ballot shows these, and the genesis hash
    commits to the label)."""

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="subjects")
    kind = models.CharField(max_length=40)
    ref = models.BigIntegerField()  # the record's id within its kind
    region = models.ForeignKey("org.Region", models.PROTECT, null=True, blank=True, related_name="+")
    label = models.CharField(_("name"), max_length=200)
    detail = models.CharField(_("post or description"), max_length=200, blank=True)
    category = models.CharField(_("peer category"), max_length=100, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["campaign", "kind", "ref"], name="subject_once_per_campaign")]
        indexes = [models.Index(fields=["kind", "ref"], name="subject_record")]

    def __str__(self) -> str:
        return self.label


class CodeBatch(models.Model):
    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="batches")
    group = models.ForeignKey(EvaluatorGroup, models.PROTECT, related_name="batches")
    channel = models.CharField(max_length=8, choices=Campaign.Channel.choices)
    size = models.PositiveIntegerField()
    roster = models.JSONField(default=dict, blank=True)  # {"kind": "residents", "region": id} for sent codes
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

    class Meta:
        ordering = ["pk"]


class Code(models.Model):
    """A one-time code, stored only as keyed digests of its QR token and of its short form."""

    class Status(models.TextChoices):
        ISSUED = "issued", _("Issued")
        USED = "used", _("Used")
        VOIDED = "voided", _("Voided")

    batch = models.ForeignKey(CodeBatch, models.CASCADE, related_name="codes")
    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="codes", db_index=False)  # see Meta
    group = models.ForeignKey(EvaluatorGroup, models.PROTECT, related_name="codes")
    token_digest = models.CharField(max_length=64)
    short_digest = models.CharField(max_length=64)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ISSUED)

    class Meta:
        # No index on status: using a code then rewrites only its row (a heap-only update on PostgreSQL, where
        # the table leaves room on each page for it, see migration 0004), not every index of a hot table.
        # Constraints rather than unique=: on PostgreSQL that adds a second, pattern index to each digest.
        # The campaign's own index would repeat the first column of code_campaign_group.
        constraints = [
            models.UniqueConstraint(fields=["token_digest"], name="code_token_digest_key"),
            models.UniqueConstraint(fields=["short_digest"], name="code_short_digest_key"),
        ]
        indexes = [models.Index(fields=["campaign", "group"], name="code_campaign_group")]


class BallotContent(models.Model):
    """What a cast ballot holds besides its campaign and group, in the ballot table and in the shuffle pool alike.
    `answers` = {"s": {subject id: {question: answer} | {"unknown": true} | {"void": reason}}, "g": {question: answer}}.
    `digest` is the SHA-256 of the canonical content, chained at close."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    channel = models.CharField(max_length=8, choices=Campaign.Channel.choices)
    cast_on = models.DateField()
    answers = models.JSONField()
    tracker = models.CharField(max_length=16)
    digest = models.CharField(max_length=64)
    void_reason = models.CharField(max_length=200, blank=True)  # a whole paper ballot ruled invalid (废票)

    class Meta:
        abstract = True


class Ballot(BallotContent):
    """One cast ballot, moved here from the shuffle pool."""

    campaign = models.ForeignKey(Campaign, models.PROTECT, related_name="ballots", db_index=False)  # see Meta
    group = models.ForeignKey(EvaluatorGroup, models.PROTECT, related_name="ballots")

    class Meta:
        # Both lead with the campaign, which therefore needs no index of its own: one index fewer per ballot.
        constraints = [models.UniqueConstraint(fields=["campaign", "tracker"], name="ballot_unique_tracker")]
        indexes = [models.Index(fields=["campaign", "group"], name="ballot_campaign_group")]


class PooledBallot(BallotContent):
    """A cast ballot waiting in the campaign's shuffle pool (evaluations/actions/shuffle.py). Pooled ballots are moved to
    the ballot table in random order, several at a time, so that neither the table's storage order nor its rows'
    transaction ids follow the order in which ballots were cast."""

    campaign = models.ForeignKey(Campaign, models.PROTECT, related_name="pooled_ballots", db_index=False)
    group = models.ForeignKey(EvaluatorGroup, models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "tracker"], name="pooled_ballot_unique_tracker")]


class Submission(models.Model):
    """The answer to a retried request, readable only with the idempotency key the voter's browser chose (and
    which is never stored): `key_digest` is a digest of the key; `binding` ties it to the code it came with,
    `payload_digest` to the answers, and `sealed` is the tracker encrypted under the key. Without the key a row
    cannot be matched to a code, a ballot or its answers."""

    key_digest = models.CharField(max_length=64, primary_key=True)
    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="+")
    binding = models.CharField(max_length=64)
    payload_digest = models.CharField(max_length=64)
    sealed = models.CharField(max_length=64)


class PaperEntry(models.Model):
    """One clerk's keying of one paper ballot. Deleted when the ballot is counted, so the link between the
    sheet's code and its answers lives only as long as data entry does."""

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="paper_entries")
    short_digest = models.CharField(max_length=64)
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    answers = models.JSONField()
    void_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["short_digest", "clerk"], name="paper_entry_once_per_clerk")]
