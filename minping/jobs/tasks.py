from celery import shared_task

from minping.jobs.runner import run_job, tick


@shared_task(name="minping.jobs.tick")
def tick_task() -> list[str]:
    """Celery beat sends this every MINPING_JOBS_TICK_SECONDS; it claims the due jobs and queues their runs."""
    return tick()


@shared_task(name="minping.jobs.run")
def run_job_task(key: str, token: str) -> str | None:
    return run_job(key, token)
