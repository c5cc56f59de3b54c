"""Scale-out on this machine: the voter flow through nginx with one and with two app servers, and a million-row
import with one and with two Celery workers, on one PostgreSQL.

    DATABASE_URL=postgres://user:pass@host:5432/minping python bench/scale.py [--seconds 15] [--rows 1000000]

An app server is one `minping serve` (a worker per core, 4 threads each); nginx balances between them as
deploy/nginx/minping.conf does. The flow is bench/cast.py's (a phone's six requests per ballot, 64 connections,
wrk). The import is the residents register from CSV, checked and loaded by Celery workers through Redis, timed
from upload to loaded. Needs Debian's nginx, wrk and redis-server. The last line is JSON: flow_1, flow_2 (ballots
per second), import_1_s, import_2_s.
"""

import argparse
import csv
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
os.environ.setdefault("MINPING_PII_KEY", "bench-pii-key")  # servers and workers digest codes with the same key
from _setup import ROOT, parse_args, throwaway_database  # noqa: E402
from cast import FLOW_CODES_PER_S, free_port, seed, wrk  # noqa: E402
from import_residents import HEADER, build_tree, resident_rows  # noqa: E402

NGINX = """
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log error;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body; proxy_temp_path {dir}/proxy; fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi; scgi_temp_path {dir}/scgi;
    upstream minping {{ {servers} keepalive 64; }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://minping;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        }}
    }}
}}
"""


def wait_for(port: int, process: subprocess.Popen) -> None:
    for _ in range(600):
        if process.poll() is not None:
            sys.exit(f"{process.args[:4]} exited")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"nothing listens on {port}")


def flow_through_nginx(servers: int, seconds: int, tokens: list[str], form_answers: str) -> tuple[float, float]:
    """Ballots per second and p99 of the voter flow through nginx in front of `servers` app servers."""
    from minping.evaluations.models import Ballot, PooledBallot

    folder = Path(tempfile.mkdtemp(prefix="minping-scale-"))
    files = {"codes": str(folder / "codes"), "form": str(folder / "answers.form"), "json": str(folder / "answers.json")}
    Path(files["codes"]).write_text("\n".join(tokens) + "\n")
    Path(files["form"]).write_text(form_answers)
    Path(files["json"]).write_text("{}")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "minping.settings", "PYTHONPATH": str(ROOT), "MINPING_TRUSTED_PROXIES": "127.0.0.1"}
    processes, ports = [], [free_port() for _ in range(servers)]
    try:
        for port in ports:
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "minping", "serve", "--app", "bench.server:application", "--port", str(port)],
                    env=env,
                    cwd=ROOT,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            wait_for(port, processes[-1])
        port = free_port()
        upstream = " ".join(f"server 127.0.0.1:{p};" for p in ports)
        (folder / "nginx.conf").write_text(NGINX.format(dir=folder, servers=upstream, port=port))
        processes.append(subprocess.Popen(["nginx", "-p", str(folder), "-c", str(folder / "nginx.conf"), "-g", "daemon off;"]))
        wait_for(port, processes[-1])
        before = Ballot.objects.count() + PooledBallot.objects.count()
        result = wrk(port, "flow", seconds, files)
        return round((Ballot.objects.count() + PooledBallot.objects.count() - before) / result["seconds"], 1), round(result["p99_ms"], 1)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=40)


def import_with_workers(workers: int, path: str, user) -> float:
    """Seconds from upload to loaded for the CSV at `path`, checked and loaded by `workers` Celery workers."""
    from django.db import connection
    from django.test import override_settings

    from minping.imports import actions
    from minping.imports.models import ImportJob

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE org_resident CASCADE")  # and what refers to it (none here)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "minping.settings", "PYTHONPATH": str(ROOT)}
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "minping",
                "worker",
                "--concurrency",
                "1",
                "--loglevel",
                "WARNING",
                "-n",
                f"bench{n}@%h",
                "--without-mingle",
                "--without-gossip",
            ],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for n in range(workers)
    ]
    try:
        time.sleep(5)  # the workers connect to the broker
        with override_settings(TASK_RUNNER="celery"):
            started = time.perf_counter()
            job = actions.start_import(actor=user, register="residents", upload=DiskUpload(path))
            job = wait_for_status(job, {ImportJob.Status.VALID, ImportJob.Status.INVALID, ImportJob.Status.FAILED})
            if job.status != ImportJob.Status.VALID:
                sys.exit(f"the check ended {job.status}: {job.problems[:3]} {job.result}")
            actions.commit_import(actor=user, job=job)
            job = wait_for_status(job, {ImportJob.Status.DONE, ImportJob.Status.FAILED})
            if job.status != ImportJob.Status.DONE:
                sys.exit(f"the load failed: {job.result}")
            return round(time.perf_counter() - started, 1)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=120)


def wait_for_status(job, statuses):
    while True:
        job.refresh_from_db()
        if job.status in statuses:
            return job
        time.sleep(0.2)


class DiskUpload:
    """A file on disk, as Django's upload handlers leave a large upload."""

    def __init__(self, path: str):
        self.path, self.name, self.size = path, os.path.basename(path), os.path.getsize(path)

    def chunks(self):
        with open(self.path, "rb") as handle:
            while chunk := handle.read(1 << 20):
                yield chunk


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parse_args(parser, smoke={"seconds": 2, "rows": 2000})
    folder = tempfile.mkdtemp(prefix="minping-scale-")
    redis_port = free_port()
    redis = subprocess.Popen(
        ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL
    )
    os.environ.update({"CELERY_BROKER_URL": f"redis://127.0.0.1:{redis_port}/0", "REDIS_URL": f"redis://127.0.0.1:{redis_port}/1"})
    try:
        with throwaway_database("bench_scale"):
            from django.db import connection

            from minping.accounts.models import User

            _campaign, tokens, _json, form_answers = seed(2 * FLOW_CODES_PER_S * args.seconds, label="scale")
            connection.close()
            half = len(tokens) // 2
            flow_1, p99_1 = flow_through_nginx(1, args.seconds, tokens[:half], form_answers)
            print(f"voter flow through nginx, 1 app server: {flow_1} ballots/s, p99 {p99_1} ms")
            flow_2, p99_2 = flow_through_nginx(2, args.seconds, tokens[half:], form_answers)
            print(f"voter flow through nginx, 2 app servers: {flow_2} ballots/s, p99 {p99_2} ms")

            district, _streets = build_tree()
            user = User.objects.create_user("scale", role=User.Role.ORGANISER, region=district)
            path = os.path.join(folder, "residents.csv")
            with open(path, "w", encoding="utf-8", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(HEADER)
                writer.writerows(resident_rows(args.rows))
            import_1 = import_with_workers(1, path, user)
            print(f"import of {args.rows} residents, 1 Celery worker: {import_1} s")
            import_2 = import_with_workers(2, path, user)
            print(f"import of {args.rows} residents, 2 Celery workers: {import_2} s")
    finally:
        redis.terminate()
    print(
        json.dumps(
            {
                "flow_1": flow_1,
                "flow_2": flow_2,
                "flow_1_p99_ms": p99_1,
                "flow_2_p99_ms": p99_2,
                "import_1_s": import_1,
                "import_2_s": import_2,
            }
        )
    )


if __name__ == "__main__":
    main()
