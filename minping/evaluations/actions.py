"""Writes of evaluations: instruments, campaigns and their lifecycle, codes, ballots.

Lifecycle actions record audit events. Casting a ballot records nothing but the ballot: an audit event per
ballot would be a per-voter timestamp.
"""

import contextlib
import copy
import functools
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from minping.accounts.scoping import ensure_region_in_scope
from minping.audit.actions import record_event
from minping.evaluations import codes as code_rules
from minping.evaluations import lifecycle, shuffle
from minping.evaluations import subjects as subject_kinds
from minping.evaluations.ballots import (
    ballot_digest,
    canonical,
    content_digest,
    genesis,
)
from minping.evaluations.instruments import (
    AnswerError,
    clean_answers,
    default_evaluators,
    validate_definition,
)
from minping.evaluations.models import (
    Ballot,
    Campaign,
    Code,
    CodeBatch,
    EvaluatorGroup,
    Instrument,
    InstrumentVersion,
    PooledBallot,
    Subject,
    Submission,
)
from minping.lib.memo import Expiring

MAX_BATCH = 5000


def install_builtin_instruments() -> None:
    """Create the built-in templates that are missing. Migration 0002 runs the same on install."""
    from minping.evaluations.instruments import install_builtins

    install_builtins(Instrument, InstrumentVersion)


def copy_instrument(*, actor, instrument: Instrument, region, name: str = "") -> Instrument:
    ensure_region_in_scope(actor, region)
    with transaction.atomic():
        copied = Instrument.objects.create(
            name=name or f"{instrument.name}（副本）", description=instrument.description, region=region,
            copied_from=instrument, builtin_key=instrument.builtin_key, created_by=actor,
        )  # fmt: skip
        InstrumentVersion.objects.create(instrument=copied, number=1, definition=copy.deepcopy(instrument.latest().definition))
        record_event(actor=actor, action="instrument.copy", obj=copied, data={"from": instrument.pk})
    return copied


def edit_instrument(*, actor, instrument: Instrument, definition: dict) -> InstrumentVersion:
    """Change an instrument's questions: in place while no campaign has opened with them, else as a new version."""
    if instrument.is_template:
        raise PermissionDenied("内置模板不能修改，请先复制")
    ensure_region_in_scope(actor, instrument.region)
    validate_definition(definition)
    with transaction.atomic():
        latest = InstrumentVersion.objects.select_for_update().filter(instrument=instrument).order_by("-number").first()
        if latest.is_frozen:
            latest = InstrumentVersion.objects.create(instrument=instrument, number=latest.number + 1, definition=definition)
        else:
            latest.definition = definition
            latest.save(update_fields=["definition"])
        record_event(actor=actor, action="instrument.edit", obj=instrument, data={"version": latest.number})
    return latest


DEFAULT_GROUPS = {"masses": ("群众", 1)}


def create_campaign(*, actor, name: str, region, instrument: Instrument, channels: list[str], quorum: int = 50,
                    groups: list[dict] | None = None, starts_at=None, ends_at=None) -> Campaign:  # fmt: skip
    ensure_region_in_scope(actor, region)
    if not instrument.is_template:
        ensure_region_in_scope(actor, instrument.region)
    unknown = set(channels) - set(Campaign.Channel.values)
    if not channels or unknown:
        raise ValidationError({"channels": "请至少选择一种有效的投票方式"})
    name = _name(name, Campaign)
    _check_quorum(quorum)
    _check_window(starts_at, ends_at)
    groups = groups or [{**default_evaluators(_template_of(instrument).builtin_key), "weight": 1}]
    with transaction.atomic():
        campaign = Campaign.objects.create(
            name=name, region=region, instrument_version=instrument.latest(), channels=sorted(set(channels)),
            quorum=quorum, created_by=actor, starts_at=starts_at, ends_at=ends_at,
        )  # fmt: skip
        for group in groups:
            add_group(actor=actor, campaign=campaign, **group)
        record_event(actor=actor, action="campaign.create", obj=campaign, data={"instrument": instrument.pk})
    return campaign


