"""Scheduled jobs: due jobs run once and are scheduled again, failures are recorded and retried with growing
delays, a job never runs twice at once, the first jobs (expiring imports, checking the audit chain) do their work
and change nothing when run again, and administrators see it all."""

import datetime as dt
import os
import threading
import time

from django.conf import settings
from django.db import connection
from django.test import TransactionTestCase, override_settings, skipUnlessDBFeature
from django.urls import reverse
from django.utils import timezone

from minping.audit.models import AuditEvent
from minping.imports.engine import stage_for
from minping.imports.models import ImportJob
from minping.jobs import actions, runner
from minping.jobs.models import JobRun, JobState
from minping.jobs.scheduler import Scheduler
from minping.lib.schedule import JOBS, Job
from tests.base import BaseTestCase, at_once


def make_due(key: str) -> None:
    actions.ensure_states()
    JobState.objects.filter(key=key).update(next_run_at=timezone.now() - dt.timedelta(seconds=1))


class ScratchJob:
    """A job declared for one test, removed after it."""

    def __init__(self, test, run, key="test.job"):
        self.key = key
        JOBS[key] = Job(key, "测试任务", run, every=dt.timedelta(hours=1))
        test.addCleanup(JOBS.pop, key)


class RunnerTest(BaseTestCase):
    def test_the_first_jobs_are_declared(self):
        self.assertIn("audit.verify_chain", JOBS)
        self.assertIn("imports.expire", JOBS)

    def test_a_due_job_runs_once_and_is_scheduled_again(self):
        make_due("audit.verify_chain")
        self.assertEqual(runner.tick(), ["audit.verify_chain"])
        state = JobState.objects.get(key="audit.verify_chain")
        self.assertEqual((state.last_outcome, state.runs, state.failures, state.lease_token), ("ok", 1, 0, ""))
        local_next = timezone.localtime(state.next_run_at)
        self.assertEqual((local_next.hour, local_next.minute), (2, 30))
        self.assertGreater(state.next_run_at, timezone.now())
        self.assertEqual(runner.tick(), [])  # not due again until tomorrow night
        self.assertEqual(JobRun.objects.filter(key="audit.verify_chain").count(), 1)

    def test_a_failing_job_is_recorded_and_retried_with_a_growing_delay(self):
        outcomes = iter([RuntimeError("网关不可用"), RuntimeError("网关不可用"), None])

        def flaky():
            failure = next(outcomes)
            if failure:
                raise failure
            return {"sent": 3}

        job = ScratchJob(self, flaky)
        delays = []
        for _attempt in range(3):
            make_due(job.key)
            before = timezone.now()
            runner.tick()
            state = JobState.objects.get(key=job.key)
            delays.append((state.failures, round((state.next_run_at - before).total_seconds() / 60)))
        self.assertEqual(delays, [(1, 1), (2, 2), (0, 60)])
        self.assertEqual(state.last_result, {"sent": 3})
        failed = JobRun.objects.filter(key=job.key, outcome="failed")
        self.assertEqual(failed.count(), 2)
        self.assertIn("RuntimeError: 网关不可用", failed.first().error)

    def test_a_held_lease_keeps_a_second_run_out(self):
        job = ScratchJob(self, lambda: {"ran": True})
        make_due(job.key)
        token = actions.claim(JOBS[job.key])
        self.assertIsNotNone(token)
        self.assertIsNone(actions.claim(JOBS[job.key]))
        self.assertEqual(runner.tick(), [])
        self.assertIsNone(runner.run_job(job.key, "not-the-token"))
        self.assertEqual(runner.run_job(job.key, token), "ok")

    def test_an_expired_lease_lets_the_job_be_taken_over(self):
        job = ScratchJob(self, lambda: None)
        make_due(job.key)
        stale = actions.claim(JOBS[job.key])
        JobState.objects.filter(key=job.key).update(lease_until=timezone.now() - dt.timedelta(seconds=1))
        self.assertEqual(runner.tick(), [job.key])
        self.assertIsNone(runner.run_job(job.key, stale))  # the worker that lost its lease does nothing
        self.assertEqual(JobState.objects.get(key=job.key).runs, 1)


class AuditChainJobTest(BaseTestCase):
    def test_a_broken_chain_fails_the_nightly_check(self):
        from minping.audit.actions import record_event

        record_event(actor=self.organiser_a, action="test.one")
        AuditEvent.objects.create(
            seq=2,
            at=timezone.now(),
            actor_name="x",
            action="forged",
            object_type="",
            object_id="",
            object_repr="",
            data={},
            prev_hash="0" * 64,
            hash="f" * 64,
        )
        make_due("audit.verify_chain")
        runner.tick()
        state = JobState.objects.get(key="audit.verify_chain")
        self.assertEqual((state.last_outcome, state.failures), ("failed", 1))
        self.assertIn("操作日志哈希链在 #2 处断开", state.last_error)


