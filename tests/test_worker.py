"""Imports run by a real Celery worker (prefork, as deployed) through a real Redis broker, on PostgreSQL."""

import os
import subprocess
import sys
import tempfile
import time
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import TransactionTestCase, override_settings

from minping.imports import actions, engine
from tests.base import id_number, make_region
from tests.importing import csv_bytes

needs_worker = pytest.mark.skipif(
    not os.environ.get("CELERY_BROKER_URL")
    or os.environ.get("DATABASE_URL", "").startswith("sqlite")
    or not os.environ.get("DATABASE_URL"),
    reason="needs CELERY_BROKER_URL and PostgreSQL (the CI run on PostgreSQL sets both)",
)


def database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{quote(db['USER'])}:{quote(db['PASSWORD'] or '')}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@needs_worker
@override_settings(TASK_RUNNER="celery")
class CeleryWorkerTest(TransactionTestCase):
    def setUp(self):
        from minping.accounts.models import User

        district = make_region("甲区", "district")
        self.grid = make_region("第1网格", "grid", make_region("光明社区", "community", make_region("一街道", "street", district)))
        self.user = User.objects.create_user("org", password="x", role=User.Role.ORGANISER, region=district)
        env = {**os.environ, "DATABASE_URL": database_url(), "DJANGO_SETTINGS_MODULE": "tests.settings"}
        self.log = tempfile.TemporaryFile(mode="w+")
        self.worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "minping",
                "worker",
                "--pool=prefork",
                "--concurrency=1",
                "--loglevel=INFO",
                "--without-heartbeat",
                "--without-mingle",
                "--without-gossip",
            ],
            env=env,
            cwd=settings.BASE_DIR.parent,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def tearDown(self):
        self.worker.terminate()
        self.worker.wait(timeout=30)
        self.log.close()

    def worker_log(self) -> str:
        self.log.seek(0)
        return self.log.read()

    def wait_for(self, job, *statuses, timeout=90):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.status in statuses:
                return job
            self.assertIsNone(self.worker.poll(), "the worker exited")
            time.sleep(0.2)
        self.fail(f"job still {job.status} after {timeout}s")

    def test_a_worker_checks_and_commits_an_import(self):
        rows = [["姓名", "身份证号", "手机号", "住址", "所属区域", "户编号"]]
        rows += [[f"居民{n}", id_number(n), "", "", "甲区/一街道/光明社区/第1网格", ""] for n in range(300)]
        upload = SimpleUploadedFile("r.csv", csv_bytes(rows))
        job = actions.start_import(actor=self.user, register="residents", upload=upload)
        self.wait_for(job, "valid", "invalid")
        self.assertEqual((job.status, job.row_count), ("valid", 300), job.problems)
        actions.commit_import(actor=self.user, job=job)
        self.wait_for(job, "done", "failed")
        self.assertEqual(job.result, {"created": 300, "updated": 0, "unchanged": 0})
        self.assertEqual(self.grid.residents.count(), 300)

    def test_a_worker_checks_a_large_csv_in_two_parts(self):
        rows = [["姓名", "身份证号", "手机号", "住址", "所属区域", "户编号"]]
        for n in range(200_000):  # about 17 MB: more than PARALLEL_BYTES
            day = n // 1000
            rows.append(
                [
                    f"居民{n}",
                    id_number(n, f"19{50 + day // 28 % 50}{day // 28 // 50 + 1:02d}{day % 28 + 1:02d}"),
                    "13900001111",
                    f"幸福路{n}号",
                    "甲区/一街道/光明社区/第1网格",
                    "",
                ]
            )
        rows[150_000][1] = rows[10][1]  # a repeat across the cut
        content = csv_bytes(rows)
        self.assertGreater(len(content), engine.PARALLEL_BYTES)
        job = actions.start_import(actor=self.user, register="residents", upload=SimpleUploadedFile("r.csv", content))
        self.wait_for(job, "valid", "invalid", "failed")
        self.assertEqual((job.status, job.row_count, job.problem_count), ("invalid", 200_000, 1), job.result)
        self.assertEqual(job.problems, [{"row": 150_001, "column": "身份证号", "reason": "与第11行重复"}])
        self.assertIn("ended with status 0", self.worker_log())  # the helper process checked the second part

    def test_celery_beat_ticks_and_a_worker_runs_the_due_job(self):
        from django.utils import timezone

        from minping.jobs.actions import ensure_states
        from minping.jobs.models import JobRun, JobState

        ensure_states()
        JobState.objects.filter(key="audit.verify_chain").update(next_run_at=timezone.now())
        env = {**os.environ, "DATABASE_URL": database_url(), "DJANGO_SETTINGS_MODULE": "tests.settings", "MINPING_JOBS_TICK_SECONDS": "1"}
        with tempfile.TemporaryDirectory() as folder:
            beat = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "minping", "beat", "--loglevel=INFO", "--schedule", f"{folder}/beat-schedule"],
                env=env,
                cwd=settings.BASE_DIR.parent,
                stdout=self.log,
                stderr=subprocess.STDOUT,
            )
            try:
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline and not JobRun.objects.filter(key="audit.verify_chain").exists():
                    self.assertIsNone(beat.poll(), "celery beat exited:\n" + self.worker_log())
                    time.sleep(0.2)
            finally:
                beat.terminate()
                beat.wait(timeout=30)
        state = JobState.objects.get(key="audit.verify_chain")
        self.assertEqual((state.runs, state.last_outcome), (1, "ok"), self.worker_log())
        self.assertIn("minping.jobs.run", self.worker_log())
