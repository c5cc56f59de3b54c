"""Figures as plain data for pages, reports and the API. Small-group protection is applied here, once: a hidden
cell's counts become "<5" and its figures are left out, so no output path can show them."""

from minping.accounts.scoping import scope
from minping.evaluations import lifecycle
from minping.evaluations.models import Campaign
from minping.lib.suppression import HIDDEN, MIN_CELL, MIN_TEXT_CELL, WITHHELD, shown
from minping.results import figures as fig
from minping.results import rules as rule_rules
from minping.results.models import Policy, TextAnswer
from minping.results.suggestions import themes


def _rate(rate, label: str) -> dict:
    return {"label": label, "k": rate.k, "n": rate.n, "value": rate.value, "low": rate.low, "high": rate.high}


def _mean(mean) -> dict | None:
    if mean is None or mean.value is None:
        return None
    return {"label": fig.SCORE_LABEL, "value": mean.value, "n": mean.n, "low": mean.low, "high": mean.high}


def _cell(cell: fig.Cell, question: dict) -> dict:
    row = {"group": cell.group.name, "hidden": cell.hidden, "quorum_met": cell.quorum_met}
    if cell.hidden:
        return {**row, "n": HIDDEN, "distribution": [], "rates": [], "score": None}
    figures = cell.questions[question["key"]]
    total = figures.n or 0
    row.update(
        n=figures.n,
        distribution=[
            {"option": key, "label": label, "count": count, "share": count / total if total else None}
            for key, label, count in figures.distribution
        ],
        rates=[_rate(rate, fig.METRICS[metric][0]) | {"metric": metric} for metric, rate in figures.rates.items()]
        if cell.quorum_met
        else [],
        score=_mean(figures.score) if cell.quorum_met else None,
    )
    return row


def subject_view(campaign: Campaign, figures: fig.SubjectFigures) -> dict:
    """Everything shown about one subject."""
    cells = []
    for cell in figures.cells:
        hidden = cell.hidden
        cells.append(
            {
                "group": cell.group.name,
                "weight": float(cell.group.weight),
                "returned": shown(cell.returned),
                "issued": cell.issued,
                "turnout": cell.returned / cell.issued if cell.issued and cell.returned >= MIN_CELL else None,
                "valid": HIDDEN if hidden else cell.valid,
                "unknown": HIDDEN if hidden else cell.unknown,
                "void": HIDDEN if hidden else cell.void,
                "hidden": hidden,
                "quorum": cell.quorum,
                "quorum_met": None if hidden else cell.quorum_met,
            }
        )
    questions = []
    for question in campaign.definition["subject_questions"]:
        if question["key"] not in figures.combined:
            continue
        combined = figures.combined[question["key"]]
        questions.append(
            {
                "key": question["key"],
                "label": question["label"],
                "type": question["type"],
                "cells": [_cell(c, question) for c in figures.cells] if question["type"] != "text" else [],
                "combined": [
                    {"metric": m, "label": fig.METRICS[m][0], "value": v} for m, v in combined.items() if m != "score" and v is not None
                ],
                "combined_score": combined.get("score"),
            }
        )
    return {
        "id": figures.subject.pk,
        "label": figures.subject.label,
        "detail": figures.subject.detail,
        "category": figures.subject.category,
        "quorum_met": figures.quorum_met,
        "valid": WITHHELD if figures.total_hidden else figures.valid,
        "headline": figures.headline if figures.quorum_met else None,
        "rank": figures.rank,
        "cells": cells,
        "questions": questions,
    }


def ranking_view(campaign: Campaign, ranked: list[fig.SubjectFigures]) -> list[dict]:
    rows = []
    for item in ranked:
        rows.append(
            {
                "id": item.subject.pk,
                "label": item.subject.label,
                "detail": item.subject.detail,
                "category": item.subject.category,
                "valid": WITHHELD if item.total_hidden else item.valid,
                "quorum_met": item.quorum_met,
                "headline": item.headline if item.quorum_met else None,
                "rank": item.rank,
                "figures": {key: {m: v for m, v in values.items() if v is not None} for key, values in item.combined.items()},
            }
        )
    return rows


