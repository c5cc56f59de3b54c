"""Ballots cast over HTTP through the real stack: `minping serve` (granian, or gunicorn), full middleware, PostgreSQL.

    DATABASE_URL=postgres://user:pass@host:5432/minping python bench/cast.py [--seconds 15] [--server granian|gunicorn|both]

A campaign of 30 subjects × 6 questions. wrk drives 64 concurrent connections in three runs: a bare Django
JSON view (the ceiling on this machine), the JSON cast endpoint (one ballot per request), and the voter flow as a
phone does it (code page, stylesheet, the code and the ballot page it redirects to, the submission and the receipt
page it redirects to). The last line is JSON with
ballots_per_s, p99_ms, bare_req_per_s, flow_ballots_per_s and the targets' ratios: cast_ratio (cast ÷ bare view,
target ≥ 0.25), flow_ratio (voter flow ÷ bare view, ≥ 0.06) and p99_ratio (cast p99 ÷ bare view p99, ≤ 10); and
a ballot's budget during the cast run: app_cpu_ms_per_ballot (the server's processes), pg_cpu_ms_per_ballot
(PostgreSQL's, when it runs on this machine) and wal_bytes_per_ballot.

The server runs as `minping serve` would: one worker per core, 4 threads each; BENCH_WORKERS and BENCH_THREADS
change that. With --server both, each server is measured on a fresh campaign and the JSON line carries both, the
chosen (granian) under the plain names. Needs Debian's wrk.
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
from urllib.parse import urlsplit

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
os.environ.setdefault("MINPING_PII_KEY", "bench-pii-key")  # the server must digest codes with the same key
from _setup import ROOT, make_cadres, parse_args, throwaway_database  # noqa: E402

SUBJECTS = 30
CONNECTIONS = 64
CAST_CODES_PER_S, FLOW_CODES_PER_S = 4000, 1500  # codes seeded per second of each run: more than either can use


def seed(codes_needed: int, label: str = ""):
    from minping.accounts.models import User
    from minping.evaluations import actions
    from minping.evaluations.models import Instrument
    from minping.org.models import Region, new_path_segment

    district = Region.objects.create(name=f"基准区{label}", level="district", path=new_path_segment())
    community = Region.objects.create(name="基准社区", level="community", parent=district, depth=1, path=district.path + new_path_segment())
    user = User.objects.create_user(f"bench{label}", role=User.Role.ORGANISER, region=district)
    cadres = make_cadres(community, SUBJECTS, birth="19800101" if not label or label == "granian" else "19810101")
    actions.install_builtin_instruments()
    instrument = Instrument.objects.get(builtin_key="party_secretary", region__isnull=True)
    campaign = actions.create_campaign(actor=user, name="基准测评", region=district, instrument=instrument, channels=["qr"], quorum=50)
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


def start_server(port: int, server_name: str) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "minping",
        "serve",
        "--server",
        server_name,
        "--app",
        "bench.server:application",
        "--port",
        str(port),
        "--threads",
        os.environ.get("BENCH_THREADS", "4"),
    ]
    if os.environ.get("BENCH_WORKERS"):
        command += ["--workers", os.environ["BENCH_WORKERS"]]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "minping.settings", "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(command, env=env, cwd=ROOT)
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    sys.exit(f"{server_name} did not start")


def cpu_seconds(server_pid: int) -> tuple[float, float | None]:
    """CPU time used so far (user and system) by the server and its worker processes, and by PostgreSQL's
    processes when it runs on this machine (None otherwise). From /proc: processes that ended are not counted, so
    the server must be alive and PostgreSQL's backends persistent, as they are here."""
    tick = os.sysconf("SC_CLK_TCK")
    stats = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                text = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            name, fields = text[text.index("(") + 1 : text.rindex(")")], text[text.rindex(")") + 2 :].split()
            stats[int(entry)] = (name, int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
    tree, server = {server_pid}, 0.0
    for pid in sorted(stats):  # a child's pid is larger than its parent's, short of the counter wrapping
        if pid in tree or stats[pid][1] in tree:
            tree.add(pid)
            server += stats[pid][2]
    local = urlsplit(os.environ["DATABASE_URL"]).hostname in ("127.0.0.1", "localhost", "::1", None, "")
    postgres = sum(cpu for name, _parent, cpu in stats.values() if name.startswith("postgres")) if local else None
    return server, postgres


def wal_bytes() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT wal_bytes FROM pg_stat_wal")
        written = int(cursor.fetchone()[0])
    connection.close()
    return written


def wrk(port: int, mode: str, seconds: int, files: dict) -> dict:
    # A wrk thread's script state is shared by its connections. In the flow each connection is one voter whose
    # steps must follow each other, so there it gets a thread of its own.
    threads = CONNECTIONS if mode == "flow" else 2
    env = {
        **os.environ,
        "MODE": mode,
        "THREADS": str(threads),
        "CODES_FILE": files["codes"],
        "ANSWERS_FILE": files["form" if mode == "flow" else "json"],
    }
    out = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{CONNECTIONS}",
            f"-d{seconds}s",
            "--latency",
            "-s",
            str(BENCH / "cast.lua"),
            f"http://127.0.0.1:{port}",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(line for line in out.stdout.splitlines() if line.startswith("JSON "))
    return json.loads(line[5:])


def measure(server_name: str, seconds: int) -> dict:
    """One server's figures, on a campaign of its own."""
    from django.db import connection

    from minping.evaluations.actions.shuffle import cast_count

    campaign, tokens, json_answers, form_answers = seed(CAST_CODES_PER_S * seconds + FLOW_CODES_PER_S * seconds, label=server_name)
    connection.close()
    directory = tempfile.mkdtemp(prefix="minping-cast-")
    files = {
        "codes": os.path.join(directory, "codes"),
        "json": os.path.join(directory, "answers.json"),
        "form": os.path.join(directory, "answers.form"),
    }
    split = CAST_CODES_PER_S * seconds
    Path(files["codes"]).write_text("\n".join(tokens[:split]) + "\n")
    Path(files["json"]).write_text(json.dumps(json_answers, separators=(",", ":")))
    Path(files["form"]).write_text(form_answers)
    port = free_port()
    server = start_server(port, server_name)
    try:
        wrk(port, "bare", 3, files)  # warm-up: workers import everything, connections open
        bare = wrk(port, "bare", seconds, files)
        (app_before, pg_before), wal_before = cpu_seconds(server.pid), wal_bytes()
        cast = wrk(port, "cast", seconds, files)
        (app_after, pg_after), wal_after = cpu_seconds(server.pid), wal_bytes()
        cast_ballots = cast_count(campaign)
        Path(files["codes"]).write_text("\n".join(tokens[split:]) + "\n")
        flow = wrk(port, "flow", seconds, files)
        flow_ballots = cast_count(campaign) - cast_ballots
    finally:
        server.terminate()
        server.wait(timeout=30)
    figures = {
        "ballots_per_s": round(cast_ballots / cast["seconds"], 1),
        "p99_ms": round(cast["p99_ms"], 1),
        "bare_req_per_s": round(bare["requests"] / bare["seconds"], 1),
        "flow_ballots_per_s": round(flow_ballots / flow["seconds"], 1),
        "flow_p99_ms": round(flow["p99_ms"], 1),
        "bare_p99_ms": round(bare["p99_ms"], 1),
    }
    figures["cast_ratio"] = round(figures["ballots_per_s"] / figures["bare_req_per_s"], 3)
    figures["flow_ratio"] = round(figures["flow_ballots_per_s"] / figures["bare_req_per_s"], 3)
    figures["p99_ratio"] = round(figures["p99_ms"] / max(figures["bare_p99_ms"], 0.1), 1)
    per_ballot = 1000 / max(cast_ballots, 1)
    figures["app_cpu_ms_per_ballot"] = round((app_after - app_before) * per_ballot, 3)
    figures["pg_cpu_ms_per_ballot"] = round((pg_after - pg_before) * per_ballot, 3) if pg_before is not None else None
    figures["wal_bytes_per_ballot"] = round((wal_after - wal_before) / max(cast_ballots, 1))
    print(f"[{server_name}] bare Django JSON view: {figures['bare_req_per_s']} req/s, p50 {bare['p50_ms']} ms, p99 {bare['p99_ms']} ms")
    print(
        f"[{server_name}] cast API: {cast_ballots} ballots in {cast['seconds']:.1f} s = {figures['ballots_per_s']}/s, "
        f"p50 {cast['p50_ms']} ms, p99 {cast['p99_ms']} ms, non-2xx {cast['non2xx']}, socket errors {cast['socket_errors']}"
    )
    print(f"[{server_name}] ratio to the bare view: {figures['ballots_per_s'] / figures['bare_req_per_s']:.2f}")
    print(
        f"[{server_name}] per ballot cast: {figures['app_cpu_ms_per_ballot']} ms of the server's CPU, "
        f"{figures['pg_cpu_ms_per_ballot']} ms of PostgreSQL's, {figures['wal_bytes_per_ballot']} bytes of WAL"
    )
    print(
        f"[{server_name}] voter flow: {flow_ballots} ballots in {flow['seconds']:.1f} s = {figures['flow_ballots_per_s']}/s "
        f"({flow['requests']} requests, p99 {flow['p99_ms']} ms, non-2xx {flow['non2xx']})"
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--server", choices=["granian", "gunicorn", "both"], default="both")
    args = parse_args(parser, smoke={"seconds": 2})
    servers = ["granian", "gunicorn"] if args.server == "both" else [args.server]
    with throwaway_database("bench_cast"):
        results = {name: measure(name, args.seconds) for name in servers}
    figures = dict(results[servers[0]])
    for name in servers[1:]:
        figures.update({f"{name}_{key}": value for key, value in results[name].items()})
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
