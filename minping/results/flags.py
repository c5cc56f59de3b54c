"""Review flags: patterns in a closed campaign that an organiser should look at, each with its evidence.
They are listed as "needs review"; no ballot is ever dropped or changed because of one."""

import hashlib
from collections import Counter, defaultdict

from django.db.models import Sum

from minping.evaluations.ballots import canonical
from minping.evaluations.models import Ballot, Campaign
from minping.lib.stats import percent_text
from minping.lib.suppression import MIN_CELL
from minping.results.figures import METRICS, SCORED_TYPES, subject_figures
from minping.results.models import ReviewFlag, Tally

IDENTICAL_MIN = 10  # at least this many ballots with the very same answers…
IDENTICAL_SHARE = 0.2  # …making up at least this share of their group
STRAIGHT_MIN_SUBJECTS = 3
STRAIGHT_SHARE = 0.5
HIGH_RATE = 0.995
HIGH_RATE_MIN_N = 20
CHANNEL_GAP = 20.0  # points of 满意度 (the sentence below says so)
CHANNEL_MIN_N = 10


class BallotPatterns:
    """Identical ballots and straight-lining, gathered ballot by ballot while the counts are made (`add` is the
    observer of tally.count_ballots), so closing reads the ballots once."""

    def __init__(self, campaign: Campaign):
        self.campaign = campaign
        self.scored = [q["key"] for q in campaign.definition["subject_questions"] if q["type"] in SCORED_TYPES - {"score"}]
        self.identical, self.per_group, self.straight, self.matrix = Counter(), Counter(), Counter(), Counter()

    def add(self, group: int, answers: dict) -> None:
        self.per_group[group] += 1
        self.identical[(group, hashlib.sha256(canonical(answers["s"])).hexdigest())] += 1
        sections = [s for s in answers["s"].values() if "unknown" not in s and "void" not in s]
        if len(sections) >= STRAIGHT_MIN_SUBJECTS and self.scored:
            self.matrix[group] += 1
            if len({tuple(s.get(k) for k in self.scored) for s in sections}) == 1:
                self.straight[group] += 1

    def flags(self) -> list[dict]:
        found = []
        names = {g.pk: g.name for g in self.campaign.groups.all()}
        for (group, _digest), n in self.identical.items():
            of = self.per_group[group]
            if n >= IDENTICAL_MIN and n >= IDENTICAL_SHARE * of:
                found.append(
                    {
                        "kind": ReviewFlag.Kind.IDENTICAL,
                        "evidence": {"group": names[group], "ballots": n, "of": of, "share": round(n / of, 4)},
                    }
                )
        for group, n in self.straight.items():
            of = self.matrix[group]
            if n >= IDENTICAL_MIN and n >= STRAIGHT_SHARE * of:
                found.append(
                    {
                        "kind": ReviewFlag.Kind.STRAIGHT,
                        "evidence": {"group": names[group], "ballots": n, "of": of, "share": round(n / of, 4)},
                    }
                )
        return found


def _figure_patterns(campaign: Campaign) -> list[dict]:
    """Flags drawn from the figures, after small-group protection: only cells that are shown weigh in anywhere,
    and a channel's share of a shown cell weighs in only if it is no smaller than a shown cell may be."""
    flags = []
    subjects = list(campaign.subjects.all())
    shown = set()
    for item in subject_figures(campaign, subjects):
        shown |= {(item.subject.pk, cell.group.pk) for cell in item.cells if not cell.hidden}
        for cell in item.cells:
            if cell.hidden:
                continue
            for key, figures in cell.questions.items():
                for metric, rate in figures.rates.items():
                    if rate.n >= HIGH_RATE_MIN_N and rate.value is not None and rate.value >= HIGH_RATE and metric != "incompetent_rate":
                        flags.append(
                            {
                                "kind": ReviewFlag.Kind.HIGH_RATE,
                                "subject": item.subject,
                                "evidence": {"group": cell.group.name, "question": key, "metric": metric, "k": rate.k, "n": rate.n},
                            }
                        )
    # Channels: the share of favourable answers to the overall (or first scored) question, per channel.
    questions = [q for q in campaign.definition["subject_questions"] if q["type"] in SCORED_TYPES - {"score"}]
    if len(campaign.channels) > 1 and questions:
        question = next((q for q in questions if q["key"] == "overall"), questions[0])
        for subject, means in _channel_means(campaign, question, shown).items():
            if len(means) >= 2 and max(means.values()) - min(means.values()) >= CHANNEL_GAP:
                flags.append(
                    {
                        "kind": ReviewFlag.Kind.CHANNEL_GAP,
                        "subject": next(s for s in subjects if s.pk == subject),
                        "evidence": {"question": question["key"], "means": {k: round(v, 1) for k, v in sorted(means.items())}},
                    }
                )
    return flags