def _template_of(instrument: Instrument) -> Instrument:
    """The built-in questionnaire an instrument was copied from, through any copies of copies; itself if none."""
    seen = set()
    while not instrument.builtin_key and instrument.copied_from_id and instrument.pk not in seen:
        seen.add(instrument.pk)
        instrument = instrument.copied_from
    return instrument


def set_window(*, actor, campaign: Campaign, starts_at, ends_at) -> Campaign:
    """The voting window: freely while the campaign is a draft; once open, only its end, and only to a time
    still to come (a meeting that runs late is extended, a window cannot be moved into the past)."""
    ensure_region_in_scope(actor, campaign.region)
    with transaction.atomic():
        campaign = lifecycle.lock(campaign.pk, "set_window")
        if campaign.status == Campaign.Status.OPEN:
            if starts_at != campaign.starts_at:
                raise ValidationError({"starts_at": "投票已开始，开始时间不能再改"})
            if ends_at is not None and ends_at <= timezone.now():
                raise ValidationError({"ends_at": "截止时间应晚于现在"})
        _check_window(starts_at, ends_at)
        campaign.starts_at, campaign.ends_at = starts_at, ends_at
        campaign.save(update_fields=["starts_at", "ends_at"])
        record_event(actor=actor, action="campaign.window", obj=campaign,
                     data={"starts_at": starts_at and starts_at.isoformat(), "ends_at": ends_at and ends_at.isoformat()})  # fmt: skip
    return campaign


WINDOW_YEARS = range(2000, 2100)


def _check_window(starts_at, ends_at) -> None:
    """A voting window within this century (PostgreSQL would store year 1 BC, which Python cannot read back),
    ending after it starts."""
    for field, moment in (("starts_at", starts_at), ("ends_at", ends_at)):
        if moment is not None and moment.year not in WINDOW_YEARS:
            raise ValidationError({field: f"投票时间应在 {WINDOW_YEARS.start} 年到 {WINDOW_YEARS.stop - 1} 年之间"})
    if starts_at and ends_at and ends_at <= starts_at:
        raise ValidationError({"ends_at": "投票截止时间应晚于开始时间"})


def add_group(*, actor, campaign: Campaign, name: str, kind: str = "custom", weight=1, quorum: int | None = None):
    ensure_region_in_scope(actor, campaign.region)
    if kind not in EvaluatorGroup.Kind.values:
        raise ValidationError({"kind": "未知的评价群体类型"})
    name, weight = _name(name, EvaluatorGroup), _weight(weight)
    if quorum is not None:
        _check_quorum(quorum)
    with transaction.atomic():
        lifecycle.lock(campaign.pk, "edit")
        if campaign.groups.filter(name=name).exists():
            raise ValidationError({"name": "已有同名的评价群体"})
        return EvaluatorGroup.objects.create(campaign=campaign, name=name, kind=kind, weight=weight, quorum=quorum)


def _name(value: str, model) -> str:
    """A name from a form or the API, trimmed, fitting its column."""
    name, limit = value.strip(), model._meta.get_field("name").max_length
    if not name:
        raise ValidationError({"name": "名称不能为空"})
    if len(name) > limit:
        raise ValidationError({"name": f"名称不能超过 {limit} 个字"})
    return name


def _check_quorum(value: int) -> None:
    if not 1 <= value <= 100000:
        raise ValidationError({"quorum": "有效票数下限应在 1 到 100000 之间"})


def _weight(value) -> Decimal:
    """A group weight from a form or the API: a number from 0 to 1."""
    try:
        weight = Decimal(str(value))
    except ArithmeticError:
        raise ValidationError({"weight": "权重应为数字"}) from None
    if not weight.is_finite():
        raise ValidationError({"weight": "权重应为数字"})
    if not 0 <= weight <= 1:
        raise ValidationError({"weight": "权重应在 0 到 1 之间"})
    return weight.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)  # as stored, so audit and answers agree


def set_group_weight(*, actor, group: EvaluatorGroup, weight) -> EvaluatorGroup:
    """Change a group's weight while the campaign is a draft (weights must sum to 1 when voting opens)."""
    ensure_region_in_scope(actor, group.campaign.region)
    weight = _weight(weight)
    with transaction.atomic():
        lifecycle.lock(group.campaign_id, "edit")
        group.weight = weight
        group.save(update_fields=["weight"])
        record_event(actor=actor, action="campaign.group_weight", obj=group.campaign, data={"group": group.name, "weight": str(weight)})
    return group


