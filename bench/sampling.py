"""A phone survey at the size of a city: drawing the sample, and the interviewers' "next number".

    DATABASE_URL=postgres://... python bench/sampling.py [--residents 1000000] [--strata 5000] [--sample 20000]
                                                         [--interviewers 50] [--calls 20]

Builds a city of 50 streets and `--strata` communities with `--residents` residents with a phone (written with
generate_series), and a draft campaign taking telephone interviews. Then measures:

- draw_s: a survey of the city stratified by community, its margin of error set for `--sample` interviews:
  the frame counted per stratum, the sample allocated, drawn by PostgreSQL with the recorded seed, one evaluator
  group per stratum and the cases (sample and replacements) stored; with the process's memory before and after
  (it does not read the frame);
- next number: `--interviewers` processes (forked, as a production server's workers are), each an interviewer
  with their own database connection, calling at once:
  each takes the next number, spends about `--call-seconds` (2) on the call and records an outcome (no answer,
  busy, refusal or complete), `--calls` times; p50 and p99 of taking the next number. A real call lasts
  minutes; two seconds keeps the fifty of them at once fifty times busier than a call centre's floor, and
  without a pause the benchmark would measure a queue of requests that no interviewers make.

The last line is JSON with draw_s, queue_next_p50_ms, queue_next_p99_ms and the memory figures.
"""

import argparse
import json
import multiprocessing
import random
import resource
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
from _setup import parse_args, percentile, throwaway_database  # noqa: E402

STREETS = 50


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 1024


def build(args):
    from django.db import connection

    from minping.accounts.models import User
    from minping.evaluations import actions as evaluations
    from minping.evaluations.models import Instrument
    from minping.org.models import Cadre, Region

    city = Region.objects.create(name="基准市", level="city", path="smpl00/", code="339800")
    streets = Region.objects.bulk_create(
        Region(name=f"街道{s:02d}", level="street", parent=city, depth=1, path=f"smpl00/st{s:04d}/") for s in range(STREETS)
    )
    per_street = args.strata // STREETS
    communities = Region.objects.bulk_create(
        Region(name=f"社区{s.pk}-{c}", level="community", parent=s, depth=2, path=f"{s.path}cm{c:04d}/")
        for s in streets
        for c in range(per_street)
    )
    first, count = communities[0].pk, len(communities)
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO org_resident (name, id_digest, id_masked, gender, birth_year, phone, address, region_id)
               SELECT '居民' || i, md5(i::text), 'x', 'M', 1950 + i %% 50, '138' || lpad(i::text, 8, '0'), '', %s + i %% %s
               FROM generate_series(0, %s - 1) i""",
            [first, count, args.residents],
        )
        cursor.execute("ANALYZE org_resident")
    organiser = User.objects.create_user("bench-org", role="organiser", region=city)
    interviewers = [User.objects.create_user(f"caller{i:02d}", role="interviewer", region=city) for i in range(args.interviewers)]
    evaluations.install_builtin_instruments()
    campaign = evaluations.create_campaign(
        actor=organiser,
        name="全市驻村干部满意度电话督评",
        region=city,
        instrument=Instrument.objects.get(builtin_key="village_cadre", region__isnull=True),
        channels=["phone"],
        quorum=5,
    )
    number = "330212198001010011"
    cadre = Cadre.objects.create(name="受评干部", id_digest=number, id_masked="x", gender="M", birth_year=1980, region=city)
    evaluations.add_subjects(actor=organiser, campaign=campaign, subjects=[cadre])
    return organiser, interviewers, campaign, city


def call(interviewer, survey, calls: int, seconds: float, seed: int, out) -> None:
    """One interviewer's calls, in a process of its own; its timings (or its failure) go to `out`."""
    from django.db import connection

    from minping.sampling import actions

    rng, timings = random.Random(seed), []
    try:
        for _ in range(calls):
            began = time.perf_counter()
            case = actions.next_case(actor=interviewer, survey=survey)
            timings.append((time.perf_counter() - began) * 1000)
            if case is None:
                break
            time.sleep(rng.uniform(0.5, 1.5) * seconds)
            actions.record_outcome(
                actor=interviewer, case=case, outcome=rng.choice(["no_answer", "busy", "refusal", "complete", "complete"])
            )
        out.put(("ok", timings))
    except Exception as exc:  # noqa: BLE001 (reported by the parent)
        out.put(("failed", repr(exc)))
    finally:
        connection.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--strata", type=int, default=5000)
    parser.add_argument("--sample", type=int, default=20_000)
    parser.add_argument("--interviewers", type=int, default=50)
    parser.add_argument("--calls", type=int, default=10)
    parser.add_argument("--call-seconds", type=float, default=2.0)
    args = parse_args(parser, {"residents": 5000, "strata": 50, "sample": 400, "interviewers": 5, "calls": 4, "call_seconds": 0.2})
    with throwaway_database("sampling"):
        from django.db import connections

        from minping.evaluations import actions as evaluations
        from minping.lib import sampling as draws
        from minping.sampling import actions
        from minping.sampling.models import Case

        started = time.perf_counter()
        organiser, interviewers, campaign, city = build(args)
        print(f"built {args.residents} residents in {args.strata} strata: {time.perf_counter() - started:.1f} s", flush=True)
        margin = draws.margin_of(args.sample, population=args.residents)
        before = rss_mb()
        started = time.perf_counter()
        survey = actions.create_survey(
            actor=organiser,
            campaign=campaign,
            region=city,
            name="基准督评",
            strata_level="community",
            margin=f"{margin:.6f}",
            exclusion_days="0",
        )
        draw_s = time.perf_counter() - started
        after = rss_mb()
        drawn = sum(survey.quotas.values())
        print(
            f"drew {drawn} of {args.residents} in {args.strata} strata (margin ±{margin:.4f}): {draw_s:.2f} s, RSS {before:.0f} → {after:.0f} MB",
            flush=True,
        )
        evaluations.open_campaign(actor=organiser, campaign=campaign)
        actions.set_interviewers(actor=organiser, survey=survey, interviewers=interviewers)
        connections.close_all()  # each process opens its own
        out = multiprocessing.get_context("fork").Queue()
        workers = [
            multiprocessing.get_context("fork").Process(target=call, args=(person, survey, args.calls, args.call_seconds, i, out))
            for i, person in enumerate(interviewers)
        ]
        started = time.perf_counter()
        for worker in workers:
            worker.start()
        timings, errors = [], []
        for _ in workers:
            status, found = out.get()
            (timings.extend if status == "ok" else errors.append)(found)
        for worker in workers:
            worker.join()
        elapsed = time.perf_counter() - started
        if errors:
            sys.exit(f"interviewers failed: {errors[:3]}")
        taken = Case.objects.filter(survey=survey, attempts__gt=0).count()
        p50, p99 = percentile(timings, 50), percentile(timings, 99)
        print(
            f"{len(interviewers)} interviewers, {len(timings)} numbers taken in {elapsed:.1f} s ({taken} cases called): next number p50 {p50:.1f} ms, p99 {p99:.1f} ms",
            flush=True,
        )
        print(
            json.dumps(
                {
                    "residents": args.residents,
                    "strata": args.strata,
                    "sample": drawn,
                    "draw_s": round(draw_s, 2),
                    "draw_rss_before_mb": round(before),
                    "draw_rss_after_mb": round(after),
                    "queue_next_p50_ms": round(p50, 1),
                    "queue_next_p99_ms": round(p99, 1),
                    "interviewers": len(interviewers),
                    "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                }
            )
        )


if __name__ == "__main__":
    main()
