"""Ballots cast over HTTP through the real stack: gunicorn, full middleware, PostgreSQL.

    DATABASE_URL=postgres://user:pass@host:5432/minping python bench/cast.py [--seconds 15]

A campaign of 30 subjects × 6 questions. wrk drives 64 concurrent connections in three runs: a bare Django
JSON view (the ceiling on this machine), the JSON cast endpoint (one ballot per request), and the voter flow as a
phone does it (code page, stylesheet, ballot page for the code, form submission). The last line is JSON with
ballots_per_s, p99_ms, bare_req_per_s and flow_ballots_per_s.

gunicorn runs 4 gthread workers of 4 threads; BENCH_WORKERS, BENCH_THREADS and BENCH_CLASS (the worker class)
change that, to compare deployments.
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
os.environ.setdefault("MINPING_PII_KEY", "bench-pii-key")  # the server must digest codes with the same key
from _setup import ROOT, make_cadres, throwaway_database  # noqa: E402

SUBJECTS = 30
CONNECTIONS = 64


def seed(codes_needed: int):
    from minping.accounts.models import User
    from minping.evaluations import actions
    from minping.evaluations.models import Instrument
    from minping.org.models import Region, new_path_segment

    district = Region.objects.create(name="基准区", level="district", path=new_path_segment())
    community = Region.objects.create(name="基准社区", level="community", parent=district, depth=1,
                                      path=district.path + new_path_segment())  # fmt: skip
    user = User.objects.create_user("bench", role=User.Role.ORGANISER, region=district)
    cadres = make_cadres(community, SUBJECTS)
    actions.install_builtin_instruments()
    instrument = Instrument.objects.get(builtin_key="party_secretary", region__isnull=True)
    campaign = actions.create_campaign(actor=user, name="基准测评", region=district, instrument=instrument,
                                       channels=["qr"], quorum=50)  # fmt: skip
    actions.add_subjects(actor=user, campaign=campaign, subjects=cadres)
    group = campaign.groups.get()
    tokens = []
    while len(tokens) < codes_needed:
        count = min(actions.MAX_BATCH, codes_needed - len(tokens))
        tokens += [t for t, _s in actions.issue_codes(actor=user, campaign=campaign, group=group, count=count, channel="qr")]
    campaign = actions.open_campaign(actor=user, campaign=campaign)
    questions = [q["key"] for q in campaign.definition["subject_questions"]]
    values = {q: ("competent" if q == "overall" else "satisfied") for q in questions}
    subject_ids = list(campaign.subjects.values_list("pk", flat=True))
    json_answers = {"subjects": {str(pk): values for pk in subject_ids}, "general": {}}
    form_answers = "".join(f"&s{pk}__{q}={v}" for pk in subject_ids for q, v in values.items())
    return campaign, tokens, json_answers, form_answers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    command = [sys.executable, "-m", "gunicorn", "bench.server:application", "-b", f"127.0.0.1:{port}",
               "-w", os.environ.get("BENCH_WORKERS", "4"), "-k", os.environ.get("BENCH_CLASS", "gthread"), "--threads", os.environ.get("BENCH_THREADS", "4"),
               "--chdir", str(ROOT), "--log-level", "warning"]  # fmt: skip
    server = subprocess.Popen(command, env={**os.environ, "DJANGO_SETTINGS_MODULE": "minping.settings"})
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    sys.exit("gunicorn did not start")


def wrk(port: int, mode: str, seconds: int, files: dict) -> dict:
    # A wrk thread's script state is shared by its connections. In the flow each connection is one voter whose
    # steps must follow each other, so there it gets a thread of its own.
    threads = CONNECTIONS if mode == "flow" else 2
    env = {**os.environ, "MODE": mode, "THREADS": str(threads), "CODES_FILE": files["codes"],
           "ANSWERS_FILE": files["form" if mode == "flow" else "json"]}  # fmt: skip
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "-s",
                          str(BENCH / "cast.lua"), f"http://127.0.0.1:{port}"],
                         env=env, capture_output=True, text=True, check=True)  # fmt: skip
    line = next(line for line in out.stdout.splitlines() if line.startswith("JSON "))
    return json.loads(line[5:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=15)
    args = parser.parse_args()
    with throwaway_database("bench_cast"):
        from django.db import connection

        from minping.evaluations.models import Ballot

        codes_needed = 3000 * args.seconds
        campaign, tokens, json_answers, form_answers = seed(codes_needed)
        connection.close()
        directory = tempfile.mkdtemp(prefix="minping-cast-")
        files = {"codes": os.path.join(directory, "codes"), "json": os.path.join(directory, "answers.json"),
                 "form": os.path.join(directory, "answers.form")}  # fmt: skip
        half = len(tokens) // 2
        Path(files["codes"]).write_text("\n".join(tokens[:half]) + "\n")
        Path(files["json"]).write_text(json.dumps(json_answers, separators=(",", ":")))
        Path(files["form"]).write_text(form_answers)
        port = free_port()
        server = start_server(port)
        try:
            wrk(port, "bare", 3, files)  # warm-up: workers import everything, connections open
            bare = wrk(port, "bare", args.seconds, files)
            cast = wrk(port, "cast", args.seconds, files)
            cast_ballots = Ballot.objects.filter(campaign=campaign).count()
            Path(files["codes"]).write_text("\n".join(tokens[half:]) + "\n")
            flow = wrk(port, "flow", args.seconds, files)
            flow_ballots = Ballot.objects.filter(campaign=campaign).count() - cast_ballots
        finally:
            server.terminate()
            server.wait(timeout=30)
    figures = {
        "ballots_per_s": round(cast_ballots / cast["seconds"], 1),
        "p99_ms": round(cast["p99_ms"], 1),
        "bare_req_per_s": round(bare["requests"] / bare["seconds"], 1),
        "flow_ballots_per_s": round(flow_ballots / flow["seconds"], 1),
    }
    print(f"bare Django JSON view: {figures['bare_req_per_s']} req/s, p50 {bare['p50_ms']} ms, p99 {bare['p99_ms']} ms")
    print(f"cast API: {cast_ballots} ballots in {cast['seconds']:.1f} s = {figures['ballots_per_s']}/s, "
          f"p50 {cast['p50_ms']} ms, p99 {cast['p99_ms']} ms, non-2xx {cast['non2xx']}, socket errors {cast['socket_errors']}")  # fmt: skip
    print(f"ratio to the bare view: {figures['ballots_per_s'] / figures['bare_req_per_s']:.2f}")
    print(f"voter flow: {flow_ballots} ballots in {flow['seconds']:.1f} s = {figures['flow_ballots_per_s']}/s "
          f"({flow['requests']} requests, p99 {flow['p99_ms']} ms, non-2xx {flow['non2xx']})")  # fmt: skip
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
