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
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "PYTHONPATH": str(ROOT),
            "MINPING_TRUSTED_PROXIES": "127.0.0.1",
            "MINPING_DATA_DIR": str(self.folder / "data"),
        }
        self.ports = [free_port(), free_port()]
        for port in self.ports:
            self.start(
                [sys.executable, "-m", "minping", "serve", "--port", str(port), "--workers", "1", "--threads", "4", "--no-collect"],
                env,
                port,
            )
        self.start(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "minping",
                "worker",
                "--pool=solo",
                "--loglevel=WARNING",
                "--without-heartbeat",
                "--without-mingle",
                "--without-gossip",
            ],
            env,
        )
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


@needs_nginx
class ShippedSiteTest(TransactionTestCase):
    """deploy/nginx/minping.conf as shipped loads in the distribution's nginx (`nginx -t`), with only the paths of
    its certificate, logs and static files moved into a scratch folder."""

    def test_the_shipped_site_loads_in_debians_nginx(self):
        folder = Path(tempfile.mkdtemp(prefix="minping-nginx-"))
        subprocess.run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "1",
                "-subj",
                "/CN=minping.test",
                "-keyout",
                str(folder / "minping.key"),
                "-out",
                str(folder / "minping.crt"),
            ],
            check=True,
            capture_output=True,
        )
        site = (ROOT / "deploy" / "nginx" / "minping.conf").read_text()
        for shipped, moved in (
            ("/etc/nginx/tls/", f"{folder}/"),
            ("/var/log/nginx/", f"{folder}/"),
            ("/var/lib/minping/static/", f"{folder}/static/"),
        ):
            self.assertIn(shipped, site)
            site = site.replace(shipped, moved)
        site = site.replace("listen 80;", f"listen 127.0.0.1:{free_port()};").replace("listen 443 ", f"listen 127.0.0.1:{free_port()} ")
        (folder / "minping.conf").write_text(site)
        (folder / "nginx.conf").write_text(
            f"pid {folder}/nginx.pid; error_log {folder}/error.log; events {{}}\n"
            f"http {{ client_body_temp_path {folder}/body; proxy_temp_path {folder}/proxy; fastcgi_temp_path {folder}/fastcgi;"
            f" uwsgi_temp_path {folder}/uwsgi; scgi_temp_path {folder}/scgi; include {folder}/minping.conf; }}\n"
        )
        checked = subprocess.run([NGINX, "-t", "-p", str(folder), "-c", str(folder / "nginx.conf")], capture_output=True, text=True)
        self.assertEqual(checked.returncode, 0, checked.stderr)
        self.assertIn("test is successful", checked.stderr)


class InstallPathTest(TransactionTestCase):
    """README's production recipe, as written, on PostgreSQL: the owner migrates and grants the site's role its
    rights; the site's role then runs the application and cannot change the audit log."""

    def setUp(self):
        from django.db import connection

        if connection.vendor != "postgresql":
            self.skipTest("database roles exist on PostgreSQL only")
        self.names = {"owner": "minping_owner_install", "site": "minping_site_install", "db": "minping_install"}
        with connection.cursor() as cursor:
            self.drop(cursor)
            cursor.execute(f"CREATE ROLE {self.names['owner']} LOGIN; CREATE ROLE {self.names['site']} LOGIN")
            cursor.execute(f"GRANT {self.names['site']} TO {self.names['owner']}")
            cursor.execute(f"CREATE DATABASE {self.names['db']} OWNER {self.names['owner']}")
        self.addCleanup(self.cleanup)
        db = connection.settings_dict
        self.url = lambda role: f"postgres://{self.names[role]}@{db['HOST']}:{db['PORT']}/{self.names['db']}"

    def drop(self, cursor):
        cursor.execute(f"DROP DATABASE IF EXISTS {self.names['db']} WITH (FORCE)")
        for role in ("site", "owner"):
            cursor.execute(f"DROP ROLE IF EXISTS {self.names[role]}")

    def cleanup(self):
        from django.db import connection

        with connection.cursor() as cursor:
            self.drop(cursor)

    def test_the_owner_migrates_and_grants_then_the_site_runs_and_cannot_rewrite_the_log(self):
        import psycopg

        readme = (ROOT / "README.md").read_text()
        recipe = readme[readme.index("## Production") :].split("```sh\n", 1)[1].split("```", 1)[0]
        owner_lines = [line.split("#")[0] for line in recipe.splitlines() if line.startswith(("OWNER=", "env DATABASE_URL=$OWNER"))]
        self.assertEqual(len(owner_lines), 2, recipe)
        script = "\n".join(owner_lines).replace("minping_site", self.names["site"]).replace("minping ", f"{sys.executable} -m minping ")
        script = script.replace(script.split("\n")[0], f"OWNER={self.url('owner')}")
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
        env.update(MINPING_DATA_DIR=tempfile.mkdtemp(prefix="minping-install-"), PYTHONPATH=str(ROOT))
        done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
        self.assertEqual(done.returncode, 0, done.stderr[-3000:])
        site_env = {**env, "DATABASE_URL": self.url("site"), "DJANGO_SUPERUSER_PASSWORD": "install-pass-1"}
        for command in (["check"], ["createsuperuser", "--noinput", "--username", "admin", "--email", "admin@example.gov.cn"]):
            ran = subprocess.run(
                [sys.executable, "-m", "minping", *command], env=site_env, cwd=ROOT, capture_output=True, text=True, timeout=300
            )
            self.assertEqual(ran.returncode, 0, ran.stderr[-3000:])
        with psycopg.connect(self.url("site"), autocommit=True) as site:
            self.assertEqual(site.execute("SELECT count(*) FROM accounts_user WHERE username = 'admin'").fetchone()[0], 1)
            with self.assertRaises(psycopg.errors.InsufficientPrivilege):
                site.execute("DELETE FROM audit_auditevent")
