"""The composite assessment at the size of a city: every scheme run, and a cohort's page as the organiser opens it.

    DATABASE_URL=postgres://... python bench/assessment.py [--cadres 50000] [--cohorts 200] [--pages 60]

Builds a city of `--cohorts` streets with `--cadres` party secretaries and section chiefs among them, and a year of
inputs for each: a published mass evaluation per street (its counts as closing stores them: 60 ballots a cadre
on the 总体评价 question), four confirmed quarters of commitment scores, a superior's rating sheet and a custom
indicator's actual per cadre, and bonus items for one in fifty. Each street has the 德能勤绩廉 scheme with these
components (superiors 0.3, mass 0.3, commitments 0.2, indicator 0.1, work logs 0.1). Then measures:

- run_s: running every scheme (snapshot of the inputs through the other modules' figures, the computation, the
  results stored), one after another in one process;
- the cohort page (a run's results: every member's contributions, grade and follow-ups) through the full Django
  stack as its organiser sees it, for random cohorts: p50 and p99 over `--pages` requests.

The last line is JSON with run_s, runs_per_s, cohort_page_p50_ms and cohort_page_p99_ms.
"""

import argparse
import datetime as dt
import json
import random
import resource
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
from _setup import parse_args, percentile, throwaway_database  # noqa: E402

YEAR = 2026


