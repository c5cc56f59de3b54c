"""A closed campaign's figures, read from its counts (never from ballots).

What each figure means, the denominator policies, the combined figure and the ranking are written down in
SCORING.md beside this file; DEFINITIONS below is the short form shown on the pages and in the workbook.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Sum

from minping.evaluations.instruments import favourable_options
from minping.evaluations.models import Campaign, Subject
from minping.lib import stats
from minping.lib.suppression import MIN_CELL, hidden_cells
from minping.results.models import Policy, Tally

METRICS = {
    # metric: (label, question types, options counted)
    "satisfaction_rate": ("满意率", {"scale"}, None),
    "excellent_rate": ("优秀率", {"grade"}, {"excellent"}),
    "competent_rate": ("称职率", {"grade"}, {"excellent", "competent"}),
    "incompetent_rate": ("不称职率", {"grade"}, {"incompetent"}),
    "yes_rate": ("“是”的比例", {"yesno"}, {"yes"}),
}
SCORE_LABEL = "满意度"
DEFINITIONS = [
    ("收回票", "该评价群体投出的全部测评票（含废票）"),
    ("有效票", "对该对象作答的测评票；选“不认识”的和作废的部分（废票）另计"),
    ("无效票", "整张作废的测评票 + 对该对象作废的部分"),
    ("比率分母", "由测评活动设定：含“不了解”的有效票；不含“不了解”“不认识”的有效票；或含“不了解”“不认识”的有效票"),
    ("满意率", "（满意 + 基本满意）÷ 分母；其他量表为标为“肯定”的选项之和 ÷ 分母"),
    ("优秀率", "优秀 ÷ 分母"),
    ("称职率", "（优秀 + 称职）÷ 分母"),
    ("不称职率", "不称职 ÷ 分母"),
    (
        "满意度",
        "Σ 票数 × 选项分值 ÷ 分母（“不了解”计 0 分）。与满意率不同：满意率只数“满意”“基本满意”的票，满意度按每档的分值计，同样的选票两个数不同",
    ),
    ("95%区间", "比率为 Wilson 区间；满意度和平均分为不越出量表上下限的区间（按答案离散程度折算有效票数的 Wilson 区间）"),
    ("综合", "Σ 群体权重 × 群体指标 ÷ Σ 权重，只计显示出来（不少于5票且达到法定票数）的群体"),
    ("排名", "同类对象内按排名依据从高到低，并列同名次，下一名次顺延；未达法定票数的不排名"),
    (
        "小样本保护",
        "少于5票的单元格显示为“<5”，该对象的合计随之不公布（显示为“—”），使其不能由合计反推；综合指标只用显示出来的群体；意见建议不少于10票才显示",
    ),
]
SCORED_TYPES = {"scale", "grade", "yesno", "single", "score"}


def metric_options(metric: str, question: dict) -> set[str]:
    options = METRICS[metric][2]
    if options is not None:
        return options
    return favourable_options(question)


def metrics_for(question: dict) -> list[str]:
    return [m for m, (_, types, _) in METRICS.items() if question["type"] in types]


def policy_for(campaign: Campaign) -> Policy:
    policy = getattr(campaign, "_policy", None)
    if policy is None:
        policy = Policy.objects.filter(campaign=campaign).first() or Policy(campaign=campaign)
        campaign._policy = policy
    return policy


@dataclass
class QuestionFigures:
    question: dict
    n: int = 0
    distribution: list = field(default_factory=list)  # (option key, label, count)
    rates: dict = field(default_factory=dict)  # metric -> stats.Rate
    score: stats.Mean | None = None


@dataclass
class Cell:
    group: object
    returned: int = 0
    issued: int = 0
    valid: int = 0
    unknown: int = 0
    void: int = 0
    hidden: bool = False
    quorum: int = 0
    questions: dict = field(default_factory=dict)

    @property
    def quorum_met(self) -> bool:
        return self.valid >= self.quorum

    @property
    def reportable(self) -> bool:
        return not self.hidden and self.quorum_met and self.valid >= MIN_CELL


@dataclass
class SubjectFigures:
    subject: Subject
    cells: list[Cell]
    combined: dict  # question key -> {"score": float|None, metric: float|None}
    total_hidden: bool = False
    headline: float | None = None
    rank: int | None = None

    @property
    def valid(self) -> int:
        return sum(c.valid for c in self.cells)

    @property
    def quorum_met(self) -> bool:
        return all(c.quorum_met for c in self.cells if c.group.weight > 0)


def _question_figures(question: dict, counts: dict, totals: dict, valid: int, unknown: int, denominator: str):
    figures = QuestionFigures(question)
    kind = question["type"]
    if kind == "score":
        n, total, squares = counts.get("", 0), totals.get("", (0, 0))[0], totals.get("", (0, 0))[1]
        figures.n = n
        figures.score = stats.mean_of_scores(total, squares, n, question.get("min", 0), question.get("max", 100))
        return figures
    if kind == "text":
        figures.n = counts.get("", 0)
        return figures
    options = question["options"]
    answered = counts.get("", 0) if kind == "multi" else sum(counts.get(o["key"], 0) for o in options)
    unscored = sum(counts.get(o["key"], 0) for o in options if o.get("score") is None)
    n = {"answered": answered, "known": answered - unscored, "all": answered + unknown}[denominator]
    if kind == "multi":
        n = answered
    figures.n = n
    figures.distribution = [(o["key"], o["label"], counts.get(o["key"], 0)) for o in options]
    for metric in metrics_for(question):
        chosen = metric_options(metric, question)
        k = sum(counts.get(o["key"], 0) for o in options if o["key"] in chosen and (denominator != "known" or o.get("score") is not None))
        figures.rates[metric] = stats.rate(k, n)
    if kind in SCORED_TYPES:
        scores = {o["key"]: o.get("score") for o in options}
        figures.score = stats.weighted_score({o["key"]: counts.get(o["key"], 0) for o in options}, scores, n)
    return figures


def load_counts(campaign: Campaign, subject_ids=None, questions=None):
    """{(subject, group, question): {option: n}} and totals, summed over channels; group-level counts apart."""
    rows = Tally.objects.filter(campaign=campaign)
    if subject_ids is not None:
        rows = rows.filter(subject_id__in=list(subject_ids)) | Tally.objects.filter(campaign=campaign, subject__isnull=True, question="")
    if questions is not None:
        rows = rows.filter(question__in=["", *questions])
    rows = rows.values("subject_id", "group_id", "question", "option").annotate(n=Sum("n"), total=Sum("total"), squares=Sum("squares"))
    counts = defaultdict(dict)
    totals = defaultdict(dict)
    for row in rows:
        key = (row["subject_id"], row["group_id"], row["question"])
        counts[key][row["option"]] = row["n"]
        if row["total"] or row["squares"]:
            totals[key][row["option"]] = (row["total"], row["squares"])
    return counts, totals


def channel_counts(campaign: Campaign, subject_ids, question: str) -> dict:
    """{(subject id, channel): {option: n}} of one question, summed over groups: what a comparison of modes reads.
    Raw counts: the reader shows a channel's figure only where it has five answers or more."""
    rows = (
        Tally.objects.filter(campaign=campaign, subject_id__in=list(subject_ids), question=question)
        .values("subject_id", "channel", "option")
        .annotate(n=Sum("n"))
    )
    found = defaultdict(dict)
    for row in rows:
        found[(row["subject_id"], row["channel"])][row["option"]] = row["n"]
    return found


