"""`minping serve` as deployed: granian in front of the project, static files collected with hashed names and a
year's cache, a graceful reload on HUP and a clean stop on TERM."""

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from unittest import TestCase

import pytest

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str) -> tuple[int, dict, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


class ServeTest(TestCase):
    def setUp(self):
        self.data = tempfile.mkdtemp(prefix="minping-serve-")
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL")}
        env.update({"MINPING_DATA_DIR": self.data, "DJANGO_SETTINGS_MODULE": "minping.settings", "PYTHONPATH": str(ROOT)})
        self.log = tempfile.TemporaryFile()
        self.server = subprocess.Popen(
            [sys.executable, "-m", "minping", "serve", "--port", str(self.port), "--threads", "2"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.addCleanup(self.stop)
        self.wait_until_up()

    def stop(self):
        """The server and its workers: a TERM to the whole group, then a KILL to whatever is left of it."""
        for sent in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.server.pid, sent)
                self.server.wait(timeout=40)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass
        try:
            os.killpg(self.server.pid, signal.SIGKILL)  # workers that outlived their master
        except ProcessLookupError:
            pass
        self.log.close()

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def wait_until_up(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.assertIsNone(self.server.poll(), self.output())
            try:
                if get(self.port, "/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.fail("minping serve did not answer:\n" + self.output())

    def test_it_serves_pages_and_hashed_static_files_cached_for_a_year(self):
        self.assertIn("with granian: 1 workers × 2 threads", self.output())  # SQLite: one worker
        status, _headers, body = get(self.port, "/accounts/login/")
        self.assertEqual(status, 200)
        stylesheet = re.search(rb'href="(/static/minping/minping\.[0-9a-f]{12}\.css)"', body)
        self.assertIsNotNone(stylesheet, body[:600])
        status, headers, _body = get(self.port, stylesheet.group(1).decode())
        self.assertEqual(status, 200)
        self.assertIn("max-age=315360000", headers["cache-control"])
        self.assertTrue(any(Path(self.data, "static", "minping").glob("minping.*.css.gz")))  # compressed copies

    def test_hup_reloads_the_workers_and_term_stops_the_server(self):
        self.server.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 30
        while "respawning" not in self.output() and time.monotonic() < deadline:
            time.sleep(0.2)
        self.assertIn("gracefully respawning workers", self.output())
        self.wait_until_up()
        self.server.send_signal(signal.SIGTERM)
        self.assertEqual(self.server.wait(timeout=40), 0, self.output())


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")  # read, never connected to
def test_sqlite_gets_one_worker_of_two_threads_postgresql_a_worker_a_core_of_four():
    from django.test import override_settings

    from minping.ops.management.commands.serve import default_threads, default_workers

    with override_settings(DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}):
        assert (default_workers(), default_threads()) == (1, 2)
    with override_settings(DATABASES={"default": {"ENGINE": "minping.lib.postgres", "NAME": "minping"}}):
        assert (default_workers(), default_threads()) == (len(os.sched_getaffinity(0)), 4)