def add_subjects(*, actor, campaign: Campaign, subjects: list) -> list[Subject]:
    """Add records of registered subject kinds (cadres, units, regions, or any kind a module registered) as
    subjects; each must lie inside the campaign's region. A record already in the campaign is skipped."""
    ensure_region_in_scope(actor, campaign.region)
    with transaction.atomic():
        lifecycle.lock(campaign.pk, "edit")
        created = Subject.objects.bulk_create(_new_subjects(campaign, subjects))
        record_event(actor=actor, action="campaign.add_subjects", obj=campaign, data={"count": len(created)})
    return created


def _new_subjects(campaign: Campaign, records: list) -> list[Subject]:
    """Unsaved Subject rows for those of `records` not yet in the campaign, numbered after the last."""
    rows = []
    position = campaign.subjects.count()
    existing = set(campaign.subjects.values_list("kind", "ref"))
    for record in records:
        kind = subject_kinds.kind_of(record)
        if (kind.key, record.pk) in existing:
            continue
        described = kind.describe(record)
        if described.region is None or not described.region.is_within(campaign.region):
            raise ValidationError(f"“{described.label}”不在本次测评的区域内")
        existing.add((kind.key, record.pk))
        position += 1
        rows.append(Subject(campaign=campaign, kind=kind.key, ref=record.pk, region=described.region,
                            label=described.label[:200], detail=described.detail[:200],
                            category=described.category[:100], position=position))  # fmt: skip
    return rows


def subject_records(campaign: Campaign, chosen: dict[str, list[int]]) -> list:
    """The records of {kind: [ids]} that the campaign may evaluate, in the order given; ValidationError for a kind
    no module registered."""
    records = []
    for key, ids in chosen.items():
        kind = subject_kinds.get_kind(key)
        by_id = {record.pk: record for record in kind.records(campaign.region, ids)}
        records += [by_id[pk] for pk in dict.fromkeys(ids) if pk in by_id]
    return records


def remove_subject(*, actor, subject: Subject) -> None:
    ensure_region_in_scope(actor, subject.campaign.region)
    with transaction.atomic():
        lifecycle.lock(subject.campaign_id, "edit")
        record_event(actor=actor, action="campaign.remove_subject", obj=subject.campaign, data={"subject": subject.label})
        subject.delete()


def open_campaign(*, actor, campaign: Campaign) -> Campaign:
    """Start voting: freeze the instrument and commit to the configuration with the genesis hash."""

    def prepare(campaign: Campaign) -> dict:
        if not campaign.subjects.exists() or not campaign.groups.exists():
            raise ValidationError("请先添加测评对象和评价群体")
        weights = sum(campaign.groups.values_list("weight", flat=True))
        if abs(weights - 1) > Decimal("0.0001"):
            raise ValidationError(f"各评价群体的权重之和应为 1（现为 {weights.normalize()}），请调整后再开始")
        InstrumentVersion.objects.filter(pk=campaign.instrument_version_id).update(is_frozen=True)
        campaign.opened_at, campaign.head_at_open = timezone.now(), genesis(campaign)
        return {"head": campaign.head_at_open}

    return lifecycle.advance(actor=actor, campaign=campaign, step="open", to=Campaign.Status.OPEN,
                             audit="campaign.open", prepare=prepare)  # fmt: skip


def issue_codes(*, actor, campaign: Campaign, group: EvaluatorGroup, count: int, channel: str,
                roster: dict | None = None) -> list[tuple[str, str]]:  # fmt: skip
    """Create `count` codes and return their plain (token, short code) pairs: the only time they exist in clear.
    Rows are stored in an order unrelated to the returned list, so row order says nothing about who got which."""
    ensure_region_in_scope(actor, campaign.region)
    lifecycle.ensure(campaign, "issue_codes")
    if group.campaign_id != campaign.pk:
        raise ValidationError({"group": "评价群体不属于本次测评"})
    if channel not in campaign.channels:
        raise ValidationError({"channel": "本次测评未启用该投票方式"})
    if not 1 <= count <= MAX_BATCH:
        raise ValidationError({"count": f"每批 1 到 {MAX_BATCH} 个"})
    pairs = [code_rules.new_code() for _ in range(count)]
    with transaction.atomic():
        batch = CodeBatch.objects.create(campaign=campaign, group=group, channel=channel, size=count,
                                         roster=roster or {}, created_by=actor)  # fmt: skip
        rows = [
            Code(batch=batch, campaign=campaign, group=group, token_digest=code_rules.digest("token", token),
                 short_digest=code_rules.digest("short", short))  # fmt: skip
            for token, short in pairs
        ]
        secrets.SystemRandom().shuffle(rows)
        Code.objects.bulk_create(rows)
        record_event(actor=actor, action="codes.issue", obj=campaign,
                     data={"batch": batch.pk, "group": group.name, "count": count, "channel": channel})  # fmt: skip
    return pairs


