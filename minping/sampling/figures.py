"""A survey's design, its outcome rates (AAPOR, lib/surveystats.py) per stratum and per interviewer, and its
results: each subject's figure unweighted and post-stratified to the frame (each stratum is an evaluator group of
the campaign, weighing its share), with Kish's design effect and the interval it widens, and the difference from
the same subject's figure in the campaign's other channels (on-site, online), flagged when chance does not
explain it.

A case still being called counts by its last outcome (a number never answered so far: unknown eligibility); a
released case not yet called counts as unknown too. An interviewer's rates count the cases whose final call they
made."""

import math
from collections import Counter, defaultdict

from minping.evaluations import lifecycle
from minping.lib import sampling, surveystats
from minping.lib.suppression import MIN_CELL
from minping.org.models import Region
from minping.results.figures import METRICS, channel_counts, metric_options, metrics_for, subject_figures
from minping.sampling.actions import cell_label
from minping.sampling.models import Attempt, Case, InterviewerStats, Survey


def cells(survey: Survey) -> dict[str, str]:
    """{cell: its label} of the survey's design."""
    strata = Region.objects.filter(pk__in={int(cell.split("-")[0]) for cell in survey.population}).select_related("parent").in_bulk()
    return {cell: cell_label(cell, strata) for cell in survey.population}


def design(survey: Survey) -> dict:
    population, quotas = survey.population, survey.quotas
    names = cells(survey)
    n, total = sum(quotas.values()), sum(population.values())
    return {
        "n": n,
        "frame": total,
        "margin": sampling.margin_of(n, survey.confidence, total),
        "strata": [(names[cell], population[cell], quotas.get(cell, 0)) for cell in sorted(population, key=lambda c: names[c])],
    }


def _disposition(case) -> str:
    return case["outcome"] or "no_answer"


def rates(survey: Survey) -> dict:
    cases = list(Case.objects.filter(survey=survey, released=True).values("pk", "stratum_id", "outcome", "final"))
    by_stratum = defaultdict(Counter)
    for case in cases:
        by_stratum[case["stratum_id"]][_disposition(case)] += 1
    last = {}
    for call in (
        Attempt.objects.filter(case__survey=survey, case__final=True)
        .values("case_id", "interviewer_id", "outcome")
        .order_by("case_id", "at", "pk")
    ):
        last[call["case_id"]] = call
    by_interviewer = defaultdict(Counter)
    for call in last.values():
        by_interviewer[call["interviewer_id"]][call["outcome"]] += 1
    names = dict(Region.objects.filter(pk__in=by_stratum).values_list("pk", "name"))
    people = {u.pk: u.person_name for u in survey.interviewers.select_related("cadre")}
    total = Counter()
    for counts in by_stratum.values():
        total.update(counts)
    return {
        "all": (surveystats.outcome_rates(total), total),
        "strata": [
            (names.get(h, h), surveystats.outcome_rates(c), c) for h, c in sorted(by_stratum.items(), key=lambda i: names.get(i[0], ""))
        ],
        "interviewers": [(people.get(i, i), surveystats.outcome_rates(c), c) for i, c in by_interviewer.items()],
    }


def headline_rate(campaign) -> tuple[dict, str] | None:
    """The question and rate a survey reports: 满意率 of 总体评价 if it has one, else of the first question that
    has a 满意率, else the first rate of 总体评价 (称职率 of a grade)."""
    questions = campaign.definition["subject_questions"]
    ordered = sorted(questions, key=lambda q: q["key"] != "overall")
    for question in ordered:
        if "satisfaction_rate" in metrics_for(question):
            return question, "satisfaction_rate"
    for question in ordered:
        rates = [m for m in metrics_for(question) if m != "incompetent_rate"]
        if rates:
            return question, "competent_rate" if "competent_rate" in rates else rates[0]
    return None


def _channel_estimate(question: dict, metric: str, counts: dict):
    chosen = metric_options(metric, question)
    answered = sum(counts.get(o["key"], 0) for o in question["options"])
    k = sum(counts.get(o["key"], 0) for o in question["options"] if o["key"] in chosen)
    return surveystats.from_counts(k, answered) if answered >= MIN_CELL else None


