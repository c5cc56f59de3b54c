"""The quarter's score of each owner, its rank within the sequence and the awards proposed (奖诺).

    score = (w_f × fulfilment + w_v × verification + w_r × rating) ÷ (the sum of the weights of the parts present)

- fulfilment: the mean over the quarter's published items of kept = 100, partly kept = 60, not kept = 0, and an
  item still open counts its last progress × 0.6 (at most what partly kept earns). An outcome counts only once it
  is verified (by the office, or by a sample audit on the ground): a claim of kept or partly kept that nobody has
  verified yet (自报) counts as an open item, progress × 0.6; one found partly true counts 60; a refuted claim
  counts 0 until its owner reports again. A declared 未践诺 needs no verification;
- verification: the mean over the items checked on the ground of confirmed = 100, partly = 60, not confirmed = 0;
  absent when none of the owner's items was drawn;
- rating: the mean over the owner's rated items of the residents' satisfaction rate (满意 + 基本满意 over the
  campaign's denominator) × 100, only where the campaign has closed and the item's figure is shown (its quorum
  met and no cell below five ballots); absent when no item has one.

Ranks are competition ranks within a sequence (ties share a rank). Awards are proposed down the ranking: the
sequence's 实干创新奖 quota, then its minimum of 优秀奖 (those tied at its last place up to its maximum), then its
良好奖 quota; a tie at the last place of an award is not broken by the system — those tied get the lower award,
the proposal says so in words, and the organiser decides. So does a sequence with fewer people than its quotas.
Awards are confirmed by the organiser once the quarter has ended (or was closed early with a reason); a confirmed
quarter reopened with a reason keeps its confirmed version. This module is the formula, pure but for reading the
quarter's records; the writes (assess_quarter, set_award, close_quarter_early, confirm_awards, reopen_quarter)
are actions in actions.py.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import timezone

from minping.commitments import periods
from minping.commitments.models import Assessment, Check, Item, Score, Sequence
from minping.evaluations import lifecycle
from minping.evaluations.models import Subject
from minping.results.figures import subject_figures

DEFAULT_WEIGHTS = {"fulfilment": 0.5, "verification": 0.2, "rating": 0.3}
WEIGHT_LABELS = {"fulfilment": "践诺完成", "verification": "实地核查", "rating": "群众评诺"}
OUTCOME_POINTS = {Item.Outcome.KEPT: 100.0, Item.Outcome.PARTLY: 60.0, Item.Outcome.NOT_KEPT: 0.0}
OPEN_FACTOR = 0.6
VERDICT_POINTS = {Check.Verdict.CONFIRMED: 100.0, Check.Verdict.PARTLY: 60.0, Check.Verdict.REFUTED: 0.0}
AWARD_ORDER = [Score.Award.INNOVATION, Score.Award.EXCELLENT, Score.Award.GOOD]


FULFILMENT_RULE = (
    "践诺完成：每项承诺经核实的已践诺计 100 分、部分践诺计 60 分、未践诺计 0 分；进行中的按进度 × 0.6 计；"
    "本人自报、尚未经街道（社区）或抽样督评核实的结果按进行中计（进度 × 0.6）；核实为部分属实的计 60 分，"
    "核实不属实的计 0 分，直至本人重新申报"
)


COLUMN_LABELS = {"fulfilment": "践诺完成（分）", "verification": "实地核查（分）", "rating": "群众评诺（满意率×100）"}
DEFINITIONS = [
    ("践诺完成", FULFILMENT_RULE + "；取本季度各项公开承诺的平均。"),
    ("实地核查", "抽样督评抽到的承诺，核查属实计 100 分、部分属实计 60 分、不属实计 0 分，取平均；没有被抽到的不计此项。"),
    (
        "群众评诺",
        "评诺测评中各项承诺的满意率（“满意”+“基本满意”的票数 ÷ 分母）× 100，取平均。这是满意率，不是测评结果页上的"
        "“满意度”（每张票按所选档次的分值计的平均分，如“基本满意”计 80 分）：同样的选票，两个数不同。",
    ),
    ("季度得分", "各部分得分按权重加权平均；某部分没有得分的（如没有被抽到核查），其权重不计入分母。"),
]


def formula_text(weights: dict) -> str:
    parts = " + ".join(f"{WEIGHT_LABELS[k]}×{weights[k]:g}" for k in DEFAULT_WEIGHTS)
    return f"季度得分 = ({parts}) ÷ 有得分部分的权重之和"


def fulfilment_points(outcome: str, verification: str, progress: int) -> float:
    """One item's fulfilment points under FULFILMENT_RULE."""
    V = Item.Verification
    if verification == V.REFUTED or outcome == Item.Outcome.NOT_KEPT:
        return 0.0
    if outcome in {Item.Outcome.KEPT, Item.Outcome.PARTLY}:
        if verification == V.CONFIRMED:
            return OUTCOME_POINTS[outcome]
        if verification == V.PARTLY:
            return OUTCOME_POINTS[Item.Outcome.PARTLY]
    return progress * OPEN_FACTOR