def void_codes(*, actor, campaign: Campaign, short_codes: list[str] = (), batch: CodeBatch | None = None) -> int:
    """Void unused codes, by short code or a whole batch. Used codes stay counted."""
    ensure_region_in_scope(actor, campaign.region)
    codes = Code.objects.filter(campaign=campaign, status=Code.Status.ISSUED)
    if batch is not None:
        codes = codes.filter(batch=batch)
    else:
        digests = []
        for text in short_codes:
            try:
                digests.append(code_rules.digest("short", code_rules.normalise_short(text)))
            except code_rules.CodeFormatError as exc:
                raise ValidationError({"codes": f"{text}：{exc}"}) from None
        codes = codes.filter(short_digest__in=digests)
    with transaction.atomic():
        voided = codes.update(status=Code.Status.VOIDED)
        record_event(actor=actor, action="codes.void", obj=campaign, data={"count": voided, "batch": batch and batch.pk})
    return voided


@dataclass
class Receipt:
    tracker: str
    repeated: bool = False  # the same submission had arrived before


class CastError(Exception):
    """A ballot that cannot be taken: `reason` is a stable identifier, `message` is for the voter."""

    def __init__(self, reason: str, message: str, status: int = 400, problems: list | None = None):
        super().__init__(message)
        self.reason, self.message, self.status, self.problems = reason, message, status, problems or []


OPEN_CAMPAIGN_SECONDS = 30
_open_campaigns = Expiring(OPEN_CAMPAIGN_SECONDS, size=1000)


def opened_key(campaign: Campaign) -> tuple:
    """What identifies an opened campaign's frozen configuration, for the caches of it."""
    return campaign.pk, campaign.head_at_open, campaign.opened_at


@dataclass(frozen=True)
class Presented:
    """A code as found when it was presented: which digest matched, and the code's state at that moment."""

    field: str
    digest: str
    status: str
    group_id: int
    channel: str


def campaign_for_code(presented: str) -> Campaign:
    """The campaign a presented code belongs to, or CastError; the code's state is in `campaign.presented`.
    Nothing is consumed. One query.

    Opened campaigns are kept in memory for a few seconds: their questions and subjects are frozen, and their
    status is read again, under lock, when a ballot is cast."""
    try:
        field, value = code_rules.lookup_digests(presented or "")
    except code_rules.CodeFormatError as exc:
        raise CastError("malformed_code", str(exc)) from None
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT c.campaign_id, p.head_at_open, p.status, c.status, c.group_id, b.channel, p.starts_at, p.ends_at, "
            f"p.opened_at "
            f"FROM evaluations_code c "
            f"JOIN evaluations_campaign p ON p.id = c.campaign_id JOIN evaluations_codebatch b ON b.id = c.batch_id "
            f"WHERE c.{field} = %s", [value],
        )  # fmt: skip
        row = cursor.fetchone()
    if row is None:
        raise CastError("unknown_code", "测评码不存在，请核对", status=404)
    # Keyed by the genesis hash, which commits to the whole configuration, and the moment of opening (a row id
    # can be used again after a deletion on SQLite); status and window are always read fresh.
    cached = _open_campaigns.get((row[0], row[1], row[8]))
    if cached is not None:
        campaign = copy.copy(cached)
        campaign.status, campaign.starts_at, campaign.ends_at = row[2], row[6], row[7]
    else:
        campaign = Campaign.objects.select_related("instrument_version").get(pk=row[0])
        if campaign.head_at_open:
            _open_campaigns.put(opened_key(campaign), campaign)
        campaign = copy.copy(campaign)
    campaign.presented = Presented(field, value, row[3], row[4], row[5])
    return campaign


