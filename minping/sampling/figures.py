"""A survey's design and its outcome rates (AAPOR, lib/surveystats.py) per stratum and per interviewer.

A case still being called counts by its last outcome (a number never answered so far: unknown eligibility); a
released case not yet called counts as unknown too. An interviewer's rates count the cases whose final call they
made."""

from collections import Counter, defaultdict

from minping.lib import sampling, surveystats
from minping.org.models import Region
from minping.sampling.models import Attempt, Case, Survey


def design(survey: Survey) -> dict:
    population = {int(k): v for k, v in survey.population.items()}
    quotas = {int(k): v for k, v in survey.quotas.items()}
    names = dict(Region.objects.filter(pk__in=population).values_list("pk", "name"))
    n, total = sum(quotas.values()), sum(population.values())
    return {
        "n": n,
        "frame": total,
        "margin": sampling.margin_of(n, survey.confidence, total),
        "strata": [(names.get(h, h), population[h], quotas[h]) for h in sorted(population, key=lambda h: names.get(h, ""))],
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