def follow_up_view(campaign: Campaign, ranked: list[fig.SubjectFigures], policy: Policy) -> list[dict]:
    return [
        {
            "id": f["figures"].subject.pk,
            "label": f["figures"].subject.label,
            "category": f["figures"].subject.category,
            "headline": f["figures"].headline,
            "rules": f["rules"],
        }
        for f in rule_rules.follow_up(ranked, policy.rules, campaign.definition)
    ]


def rule_questions(policy: Policy) -> tuple[str, ...]:
    return tuple(sorted({r["question"] for r in policy.rules if "question" in r}))


def campaign_view(campaign: Campaign, figures: list | None = None) -> dict:
    """The ranking, follow-up list and policy of a closed campaign. Pass the figures of all its subjects when
    they are loaded already (with every question); they are ranked in place."""
    policy = fig.policy_for(campaign)
    ranked = fig.assign_ranks(figures) if figures is not None else fig.ranking(campaign, also=rule_questions(policy))
    return {
        "ranking": ranking_view(campaign, ranked),
        "follow_up": follow_up_view(campaign, ranked, policy),
        "denominator": policy.get_denominator_display(),
        "rules": [rule_rules.describe(r, campaign.definition) for r in policy.rules],
        "numbered_rules": list(enumerate(rule_rules.describe(r, campaign.definition) for r in policy.rules)),
        "headline": headline_label(campaign),
    }


def headline_label(campaign: Campaign) -> str:
    keys = fig.headline_questions(campaign)
    if keys == ["overall"]:
        label = next(q["label"] for q in campaign.definition["subject_questions"] if q["key"] == "overall")
        return label if label.endswith(fig.SCORE_LABEL) else f"{label}{fig.SCORE_LABEL}"
    return f"各题{fig.SCORE_LABEL}的平均"


def texts_view(campaign: Campaign, subject=None) -> list[dict]:
    """Free-text answers per question and group, only where the cell holds at least MIN_TEXT_CELL ballots:
    for a subject, its valid sections; for general questions, the group's ballots."""
    counts, _totals = fig.load_counts(campaign, [subject.pk] if subject else [], questions=[])
    questions = campaign.definition["subject_questions" if subject else "general_questions"]
    out = []
    for question in (q for q in questions if q["type"] == "text"):
        for group in campaign.groups.all():
            if subject:
                base = counts.get((subject.pk, group.pk, ""), {}).get("valid", 0)
            else:
                base = counts.get((None, group.pk, ""), {}).get("ballots", 0)
            texts = TextAnswer.objects.filter(campaign=campaign, subject=subject, group=group, question=question["key"])
            entry = {"question": question["label"], "group": group.name, "shown": base >= MIN_TEXT_CELL}
            entry["texts"] = sorted(texts.values_list("text", flat=True)) if entry["shown"] else []
            entry["themes"] = themes(entry["texts"])
            out.append(entry)
    return out


def trend_points(user, subject, limit: int = 8) -> list[tuple[str, float | None]]:
    """The subject's headline in each closed campaign of the user's scope that evaluated the same record, oldest
    first."""
    campaigns = (
        scope(lifecycle.allowing("read_results").filter(closed_at__isnull=False), user)
        .filter(subjects__kind=subject.kind, subjects__ref=subject.ref)
        .select_related("instrument_version")
        .order_by("-closed_at")
        .distinct()[:limit]
    )
    points = []
    for campaign in reversed(list(campaigns)):
        twin = campaign.subjects.get(kind=subject.kind, ref=subject.ref)
        item = fig.subject_figures(campaign, [twin], questions=fig.headline_questions(campaign))[0]
        points.append((campaign.name, item.headline if item.quorum_met else None))
    return points