def ensure_usable(campaign: Campaign) -> None:
    """CastError unless the code `campaign_for_code` found is still unused and voting is open."""
    _ensure_unused(campaign.presented.status)
    ensure_accepting(campaign)


def ensure_not_phone(campaign: Campaign) -> None:
    """CastError for a code issued for telephone interviews, presented on the public voting page or API: it is
    keyed by an interviewer during the call, never by the voter."""
    if campaign.presented.channel == Campaign.Channel.PHONE:
        raise CastError("phone_code", "这是电话督评专用的测评码，由督评员来电时代为录入，不能在此投票", status=409)


def _ensure_unused(status: str) -> None:
    if status == Code.Status.USED:
        raise CastError("used_code", "这个测评码已经投过票", status=409)
    if status == Code.Status.VOIDED:
        raise CastError("voided_code", "这个测评码已作废", status=410)


def find_code(campaign: Campaign, presented: str) -> Code:
    """The campaign's usable code for `presented`, or CastError. Reading only: nothing is consumed."""
    try:
        field, value = code_rules.lookup_digests(presented or "")
    except code_rules.CodeFormatError as exc:
        raise CastError("malformed_code", str(exc)) from None
    code = Code.objects.filter(**{field: value}).first()
    if code is None:
        raise CastError("unknown_code", "测评码不存在，请核对", status=404)
    if code.campaign_id != campaign.pk:
        raise CastError("foreign_code", "这个测评码不属于本次测评", status=404)
    _ensure_unused(code.status)
    return code


def ensure_accepting(campaign: Campaign) -> None:
    now = timezone.now()
    if campaign.status == Campaign.Status.DRAFT or (campaign.starts_at and now < campaign.starts_at):
        raise CastError("not_open", "测评尚未开始", status=409)
    if campaign.status != Campaign.Status.OPEN or (campaign.ends_at and now >= campaign.ends_at):
        raise CastError("closed", "测评已经结束", status=409)


def cast_ballot(*, campaign: Campaign, code: str, answers, channel: str | None = None, idempotency_key: str = "",
                void_reason: str = "") -> Receipt:  # fmt: skip
    """Consume the code and take the ballot into the campaign's shuffle pool in one transaction; `channel`
    defaults to the code's batch's. The receipt is issued at once; the ballot reaches the ballot table later, in
    random order among others (evaluations/shuffle.py).

    A repeated submission (same idempotency key, same code) gets the first one's receipt; the same key with other
    answers, or with another code, is refused. This is the hot path of a meeting, so it runs a fixed handful of
    plain SQL statements.
    """
    try:
        field, code_digest = code_rules.lookup_digests(code or "")
    except code_rules.CodeFormatError as exc:
        raise CastError("malformed_code", str(exc)) from None
    stored = checked_answers(campaign, answers, allow_void=channel == "paper", void_reason=void_reason)
    stored_json = canonical(stored)  # encoded once: for the payload digest, the ballot digest and the INSERT
    submission = SubmissionKey(campaign.pk, idempotency_key, code_digest, stored_json) if idempotency_key else None
    presented = getattr(campaign, "presented", None)
    if presented and presented.digest == code_digest and connection.vendor == "postgresql":
        receipt = _cast_in_one_statement(campaign, presented, stored_json, channel, submission, void_reason)
        if receipt is not None:
            return receipt
        # Nothing was stored: the campaign is not open, or the code was used meanwhile (perhaps by a twin of this
        # very submission). The general path below names the reason, or answers with the twin's receipt.
    try:
        with transaction.atomic():
            ensure_accepting(_locked_state(campaign))
            used = _use_code(campaign, field, code_digest)
            if used is None:
                # Already used: by an earlier or concurrent twin of this submission, whose receipt is ours.
                if submission and (repeated := _repeated(submission)):
                    return repeated
                find_code(campaign, code)  # names the reason: unknown, foreign, used or voided
                raise CastError("used_code", "这个测评码已经投过票", status=409)
            group_id, batch_channel = used
            channel = _cast_channel(campaign, channel, batch_channel)
            ballot = PooledBallot(campaign=campaign, group_id=group_id, channel=channel, answers=stored,
                                  cast_on=timezone.localdate(), tracker=_unused_tracker(campaign),
                                  void_reason=void_reason)  # fmt: skip
            ballot.digest = ballot_digest(ballot, stored_json)
            pool_size = _pool_ballot(ballot, stored_json, submission)
    except IntegrityError:
        # The idempotency key was taken by another submission in the meantime: answer as for a repeat.
        if submission and (repeated := _repeated(submission)):
            return repeated
        raise
    shuffle.settle(campaign.pk, pool_size)
    return Receipt(ballot.tracker)


