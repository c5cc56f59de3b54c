"""Writes of evaluations: instruments, campaigns and their lifecycle, codes, ballots.

Lifecycle actions record audit events. Casting a ballot records nothing but the ballot: an audit event per
ballot would be a per-voter timestamp.
"""

import copy
import secrets
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from minping.accounts.scoping import ensure_region_in_scope
from minping.audit.actions import record_event
from minping.evaluations import codes as code_rules
from minping.evaluations import lifecycle
from minping.evaluations import subjects as subject_kinds
from minping.evaluations.ballots import (
    genesis,
)
from minping.evaluations.instruments import BUILTINS, default_evaluators, validate_definition
from minping.evaluations.models import (
    Campaign,
    Code,
    CodeBatch,
    EvaluatorGroup,
    Instrument,
    InstrumentVersion,
    Subject,
)
from minping.lib.text import checked_text

MAX_BATCH = 5000


def install_builtin_instruments() -> None:
    """Create the built-in templates that are missing. Migration 0002 runs the same on install."""
    install_builtins(Instrument, InstrumentVersion)


def install_builtins(Instrument, InstrumentVersion, keys=None) -> None:
    """Create the built-in templates (those of `keys`, or all) that are missing. Takes the models, so that
    migrations can pass their historical ones."""
    for key in keys or BUILTINS:
        if Instrument.objects.filter(builtin_key=key, region__isnull=True).exists():
            continue
        spec = BUILTINS[key]
        instrument = Instrument.objects.create(name=spec["name"], description=spec["description"], builtin_key=key)
        InstrumentVersion.objects.create(instrument=instrument, number=1, definition=spec["definition"], is_frozen=True)


def advance_campaign(
    *, actor, campaign: Campaign, step: str, to: str, audit: str, prepare: Callable[[Campaign], dict] | None = None
) -> Campaign:
    """Change the campaign's state: lock, check `step`, run `prepare` (which may refuse, set the campaign's
    other fields and write other rows, and returns the audit event's data), set the status `to`, save, audit."""
    ensure_region_in_scope(actor, campaign.region)
    with transaction.atomic():
        campaign = lifecycle.lock(campaign.pk, step)
        data = prepare(campaign) if prepare else {}
        campaign.status = to
        campaign.save()
        record_event(actor=actor, action=audit, obj=campaign, data=data)
    return campaign


def copy_instrument(*, actor, instrument: Instrument, region, name: str = "") -> Instrument:
    ensure_region_in_scope(actor, region)
    with transaction.atomic():
        copied = Instrument.objects.create(
            name=name or f"{instrument.name}（副本）",
            description=instrument.description,
            region=region,
            copied_from=instrument,
            builtin_key=instrument.builtin_key,
            created_by=actor,
        )
        InstrumentVersion.objects.create(instrument=copied, number=1, definition=copy.deepcopy(instrument.latest().definition))
        record_event(actor=actor, action="instrument.copy", obj=copied, data={"from": instrument.pk})
    return copied


def edit_instrument(*, actor, instrument: Instrument, definition: dict, name: str | None = None) -> InstrumentVersion:
    """Change an instrument's questions: in place while no campaign has opened with them, else as a new version;
    and its name (a copy's "（副本）" renamed), which campaigns do not keep."""
    if instrument.is_template:
        raise PermissionDenied("内置模板不能修改，请先复制")
    ensure_region_in_scope(actor, instrument.region)
    validate_definition(definition)
    if name is not None:
        name = checked_text(name, "instrument_name", Instrument._meta.get_field("name").max_length, "测评表名称")
    with transaction.atomic():
        if name is not None and name != instrument.name:
            Instrument.objects.filter(pk=instrument.pk).update(name=name)
            record_event(actor=actor, action="instrument.rename", obj=instrument, data={"from": instrument.name, "to": name})
            instrument.name = name
        latest = InstrumentVersion.objects.select_for_update().filter(instrument=instrument).order_by("-number").first()
        if latest.is_frozen:
            latest = InstrumentVersion.objects.create(instrument=instrument, number=latest.number + 1, definition=definition)
        else:
            latest.definition = definition
            latest.save(update_fields=["definition"])
        record_event(actor=actor, action="instrument.edit", obj=instrument, data={"version": latest.number})
    return latest


