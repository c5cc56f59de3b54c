"""Where a request's CPU goes, measured in process: the WSGI application of bench/server.py called directly, one
request at a time, with no HTTP server or load generator on the machine. Steadier than the HTTP benchmarks and
split by step, it is the budget behind their ratios.

    DATABASE_URL=postgres://user:pass@host:5432/minping python bench/budget.py [--requests N]

After a warm-up, N requests of each kind; each figure is this process's CPU milliseconds for one:

- bare_ms: the bare JSON view through the full middleware, the floor every speed target is a ratio to;
- cast_ms: a ballot of 30 subjects × 6 questions on the JSON API (bench/cast.py's campaign), with lookup_ms (finding
  the code's campaign, one query) and cast_ballot_ms (checking the answers, digests, the one statement) within it,
  and pg_cast_ms: PostgreSQL's CPU a cast, when it runs on this machine;
- visit_ms: a grid worker's visit (bench/grid.py's world, at its smoke size);
- flow_ms: a voter's six requests, as bench/cast.py's flow makes them, and each step's share (flow_steps_ms).

The last line is JSON with these and bare ÷ cast, bare ÷ visit and bare ÷ flow (cast_share, visit_share,
flow_share): the ratios bench/cast.py and bench/grid.py would print if the HTTP server, the load generator and
PostgreSQL cost nothing.
"""

import argparse
import contextlib
import io
import json
import os
import random
import re
import sys
import time
import uuid
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("MINPING_PII_KEY", "bench-pii-key")
from _setup import ROOT, parse_args, throwaway_database  # noqa: E402

sys.path.insert(0, str(ROOT))
FORM = "application/x-www-form-urlencoded"
SIZE = SimpleNamespace(grids=100, households=2000, visits=20_000, problems=1000)  # bench/grid.py's smoke world