class SubmissionKey:
    """What is stored of an idempotency key, all of it keyed by the key itself, which is not stored: a row
    cannot be matched to a code, a ballot or its answers without it."""

    def __init__(self, campaign_id: int, key: str, code_digest: str, stored_json: bytes):
        self.key = key.encode()
        self.digest = hashlib.sha256(b"submission:%d:" % campaign_id + self.key).hexdigest()
        self.binding = self._keyed(b"code", code_digest.encode())
        self.payload = self._keyed(b"payload", stored_json)

    def _keyed(self, purpose: bytes, value: bytes) -> str:
        return hmac.new(self.key, purpose + b":" + value, hashlib.sha256).hexdigest()

    def seal(self, tracker: str) -> str:
        return bytes(a ^ b for a, b in zip(tracker.encode(), self._pad(), strict=False)).hex()

    def unseal(self, sealed: str) -> str:
        return bytes(a ^ b for a, b in zip(bytes.fromhex(sealed), self._pad(), strict=False)).decode()

    def _pad(self) -> bytes:
        return hmac.new(self.key, b"tracker", hashlib.sha256).digest()


# Both statements that use a code (this one and USE_CODE_SQL) compare its campaign and group with IS NOT DISTINCT
# FROM, which no index serves, so that the digest's unique index is the only way to the code. With `=`, codes
# issued minutes before a meeting, which have no statistics yet, can look as cheap to reach through (campaign,
# group), and every ballot then scans the campaign's codes: the cast benchmark fell from about 550 ballots a second
# to under 200 whenever that plan was chosen. A tracker already moved to the ballot table is not given again.
CAST_SQL = """
WITH p AS (
    SELECT id FROM evaluations_campaign
    WHERE id = %(campaign)s AND status = 'open' AND (starts_at IS NULL OR starts_at <= now())
      AND (ends_at IS NULL OR ends_at > now())
    FOR KEY SHARE
), u AS (
    UPDATE evaluations_code SET status = 'used'
    WHERE {field} = %(code)s AND campaign_id IS NOT DISTINCT FROM (SELECT id FROM p)
      AND group_id IS NOT DISTINCT FROM %(group)s AND status = 'issued'
      AND NOT EXISTS (SELECT 1 FROM evaluations_ballot WHERE campaign_id = %(campaign)s AND tracker = %(tracker)s)
    RETURNING id
), b AS (
    INSERT INTO evaluations_pooledballot (id, campaign_id, group_id, channel, cast_on, answers, tracker, digest,
                                          void_reason)
    SELECT %(id)s, %(campaign)s, %(group)s, %(channel)s, %(cast_on)s, %(answers)s, %(tracker)s, %(digest)s, %(void)s
    FROM u RETURNING id
), s AS (
    INSERT INTO evaluations_submission (key_digest, campaign_id, binding, payload_digest, sealed)
    SELECT %(key)s::varchar, %(campaign)s, %(binding)s, %(payload)s, %(sealed)s FROM b WHERE %(key)s::varchar <> ''
)
SELECT (SELECT count(*) FROM b), (SELECT count(*) FROM evaluations_pooledballot WHERE campaign_id = %(campaign)s)
"""