DEFAULT_GROUPS = {"masses": ("群众", 1)}


def create_campaign(
    *,
    actor,
    name: str,
    region,
    instrument: Instrument,
    channels: list[str],
    quorum: int = 50,
    groups: list[dict] | None = None,
    starts_at=None,
    ends_at=None,
) -> Campaign:
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
            name=name,
            region=region,
            instrument_version=instrument.latest(),
            channels=sorted(set(channels)),
            quorum=quorum,
            created_by=actor,
            starts_at=starts_at,
            ends_at=ends_at,
        )
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
        record_event(
            actor=actor,
            action="campaign.window",
            obj=campaign,
            data={"starts_at": starts_at and starts_at.isoformat(), "ends_at": ends_at and ends_at.isoformat()},
        )
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


def add_groups(*, actor, campaign: Campaign, groups: list[tuple[str, str, object]]) -> list[EvaluatorGroup]:
    """Several groups at once, as (name, kind, weight): a phone survey's strata, thousands in a city."""
    ensure_region_in_scope(actor, campaign.region)
    rows = []
    for name, kind, weight in groups:
        if kind not in EvaluatorGroup.Kind.values:
            raise ValidationError({"kind": "未知的评价群体类型"})
        rows.append(EvaluatorGroup(campaign=campaign, name=_name(name, EvaluatorGroup), kind=kind, weight=_weight(weight)))
    if len({row.name for row in rows}) != len(rows):
        raise ValidationError({"name": "评价群体的名称有重复"})
    with transaction.atomic():
        lifecycle.lock(campaign.pk, "edit")
        if campaign.groups.filter(name__in=[row.name for row in rows]).exists():
            raise ValidationError({"name": "已有同名的评价群体"})
        EvaluatorGroup.objects.bulk_create(rows, batch_size=2000)
        record_event(actor=actor, action="campaign.add_groups", obj=campaign, data={"groups": len(rows)})
    return rows  # with their ids: both databases return them from a bulk insert


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
        rows.append(
            Subject(
                campaign=campaign,
                kind=kind.key,
                ref=record.pk,
                region=described.region,
                label=described.label[:200],
                detail=described.detail[:200],
                category=described.category[:100],
                position=position,
            )
        )
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
        missing = [what for what, rows in (("测评对象", campaign.subjects), ("评价群体", campaign.groups)) if not rows.exists()]
        if missing:
            raise ValidationError(f"请先添加{'和'.join(missing)}，再开始测评")
        weights = sum(campaign.groups.values_list("weight", flat=True))
        if abs(weights - 1) > Decimal("0.0001"):
            raise ValidationError(f"各评价群体的权重之和应为 1（现为 {weights.normalize()}），请调整后再开始")
        InstrumentVersion.objects.filter(pk=campaign.instrument_version_id).update(is_frozen=True)
        campaign.opened_at, campaign.head_at_open = timezone.now(), genesis(campaign)
        return {"head": campaign.head_at_open}

    return advance_campaign(actor=actor, campaign=campaign, step="open", to=Campaign.Status.OPEN, audit="campaign.open", prepare=prepare)


def issue_codes(
    *, actor, campaign: Campaign, group: EvaluatorGroup, count: int, channel: str, roster: dict | None = None
) -> list[tuple[str, str]]:
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
        batch = CodeBatch.objects.create(campaign=campaign, group=group, channel=channel, size=count, roster=roster or {}, created_by=actor)
        rows = [
            Code(
                batch=batch,
                campaign=campaign,
                group=group,
                token_digest=code_rules.digest("token", token),
                short_digest=code_rules.digest("short", short),
            )
            for token, short in pairs
        ]
        secrets.SystemRandom().shuffle(rows)
        Code.objects.bulk_create(rows)
        record_event(
            actor=actor,
            action="codes.issue",
            obj=campaign,
            data={"batch": batch.pk, "group": group.name, "count": count, "channel": channel},
        )
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