def subject_figures(campaign: Campaign, subjects: list[Subject], questions: list[str] | None = None) -> list[SubjectFigures]:
    """Figures for the given subjects (all of the campaign's questions, or only those keyed in `questions`)."""
    definition = campaign.definition
    policy = policy_for(campaign)
    groups = list(campaign.groups.all())
    asked = [q for q in definition["subject_questions"] if questions is None or q["key"] in questions]
    counts, totals = load_counts(campaign, [s.pk for s in subjects], None if questions is None else [q["key"] for q in asked])
    results = []
    for subject in subjects:
        cells = []
        for group in groups:
            group_counts = counts.get((None, group.pk, ""), {})
            sections = counts.get((subject.pk, group.pk, ""), {})
            cell = Cell(
                group=group,
                returned=group_counts.get("ballots", 0),
                issued=group_counts.get("codes", 0),
                valid=sections.get("valid", 0),
                unknown=sections.get("unknown", 0),
                void=sections.get("void", 0) + group_counts.get("void_ballots", 0),
                quorum=group.effective_quorum,
            )
            for question in asked:
                key = (subject.pk, group.pk, question["key"])
                cell.questions[question["key"]] = _question_figures(
                    question, counts.get(key, {}), totals.get(key, {}), cell.valid, cell.unknown, policy.denominator
                )
            cells.append(cell)
        hidden, total_hidden = hidden_cells({c.group.pk: c.valid for c in cells})
        for cell in cells:
            if cell.group.pk in hidden:
                # Suppressed here, before anything is derived: nothing of a hidden cell's answers goes further.
                cell.hidden = True
                cell.questions = {question["key"]: QuestionFigures(question) for question in asked}
        figures = SubjectFigures(subject=subject, cells=cells, combined={}, total_hidden=total_hidden)
        _combine(figures, asked)
        results.append(figures)
    return results