def estimates(survey: Survey) -> dict:
    """Per subject: the phone survey's post-stratified and unweighted figures (strata with fewer than five answers
    are not weighted and are named), and each other channel's figure with its difference from the phone's."""
    campaign = survey.campaign
    found = headline_rate(campaign)
    if found is None or not lifecycle.allows(campaign, "read_results"):
        return {"question": None, "rows": []}
    question, metric = found
    groups = {group: cell for cell, group in survey.groups.items()}
    population = survey.population
    total = sum(population[cell] for cell in survey.groups)
    names = cells(survey)
    subjects = list(campaign.subjects.all())
    channels = channel_counts(campaign, [s.pk for s in subjects], question["key"])
    rows = []
    for figures in subject_figures(campaign, subjects, questions=[question["key"]]):
        strata, unweighted, left_out = [], [0, 0], []
        for cell in figures.cells:
            key = groups.get(cell.group.pk)
            if key is None:
                continue
            rate = cell.questions[question["key"]].rates.get(metric)
            if not cell.reportable or rate is None or not rate.n:
                left_out.append(names.get(key, key))
                continue
            strata.append((population[key] / total, rate.k, rate.n))
            unweighted[0] += rate.k
            unweighted[1] += rate.n
        phone = surveystats.post_stratified(strata)
        modes = []
        for (subject_id, channel), counts in sorted(channels.items()):
            if subject_id != figures.subject.pk or channel == "phone":
                continue
            other = _channel_estimate(question, metric, counts)
            if other is not None:
                modes.append((channel, other, surveystats.mode_difference(phone, other)))
        rows.append(
            {
                "subject": figures.subject,
                "weighted": phone,
                "unweighted": surveystats.from_counts(*unweighted),
                "left_out": left_out,
                "modes": modes,
            }
        )
    return {"question": question, "metric": METRICS[metric][0], "rows": rows}


QUALITY_MIN = 5  # calls or ballots an interviewer needs before a share of theirs is flagged
SHORT_SHARE, ALIKE_SHARE = 0.3, 0.5


def quality(survey: Survey) -> list[dict]:
    """Per interviewer: completed calls and their mean length, the share too short, ballots keyed and the share
    answered all alike; flagged past SHORT_SHARE or ALIKE_SHARE once there are QUALITY_MIN of them."""
    rows = []
    for stats in InterviewerStats.objects.filter(survey=survey).select_related("interviewer__cadre"):
        short = stats.short / stats.completes if stats.completes else None
        alike = stats.straightlined / stats.entered if stats.entered else None
        flags = []
        if stats.completes >= QUALITY_MIN and short > SHORT_SHARE:
            flags.append(f"{short:.0%} 的访问过短")
        if stats.entered >= QUALITY_MIN and alike > ALIKE_SHARE:
            flags.append(f"{alike:.0%} 的选票各题答案相同")
        rows.append(
            {
                "interviewer": stats.interviewer.person_name,
                "completes": stats.completes,
                "mean_seconds": stats.seconds / stats.completes if stats.completes else None,
                "short": short,
                "entered": stats.entered,
                "alike": alike,
                "flags": flags,
            }
        )
    return rows


BACK_CHECK_SHARE = 0.1  # of completed calls, a supervisor calls back


def back_check_sample(survey: Survey) -> list[Case]:
    """A tenth (at least one) of the completed calls, drawn with the survey's seed: the same cases however often
    the page is opened, and more as more calls complete."""
    completed = list(Case.objects.filter(survey=survey, final=True, outcome=Case.Outcome.COMPLETE).values_list("pk", flat=True))
    if not completed:
        return []
    size = max(1, math.ceil(BACK_CHECK_SHARE * len(completed)))
    chosen = sampling.draw(((0, pk) for pk in completed), {0: size}, int(survey.seed), key=sampling.int_key)[0]
    found = Case.objects.filter(pk__in=chosen).select_related("resident").in_bulk()
    return [found[pk] for pk in chosen]
