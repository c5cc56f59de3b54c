"""What a run reads: the cohort's members and, per member and component, the value the other modules' public
figures give, with where it came from (a link) and in words. Nothing here reads a ballot: mass evaluation comes
from results' figures (counts, small cells suppressed); nothing is copied into tables of this app but the run's
snapshot.
"""

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation

from minping.assessment.engine import NO_DATA
from minping.assessment.models import Adjustment, Measure, Rating, Scheme
from minping.assessment.schemes import FIGURES
from minping.commitments.models import Assessment, Score
from minping.evaluations import lifecycle
from minping.evaluations.models import Campaign, Subject
from minping.fieldwork.figures import cadre_figures
from minping.grid.models import Assignment
from minping.grid.scorecards import scorecard
from minping.grid.work import assignment_work
from minping.lib.dates import day_bounds
from minping.org.models import Post, Region, Unit
from minping.results.figures import metrics_for, subject_figures

AWARD_LABELS = dict(Score.Award.choices)
MASS_KIND = {"cadre": "cadre", "unit": "unit", "community": "region"}


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _overlap(post, start: dt.date, end: dt.date) -> int:
    return ((min(post.ended_on or end, end) - max(post.started_on, start)).days + 1) if post.started_on <= end else 0


def members(scheme: Scheme) -> list[dict]:
    """The cohort: [{ref, label, detail, category, cadre, unit}] in a stable order."""
    region, categories = scheme.region, scheme.definition.get("categories") or []
    if scheme.cohort == Scheme.Cohort.UNIT:
        with translation.override(settings.LANGUAGE_CODE):
            kinds = {key: str(label) for key, label in Unit.Kind.choices}
        units = Unit.objects.within(region).select_related("region").order_by("kind", "name", "pk")
        if categories:
            units = units.filter(kind__in=categories)
        return [
            {"ref": u.pk, "label": u.name, "detail": u.region.name, "category": kinds.get(u.kind, u.kind), "cadre": None, "unit": u.pk}
            for u in units
        ]
    if scheme.cohort == Scheme.Cohort.COMMUNITY:
        places = Region.objects.within(region).filter(level=Region.Level.COMMUNITY).select_related("parent").order_by("path")
        return [
            {"ref": r.pk, "label": r.name, "detail": r.parent.name if r.parent else "", "category": "社区", "cadre": None, "unit": None}
            for r in places
        ]
    start, end = year_bounds(scheme.year)
    posts = (
        Post.objects.filter(Q(unit__region__path__startswith=region.path) | Q(region__path__startswith=region.path))
        .filter(started_on__lte=end)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=start))
        .select_related("cadre", "unit", "region")
        .order_by("cadre_id", "started_on", "pk")
    )
    chosen = {}
    for post in posts:
        if scheme.definition["post_rule"] == "year_end":
            if post.ended_on is None or post.ended_on >= end:
                chosen[post.cadre_id] = post  # the latest post still held at the year's end
        else:
            held = chosen.get(post.cadre_id)
            if held is None or _overlap(post, start, end) >= _overlap(held, start, end):
                chosen[post.cadre_id] = post
    found = []
    with translation.override(settings.LANGUAGE_CODE):  # stored in the run: the site's language, not the reader's
        labels = {key: str(label) for key, label in Post.Category.choices}
    for post in sorted(chosen.values(), key=lambda p: (p.category, p.cadre.name, p.cadre_id)):
        if categories and post.category not in categories:
            continue
        found.append(
            {
                "ref": post.cadre_id,
                "label": post.cadre.name,
                "detail": f"{post.place} {post.title}",
                "category": labels.get(post.category, post.category),
                "cadre": post.cadre_id,
                "unit": post.unit_id,
            }
        )
    return found


def _missing(why: str = NO_DATA) -> dict:
    return {"value": None, "why": why, "text": "", "source": ""}


def _mass(component: dict, scheme: Scheme, refs: list[int]) -> dict:
    kind, figure = MASS_KIND[scheme.cohort], component["figure"]
    found = defaultdict(list)
    for campaign in Campaign.objects.filter(pk__in=component["campaigns"]).select_related("instrument_version").order_by("pk"):
        subjects = list(Subject.objects.filter(campaign=campaign, kind=kind, ref__in=refs))
        if not subjects:
            continue
        url = reverse("results:overview", args=[campaign.pk])
        for figures in subject_figures(campaign, subjects):
            incompetent = next((c["incompetent_rate"] for c in figures.combined.values() if c.get("incompetent_rate") is not None), None)
            if figure == "score":
                value = figures.headline
            else:
                question = next(
                    (q for q in campaign.definition["subject_questions"] if figure in metrics_for(q) and q["key"] == "overall"),
                    next((q for q in campaign.definition["subject_questions"] if figure in metrics_for(q)), None),
                )
                rate = figures.combined.get(question["key"], {}).get(figure) if question else None
                value = None if rate is None else rate * 100
            if value is None:
                why = "有少于5票的单元格，不公布" if figures.total_hidden else "未达法定票数" if not figures.quorum_met else NO_DATA
                found[figures.subject.ref].append((campaign, None, why, url, incompetent))
            else:
                found[figures.subject.ref].append((campaign, value, "", url, incompetent))
    out = {}
    for ref in refs:
        rows = found.get(ref)
        if not rows:
            out[ref] = _missing("未参加所选测评")
            continue
        values = [v for _c, v, _w, _u, _i in rows if v is not None]
        shares = [i for *_rest, i in rows if i is not None]
        text = "；".join(f"{c.name}：{FIGURES[figure]} {'—（' + w + '）' if v is None else f'{v:.2f}'}" for c, v, w, _u, _i in rows)
        out[ref] = {
            "value": round(sum(values) / len(values), 4) if values else None,
            "why": "" if values else rows[0][2],
            "text": text,
            "source": rows[0][3],
            "incompetent": max(shares) if shares else None,
        }
    return out