def _channel_means(campaign: Campaign, question: dict, shown: set) -> dict[int, dict[str, float]]:
    """{subject: {channel: mean score}} over the shown cells' answers, each cell's channel share counted only when
    it holds at least MIN_CELL answers (a smaller share is a small group of its own), and each channel's mean
    only over at least CHANNEL_MIN_N answers."""
    scores = {o["key"]: o.get("score") for o in question["options"]}
    parts = defaultdict(lambda: [0, 0])  # (subject, group, channel): [total score, answers]
    rows = (
        Tally.objects.filter(campaign=campaign, question=question["key"])
        .values("subject_id", "group_id", "channel", "option")
        .annotate(n=Sum("n"))
    )
    for row in rows:
        if scores.get(row["option"]) is not None and (row["subject_id"], row["group_id"]) in shown:
            part = parts[(row["subject_id"], row["group_id"], row["channel"])]
            part[0] += row["n"] * scores[row["option"]]
            part[1] += row["n"]
    sums = defaultdict(lambda: [0, 0])
    for (subject, _group, channel), (total, n) in parts.items():
        if n >= MIN_CELL:
            sums[(subject, channel)][0] += total
            sums[(subject, channel)][1] += n
    means = defaultdict(dict)
    for (subject, channel), (total, n) in sums.items():
        if n >= CHANNEL_MIN_N:
            means[subject][channel] = total / n
    return means


def found_flags(campaign: Campaign, patterns: BallotPatterns) -> list[ReviewFlag]:
    """The campaign's flags (unsaved), once its counts are rolled up with `patterns` observing the ballots."""
    found = patterns.flags() + _figure_patterns(campaign)
    ballots = Ballot.objects.filter(campaign=campaign).count()
    issued = campaign.codes.exclude(status="voided").count()
    if ballots > issued:
        found.append({"kind": ReviewFlag.Kind.OVER_ISSUED, "evidence": {"ballots": ballots, "issued": issued}})
    return [ReviewFlag(campaign=campaign, **flag) for flag in found]


def sentence(flag: ReviewFlag, definition: dict) -> str:
    """What a flag found, in a sentence an organiser reads (its evidence in words, not keys)."""
    evidence = flag.evidence
    questions = {q["key"]: q["label"] for q in definition.get("subject_questions", [])}
    question = questions.get(evidence.get("question"), evidence.get("question", ""))
    if flag.kind == ReviewFlag.Kind.IDENTICAL:
        return (
            f"{evidence['group']}交回的 {evidence['of']} 张测评票中，有 {evidence['ballots']} 张的答案完全相同"
            f"（占 {percent_text(evidence['share'])}），请核实是否有人代填或统一填写。"
        )
    if flag.kind == ReviewFlag.Kind.STRAIGHT:
        return (
            f"{evidence['group']}的 {evidence['of']} 张测评票中，有 {evidence['ballots']} 张对所有对象的所有问题选了同一档"
            f"（占 {percent_text(evidence['share'])}），请核实是否认真作答。"
        )
    if flag.kind == ReviewFlag.Kind.HIGH_RATE:
        metric = METRICS.get(evidence["metric"], (evidence["metric"],))[0]
        return (
            f"{evidence['group']}对“{question}”的{metric}为 {evidence['k']}/{evidence['n']}，不低于 99.5%，"
            "请结合其他群体和往年结果判断是否可信。"
        )
    if flag.kind == ReviewFlag.Kind.CHANNEL_GAP:
        channels = dict(Campaign.Channel.choices)
        means = "，".join(f"{channels.get(c, c)} {m}" for c, m in evidence["means"].items())
        return f"“{question}”的满意度（百分制平均分）在不同投票渠道间相差 20 分以上：{means}，请核实各渠道的组织方式。"
    if flag.kind == ReviewFlag.Kind.OVER_ISSUED:
        return f"收到的测评票（{evidence['ballots']} 张）多于发出且有效的测评码（{evidence['issued']} 个），请立即核查。"
    return str(flag.get_kind_display())
