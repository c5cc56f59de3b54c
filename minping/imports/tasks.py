from celery import shared_task

from minping.imports import engine
from minping.imports.models import ImportJob


@shared_task
def validate_import(job_id: str) -> None:
    job = ImportJob.objects.select_related("created_by__region").get(pk=job_id)
    if job.status == ImportJob.Status.VALIDATING:  # a redelivered message finds the work done
        engine.validate_job(job)


@shared_task
def commit_import(job_id: str) -> None:
    job = ImportJob.objects.select_related("created_by__region").get(pk=job_id)
    if job.status == ImportJob.Status.COMMITTING:
        engine.commit_job(job)
