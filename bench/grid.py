"""Grid governance at the size of a city's year: the pages must not slow down with the records.

    DATABASE_URL=postgres://... python bench/grid.py [--grids 5000] [--households 2000000] [--visits 50000000]
                                                     [--problems 1000000] [--seconds 15]

Builds 5,000 grids (50 streets × 10 communities × 10 grids), 2 million households, 50 million visits (25 a
household over the year, written in the database with generate_series, the indexes made after the load), each
household's last visit, and 1 million problems over 100 departments whose receiving and handling times differ
by department (some late, some sent back, most closed). Then measures, through the full Django stack:

- a grid worker's "due this week" page for a random grid of theirs (p50, p99);
- a department's scorecard for the year as its handler sees it (six rates with counts, and the monthly trend);
- recording visits through HTTP: `minping serve` and wrk posting the field page's JSON visits, each with a new id,
  to random households of the worker's grids for --seconds; under granian, then gunicorn (--server), each with the
  workers and threads `minping serve` gives it.

The last line is JSON with due_list_p50_ms, scorecard_p50_ms and visits_per_s (visits stored in the database during
the run, per second), and bare_req_per_s: a bare Django view through the same server and connections, the measure
of the machine that the visit rate is best read against, and visit_ratio, the one over the other (target ≥ 0.25);
gunicorn's figures carry its name in front. Needs Debian's wrk and redis-server (the server keeps
its cache in Redis, as in production).
"""

import argparse
import datetime as dt
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
from _setup import parse_args, percentile, throwaway_database  # noqa: E402
from cast import free_port, start_server  # noqa: E402

UNITS = 100


def timed(label: str):
    class Timer:
        def __enter__(self):
            self.started = time.perf_counter()
            return self

        def __exit__(self, *exc):
            print(f"  {label}: {time.perf_counter() - self.started:.1f} s", flush=True)

    return Timer()