def _combine(figures: SubjectFigures, asked: list[dict]) -> None:
    shown = [c for c in figures.cells if c.reportable and c.group.weight > 0]
    for question in asked:
        key = question["key"]
        combined = {}
        parts = [
            (float(c.group.weight), c.questions[key].score.value)
            for c in shown
            if c.questions[key].score and c.questions[key].score.value is not None
        ]
        combined["score"] = stats.combine(parts) if figures.quorum_met else None
        for metric in metrics_for(question):
            parts = [
                (float(c.group.weight), c.questions[key].rates[metric].value)
                for c in shown
                if c.questions[key].rates[metric].value is not None
            ]
            combined[metric] = stats.combine(parts) if figures.quorum_met else None
        figures.combined[key] = combined
    keys = [q["key"] for q in asked if q["type"] in SCORED_TYPES]
    if "overall" in keys:
        figures.headline = figures.combined["overall"]["score"]
    else:
        scores = [figures.combined[k]["score"] for k in keys if figures.combined[k]["score"] is not None]
        figures.headline = sum(scores) / len(scores) if scores and len(scores) == len(keys) else None


def headline_questions(campaign: Campaign) -> list[str]:
    keys = [q["key"] for q in campaign.definition["subject_questions"] if q["type"] in SCORED_TYPES]
    return ["overall"] if "overall" in keys else keys


def assign_ranks(figures: list[SubjectFigures]) -> list[SubjectFigures]:
    """Rank each subject within its peer category by its headline (ties share a rank; no headline, no rank).
    Returns the figures in ranking order."""
    by_category = defaultdict(list)
    for item in figures:
        by_category[item.subject.category].append(item)
    for items in by_category.values():
        for item, rank in zip(items, stats.competition_ranks([i.headline for i in items]), strict=True):
            item.rank = rank
    return sorted(figures, key=lambda i: (i.subject.category, i.rank is None, i.rank or 0, i.subject.position))


def rank_in_category(campaign: Campaign, figures: SubjectFigures) -> None:
    """Set the rank of one subject among the subjects of its peer category (reading only their headlines)."""
    peers = campaign.subjects.filter(category=figures.subject.category).exclude(pk=figures.subject.pk)
    assign_ranks([figures, *subject_figures(campaign, list(peers), questions=headline_questions(campaign))])


def ranking(campaign: Campaign, also: tuple[str, ...] = ()) -> list[SubjectFigures]:
    """Every subject with its headline figure and its rank within its peer category; figures of the headline
    questions and of those named in `also`."""
    subjects = list(campaign.subjects.all())
    return assign_ranks(subject_figures(campaign, subjects, questions=[*headline_questions(campaign), *also]))
