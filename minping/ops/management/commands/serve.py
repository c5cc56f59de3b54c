"""`minping serve`: the site on a production WSGI server.

granian (Rust, WSGI interface, blocking threads per worker) is the default: on the same machine it served the
voter flow and visits ahead of gunicorn, and the cast API level with it or ahead (`bench/cast.py`, `bench/grid.py`;
figures in docs/deploy.md). gunicorn stays available with `--server gunicorn`, for comparison or where granian
cannot run.

Static files are collected first, compressed and named by their content, so WhiteNoise can serve them with a
year's cache. The command then replaces itself with the server, so a service manager's signals reach it directly:
TERM stops it after the requests in flight, HUP restarts its workers one by one (graceful reload).
"""

import argparse
import os
import shutil
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from minping.lib.env import usable_cores


def _on_sqlite() -> bool:
    return settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")


def default_workers() -> int:
    """One worker process per core on PostgreSQL; one on SQLite, which has a single writer anyway."""
    if _on_sqlite():
        return 1
    return usable_cores()


def default_threads() -> int:
    """Four threads a worker on PostgreSQL; two on SQLite. There a thread that finds the file's write lock taken
    sleeps in steps of up to 100 ms before it tries again, so more threads queue behind the lock and then sleep
    past its release: `bench/meeting.py --voters 5000 --seconds 60` had a p99 of 66-233 ms in most runs with one
    or two threads, and 2.4 s with four (docs/deploy.md)."""
    return 2 if _on_sqlite() else 4


class Command(BaseCommand):
    help = "Serve the site on a production WSGI server (granian by default): collect static files, then run."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=settings.WEB_HOST)
        parser.add_argument("--port", type=int, default=settings.WEB_PORT)
        parser.add_argument(
            "--workers", type=int, default=settings.WEB_WORKERS or None, help="worker processes (default: one per core; one on SQLite)"
        )
        parser.add_argument("--threads", type=int, default=settings.WEB_THREADS or None, help="threads per worker (default 4; 2 on SQLite)")
        parser.add_argument("--server", choices=["granian", "gunicorn"], default="granian")
        parser.add_argument("--app", default="minping.wsgi:application", help=argparse.SUPPRESS)  # benchmarks serve their own
        parser.add_argument("--no-collect", action="store_true", help="do not collect static files first")

    def handle(self, *args, host, port, workers, threads, server, app, no_collect, **options):
        if not no_collect:
            call_command("collectstatic", interactive=False, verbosity=0)
        workers, threads = workers or default_workers(), default_threads() if threads is None else threads
        if workers < 1 or threads < 1:
            raise CommandError("--workers and --threads must be at least 1")
        argv = self.granian(app, host, port, workers, threads) if server == "granian" else self.gunicorn(app, host, port, workers, threads)
        self.stdout.write(f"Serving on http://{host}:{port}/ with {server}: {workers} workers × {threads} threads")
        sys.stdout.flush()
        os.execv(argv[0], argv)

    @staticmethod
    def granian(app, host, port, workers, threads) -> list[str]:
        return [
            _program("granian"),
            "--interface",
            "wsgi",
            "--no-ws",
            "--host",
            host,
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--blocking-threads",
            str(threads),
            "--respawn-failed-workers",
            "--no-access-log",
            "--log-level",
            "info",
            "--workers-kill-timeout",
            "30",
            app,
        ]

    @staticmethod
    def gunicorn(app, host, port, workers, threads) -> list[str]:
        return [
            _program("gunicorn"),
            app,
            "-b",
            f"{host}:{port}",
            "-w",
            str(workers),
            "-k",
            "gthread",
            "--threads",
            str(threads),
            "--graceful-timeout",
            "30",
            "--log-level",
            "warning",
        ]


def _program(name: str) -> str:
    """The server's executable: beside this Python (a virtualenv's bin) or on PATH."""
    beside = os.path.join(os.path.dirname(sys.executable), name)
    found = beside if os.access(beside, os.X_OK) else shutil.which(name)
    if not found:
        raise CommandError(f"{name} is not installed (pip install {name})")
    return found
