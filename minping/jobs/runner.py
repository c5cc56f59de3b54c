"""Running scheduled jobs: a tick claims the jobs that are due and runs them (here, or on Celery workers).

A claim is one UPDATE that sets the job's lease only where the job is due and not leased, so of two ticks (two
web processes of the embedded default, or beat and a manual run) only one gets it. The run records its outcome and
the next time it is due: the schedule's after a success, a growing delay after a failure. The writes to the job
table are `jobs.actions`.
"""

import logging
import traceback

from django.conf import settings
from django.utils import timezone

from minping.jobs import actions
from minping.jobs.models import JobState, Outcome
from minping.lib.schedule import JOBS

log = logging.getLogger(__name__)


def tick() -> list[str]:
    """Claim every due job and run it: on Celery when that is the task runner, else here, one after another.
    The keys of the jobs started."""
    actions.ensure_states()
    started = []
    for job in JOBS.values():
        token = actions.claim(job)
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
    actions.mark_started(key, token, started)
    try:
        result, outcome, error = job.run() or {}, Outcome.OK, ""
    except Exception as exc:
        log.exception("scheduled job %s failed", key)
        result, outcome = {}, Outcome.FAILED
        error = f"{type(exc).__name__}: {exc}\n" + "".join(traceback.format_tb(exc.__traceback__)[-3:])
    actions.finish(job, token, started, outcome, error[:4000], result)
    return outcome