def build(args, rng: random.Random):
    from django.db import connection
    from django.utils import timezone

    from minping.accounts.models import User
    from minping.grid.models import Assignment, Category, Route
    from minping.org.models import Region, Unit

    year_start = dt.date(timezone.localdate().year, 1, 1)
    with timed("regions"):
        district = Region.objects.create(name="基准市", level="district", path="bnch00/", code="339999")
        streets = Region.objects.bulk_create(
            Region(name=f"街道{s}", level="street", parent=district, depth=1, path=f"bnch00/st{s:04d}/") for s in range(args.grids // 100)
        )
        communities = Region.objects.bulk_create(
            Region(name=f"社区{s.pk}-{c}", level="community", parent=s, depth=2, path=f"{s.path}cm{c:04d}/")
            for s in streets
            for c in range(10)
        )
        grids = Region.objects.bulk_create(
            Region(name=f"第{g}网格", level="grid", parent=c, depth=3, path=f"{c.path}gr{g:04d}/") for c in communities for g in range(10)
        )
    units = Unit.objects.bulk_create(Unit(name=f"部门{u:03d}", kind="department", region=district) for u in range(UNITS))
    organiser = User.objects.create_user("bench-org", role="organiser", region=district)
    worker = User.objects.create_user("bench-worker", role="grid_worker", region=district)
    handler = User.objects.create_user("bench-handler", role="handler", region=district, unit=units[0])
    mine = rng.sample(grids, min(50, len(grids)))
    Assignment.objects.bulk_create(Assignment(grid=g, worker=worker, starts_on=year_start, created_by=organiser) for g in mine)
    for category in Category.objects.all():
        Route.objects.create(category=category, region=district, unit=rng.choice(units))
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # the generated rows are consistent; skip FK triggers
        cursor.execute("CREATE TEMP TABLE bench_grids (n int PRIMARY KEY, id bigint)")
        cursor.execute(
            "INSERT INTO bench_grids SELECT row_number() OVER (ORDER BY id) - 1, id FROM org_region WHERE level = 'grid' AND path LIKE 'bnch00/%%'",
            [],
        )
        with timed(f"{args.households:,} households"):
            cursor.execute(
                """INSERT INTO org_household (code, address, region_id)
                              SELECT 'B' || i, '基准路' || i || '号', g.id FROM generate_series(0, %s - 1) i
                              JOIN bench_grids g ON g.n = i %% %s""",
                [args.households, len(grids)],
            )
        per = max(1, args.visits // args.households)
        with timed(f"{args.households * per:,} visits"):
            cursor.execute("ALTER TABLE grid_visit DROP CONSTRAINT grid_visit_pkey")
            cursor.execute("DROP INDEX visit_grid_day, visit_household_day")
            lo, hi = _household_range(cursor)
            step = 200_000
            for start in range(lo, hi + 1, step):
                cursor.execute(
                    """INSERT INTO grid_visit (id, household_id, grid_id, worker_id, visited_on, kind, notes, changes, created_at)
                                  SELECT gen_random_uuid(), h.id, h.region_id, %s, %s::date + ((k * 14 + h.id %% 14) %% 364)::int,
                                         'routine', '', '{}', now()
                                  FROM org_household h CROSS JOIN generate_series(1, %s) k
                                  WHERE h.id BETWEEN %s AND %s""",
                    [worker.pk, year_start, per, start, start + step - 1],
                )
        with timed("visit indexes"):
            cursor.execute("ALTER TABLE grid_visit ADD CONSTRAINT grid_visit_pkey PRIMARY KEY (id)")
            cursor.execute("CREATE INDEX visit_grid_day ON grid_visit (grid_id, visited_on)")
            cursor.execute("CREATE INDEX visit_household_day ON grid_visit (household_id, visited_on)")
        with timed("last visits"):
            today = timezone.localdate()
            cursor.execute(
                """INSERT INTO grid_visitstate (household_id, last_visited_on)
                              SELECT id, %s::date - (id %% 12)::int FROM org_household WHERE id BETWEEN %s AND %s""",
                [today, lo, hi],
            )
        with timed(f"{args.problems:,} problems"):
            _problems(cursor, args.problems, len(grids), [u.pk for u in units], year_start)
        cursor.execute("SET session_replication_role = DEFAULT")
        with timed("analyze"):
            cursor.execute("ANALYZE")
    return {"grids": mine, "worker": worker, "handlers": [handler], "units": units, "organiser": organiser}


def _household_range(cursor):
    cursor.execute("SELECT min(id), max(id) FROM org_household")
    return cursor.fetchone()


def _problems(cursor, count: int, grids: int, units: list[int], year_start: dt.date) -> None:
    """Problems spread over the year; department u receives within 2 + (u mod 10) × 3 hours on average and
    resolves within 2 + (u mod 7) days, so some keep their deadlines and some do not."""
    cursor.execute("CREATE TEMP TABLE bench_units (n int PRIMARY KEY, id bigint)")
    cursor.executemany("INSERT INTO bench_units VALUES (%s, %s)", list(enumerate(units)))
    cursor.execute("SELECT id, resolve_days, receive_hours FROM grid_category ORDER BY id")
    categories = cursor.fetchall()
    cursor.execute("CREATE TEMP TABLE bench_categories (n int PRIMARY KEY, id bigint, days int, hours int)")
    cursor.executemany("INSERT INTO bench_categories VALUES (%s, %s, %s, %s)", [(n, *c) for n, c in enumerate(categories)])
    cursor.execute(
        """
        INSERT INTO grid_problem (client_id, category_id, region_id, address, lat, lon, description, reporter_kind,
                                  reporter_contact, unit_id, status, created_at, dispatched_at, receive_by, received_at,
                                  resolve_by, resolved_at, closed_at, escalation, returned, reopened, reporter_id, merged_into_id)
        SELECT gen_random_uuid(), c.id, g.id, '基准路' || i || '号', NULL, NULL, '基准事件', 'grid_worker', '', u.id,
               CASE WHEN i %% 10 = 0 THEN 'handling' WHEN i %% 10 = 1 THEN 'resolved' ELSE 'confirmed' END,
               t, t, t + make_interval(hours => c.hours), t + make_interval(hours => 2 + (u.n %% 10) * 3 * (i %% 3)),
               t + make_interval(days => c.days),
               CASE WHEN i %% 10 = 0 THEN NULL ELSE t + make_interval(days => 2 + (u.n %% 7) * (i %% 4)) END,
               CASE WHEN i %% 10 >= 2 THEN t + make_interval(days => 3 + (u.n %% 7) * (i %% 4)) END,
               0, 0, CASE WHEN i %% 37 = 0 THEN 1 ELSE 0 END, NULL, NULL
        FROM (SELECT i, (%s::timestamptz + make_interval(mins => ((i::bigint * 7919) %% (360 * 1440))::int)) AS t FROM generate_series(0, %s - 1) i) s
        JOIN bench_grids g ON g.n = i %% %s
        JOIN bench_units u ON u.n = (i / 7) %% %s
        JOIN bench_categories c ON c.n = i %% %s""",
        [year_start, count, grids, len(units), len(categories)],
    )
    cursor.execute(
        """INSERT INTO grid_step (problem_id, action, actor_id, unit_id, note, at)
                      SELECT id, 'return', NULL, unit_id, '不属本单位', created_at + interval '1 hour' FROM grid_problem WHERE id %% 50 = 0""",
        [],
    )


def client_for(user):
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client


def measure_pages(world, rng: random.Random) -> dict:
    worker = client_for(world["worker"])
    times = []
    worker.get(f"/grid/grids/{world['grids'][0].pk}/")
    for _ in range(200):
        grid = rng.choice(world["grids"])
        started = time.perf_counter()
        response = worker.get(f"/grid/grids/{grid.pk}/")
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    handler = client_for(world["handlers"][0])
    cards = []
    handler.get("/grid/scorecards/")
    for _ in range(20):
        started = time.perf_counter()
        response = handler.get("/grid/scorecards/")
        cards.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200 and b"<svg" in response.content
    organiser = client_for(world["organiser"])
    every = []
    for _ in range(5):
        started = time.perf_counter()
        organiser.get("/grid/scorecards/")
        every.append((time.perf_counter() - started) * 1000)
    return {
        "due_list_p50_ms": round(statistics.median(times), 1),
        "due_list_p99_ms": round(percentile(times, 99), 1),
        "scorecard_p50_ms": round(statistics.median(cards), 1),
        "scorecard_p99_ms": round(percentile(cards, 99), 1),
        "all_departments_scorecard_p50_ms": round(statistics.median(every), 1),
    }


def signed_in(user) -> tuple[str, str]:
    """A login session for `user` as the site makes one: the Cookie header carrying it with a CSRF cookie, and the
    CSRF token to send with it."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY], session[BACKEND_SESSION_KEY] = str(user.pk), settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    secret = _get_new_csrf_string()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}; {settings.CSRF_COOKIE_NAME}={secret}", _mask_cipher_secret(secret)


def measure_visits(world, seconds: int, server_name: str = "granian") -> dict:
    from django.db import connection
    from django.utils import timezone

    from minping.grid.models import Visit
    from minping.org.models import Household

    worker = world["worker"]
    cookie, csrf = signed_in(worker)
    households = list(Household.objects.filter(region__in=world["grids"]).values_list("pk", flat=True))
    directory = tempfile.mkdtemp(prefix="minping-grid-")
    Path(directory, "households").write_text("\n".join(map(str, households)) + "\n")
    connection.close()
    port, redis_port = free_port(), free_port()
    # As in production (docs/deploy.md): the cache (throttles) in Redis.
    redis = subprocess.Popen(
        ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL
    )
    os.environ["REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/1"
    server = start_server(port, server_name)
    env = {
        **os.environ,
        "HOUSEHOLDS_FILE": str(Path(directory, "households")),
        "DAY": timezone.localdate().isoformat(),
        "COOKIE": cookie,
        "CSRF": csrf,
    }

    def wrk(duration: int, path: str = "", **extra) -> str:
        return subprocess.run(
            ["wrk", "-t2", "-c32", f"-d{duration}s", "--latency", "-s", str(BENCH / "grid.lua"), f"http://127.0.0.1:{port}{path}"],
            env={**env, **extra},
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    try:
        wrk(3)  # warm-up: workers import everything, connections open
        bare = wrk(5, "/bench/bare", BARE="1")  # the machine's yardstick: the same stack doing no work
        before = Visit.objects.filter(worker=worker, notes="bench").count()
        connection.close()
        out = wrk(seconds)
    finally:
        server.terminate()
        server.wait(timeout=30)
        redis.terminate()
        os.environ.pop("REDIS_URL")
    run = json.loads(next(line for line in out.splitlines() if line.startswith("JSON "))[5:])
    bare = json.loads(next(line for line in bare.splitlines() if line.startswith("JSON "))[5:])
    # Visits in the database, not wrk's count of answers (a redirect to the login page is no error to wrk); not more
    # than the answers wrk saw in time, though: the requests still in flight at the end are stored after it.
    stored = min(Visit.objects.filter(worker=worker, notes="bench").count() - before, run["requests"] - run["non2xx"])
    figures = {
        "visits_per_s": round(stored / run["seconds"], 1),
        "visit_p99_ms": round(run["p99_ms"], 1),
        "bare_req_per_s": round(bare["requests"] / bare["seconds"], 1),
    }
    figures["visit_ratio"] = round(figures["visits_per_s"] / figures["bare_req_per_s"], 3)
    print(f"[{server_name}] bare Django JSON view: {figures['bare_req_per_s']} req/s, p99 {bare['p99_ms']} ms")
    print(
        f"[{server_name}] visits over HTTP: {run['requests']} requests in {run['seconds']:.1f} s, {stored} visits stored = {figures['visits_per_s']}/s, "
        f"p50 {run['p50_ms']} ms, p99 {run['p99_ms']} ms, 4xx/5xx {run['non2xx']}, socket errors {run['errors']}; "
        f"ratio to the bare view {figures['visits_per_s'] / figures['bare_req_per_s']:.2f}"
    )
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--grids", type=int, default=5000)
    parser.add_argument("--households", type=int, default=2_000_000)
    parser.add_argument("--visits", type=int, default=50_000_000)
    parser.add_argument("--problems", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--server", choices=["granian", "gunicorn", "both"], default="both")
    args = parse_args(parser, smoke={"grids": 100, "households": 2000, "visits": 20_000, "problems": 1000, "seconds": 2})
    rng = random.Random(16)
    with throwaway_database("bench_grid"):
        from django.core.management import call_command

        call_command("collectstatic", verbosity=0, interactive=False)  # the pages name their hashed static files
        print("building:", flush=True)
        world = build(args, rng)
        figures = measure_pages(world, rng)
        print(
            f"due this week: p50 {figures['due_list_p50_ms']} ms, p99 {figures['due_list_p99_ms']} ms; "
            f"a department's year scorecard: p50 {figures['scorecard_p50_ms']} ms; all {UNITS} departments: "
            f"{figures['all_departments_scorecard_p50_ms']} ms"
        )
        servers = ["granian", "gunicorn"] if args.server == "both" else [args.server]
        for name in servers:
            prefix = "" if name == servers[0] else f"{name}_"
            figures.update({prefix + key: value for key, value in measure_visits(world, args.seconds, name).items()})
        figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
