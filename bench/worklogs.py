"""Cadres' work logs at the size of a district's year: a cadre's month and the department's year must not slow
down with the records.

    DATABASE_URL=postgres://... python bench/worklogs.py [--cadres 3000] [--entries 1000000] [--requests 200]

Builds one district (20 streets × 10 communities, 100 units), 3,000 cadres each with a post in a unit and the five
contact points of 五个一, 1 million log entries spread over the year so far (written with generate_series, the
month rollups made from them as the application keeps them), one item for every tenth entry at various stages,
and the year's forums, topics, reception days and pairings. Then measures, through the full Django stack:

- a cadre's month view (their entries of a month with the month's figures), for random cadres and months;
- the department's year summary (seed 004's figures for the district, and the first page of cadres with theirs);
- the same summary grouped by unit (all 3,000 cadres' figures summed per unit), for information.

The last line is JSON with month_p50_ms and summary_p50_ms.
"""

import argparse
import datetime as dt
import json
import random
import resource
import statistics
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
from _setup import parse_args, percentile, throwaway_database  # noqa: E402
from grid import client_for, timed  # noqa: E402

STREETS, COMMUNITIES, UNITS = 20, 10, 100


def build(args, rng: random.Random) -> dict:
    from django.db import connection
    from django.utils import timezone

    from minping.accounts.models import User
    from minping.org.models import Region, Unit

    today = timezone.localdate()
    year_start = dt.date(today.year, 1, 1)
    with timed("regions and units"):
        district = Region.objects.create(name="基准区", level="district", path="bnch00/", code="339998")
        streets = Region.objects.bulk_create(
            Region(name=f"街道{s}", level="street", parent=district, depth=1, path=f"bnch00/st{s:04d}/") for s in range(STREETS)
        )
        Region.objects.bulk_create(
            Region(name=f"社区{s.pk}-{c}", level="community", parent=s, depth=2, path=f"{s.path}cm{c:04d}/")
            for s in streets
            for c in range(COMMUNITIES)
        )
        Unit.objects.bulk_create(Unit(name=f"部门{u:03d}", kind="department", region=district) for u in range(UNITS))
    organiser = User.objects.create_user("bench-org", role="organiser", region=district)
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # the generated rows are consistent; skip FK triggers
        cursor.execute(
            "CREATE TEMP TABLE bench_communities AS SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM org_region WHERE level = 'community' AND path LIKE 'bnch00/%%'",
            [],
        )
        cursor.execute("CREATE TEMP TABLE bench_units AS SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM org_unit", [])
        with timed(f"{args.cadres:,} cadres with posts"):
            cursor.execute(
                """INSERT INTO org_cadre (name, id_digest, id_masked, gender, birth_year, phone, region_id)
                              SELECT '干部' || i, md5('bench-cadre-' || i), '330212********' || lpad((i %% 10000)::text, 4, '0'),
                                     CASE WHEN i %% 2 = 0 THEN 'M' ELSE 'F' END, 1970 + i %% 30, '', c.id
                              FROM generate_series(0, %s - 1) i JOIN bench_communities c ON c.n = i %% %s""",
                [args.cadres, STREETS * COMMUNITIES],
            )
            cursor.execute(
                "CREATE TEMP TABLE bench_cadres AS SELECT row_number() OVER (ORDER BY id) - 1 AS n, id, region_id FROM org_cadre WHERE id_digest LIKE '%%'",
                [],
            )
            cursor.execute(
                """INSERT INTO org_post (cadre_id, unit_id, region_id, title, category, started_on, ended_on)
                              SELECT b.id, u.id, NULL, '科员', 'member', '2020-01-01', NULL FROM bench_cadres b JOIN bench_units u ON u.n = b.n %% %s""",
                [UNITS],
            )
        with timed(f"{args.cadres * 5:,} contact points"):
            cursor.execute(
                """INSERT INTO fieldwork_contact (cadre_id, kind_id, region_id, community_id, enterprise_id, official_id, household_id,
                                                             name, note, starts_on, ends_on, created_by_id)
                              SELECT b.id, k.id, b.region_id, CASE WHEN k.code = 'community' THEN b.region_id END, NULL, NULL, NULL,
                                     k.name || b.n, '', %s, NULL, %s
                              FROM bench_cadres b CROSS JOIN fieldwork_contactkind k""",
                [year_start, organiser.pk],
            )
            cursor.execute(
                "CREATE TEMP TABLE bench_contacts AS SELECT cadre_id, row_number() OVER (PARTITION BY cadre_id ORDER BY id) - 1 AS n, id FROM fieldwork_contact",
                [],
            )
            cursor.execute("CREATE INDEX ON bench_contacts (cadre_id, n)")
        days = (today - year_start).days + 1
        with timed(f"{args.entries:,} entries"):
            cursor.execute("DROP INDEX entry_cadre_day, entry_day")
            per_cadre = args.entries // args.cadres
            cursor.execute(
                """INSERT INTO fieldwork_entry (id, cadre_id, contact_id, "on", form, discussed, problems, suggestions, late_reason,
                                                           written_by_id, created_at, revisions, reviewed_by_id, reviewed_at, comment)
                              SELECT gen_random_uuid(), b.id, c.id, %s::date + ((k * 7 + b.n) %% %s)::int,
                                     (ARRAY['visit', 'visit', 'phone', 'forum', 'reception'])[1 + (k + b.n) %% 5],
                                     '了解联系点近况，交流' || k || '次', '', '', '', %s, now(), 0,
                                     CASE WHEN k %% 3 = 0 THEN %s END, CASE WHEN k %% 3 = 0 THEN now() END, CASE WHEN k %% 3 = 0 THEN '已阅' ELSE '' END
                              FROM bench_cadres b CROSS JOIN generate_series(1, %s) k
                              JOIN bench_contacts c ON c.cadre_id = b.id AND c.n = k %% 5""",
                [year_start, days, organiser.pk, organiser.pk, per_cadre],
            )
            cursor.execute('CREATE INDEX entry_cadre_day ON fieldwork_entry (cadre_id, "on")')
            cursor.execute('CREATE INDEX entry_day ON fieldwork_entry ("on")')
        with timed("rollups"):
            cursor.execute(
                """INSERT INTO fieldwork_cadremonth (cadre_id, month, entries, visits)
                              SELECT cadre_id, date_trunc('month', "on")::date, count(*), count(*) FILTER (WHERE form = 'visit')
                              FROM fieldwork_entry GROUP BY 1, 2""",
                [],
            )
            cursor.execute(
                """INSERT INTO fieldwork_contactyear (contact_id, cadre_id, year, months)
                              SELECT contact_id, cadre_id, extract(year FROM "on")::int, bit_or(1 << (extract(month FROM "on")::int - 1))
                              FROM fieldwork_entry GROUP BY 1, 2, 3""",
                [],
            )
        with timed("items"):
            cursor.execute(
                """INSERT INTO fieldwork_item (kind, text, region_id, cadre_id, entry_id, meeting_id, session_id, raised_by, raiser_kind,
                                                          raiser_contact, status, solution, problem_id, outcome, created_at, proposed_at, closed_at,
                                                          told_at, told_how)
                              SELECT CASE WHEN s.r %% 3 = 0 THEN 'problem' ELSE 'suggestion' END, '群众反映的事项', b.region_id, e.cadre_id, e.id, NULL, NULL,
                                     '居民', 'resident', '', CASE WHEN s.r %% 4 = 0 THEN 'accepted' WHEN s.r %% 4 = 1 THEN 'proposed' ELSE 'closed' END,
                                     CASE WHEN s.r %% 4 >= 1 THEN '解决建议' ELSE '' END, NULL, CASE WHEN s.r %% 4 >= 2 THEN '已办结' ELSE '' END,
                                     e."on"::timestamptz, CASE WHEN s.r %% 4 >= 1 THEN e."on" + interval '2 days' END,
                                     CASE WHEN s.r %% 4 >= 2 THEN e."on" + interval '9 days' END, CASE WHEN s.r %% 4 = 3 THEN e."on" + interval '10 days' END,
                                     CASE WHEN s.r %% 4 = 3 THEN 'phone' ELSE '' END
                              FROM (SELECT id, row_number() OVER () AS r FROM fieldwork_entry TABLESAMPLE SYSTEM (10)) s
                              JOIN fieldwork_entry e ON e.id = s.id JOIN bench_cadres b ON b.id = e.cadre_id""",
                [],
            )
        cursor.execute("SET session_replication_role = DEFAULT")
    with timed("meetings, topics, reception days and pairings"):
        world = _the_rest(rng, district, organiser, year_start, today)
    with connection.cursor() as cursor, timed("analyze"):
        cursor.execute("ANALYZE")
    return {"district": district, "organiser": organiser, "year_start": year_start, "today": today, **world}