def clean_weights(data: dict) -> dict:
    weights = {}
    for key, label in WEIGHT_LABELS.items():
        try:
            value = float(str(data.get(key, DEFAULT_WEIGHTS[key])).strip())
        except ValueError:
            raise ValidationError({key: f"“{label}”的权重应为数字"}) from None
        if not 0 <= value <= 1:
            raise ValidationError({key: f"“{label}”的权重应在 0 到 1 之间"})
        weights[key] = round(value, 4)
    if abs(sum(weights.values()) - 1) > 0.0001:
        raise ValidationError({"weights": f"三项权重之和应为 1（现为 {sum(weights.values()):g}）"})
    return weights


@dataclass
class OwnerRecord:
    label: str
    sequence: Sequence | None
    cadre_id: int | None = None
    unit_id: int | None = None
    outcomes: list = field(default_factory=list)
    verdicts: list = field(default_factory=list)
    ratings: list = field(default_factory=list)


def item_ratings(items: list[Item]) -> dict[int, float]:
    """{item id: satisfaction rate × 100} for items rated in a closed campaign whose figure may be shown."""
    subjects = Subject.objects.filter(
        kind="commitment", ref__in=[i.pk for i in items], campaign__status__in=lifecycle.STEPS["read_results"].states
    ).select_related("campaign__instrument_version")
    by_campaign = defaultdict(list)
    for subject in subjects:
        by_campaign[subject.campaign].append(subject)
    rates = defaultdict(list)
    for campaign, rated in by_campaign.items():
        for figures in subject_figures(campaign, rated, questions=["kept"]):
            value = figures.combined.get("kept", {}).get("satisfaction_rate")
            if value is not None:
                rates[figures.subject.ref].append(value * 100)
    return {ref: sum(values) / len(values) for ref, values in rates.items()}


def tallies(region, year: int, quarter: int) -> list[OwnerRecord]:
    months = periods.quarter_months(year, quarter)
    items = list(
        Item.objects.published().within(region).filter(form__month__in=months).select_related("form__cadre", "form__unit", "form__sequence")
    )
    verdicts = defaultdict(list)
    for check in Check.objects.filter(item__in=items).exclude(verdict=""):
        verdicts[check.item_id].append(VERDICT_POINTS[check.verdict])
    ratings = item_ratings(items)
    owners: dict[tuple, OwnerRecord] = {}
    for item in sorted(items, key=lambda i: i.form.month):
        form = item.form
        if form.collective_id:
            continue  # a community's pledge is judged in 双评, not ranked with the staff
        key = form.owner_key
        tally = owners.get(key)
        if tally is None:
            tally = owners[key] = OwnerRecord(str(form.owner), form.sequence, form.cadre_id, form.unit_id)
        tally.sequence = form.sequence or tally.sequence  # the latest month's sequence
        tally.outcomes.append(fulfilment_points(item.outcome, item.verification, item.progress))
        tally.verdicts += verdicts.get(item.pk, [])
        if item.pk in ratings:
            tally.ratings.append(ratings[item.pk])
    return list(owners.values())


def mean(values: list) -> float | None:
    return sum(values) / len(values) if values else None


def score_of(parts: dict, weights: dict) -> float:
    present = [(weights[k], v) for k, v in parts.items() if v is not None and weights[k] > 0]
    total = sum(w for w, _ in present)
    return round(sum(w * v for w, v in present) / total, 2) if total else 0.0


def propose(scores: list[Score], sequence: Sequence | None) -> list[str]:
    """Set `proposed` (and `award`) down the ranking of one sequence within its quotas, and say in words where the
    quotas cannot be met: too few people, or a tie across an award's last place that the system does not break.
    优秀奖 may take those tied at its minimum's last place up to its maximum."""
    if sequence is None:
        return []
    quotas = [
        (Score.Award.INNOVATION, sequence.innovation_quota, sequence.innovation_quota),
        (Score.Award.EXCELLENT, sequence.excellent_min, sequence.excellent_max),
        (Score.Award.GOOD, sequence.good_quota, sequence.good_quota),
    ]
    ranked = sorted(scores, key=lambda s: s.rank)
    notes, start = [], 0
    for award, least, most in quotas:
        end = min(start + least, len(ranked))
        while end < min(start + most, len(ranked)) and end > start and ranked[end - 1].rank == ranked[end].rank:
            end += 1  # those tied at the minimum's last place fit within the maximum
        if end < len(ranked) and end > start and ranked[end - 1].rank == ranked[end].rank:
            tied = [s.label for s in ranked if s.rank == ranked[end - 1].rank]
            end = next(i for i, s in enumerate(ranked) if s.rank == ranked[end - 1].rank)
            notes.append(
                f"“{sequence.name}”序列第 {ranked[end].rank} 名并列（{'、'.join(tied)}），超出{award.label}的名额，"
                f"系统不作取舍，请组织部门决定"
            )
        if end - start < least and start + least > len(ranked) and least:
            notes.append(f"“{sequence.name}”序列只有 {len(ranked)} 人参评，{award.label}应评 {least} 个，只能评出 {max(0, end - start)} 个")
        for score in ranked[start:end]:
            score.proposed = score.award = award
        start = end
    return notes


def rounded(value):
    return None if value is None else round(value, 2)


def quarter_ended(assessment: Assessment) -> bool:
    return timezone.localdate() > periods.quarter_end(assessment.year, assessment.quarter)
