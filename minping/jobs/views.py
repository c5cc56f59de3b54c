"""Scheduled jobs for system administrators: each job's schedule, last run, next run and failures, its recent
runs, and a button to run it at the next tick."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minping.accounts.scoping import console_required
from minping.jobs import actions
from minping.jobs.models import JobRun, JobState
from minping.lib.feedback import attempt
from minping.lib.schedule import JOBS


def _admin_only(request) -> None:
    if not request.user.is_system_admin:
        raise PermissionDenied


@console_required
def job_list(request):
    _admin_only(request)
    actions.ensure_states()
    states = {state.key: state for state in JobState.objects.all()}
    rows = [{"job": job, "state": states.get(key)} for key, job in JOBS.items()]
    recent = []
    for run in JobRun.objects.all()[:50]:
        job = JOBS.get(run.key)
        recent.append(
            {
                "run": run,
                "title": job.title if job else run.key,
                "result": job.describe_result(run.result) if job else list(run.result.items()),
            }
        )
    return render(request, "jobs/job_list.html", {"rows": rows, "recent": recent})


@console_required
@require_POST
def job_run(request, key):
    _admin_only(request)
    if attempt(request, actions.run_soon, key=key):
        messages.success(request, _("The job will run at the next tick."))
    return redirect("jobs:list")
