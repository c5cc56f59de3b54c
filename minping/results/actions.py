"""Writes of results: counting at close, the results policy, publication, objections. Each is audited."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from minping.accounts.scoping import ensure_region_in_scope
from minping.audit.actions import record_event
from minping.evaluations import lifecycle
from minping.evaluations.actions import advance_campaign, shuffle
from minping.evaluations.ballots import chain_head
from minping.evaluations.models import Campaign
from minping.results import flags, tally
from minping.results.models import Notice, Objection, Policy, ReviewFlag, Tally, TextAnswer
from minping.results.rules import default_rules, validate_rules


def close_campaign(*, actor, campaign: Campaign) -> Campaign:
    """End voting: seal the ballot box (its chain head) and, in the same transaction, roll every ballot up into
    counts and look for review flags. Taking the campaign's row waits for the casts in flight."""

    def prepare(campaign: Campaign) -> dict:
        shuffle.drain(campaign)
        campaign.closed_at, campaign.head_at_close = timezone.now(), chain_head(campaign)
        Policy.objects.get_or_create(campaign=campaign, defaults={"rules": default_rules(campaign.definition)})
        patterns = flags.BallotPatterns(campaign)
        store_counts(campaign, observe=patterns.add)
        store_flags(campaign, patterns)
        return {"head": campaign.head_at_close, "ballots": campaign.ballots.count()}

    return advance_campaign(
        actor=actor, campaign=campaign, step="close", to=Campaign.Status.CLOSED, audit="campaign.close", prepare=prepare
    )


def store_counts(campaign: Campaign, observe=None) -> int:
    """Store the counts and the masked free text of a closing campaign, in the transaction that closes it; the
    number of count rows. Counts are written once, at close; the site's database role may not delete them (ops
    dbroles), so only counts left by an earlier roll-up (a recount by the owner) are removed."""
    rows, texts = tally.stored_rows(campaign, observe)
    with transaction.atomic():
        if Tally.objects.filter(campaign=campaign).exists():
            Tally.objects.filter(campaign=campaign).delete()
        if TextAnswer.objects.filter(campaign=campaign).exists():
            TextAnswer.objects.filter(campaign=campaign).delete()
        Tally.objects.bulk_create(rows, batch_size=5000)
        TextAnswer.objects.bulk_create(texts, batch_size=2000)
    return len(rows)


def store_flags(campaign: Campaign, patterns: flags.BallotPatterns) -> list[ReviewFlag]:
    """Store the campaign's review flags in place of any earlier ones."""
    ReviewFlag.objects.filter(campaign=campaign).delete()
    return ReviewFlag.objects.bulk_create(flags.found_flags(campaign, patterns))


def set_policy(*, actor, campaign: Campaign, denominator: str | None = None, rules=None, notice_days: int | None = None) -> Policy:
    """The denominator can be chosen while the campaign is a draft; rules and the notice period until it is
    published. Nobody can change how figures are computed after seeing them."""
    ensure_region_in_scope(actor, campaign.region)
    with transaction.atomic():
        policy, _ = Policy.objects.select_for_update().get_or_create(
            campaign=campaign, defaults={"rules": default_rules(campaign.definition)}
        )
        changed = {}
        if denominator is not None and denominator != policy.denominator:
            lifecycle.ensure(campaign, "choose_denominator")
            if denominator not in Policy.Denominator.values:
                raise ValidationError({"denominator": "未知的分母口径"})
            policy.denominator = changed["denominator"] = denominator
        if rules is not None:
            lifecycle.ensure(campaign, "set_rules")
            policy.rules = changed["rules"] = validate_rules(rules, campaign.definition)
        if notice_days is not None:
            if not 1 <= notice_days <= 60:
                raise ValidationError({"notice_days": "公示期应为 1 到 60 天"})
            policy.notice_days = changed["notice_days"] = notice_days
        policy.save()
        if changed:
            record_event(actor=actor, action="results.policy", obj=campaign, data=changed)
    return policy


def publish(*, actor, campaign: Campaign) -> Notice:
    """Publish a closed campaign's results to the public notice page, with an objection window."""

    def prepare(campaign: Campaign) -> dict:
        if not Tally.objects.filter(campaign=campaign, question="", option="valid").exists():
            raise ValidationError("本次测评没有任何有效票，不能发布结果")
        policy, _ = Policy.objects.get_or_create(campaign=campaign, defaults={"rules": default_rules(campaign.definition)})
        now = timezone.now()
        notice = Notice.objects.create(
            campaign=campaign, published_at=now, published_by=actor, objections_until=now + timedelta(days=policy.notice_days)
        )
        return {"objections_until": notice.objections_until.isoformat()}

    campaign = advance_campaign(
        actor=actor, campaign=campaign, step="publish", to=Campaign.Status.PUBLISHED, audit="results.publish", prepare=prepare
    )
    return campaign.notice


def archive(*, actor, campaign: Campaign) -> Campaign:
    def prepare(campaign: Campaign) -> dict:
        if campaign.notice.objections_until > timezone.now():
            raise ValidationError("公示期尚未结束，不能归档")
        if campaign.notice.objections.filter(answered_at__isnull=True).exists():
            raise ValidationError("还有未答复的申诉，不能归档")
        return {}

    return advance_campaign(
        actor=actor, campaign=campaign, step="archive", to=Campaign.Status.ARCHIVED, audit="campaign.archive", prepare=prepare
    )


def object_to(*, notice: Notice, text: str, contact: str = "", subject=None) -> Objection:
    """File an objection during the notice period. Anyone may; nothing about the sender is kept but the
    contact they choose to give."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "请填写申诉内容"})
    if len(text) > 2000:
        raise ValidationError({"text": "申诉内容不能超过 2000 字"})
    if len(contact or "") > 100:
        raise ValidationError({"contact": "联系方式不能超过 100 字"})
    if subject is not None and subject.campaign_id != notice.campaign_id:
        raise ValidationError({"subject": "该对象不属于本次测评"})
    with transaction.atomic():
        notice = Notice.objects.select_for_update().get(pk=notice.pk)
        if timezone.now() >= notice.objections_until:
            raise ValidationError("公示期已结束，不再受理申诉")
        objection = Objection.objects.create(notice=notice, text=text, contact=(contact or "").strip(), subject=subject)
        record_event(actor=None, action="results.objection", obj=notice.campaign, data={"objection": objection.pk})
    return objection


def answer_objection(*, actor, objection: Objection, answer: str) -> Objection:
    ensure_region_in_scope(actor, objection.notice.campaign.region)
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": "请填写答复内容"})
    with transaction.atomic():
        objection = Objection.objects.select_for_update().get(pk=objection.pk)
        objection.answer, objection.answered_at, objection.answered_by = answer, timezone.now(), actor
        objection.save(update_fields=["answer", "answered_at", "answered_by"])
        record_event(actor=actor, action="results.answer_objection", obj=objection.notice.campaign, data={"objection": objection.pk})
    return objection
