"""An import run by a real Celery worker through a real Redis broker, on PostgreSQL."""

import os
import subprocess
import sys
import time
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import TransactionTestCase, override_settings

from minping.imports import actions
from tests.base import id_number, make_region
from tests.importing import csv_bytes

needs_worker = pytest.mark.skipif(
    not os.environ.get("CELERY_BROKER_URL") or os.environ.get("DATABASE_URL", "").startswith("sqlite") or not os.environ.get("DATABASE_URL"),
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
        self.worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "minping", "worker", "--pool=solo", "--loglevel=WARNING", "--without-heartbeat"],
            env=env, cwd=settings.BASE_DIR.parent,
        )  # fmt: skip

    def tearDown(self):
        self.worker.terminate()
        self.worker.wait(timeout=30)

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