def _the_rest(rng: random.Random, district, organiser, year_start: dt.date, today: dt.date) -> dict:
    """Seed 004's year in miniature for the summary: forums and site meetings with participants and documents,
    topics, monthly reception days at every community, and a pairing per street; users for 50 cadres."""
    from minping.accounts.models import User
    from minping.fieldwork.models import (
        Meeting,
        Pairing,
        Project,
        ReceptionDay,
        Schedule,
        Topic,
    )
    from minping.org.models import Cadre, Region

    cadres = list(Cadre.objects.filter(region__path__startswith=district.path).order_by("pk").values_list("pk", flat=True))
    communities = list(Region.objects.filter(level="community", path__startswith=district.path))
    span = (today - year_start).days
    Topic.objects.bulk_create(
        Topic(
            region=district,
            title=f"调研课题{n}",
            owner_id=rng.choice(cadres),
            deliverables="调研报告",
            starts_on=year_start,
            due_on=today,
            created_by=organiser,
        )
        for n in range(8)
    )
    Meeting.objects.bulk_create(
        Meeting(
            region=rng.choice(communities),
            kind="forum" if n % 6 else "site",
            title=f"座谈会{n}",
            held_on=year_start + dt.timedelta(days=rng.randrange(span)),
            convener_id=rng.choice(cadres),
            participants=rng.randrange(8, 30),
            documents=["文件"] if n % 5 == 0 else [],
            created_by=organiser,
        )
        for n in range(200)
    )
    schedules = Schedule.objects.bulk_create(
        Schedule(region=c, place="社区服务中心", day=20, per_session=2, created_by=organiser) for c in communities
    )
    ReceptionDay.objects.bulk_create(
        ReceptionDay(schedule=s, on=dt.date(today.year, m, 20), held=dt.date(today.year, m, 20) <= today, visitors=rng.randrange(0, 15))
        for s in schedules
        for m in range(1, 13)
    )
    for n, street in enumerate(Region.objects.filter(level="street", path__startswith=district.path)):
        project = Project.objects.create(region=street, name=f"重点项目{n}")
        Pairing.objects.create(
            project=project, cadre_id=cadres[n], senior_id=cadres[-1 - n], starts_on=year_start, ends_on=today, created_by=organiser
        )
    users = [User.objects.create_user(f"bench-cadre-{pk}", role="cadre", region=district, cadre_id=pk) for pk in rng.sample(cadres, 50)]
    return {"cadre_users": users}


