"""The job table's writes: a state per declared job, a lease, a run's start and outcome, an administrator's "run
now". Runner (`jobs.runner`) calls them; only "run now" is a person's act and audited."""

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from minping.audit.actions import record_event
from minping.jobs.models import JobRun, JobState, Outcome
from minping.lib.schedule import JOBS, Job

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


def mark_started(key: str, token: str, started) -> None:
    JobState.objects.filter(key=key, lease_token=token).update(last_started_at=started)


def finish(job: Job, token: str, started, outcome: str, error: str, result: dict) -> None:
    """Record a run's outcome and when the job is due next, unless the lease `token` was lost meanwhile; keep
    the newest HISTORY runs."""
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
        raise ValidationError("未知的定时任务")
    ensure_states()
    with transaction.atomic():
        JobState.objects.filter(key=key).update(next_run_at=timezone.now())
        record_event(actor=actor, action="job.run_now", data={"job": key})
    return JobState.objects.get(key=key)