def _superior(component: dict, scheme: Scheme, refs: list[int]) -> dict:
    sheets = defaultdict(list)
    for rating in Rating.objects.filter(scheme=scheme, ref__in=refs).select_related("rater__cadre"):
        total = sum(c["weight"] * float(rating.scores.get(c["key"], 0)) for c in component["criteria"])
        sheets[rating.ref].append((rating.rater.person_name, total))
    url = reverse("assessment:ratings", args=[scheme.pk])
    out = {}
    for ref in refs:
        rows = sheets.get(ref)
        if not rows:
            out[ref] = _missing("没有上级评分")
            continue
        value = sum(v for _n, v in rows) / len(rows)
        out[ref] = {
            "value": round(value, 4),
            "why": "",
            "text": f"{len(rows)} 位评分人的平均（{'、'.join(f'{v:.1f}' for _n, v in rows)}）",
            "source": url,
        }
    return out


def _commitments(component: dict, scheme: Scheme, refs: list[int], awards: dict) -> dict:
    owner = "cadre_id" if scheme.cohort == Scheme.Cohort.CADRE else "unit_id"
    scores = defaultdict(list)
    rows = Score.objects.filter(
        **{f"{owner}__in": refs}, assessment__year=scheme.year, assessment__status=Assessment.Status.CONFIRMED
    ).select_related("assessment")
    for score in rows.order_by("assessment__quarter"):
        scores[getattr(score, owner)].append(score)
    points = component.get("award_points") or {}
    out = {}
    for ref in refs:
        found = scores.get(ref)
        if not found:
            out[ref] = _missing("年内没有确认的季度得分")
            continue
        for score in found:
            if score.award and points.get(score.award):
                awards[ref].append(
                    {
                        "points": float(points[score.award]),
                        "reason": f"第{score.assessment.quarter}季度{AWARD_LABELS[score.award]}",
                        "evidence": "季度奖诺确认",
                        "veto": False,
                    }
                )
        value = sum(s.score for s in found) / len(found)
        out[ref] = {
            "value": round(value, 4),
            "why": "",
            "text": "；".join(f"第{s.assessment.quarter}季度 {s.score:g} 分" for s in found),
            "source": reverse("commitments:quarter", args=[found[-1].assessment_id]),
        }
    return out


def _dispatch(component: dict, scheme: Scheme, members_by_ref: dict) -> dict:
    start, end = year_bounds(scheme.year)
    units = {m["unit"] for m in members_by_ref.values() if m["unit"]}
    cards = scorecard(Unit.objects.filter(pk__in=units), *day_bounds(start, end)) if units else {}
    out = {}
    for ref, member in members_by_ref.items():
        card = cards.get(member["unit"])
        if member["unit"] is None:
            out[ref] = _missing("不在部门任职")
        elif card is None or card[component["rate"]].value is None:
            out[ref] = _missing("年内没有派给该部门的事件")
        else:
            rate = card[component["rate"]]
            out[ref] = {
                "value": round(rate.value * 100, 4),
                "why": "",
                "text": f"{component['rate']} {rate.k}/{rate.n}",
                "source": reverse("grid:scorecards"),
            }
    return out


def _fieldwork(component: dict, scheme: Scheme, refs: list[int]) -> dict:
    start, end = year_bounds(scheme.year)
    values = cadre_figures(refs, start, end)
    figure = component["figure"]
    out = {}
    for ref in refs:
        value = values.get(ref, {}).get(figure)
        if value is None:
            out[ref] = _missing("没有蹲点安排" if figure == "cadence" else NO_DATA)
        elif figure == "cadence":
            out[ref] = {
                "value": round(value * 100, 4),
                "why": "",
                "text": f"蹲点达标率 {value:.1%}",
                "source": reverse("fieldwork:figures"),
            }
        else:
            share = min(1.0, value / component["target"])
            out[ref] = {
                "value": round(share * 100, 4),
                "why": "",
                "text": f"{value} ÷ 目标 {component['target']:g}",
                "source": reverse("fieldwork:figures"),
            }
    return out


