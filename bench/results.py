"""Results of a large campaign, read from counts: the cost of a page must not grow with the ballots.

    DATABASE_URL=postgres://... python bench/results.py [--subjects 500] [--answers 10000000]

Builds two campaigns of the same 500 cadres (party-secretary instrument: 5 satisfaction questions and an overall
grade, residents 0.6 and enterprises 0.4): one with about 10 million answers, one with about 10,000. Ballots are
written with COPY (the cast path has its own benchmark) and their codes marked used; each campaign is then closed
through the real action, which seals the ballot box and rolls the ballots up into counts. Measured through the
full Django stack (test client, every middleware, logged-in organiser): a subject's results page (p50 over
random subjects), the campaign's results page with the ranking (median), and the Excel workbook. The last line
is JSON with subject_p50_ms, ranking_ms, subject_p50_ms_small, ranking_ms_small and xlsx_s.
"""

import argparse
import datetime
import io
import json
import random
import resource
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import make_cadres, parse_args, throwaway_database  # noqa: E402

CATEGORIES = ["secretary", "director", "member", "village_based", "graduate_official"]
SCALE = ["satisfied"] * 70 + ["fairly"] * 20 + ["dissatisfied"] * 6 + ["unknown"] * 4
GRADE = ["excellent"] * 55 + ["competent"] * 35 + ["basic"] * 7 + ["incompetent"] * 3


