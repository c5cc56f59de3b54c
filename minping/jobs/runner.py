"""Running scheduled jobs: a tick claims the jobs that are due and runs them (here, or on Celery workers).

A claim is one UPDATE that sets the job's lease only where the job is due and not leased, so of two ticks (two
web processes of the embedded default, or beat and a manual run) only one gets it. The run records its outcome and
the next time it is due: the schedule's after a success, a growing delay after a failure.
"""

import logging
import secrets
import traceback

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from minping.audit.actions import record_event
from minping.jobs.models import JobRun, JobState, Outcome
from minping.lib.schedule import JOBS, Job

log = logging.getLogger(__name__)
HISTORY = 200  # runs kept per job


def ensure_states() -> None:
    """A state row for every declared job, first due at its next scheduled time."""
    now = timezone.now()
    known = set(JobState.objects.values_list("key", flat=True))
    JobState.objects.bulk_create(
        [JobState(key=key, next_run_at=job.next_after(now)) for key, job in JOBS.items() if key not in known], ignore_conflicts=True
    )


def claim(job: Job) -> str | None:
    """The token of a new lease on `job` if it is due and nobody holds it, else None."""
    now, token = timezone.now(), secrets.token_hex(16)
    claimed = (
        JobState.objects.filter(key=job.key, next_run_at__lte=now)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(lease_until=now + job.timeout, lease_token=token)
    )
    return token if claimed else None


def tick() -> list[str]:
    """Claim every due job and run it: on Celery when that is the task runner, else here, one after another.
    The keys of the jobs started."""
    ensure_states()
    started = []
    for job in JOBS.values():
        token = claim(job)
        if token is None:
            continue
        started.append(job.key)
        if settings.TASK_RUNNER == "celery":
            from minping.jobs.tasks import run_job_task

            run_job_task.delay(job.key, token)
        else:
            run_job(job.key, token)
    return started


def run_job(key: str, token: str) -> str | None:
    """Run the job under the lease `token`; its outcome, or None when the lease is not (or no longer) ours."""
    job = JOBS.get(key)
    if job is None or not JobState.objects.filter(key=key, lease_token=token, lease_until__gt=timezone.now()).exists():
        return None
    started = timezone.now()
    JobState.objects.filter(key=key, lease_token=token).update(last_started_at=started)
    try:
        result, outcome, error = job.run() or {}, Outcome.OK, ""
    except Exception as exc:
        log.exception("scheduled job %s failed", key)
        result, outcome = {}, Outcome.FAILED
        error = f"{type(exc).__name__}: {exc}\n" + "".join(traceback.format_tb(exc.__traceback__)[-3:])
    _finish(job, token, started, outcome, error[:4000], result)
    return outcome


def _finish(job: Job, token: str, started, outcome: str, error: str, result: dict) -> None:
    finished = timezone.now()
    with transaction.atomic():
        state = JobState.objects.select_for_update().get(key=job.key)
        if state.lease_token != token:
            return  # the lease ran out and another run took the job over; its record is the one that counts
        state.failures = 0 if outcome == Outcome.OK else state.failures + 1
        state.next_run_at = job.next_after(started) if outcome == Outcome.OK else finished + job.retry_after(state.failures)
        state.last_finished_at, state.last_outcome, state.last_error, state.last_result = finished, outcome, error, result
        state.runs += 1
        state.lease_until, state.lease_token = None, ""
        state.save()
        JobRun.objects.create(key=job.key, started_at=started, finished_at=finished, outcome=outcome, error=error, result=result)
        old = JobRun.objects.filter(key=job.key).order_by("-pk").values_list("pk", flat=True)[HISTORY : HISTORY + 1]
        if old:
            JobRun.objects.filter(key=job.key, pk__lte=old[0]).delete()


def run_soon(*, actor, key: str) -> JobState:
    """An administrator's "run now": the job becomes due, and the next tick runs it."""
    if key not in JOBS:
        from django.core.exceptions import ValidationError

        raise ValidationError("未知的定时任务")
    ensure_states()
    with transaction.atomic():
        JobState.objects.filter(key=key).update(next_run_at=timezone.now())
        record_event(actor=actor, action="job.run_now", data={"job": key})
    return JobState.objects.get(key=key)