def _cast_in_one_statement(campaign, presented: Presented, stored_json: bytes, channel,
                           submission: SubmissionKey | None, void_reason: str) -> Receipt | None:  # fmt: skip
    """PostgreSQL: check the campaign is open (holding its row against closing), use the code, pool the ballot
    and store the idempotency record in one statement, which is one transaction and one round trip. None when
    nothing was stored; an IntegrityError (a tracker or idempotency key taken) leaves nothing stored either."""
    channel = _cast_channel(campaign, channel, presented.channel)
    cast_on, tracker = timezone.localdate(), new_tracker()
    digest = content_digest(stored_json, campaign=campaign.pk, group=presented.group_id, channel=channel,
                            cast_on=cast_on, tracker=tracker, void=void_reason)  # fmt: skip
    params = {"campaign": campaign.pk, "code": presented.digest, "group": presented.group_id, "id": uuid.uuid4(),
              "channel": channel, "cast_on": cast_on, "answers": stored_json.decode(), "tracker": tracker,
              "digest": digest, "void": void_reason, "key": submission.digest if submission else "",
              "binding": submission and submission.binding, "payload": submission and submission.payload,
              "sealed": submission and submission.seal(tracker)}  # fmt: skip
    sql = CAST_SQL.format(field=presented.field)
    try:
        with transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext():
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                stored_count, pool_before = cursor.fetchone()
    except IntegrityError:
        return None
    if not stored_count:
        return None
    shuffle.settle(campaign.pk, pool_before + 1)  # the statement's count does not see its own insert
    return Receipt(tracker)


def _cast_channel(campaign: Campaign, channel: str | None, batch_channel: str) -> str:
    """The channel a ballot is cast on: its code's, which the caller may name but not change."""
    channel = channel or batch_channel
    if channel not in campaign.channels or channel != batch_channel:
        raise CastError("channel", "这个测评码不能用于该投票方式", status=409)
    return channel


USE_CODE_SQL = (  # the code is reached by its digest alone, as in CAST_SQL ({same}: SQLite before 3.39 lacks the words)
    "UPDATE evaluations_code SET status = 'used' WHERE {field} = %s AND campaign_id {same} %s "
    "AND status = 'issued' "
    "RETURNING group_id, (SELECT b.channel FROM evaluations_codebatch b WHERE b.id = evaluations_code.batch_id)"
)


def _use_code(campaign: Campaign, field: str, code_digest: str) -> tuple[int, str] | None:
    """Mark an issued code of the campaign used; its (group, channel), or None if no such issued code."""
    with connection.cursor() as cursor:
        same = "IS NOT DISTINCT FROM" if connection.vendor == "postgresql" else "IS"
        cursor.execute(USE_CODE_SQL.format(field=field, same=same), [code_digest, campaign.pk])
        return cursor.fetchone()


def _unused_tracker(campaign: Campaign) -> str:
    while Ballot.objects.filter(campaign=campaign, tracker=(tracker := new_tracker())).exists():
        pass
    return tracker


def _pool_ballot(ballot: PooledBallot, answers_json: bytes, submission: SubmissionKey | None) -> int:
    """Insert the ballot into the pool (and the idempotency record); the pool's size after it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO evaluations_pooledballot (id, campaign_id, group_id, channel, cast_on, answers, tracker, "
            "digest, void_reason) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [ballot.id.hex if connection.vendor == "sqlite" else ballot.id, ballot.campaign_id, ballot.group_id,
             ballot.channel, ballot.cast_on, answers_json.decode(), ballot.tracker,
             ballot.digest, ballot.void_reason],
        )  # fmt: skip
        if submission:
            cursor.execute(
                "INSERT INTO evaluations_submission (key_digest, campaign_id, binding, payload_digest, sealed) "
                "VALUES (%s, %s, %s, %s, %s)",
                [submission.digest, ballot.campaign_id, submission.binding, submission.payload,
                 submission.seal(ballot.tracker)],
            )  # fmt: skip
        cursor.execute("SELECT count(*) FROM evaluations_pooledballot WHERE campaign_id = %s", [ballot.campaign_id])
        return cursor.fetchone()[0]


@functools.lru_cache(maxsize=256)
def _frozen_subjects(key: tuple) -> tuple[Subject, ...]:
    """Subjects of an opened campaign never change (its genesis hash commits to them), so they are read once."""
    return tuple(Subject.objects.filter(campaign_id=key[0]))


def campaign_subjects(campaign: Campaign) -> list[Subject]:
    """The campaign's subjects in ballot order; read once per process for an opened campaign."""
    if campaign.head_at_open:
        return list(_frozen_subjects(opened_key(campaign)))
    return list(campaign.subjects.all())