def _secondment(component: dict, scheme: Scheme, refs: list[int]) -> dict:
    start, end = year_bounds(scheme.year)
    assignments = list(
        Assignment.objects.filter(is_secondment=True, worker__cadre_id__in=refs, starts_on__lte=end)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=start))
        .select_related("worker", "grid")
    )
    work = assignment_work(assignments, today=min(end, timezone.localdate()))
    by_cadre = defaultdict(list)
    for a in assignments:
        by_cadre[a.worker.cadre_id].append(a)
    out = {}
    for ref in refs:
        found = [a for a in by_cadre.get(ref, []) if a.target_visits]
        if not by_cadre.get(ref):
            out[ref] = _missing("年内没有下沉任务")
        elif not found:
            out[ref] = _missing("下沉任务没有定目标")
        else:
            visits = sum(work[a.pk]["visits"] for a in found)
            target = sum(a.target_visits for a in found)
            today = min(end, timezone.localdate())
            days = sum(max(0, (min(a.ends_on or today, today) - max(a.starts_on, start)).days + 1) for a in found)  # served so far
            out[ref] = {
                "value": round(min(1.0, visits / target) * 100, 4),
                "why": "",
                "text": f"{'、'.join(a.grid.name for a in found)}：走访 {visits} 户次 ÷ 目标 {target}，下沉 {days} 天，上报问题 {sum(work[a.pk]['problems'] for a in found)} 件",
                "source": reverse("grid:assignments"),
            }
    return out


def _kpi(component: dict, scheme: Scheme, refs: list[int]) -> dict:
    actuals = {m.ref: m for m in Measure.objects.filter(scheme=scheme, component=component["key"], ref__in=refs)}
    target, url = component["target"], reverse("assessment:inputs", args=[scheme.pk])
    out = {}
    for ref in refs:
        measure = actuals.get(ref)
        if measure is None:
            out[ref] = _missing("没有填报实际值")
            continue
        actual = measure.actual
        if component.get("direction", "higher") == "higher":
            share = min(1.0, actual / target)
        else:
            share = 1.0 if actual <= target else target / actual
        out[ref] = {"value": round(share * 100, 4), "why": "", "text": f"实际 {actual:g} ÷ 目标 {target:g}", "source": url}
    return out


def snapshot(scheme: Scheme) -> dict:
    """The inputs of a run: every member with each component's value and the bonus and penalty items."""
    cohort = members(scheme)
    refs = [m["ref"] for m in cohort]
    by_ref = {m["ref"]: m for m in cohort}
    awards = defaultdict(list)
    values = {}
    for component in scheme.definition["components"]:
        kind = component["kind"]
        if kind == "mass":
            values[component["key"]] = _mass(component, scheme, refs)
        elif kind == "superior":
            values[component["key"]] = _superior(component, scheme, refs)
        elif kind == "commitments":
            values[component["key"]] = _commitments(component, scheme, refs, awards)
        elif kind == "dispatch":
            values[component["key"]] = _dispatch(component, scheme, by_ref)
        elif kind == "fieldwork":
            values[component["key"]] = _fieldwork(component, scheme, refs)
        elif kind == "secondment":
            values[component["key"]] = _secondment(component, scheme, refs)
        else:
            values[component["key"]] = _kpi(component, scheme, refs)
    adjustments = defaultdict(list)
    for item in Adjustment.objects.filter(scheme=scheme, ref__in=refs).order_by("pk"):
        adjustments[item.ref].append({"points": float(item.points), "reason": item.reason, "evidence": item.evidence, "veto": item.veto})
    for member in cohort:
        ref = member["ref"]
        member["values"] = {key: found[ref] for key, found in values.items()}
        member["adjustments"] = awards[ref] + adjustments[ref]
    return {"members": cohort}


def check_campaigns(scheme_region: Region):
    """The check a mass component's campaigns must pass: of the scheme's region, results published."""

    def check(ids: list[int], label: str, figure: str) -> None:
        found = {c.pk: c for c in Campaign.objects.filter(pk__in=ids).select_related("region", "instrument_version")}
        for pk in ids:
            campaign = found.get(pk)
            if campaign is None or not (campaign.region.is_within(scheme_region) or scheme_region.is_within(campaign.region)):
                raise ValidationError({"campaigns": f"“{label}”选的测评活动不在本区域"})
            if campaign.status not in lifecycle.STEPS["show_public"].states:
                raise ValidationError({"campaigns": f"“{label}”选的测评活动“{campaign.name}”结果尚未发布"})
            if figure != "score" and not any(figure in metrics_for(q) for q in campaign.definition["subject_questions"]):
                raise ValidationError(
                    {
                        "campaigns": f"测评活动“{campaign.name}”的测评表没有{FIGURES[figure]}（{FIGURES[figure]}要有相应的题目，如总体等次题）"
                    }
                )

    return check