def build(user, cadres, name: str, ballots: int, rng: random.Random):
    from django.db import connection

    from minping.evaluations import actions
    from minping.evaluations.actions import casting
    from minping.evaluations.ballots import ballot_digest
    from minping.evaluations.models import Ballot, Code, Instrument
    from minping.results.actions import close_campaign

    instrument = Instrument.objects.get(builtin_key="party_secretary", region__isnull=True)
    campaign = actions.create_campaign(
        actor=user,
        name=name,
        region=user.region,
        instrument=instrument,
        channels=["qr"],
        quorum=1,
        groups=[{"name": "群众", "kind": "masses", "weight": 0.6}, {"name": "企业", "kind": "enterprises", "weight": 0.4}],
    )
    actions.add_subjects(actor=user, campaign=campaign, subjects=cadres)
    groups = list(campaign.groups.all())
    per_group = {groups[0]: ballots - ballots * 2 // 5, groups[1]: ballots * 2 // 5}
    for group, count in per_group.items():
        for start in range(0, count, actions.MAX_BATCH):
            actions.issue_codes(actor=user, campaign=campaign, group=group, count=min(actions.MAX_BATCH, count - start), channel="qr")
    campaign = actions.open_campaign(actor=user, campaign=campaign)
    subjects = list(campaign.subjects.values_list("pk", flat=True))
    questions = [q["key"] for q in campaign.definition["subject_questions"]]
    today = datetime.date.today()
    answers_written = 0
    with (
        connection.cursor() as cursor,
        cursor.copy(
            "COPY evaluations_ballot (id, campaign_id, group_id, channel, cast_on, answers, tracker, digest, void_reason) FROM STDIN"
        ) as copy,
    ):
        for group, count in per_group.items():
            for _ in range(count):
                sections = {}
                for subject in subjects:
                    sections[str(subject)] = {q: (rng.choice(GRADE) if q == "overall" else rng.choice(SCALE)) for q in questions}
                answers_written += len(subjects) * len(questions)
                ballot = Ballot(
                    id=uuid.uuid4(),
                    campaign=campaign,
                    group=group,
                    channel="qr",
                    cast_on=today,
                    answers={"s": sections, "g": {}},
                    tracker=casting.new_tracker(),
                    void_reason="",
                )
                ballot.digest = ballot_digest(ballot)
                copy.write_row(
                    [
                        ballot.id,
                        campaign.pk,
                        group.pk,
                        "qr",
                        ballot.cast_on,
                        json.dumps(ballot.answers, ensure_ascii=False),
                        ballot.tracker,
                        ballot.digest,
                        "",
                    ]
                )
    Code.objects.filter(campaign=campaign).update(status="used")
    started = time.perf_counter()
    campaign = close_campaign(actor=user, campaign=campaign)
    return campaign, answers_written, time.perf_counter() - started


def timed(client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        sys.exit(f"{url}: HTTP {response.status_code}")
    return elapsed


def measure(client, campaign, rng: random.Random, rounds: int) -> tuple[float, float]:
    from django.urls import reverse

    subjects = list(campaign.subjects.values_list("pk", flat=True))
    timed(client, reverse("results:subject", args=[campaign.pk, subjects[0]]))  # warm up
    subject_times = [timed(client, reverse("results:subject", args=[campaign.pk, rng.choice(subjects)])) for _ in range(rounds)]
    ranking_times = [timed(client, reverse("results:overview", args=[campaign.pk])) for _ in range(max(5, rounds // 5))]
    return statistics.median(subject_times), statistics.median(ranking_times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subjects", type=int, default=500)
    parser.add_argument("--answers", type=int, default=10_000_000)
    parser.add_argument("--small-answers", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=50)
    args = parse_args(parser, smoke={"subjects": 20, "answers": 20_000, "small_answers": 1000, "rounds": 3})
    with throwaway_database("results"):
        from django.core.management import call_command
        from django.test import Client
        from django.test.utils import setup_test_environment

        from minping.accounts.models import User
        from minping.org.models import Post, Region, new_path_segment
        from minping.results import reports

        setup_test_environment()
        call_command("collectstatic", verbosity=0, interactive=False)  # the pages name their hashed static files
        rng = random.Random(7)
        district = Region.objects.create(name="明湖区", level="district", path=new_path_segment())
        user = User.objects.create_user("organiser", password="x", role=User.Role.ORGANISER, region=district)
        cadres = make_cadres(district, args.subjects, birth="19700101")
        for index, cadre in enumerate(cadres):
            Post.objects.filter(cadre=cadre).update(category=CATEGORIES[index % len(CATEGORIES)])
        per_ballot = args.subjects * 6
        big_ballots = max(2, round(args.answers / per_ballot))
        small_ballots = max(2, round(args.small_answers / per_ballot))
        started = time.perf_counter()
        big, big_answers, big_close = build(user, cadres, "大样本测评", big_ballots, rng)
        print(
            f"large campaign: {big_ballots:,} ballots, {big_answers:,} answers written in "
            f"{time.perf_counter() - started - big_close:.1f} s; closing (seal + roll-up + flags) {big_close:.1f} s"
        )
        small, small_answers, small_close = build(user, cadres, "小样本测评", small_ballots, rng)
        print(f"small campaign: {small_ballots:,} ballots, {small_answers:,} answers; closing {small_close:.2f} s")
        client = Client()
        client.force_login(user)
        subject_ms, ranking_ms = measure(client, big, rng, args.rounds)
        subject_small, ranking_small = measure(client, small, rng, args.rounds)
        started = time.perf_counter()
        _type, body = reports.make("xlsx", big)
        xlsx_s = time.perf_counter() - started
        from openpyxl import load_workbook

        sheets = len(load_workbook(io.BytesIO(body), read_only=True).sheetnames)
        print(f"subject page p50: {subject_ms:.1f} ms (large) vs {subject_small:.1f} ms (small)")
        print(f"results page with ranking, median: {ranking_ms:.1f} ms (large) vs {ranking_small:.1f} ms (small)")
        print(f"Excel workbook: {xlsx_s:.2f} s, {len(body) / 1e6:.1f} MB, {sheets} sheets")
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            json.dumps(
                {
                    "subject_p50_ms": round(subject_ms, 1),
                    "ranking_ms": round(ranking_ms, 1),
                    "subject_p50_ms_small": round(subject_small, 1),
                    "ranking_ms_small": round(ranking_small, 1),
                    "xlsx_s": round(xlsx_s, 2),
                    "answers": big_answers,
                    "answers_small": small_answers,
                    "subjects": args.subjects,
                    "close_s": round(big_close, 1),
                    "peak_rss_mb": round(rss),
                }
            )
        )


if __name__ == "__main__":
    main()