class App:
    """The WSGI application called as a server would, keeping the last response's status and cookies."""

    def __init__(self, application):
        self.application, self.status, self.cookies = application, "", {}

    def __call__(self, method: str, path: str, body: bytes = b"", kind: str = "", **headers) -> bytes:
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "SCRIPT_NAME": "",
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1:8000",
            "REMOTE_ADDR": "127.0.0.1",
            "CONTENT_LENGTH": str(len(body)),
            "CONTENT_TYPE": kind,
            "wsgi.input": io.BytesIO(body),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
            **{f"HTTP_{name.upper()}": value for name, value in headers.items()},
        }
        response = self.application(environ, self._start)
        try:
            return b"".join(response)
        finally:
            if hasattr(response, "close"):
                response.close()

    def _start(self, status, headers, exc_info=None):
        self.status = status
        for name, value in headers:
            if name.lower() == "set-cookie":
                cookie, _sep, value = value.split(";")[0].partition("=")
                self.cookies[cookie] = value

    def cookie(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def expect(self, *statuses: str) -> None:
        if not self.status.startswith(statuses):
            sys.exit(f"unexpected answer {self.status}")


class Clock:
    """CPU seconds spent, in total and in the functions `wrap` times."""

    def __init__(self):
        self.spent: dict[str, float] = {}

    @contextlib.contextmanager
    def wrap(self, module, name: str):
        original = getattr(module, name)

        def timed(*args, **kwargs):
            started = time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                self.spent[name] = self.spent.get(name, 0.0) + time.process_time() - started

        setattr(module, name, timed)
        try:
            yield
        finally:
            setattr(module, name, original)


def each_ms(calls, count: int) -> float:
    """CPU milliseconds per call of `calls()`, run `count` times."""
    started = time.process_time()
    for _ in range(count):
        calls()
    return (time.process_time() - started) / count * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    args = parse_args(parser, smoke={"requests": 40})
    warm, voters = max(args.requests // 10, 10), max(args.requests // 4, 10)
    with throwaway_database("bench_budget"):
        import cast
        import grid
        from django.core.management import call_command
        from django.db import connection
        from django.utils import timezone

        from minping.evaluations import api
        from minping.evaluations.actions import casting
        from minping.org.models import Household

        _campaign, tokens, json_answers, form_answers = cast.seed(2 * (args.requests + warm) + voters + warm)
        world = grid.build(SIZE, random.Random(16))
        worker_cookie, worker_csrf = grid.signed_in(world["worker"])
        households = list(Household.objects.filter(region__in=world["grids"]).values_list("pk", flat=True))
        call_command("collectstatic", interactive=False, verbosity=0)  # the stylesheet a phone loads, as served
        connection.close()
        from server import application

        app, codes, rng, today = App(application), iter(tokens), random.Random(1), timezone.localdate().isoformat()
        answers = json.dumps(json_answers, separators=(",", ":"))

        def bare():
            app("GET", "/bench/bare")

        def cast_one():
            code = next(codes)
            app(
                "POST", "/api/vote/cast", f'{{"code":"{code}","answers":{answers},"idempotency_key":"{code}"}}'.encode(), "application/json"
            )
            app.expect("201")

        def visit():
            body = json.dumps(
                {"id": str(uuid.uuid4()), "household": rng.choice(households), "visited_on": today, "kind": "routine", "notes": "bench"}
            )
            app(
                "POST",
                "/grid/field/visits",
                body.encode(),
                "application/json",
                cookie=worker_cookie,
                x_csrftoken=worker_csrf,
                referer="http://127.0.0.1/grid/field/",
            )
            app.expect("201")

        steps: dict[str, float] = {}

        def step(name: str, *request, **headers) -> bytes:
            started = time.process_time()
            body = app(*request, **headers)
            steps[name] = steps.get(name, 0.0) + time.process_time() - started
            return body

        def voter():
            app.cookies.clear()
            page = step("code_page", "GET", "/v/")
            token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
            step("stylesheet", "GET", "/static/minping/voter.css")
            app.expect("200")
            code = next(codes)
            step("code", "POST", "/v/", f"csrfmiddlewaretoken={token}&code={code}".encode(), FORM, cookie=app.cookie())
            app.expect("302", "303")
            step("ballot_page", "GET", "/v/ballot/", cookie=app.cookie())
            body = f"csrfmiddlewaretoken={token}&step=submit&submission={code}&code={code}{form_answers}".encode()
            step("submission", "POST", "/v/ballot/", body, FORM, cookie=app.cookie())
            app.expect("302", "303")
            step("receipt", "GET", "/v/receipt/", cookie=app.cookie())
            app.expect("200")

        for run in (bare, cast_one, visit, voter):
            each_ms(run, warm)  # warm-up: imports, caches, the kept pages, prepared statements
        steps.clear()
        figures = {"bare_ms": each_ms(bare, args.requests)}
        clock = Clock()
        with clock.wrap(api, "campaign_for_code"), clock.wrap(casting, "cast_ballot"):
            _server, pg_before = cast.cpu_seconds(os.getpid())
            figures["cast_ms"] = each_ms(cast_one, args.requests)
            _server, pg_after = cast.cpu_seconds(os.getpid())
        figures["lookup_ms"] = clock.spent["campaign_for_code"] / args.requests * 1000
        figures["cast_ballot_ms"] = clock.spent["cast_ballot"] / args.requests * 1000
        figures["pg_cast_ms"] = (pg_after - pg_before) / args.requests * 1000 if pg_before is not None else None
        figures["visit_ms"] = each_ms(visit, args.requests)
        figures["flow_ms"] = each_ms(voter, voters)
        figures["flow_steps_ms"] = {name: round(spent / voters * 1000, 3) for name, spent in steps.items()}
    for name in ("cast", "visit", "flow"):
        figures[f"{name}_share"] = round(figures["bare_ms"] / figures[f"{name}_ms"], 3)
    figures = {name: round(value, 3) if isinstance(value, float) else value for name, value in figures.items()}
    pg = f"; PostgreSQL {figures['pg_cast_ms']} ms a cast" if figures["pg_cast_ms"] is not None else ""
    print(f"bare view: {figures['bare_ms']} ms of CPU a request ({args.requests} requests)")
    print(
        f"cast: {figures['cast_ms']} ms (finding the code's campaign {figures['lookup_ms']}, cast_ballot "
        f"{figures['cast_ballot_ms']}){pg}; bare ÷ cast {figures['cast_share']}"
    )
    print(f"visit: {figures['visit_ms']} ms; bare ÷ visit {figures['visit_share']}")
    steps_text = ", ".join(f"{name} {ms}" for name, ms in figures["flow_steps_ms"].items())
    print(f"voter flow: {figures['flow_ms']} ms a voter ({steps_text}); bare ÷ flow {figures['flow_share']}")
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