def measure(world, args, rng: random.Random) -> dict:
    months = [dt.date(world["today"].year, m, 1).strftime("%Y-%m") for m in range(1, world["today"].month + 1)]
    clients = [(client_for(user), user.cadre_id) for user in world["cadre_users"]]
    month_times = []
    clients[0][0].get(f"/fieldwork/cadres/{clients[0][1]}/{months[0]}/")
    for _ in range(args.requests):
        client, cadre = rng.choice(clients)
        started = time.perf_counter()
        response = client.get(f"/fieldwork/cadres/{cadre}/{rng.choice(months)}/")
        month_times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200 and "工作日志".encode() in response.content, response.status_code
    organiser = client_for(world["organiser"])
    year = world["year_start"]
    url = f"/fieldwork/figures/?region={world['district'].pk}&start={year:%Y}-01-01&end={year:%Y}-12-31"
    organiser.get(url)
    summary_times = []
    for _ in range(20):
        started = time.perf_counter()
        response = organiser.get(url)
        summary_times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200 and "座谈会".encode() in response.content, response.status_code
    unit_times = []
    for _ in range(5):
        started = time.perf_counter()
        response = organiser.get(url + "&units=1")
        unit_times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return {
        "month_p50_ms": round(statistics.median(month_times), 1),
        "month_p99_ms": round(percentile(month_times, 99), 1),
        "summary_p50_ms": round(statistics.median(summary_times), 1),
        "summary_p99_ms": round(percentile(summary_times, 99), 1),
        "by_unit_p50_ms": round(statistics.median(unit_times), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cadres", type=int, default=3000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parse_args(parser, smoke={"cadres": 50, "entries": 2000, "requests": 10})
    rng = random.Random(2026)
    with throwaway_database("worklogs"):
        from django.core.management import call_command

        call_command("collectstatic", verbosity=0, interactive=False)  # the pages name their hashed static files
        started = time.perf_counter()
        world = build(args, rng)
        print(f"built in {time.perf_counter() - started:.0f} s", flush=True)
        from minping.fieldwork.models import CadreMonth, ContactYear, Entry, FollowUp

        print(
            f"entries {Entry.objects.count():,}, rollups {CadreMonth.objects.count():,} cadre months and {ContactYear.objects.count():,} "
            f"contact years, items {FollowUp.objects.count():,}",
            flush=True,
        )
        figures = measure(world, args, rng)
    figures["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
