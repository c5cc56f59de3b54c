"""A cadre's record (实绩档案): every year's published assessment grades, mass-evaluation results, quarterly
commitment scores, field-work figures and follow-up actions, read from each module's public figures; and the
trend of the composite score across years."""

import datetime as dt
from collections import defaultdict

from minping.assessment.models import FollowUp, Result
from minping.commitments.models import Assessment, Score
from minping.evaluations import lifecycle
from minping.evaluations.models import Subject
from minping.fieldwork.figures import CADRE_FIGURES, cadre_figures, shown
from minping.lib import charts
from minping.results.figures import rank_in_category, subject_figures


def cadre_record(cadre) -> list[dict]:
    """One dict per year with anything on record, the latest first."""
    years = defaultdict(lambda: {"grades": [], "campaigns": [], "quarters": [], "follow_ups": [], "fieldwork": []})
    published = Result.objects.filter(cadre=cadre, run__scheme__published_run_id__isnull=False).select_related("run__scheme")
    for result in published:
        if result.run.scheme.published_run_id == result.run_id:
            years[result.run.scheme.year]["grades"].append(result)
    for item in FollowUp.objects.filter(result__cadre=cadre).select_related("result__run__scheme"):
        years[item.result.run.scheme.year]["follow_ups"].append(item)
    subjects = Subject.objects.filter(
        kind="cadre", ref=cadre.pk, campaign__status__in=lifecycle.STEPS["show_public"].states
    ).select_related("campaign__instrument_version")
    for subject in subjects:
        campaign = subject.campaign
        figures = subject_figures(campaign, [subject])[0]
        rank_in_category(campaign, figures)
        when = campaign.closed_at or campaign.opened_at
        years[when.year if when else dt.date.today().year]["campaigns"].append((campaign, figures))
    for score in (
        Score.objects.filter(cadre=cadre, assessment__status=Assessment.Status.CONFIRMED)
        .select_related("assessment")
        .order_by("assessment__year", "assessment__quarter")
    ):
        years[score.assessment.year]["quarters"].append(score)
    for year, found in years.items():
        values = cadre_figures([cadre.pk], dt.date(year, 1, 1), dt.date(year, 12, 31)).get(cadre.pk, {})
        found["fieldwork"] = [(label, shown(values.get(key))) for key, label, _d in CADRE_FIGURES if key in values]
    return [{"year": year, **years[year]} for year in sorted(years, reverse=True)]


def chart(cadre, years: list[dict]):
    """The composite score of each year's first published assessment, oldest first."""
    points = []
    for year in reversed(years):
        for result in year["grades"]:
            points.append((f"{year['year']} {result.run.scheme.name}", result.score))
    return charts.trend(points, f"{cadre.name} 综合考核得分") if points else ""