class ExpireImportsTest(BaseTestCase):
    def make_job(self, status, days_old):
        job = ImportJob.objects.create(register="residents", created_by=self.office_a, original_name="r.csv", format="csv", status=status)
        ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(days=days_old))
        job.upload_path.parent.mkdir(parents=True, exist_ok=True)
        job.upload_path.write_bytes(b"name\n")
        stage_for(job).create()
        return job

    def stage_exists(self, job) -> bool:
        return stage_for(job).table in connection.introspection.table_names()

    def test_unfinished_imports_expire_with_their_files_and_stage_and_a_second_run_changes_nothing(self):
        old = self.make_job(ImportJob.Status.VALID, settings.IMPORT_KEEP_DAYS + 1)
        stuck = self.make_job(ImportJob.Status.VALIDATING, 2)
        fresh = self.make_job(ImportJob.Status.VALID, 1)
        orphan = settings.MEDIA_ROOT / "imports" / "00000000-0000-0000-0000-000000000000.upload"
        orphan.write_bytes(b"x")
        os.utime(orphan, (time.time() - 2 * 86400,) * 2)
        self.assertEqual(JOBS["imports.expire"].run(), {"expired": 2, "files_removed": 1})
        for job, status in ((old, "expired"), (stuck, "expired"), (fresh, "valid")):
            job.refresh_from_db()
            self.assertEqual(job.status, status)
            self.assertEqual(job.upload_path.exists(), status == "valid")
            self.assertEqual(self.stage_exists(job), status == "valid")
        self.assertEqual(AuditEvent.objects.filter(action="import.expire").count(), 2)
        self.assertEqual(JOBS["imports.expire"].run(), {"expired": 0, "files_removed": 0})
        self.assertEqual(AuditEvent.objects.filter(action="import.expire").count(), 2)
        stage_for(fresh).drop()


class JobPageTest(BaseTestCase):
    def test_an_administrator_sees_the_jobs_and_runs_one_at_the_next_tick(self):
        self.client.force_login(self.admin)
        page = self.client.get(reverse("jobs:list"))
        self.assertContains(page, "核验操作日志哈希链")
        self.assertContains(page, "每天 02:30")
        self.client.post(reverse("jobs:run", args=["audit.verify_chain"]))
        self.assertLessEqual(JobState.objects.get(key="audit.verify_chain").next_run_at, timezone.now())
        self.assertTrue(AuditEvent.objects.filter(action="job.run_now", data__job="audit.verify_chain").exists())
        self.assertEqual(runner.tick(), ["audit.verify_chain"])
        self.assertContains(self.client.get(reverse("jobs:list")), "成功")

    def test_other_roles_get_403_and_an_unknown_job_a_message(self):
        self.client.force_login(self.organiser_a)
        self.assertEqual(self.client.get(reverse("jobs:list")).status_code, 403)
        self.client.force_login(self.admin)
        response = self.client.post(reverse("jobs:run", args=["nope"]), follow=True)
        self.assertContains(response, "未知的定时任务")


@skipUnlessDBFeature("has_select_for_update")
@override_settings(TASK_RUNNER="thread")  # jobs run in the ticking thread, as in the embedded default
class ConcurrentTickTest(TransactionTestCase):
    def test_two_processes_ticking_at_once_run_a_job_once(self):
        runs, lock = [], threading.Lock()

        def slow():
            with lock:
                runs.append(1)
            time.sleep(0.3)

        JOBS["test.slow"] = Job("test.slow", "慢任务", slow, every=dt.timedelta(hours=1))
        self.addCleanup(JOBS.pop, "test.slow")
        make_due("test.slow")
        started = at_once(runner.tick, runner.tick, runner.tick)
        self.assertEqual(sorted(len(keys) for keys in started), [0, 0, 1], started)
        self.assertEqual(len(runs), 1)

    def test_the_in_process_scheduler_ticks_on_its_own(self):
        make_due("audit.verify_chain")
        scheduler = Scheduler(interval=0.1).start()
        try:
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and not JobState.objects.filter(key="audit.verify_chain", runs=1).exists():
                time.sleep(0.1)
        finally:
            scheduler.stop()
        self.assertEqual(JobState.objects.get(key="audit.verify_chain").last_outcome, "ok")
