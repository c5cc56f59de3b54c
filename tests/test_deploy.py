"""The deployment of docs/deploy.md, really started: Debian's nginx in front of two `minping serve` processes on
one PostgreSQL, with Redis and a Celery worker. A meeting votes through nginx; one app server is stopped in the
middle of it; every ballot is counted once."""

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from django.test import TransactionTestCase, override_settings

from tests.evaluating import ballots_cast
from tests.test_worker import database_url, needs_worker

ROOT = Path(__file__).resolve().parent.parent
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
needs_nginx = pytest.mark.skipif(not os.path.exists(NGINX) and not os.environ.get("CI"), reason="Debian's nginx is not installed")
VOTERS = 120


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing listens on {port}")


NGINX_CONF = """
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body; proxy_temp_path {dir}/proxy; fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi; scgi_temp_path {dir}/scgi;
    upstream minping {{ server 127.0.0.1:{one} max_fails=1 fail_timeout=5s; server 127.0.0.1:{two} max_fails=1 fail_timeout=5s; }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 20m;
        location / {{
            proxy_pass http://minping;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_next_upstream error timeout http_502 http_503;
            proxy_next_upstream_tries 2;
        }}
    }}
}}
"""


@needs_worker
@needs_nginx
@override_settings(TASK_RUNNER="celery")
class NginxTwoServersTest(TransactionTestCase):
    def setUp(self):
        from tests.evaluating import campaign_people, make_campaign

        campaign_people(self)
        self.campaign, _group, self.pairs = make_campaign(self, channels=("qr",), codes=VOTERS)
        self.folder = Path(tempfile.mkdtemp(prefix="minping-deploy-"))
        os.chmod(self.folder, 0o777)
        self.processes = []
        self.addCleanup(self.stop_all)
        env = {**os.environ, "DATABASE_URL": database_url(), "DJANGO_SETTINGS_MODULE": "tests.settings", "PYTHONPATH": str(ROOT),
               "MINPING_TRUSTED_PROXIES": "127.0.0.1", "MINPING_DATA_DIR": str(self.folder / "data")}  # fmt: skip
        self.ports = [free_port(), free_port()]
        for port in self.ports:
            self.start([sys.executable, "-m", "minping", "serve", "--port", str(port), "--workers", "1", "--threads", "4",
                        "--no-collect"], env, port)  # fmt: skip
        self.start([sys.executable, "-m", "celery", "-A", "minping", "worker", "--pool=solo", "--loglevel=WARNING",
                    "--without-heartbeat", "--without-mingle", "--without-gossip"], env)  # fmt: skip
        self.port = free_port()
        (self.folder / "nginx.conf").write_text(NGINX_CONF.format(dir=self.folder, one=self.ports[0], two=self.ports[1], port=self.port))
        self.start([NGINX, "-p", str(self.folder), "-c", str(self.folder / "nginx.conf"), "-g", "daemon off; user root;"], env, self.port)

    def start(self, command, env, port=None):
        log = open(self.folder / f"log-{len(self.processes)}", "w")
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.processes.append(process)
        if port:
            wait_for_port(port, process)
        return process

    def stop_all(self):
        """Each process group: TERM, a wait, then KILL for anything left (workers outliving their master)."""
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                pass
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def cast(self, token: str, answers: dict) -> dict:
        """One voter's phone: the ballot sent with its idempotency key, sent again after a failure as the page does.
        Runs in a thread, so it touches no database."""
        body = json.dumps({"code": token, "answers": answers, "idempotency_key": token})
        for _attempt in range(8):
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                connection.request("POST", "/api/vote/cast", body, {"Content-Type": "application/json"})
                response = connection.getresponse()
                payload = response.read()
                connection.close()
                if response.status in (200, 201):
                    return json.loads(payload)
                if response.status not in (502, 503, 504):
                    return {"status": response.status, "body": payload.decode()}
            except OSError:
                pass
            time.sleep(0.5)
        return {"status": "gave up"}

    def test_a_meeting_through_nginx_survives_losing_an_app_server_and_counts_every_ballot_once(self):
        from minping.evaluations.ballots import verify_ballot_box
        from minping.evaluations.models import Code
        from minping.results.actions import close_campaign
        from minping.results.tally import verify
        from tests.evaluating import full_answers

        receipts, lock = [], threading.Lock()
        tokens = [token for token, _short in self.pairs]
        answers = full_answers(self.campaign)

        def voter(batch):
            for token in batch:
                result = self.cast(token, answers)
                with lock:
                    receipts.append(result)

        threads = [threading.Thread(target=voter, args=(tokens[i::8],)) for i in range(8)]
        for thread in threads:
            thread.start()
        while len(receipts) < VOTERS // 3:
            time.sleep(0.05)
        self.processes[0].send_signal(signal.SIGTERM)  # one app server goes away in the middle of the meeting
        for thread in threads:
            thread.join()

        self.assertEqual(self.processes[0].wait(timeout=40), 0)
        failures = [r for r in receipts if "tracker" not in r]
        self.assertEqual(failures, [])
        self.assertEqual(len({r["tracker"] for r in receipts}), VOTERS)
        self.assertEqual(len(ballots_cast(campaign=self.campaign)), VOTERS)
        self.assertEqual(Code.objects.filter(campaign=self.campaign, status="used").count(), VOTERS)
        campaign = close_campaign(actor=self.organiser_a, campaign=self.campaign)
        self.assertEqual(verify_ballot_box(campaign), [])
        self.assertEqual(verify(campaign), [])
        self.assertIsNone(self.processes[2].poll(), "the Celery worker died")