def build(args, rng: random.Random):
    from django.db import transaction

    from minping.accounts.models import User
    from minping.assessment import actions as assessment
    from minping.assessment.models import Adjustment, Measure, Rating
    from minping.commitments.models import Assessment, Score
    from minping.evaluations import actions as evaluations
    from minping.evaluations.models import Campaign, Instrument
    from minping.lib.identity import id_check_char, id_digest, mask_id
    from minping.org.models import Cadre, Post, Region
    from minping.results.models import Tally

    city = Region.objects.create(name="基准市", level="city", path="bnch00/", code="339900")
    streets = Region.objects.bulk_create(
        Region(name=f"街道{s:03d}", level="street", parent=city, depth=1, path=f"bnch00/st{s:04d}/") for s in range(args.cohorts)
    )
    organiser = User.objects.create_user("bench-org", role="organiser", region=city)
    per_street = args.cadres // args.cohorts
    cadres = []
    for street in streets:
        for _n in range(per_street):
            first17 = f"33{len(cadres):09d}198001"[:17]
            number = first17 + id_check_char(first17)
            cadres.append(
                Cadre(
                    name=f"干部{len(cadres)}",
                    id_digest=id_digest(number),
                    id_masked=mask_id(number),
                    gender="M",
                    birth_year=1980,
                    region=street,
                )
            )
    cadres = Cadre.objects.bulk_create(cadres, batch_size=5000)
    Post.objects.bulk_create(
        (
            Post(
                cadre=c,
                region=c.region,
                title="党组织书记" if i % 2 else "科长",
                category="secretary" if i % 2 else "section_chief",
                started_on=dt.date(2020, 1, 1),
            )
            for i, c in enumerate(cadres)
        ),
        batch_size=5000,
    )
    evaluations.install_builtin_instruments()
    instrument = Instrument.objects.get(builtin_key="party_secretary", region__isnull=True)
    by_street = {}
    for c in cadres:
        by_street.setdefault(c.region_id, []).append(c)
    schemes = []
    for street in streets:
        members = by_street[street.pk]
        campaign = evaluations.create_campaign(
            actor=organiser, name=f"{street.name}{YEAR}年度干部群众测评", region=street, instrument=instrument, channels=["qr"], quorum=50
        )
        evaluations.add_subjects(actor=organiser, campaign=campaign, subjects=members)
        group = campaign.groups.get()
        rows = [Tally(campaign=campaign, group=group, channel="qr", question="", option="ballots", n=60)]
        for subject in campaign.subjects.all():
            counts = {"excellent": rng.randint(20, 50)}
            counts["competent"] = rng.randint(0, 60 - counts["excellent"])
            counts["incompetent"] = rng.choice([0, 0, 0, 1, 25])
            counts["basic"] = max(0, 60 - sum(counts.values()))
            counts["incompetent"] = 60 - counts["excellent"] - counts["competent"] - counts["basic"]
            rows.append(Tally(campaign=campaign, subject=subject, group=group, channel="qr", question="", option="valid", n=60))
            rows += [
                Tally(campaign=campaign, subject=subject, group=group, channel="qr", question="overall", option=k, n=v)
                for k, v in counts.items()
            ]
        Tally.objects.bulk_create(rows, batch_size=5000)
        Campaign.objects.filter(pk=campaign.pk).update(status="published")
        with transaction.atomic():
            quarters = [
                Assessment.objects.create(region=street, year=YEAR, quarter=q, weights={}, status="confirmed", computed_by=organiser)
                for q in (1, 2, 3, 4)
            ]
            Score.objects.bulk_create(
                Score(assessment=a, cadre=c, label=c.name, items=3, fulfilment=80, score=rng.uniform(60, 100), rank=1)
                for a in quarters
                for c in members
            )
        scheme = assessment.create_scheme(actor=organiser, region=street, template="secretary_year", year=YEAR, name="干部年度考核")
        definition = scheme.definition
        definition["categories"] = []
        definition["components"] = [
            definition["components"][0] | {"weight": 0.3},
            definition["components"][1] | {"weight": 0.3, "campaigns": [campaign.pk]},
            {
                "key": "commitments",
                "label": "公开承诺践诺",
                "kind": "commitments",
                "weight": 0.2,
                "conversion": "direct",
                "award_points": {},
            },
            {"key": "kpi", "label": "为民办实事", "kind": "kpi", "weight": 0.1, "conversion": "best", "target": 12, "direction": "higher"},
            {
                "key": "logs",
                "label": "工作日志",
                "kind": "fieldwork",
                "weight": 0.1,
                "conversion": "direct",
                "figure": "entries",
                "target": 48,
            },
        ]
        scheme = assessment.save_definition(actor=organiser, scheme=scheme, definition=definition)
        scheme.raters.add(organiser)
        criteria = definition["components"][0]["criteria"]
        Rating.objects.bulk_create(
            Rating(scheme=scheme, rater=organiser, ref=c.pk, scores={k["key"]: rng.randint(70, 100) for k in criteria}) for c in members
        )
        Measure.objects.bulk_create(
            Measure(scheme=scheme, component="kpi", ref=c.pk, actual=rng.randint(4, 15), entered_by=organiser) for c in members
        )
        Adjustment.objects.bulk_create(
            Adjustment(scheme=scheme, ref=c.pk, points=2, reason="表彰", evidence="通报", created_by=organiser) for c in members[::50]
        )
        schemes.append(scheme)
    return organiser, schemes


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cadres", type=int, default=50_000)
    parser.add_argument("--cohorts", type=int, default=200)
    parser.add_argument("--pages", type=int, default=60)
    args = parse_args(parser, {"cadres": 60, "cohorts": 3, "pages": 6})
    rng = random.Random(27)
    with throwaway_database("assessment"):
        from django.core.management import call_command
        from django.test import Client

        from minping.assessment import actions

        call_command("collectstatic", verbosity=0, interactive=False)  # the pages name their hashed static files
        started = time.perf_counter()
        organiser, schemes = build(args, rng)
        print(
            f"built {args.cadres} cadres in {args.cohorts} cohorts with a year of inputs: {time.perf_counter() - started:.1f} s", flush=True
        )
        started = time.perf_counter()
        runs = [actions.run_scheme(actor=organiser, scheme=scheme) for scheme in schemes]
        run_s = time.perf_counter() - started
        members = sum(r.results.count() for r in runs[:5])
        print(f"ran {len(runs)} schemes in {run_s:.1f} s ({members} members in the first five)", flush=True)
        client = Client(HTTP_HOST="localhost")
        client.force_login(organiser)
        client.get(f"/assessment/runs/{runs[0].pk}/")  # the templates compiled
        timings = []
        for _ in range(args.pages):
            run = rng.choice(runs)
            began = time.perf_counter()
            response = client.get(f"/assessment/runs/{run.pk}/")
            timings.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200, response.status_code
        p50, p99 = percentile(timings, 50), percentile(timings, 99)
        print(f"cohort page ({args.cadres // args.cohorts} members): p50 {p50:.1f} ms, p99 {p99:.1f} ms", flush=True)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            json.dumps(
                {
                    "cadres": args.cadres,
                    "cohorts": args.cohorts,
                    "run_s": round(run_s, 2),
                    "runs_per_s": round(len(runs) / run_s, 2),
                    "cohort_page_p50_ms": round(p50, 1),
                    "cohort_page_p99_ms": round(p99, 1),
                    "peak_rss_mb": round(peak),
                }
            )
        )


if __name__ == "__main__":
    main()