def checked_answers(campaign: Campaign, answers, *, allow_void: bool = False, void_reason: str = "") -> dict:
    """The stored form of a ballot's answers, or CastError(422). A ballot void as a whole keeps no answers."""
    if void_reason:
        return {"s": {}, "g": {}}
    subject_ids = [subject.pk for subject in campaign_subjects(campaign)]
    try:
        return clean_answers(campaign.definition, subject_ids, answers, allow_void=allow_void)
    except AnswerError as exc:
        raise CastError("invalid_answers", "有题目未答或答案无效", status=422, problems=exc.problems) from None


def _locked_state(campaign: Campaign) -> Campaign:
    """The campaign's current state, held until this transaction ends so that closing waits for ballots in
    flight (and they for it): no ballot lands after the chain head is computed. FOR KEY SHARE lets casts run
    side by side. SQLite transactions are IMMEDIATE, which serialises them anyway."""
    if connection.vendor != "postgresql":
        campaign.refresh_from_db(fields=["status", "starts_at", "ends_at"])
        return campaign
    with connection.cursor() as cursor:
        cursor.execute("SELECT status, starts_at, ends_at FROM evaluations_campaign WHERE id = %s FOR KEY SHARE",
                       [campaign.pk])  # fmt: skip
        campaign.status, campaign.starts_at, campaign.ends_at = cursor.fetchone()
    return campaign


def _repeated(submission: SubmissionKey) -> Receipt | None:
    earlier = Submission.objects.filter(key_digest=submission.digest).first()
    if earlier is None:
        return None
    if not hmac.compare_digest(earlier.binding, submission.binding):
        # Said before anything about the answers is compared, so another code's holder learns nothing of them.
        raise CastError("submission_reused", "这份选票的提交编号已被另一个测评码使用，请重新输入测评码打开选票", status=409)
    if not hmac.compare_digest(earlier.payload_digest, submission.payload):
        raise CastError("idempotency_conflict", "同一次提交的内容不一致", status=422)
    return Receipt(submission.unseal(earlier.sealed), repeated=True)


def new_tracker() -> str:
    body = code_rules.random_chars(10)
    return f"{body[:5]}-{body[5:]}"


ROSTERS = {"residents": "居民", "enterprises": "企业", "units": "单位"}


def roster_recipients(kind: str, region) -> list:
    from minping.evaluations.senders import Recipient
    from minping.org.models import Enterprise, Resident, Unit

    if kind == "residents":
        rows = Resident.objects.within(region).order_by("pk").values_list("name", "address", "phone")
        return [Recipient(name=n, address=a, phone=p) for n, a, p in rows]
    if kind == "enterprises":
        rows = Enterprise.objects.within(region).order_by("pk").values_list("name", "contact_phone")
        return [Recipient(name=n, phone=p) for n, p in rows]
    if kind == "units":
        return [Recipient(name=n, phone=p) for n, p in Unit.objects.within(region).order_by("pk").values_list("name", "phone")]
    raise ValidationError({"kind": "未知的名册"})


def issue_roster_codes(*, actor, campaign: Campaign, group: EvaluatorGroup, kind: str, region):
    """One code for every person of a roster (e.g. the residents of a community), once per group and region.
    Returns the recipients and their codes, paired by position, for a sender; the pairing is not stored."""
    ensure_region_in_scope(actor, region)
    if not region.is_within(campaign.region):
        raise ValidationError({"region": "该区域不在本次测评范围内"})
    lifecycle.ensure(campaign, "send_codes")
    roster = {"kind": kind, "region": region.pk}
    if campaign.batches.filter(group=group, roster=roster).exists():
        raise ValidationError("这份名册已经发送过测评码")
    recipients = roster_recipients(kind, region)
    if not recipients:
        raise ValidationError("名册中没有人")
    if len(recipients) > MAX_BATCH:
        raise ValidationError(f"一次最多向 {MAX_BATCH} 人发送，请选择更小的区域")
    pairs = issue_codes(actor=actor, campaign=campaign, group=group, count=len(recipients), channel="online", roster=roster)
    return recipients, pairs
