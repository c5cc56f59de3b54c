import datetime as dt
import logging
import os
import time

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from minping.audit.actions import record_event
from minping.imports import engine
from minping.imports.engine import context_for, stage_for
from minping.imports.models import ImportJob
from minping.imports.registers import REGISTERS
from minping.lib.tabular import TableError, sniff_format
from minping.lib.tasks import enqueue

log = logging.getLogger(__name__)


def start_import(*, actor, register: str, upload) -> ImportJob:
    """Keep the upload and start checking it. `upload` is a Django UploadedFile (already on disk if large)."""
    if register not in REGISTERS:
        raise ValidationError({"register": "未知的名册类型"})
    if upload.size > settings.IMPORT_MAX_BYTES:
        raise ValidationError({"file": f"文件超过 {settings.IMPORT_MAX_BYTES // (1024 * 1024)} MB 的上限，请拆分后再导入"})
    if upload.size == 0:
        raise ValidationError({"file": "文件是空的"})
    job = ImportJob(register=register, created_by=actor, original_name=upload.name[:255])
    job.upload_path.parent.mkdir(parents=True, exist_ok=True)
    job.upload_path.parent.chmod(0o700)
    # Owner-only from the first byte: an upload is a list of people with their ID and phone numbers.
    with os.fdopen(os.open(job.upload_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    try:
        job.format = sniff_format(job.upload_path)
    except TableError as exc:
        job.upload_path.unlink(missing_ok=True)
        raise ValidationError({"file": str(exc)}) from None
    with transaction.atomic():
        job.save(force_insert=True)
        enqueue(validate_import, str(job.pk))
    return job


def commit_import(*, actor, job: ImportJob) -> ImportJob:
    if job.created_by_id != actor.pk and not actor.is_system_admin:
        raise PermissionDenied
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status != ImportJob.Status.VALID:
            raise ValidationError("只有检查通过、尚未导入的文件才能导入")
        job.status = ImportJob.Status.COMMITTING
        job.save(update_fields=["status"])
        enqueue(load_import, str(job.pk))
    return job


@shared_task
def validate_import(job_id: str) -> None:
    """Check an upload (on a worker): the job ends valid, invalid or failed."""
    job = ImportJob.objects.select_related("created_by__region").get(pk=job_id)
    if job.status == ImportJob.Status.VALIDATING:  # a redelivered message finds the work done
        status, fields = engine.validate_job(job)
        _finish(job, status, **fields)


@shared_task
def load_import(job_id: str) -> None:
    """Load a checked upload's stage in one transaction (on a worker); on any failure nothing is written."""
    job = ImportJob.objects.select_related("created_by__region").get(pk=job_id)
    if job.status != ImportJob.Status.COMMITTING:
        return
    register = REGISTERS[job.register]
    stage = stage_for(job)
    engine.report(job, "committing", job.row_count, 0.0)
    try:
        with transaction.atomic():
            result = register.load(stage, context_for(job.created_by))
            record_event(
                actor=job.created_by,
                action="import.commit",
                obj=job,
                data={"register": job.register, "file": job.original_name, "rows": job.row_count, **result},
            )
        _finish(job, ImportJob.Status.DONE, result=result)
    except Exception as exc:  # reported to the person; the transaction above has rolled back
        log.exception("import %s failed", job.pk)
        _finish(job, ImportJob.Status.FAILED, result={"error": f"{type(exc).__name__}: {exc}"[:500]})
    finally:
        stage.drop()
        engine.remove_upload(job)


def _finish(job: ImportJob, status: str, **fields) -> None:
    for name, value in fields.items():
        setattr(job, name, value)
    job.status, job.finished_at = status, timezone.now()
    job.save(update_fields=["status", "finished_at", *fields])
    cache.delete(job.progress_key)


STUCK_AFTER = dt.timedelta(days=1)  # a check still running after a day has lost its worker


def expire_imports() -> dict:
    """Expire imports nobody finished: checked but not loaded within IMPORT_KEEP_DAYS, or still being checked a
    day later. Their staged rows and uploaded files go, and so do upload files no live import owns. Running it
    again changes nothing."""
    now = timezone.now()
    stale = ImportJob.objects.filter(
        status=ImportJob.Status.VALID, created_at__lt=now - dt.timedelta(days=settings.IMPORT_KEEP_DAYS)
    ) | ImportJob.objects.filter(status=ImportJob.Status.VALIDATING, created_at__lt=now - STUCK_AFTER)
    expired = sum(_expire(job_id) for job_id in stale.values_list("pk", flat=True))
    return {"expired": expired, "files_removed": _remove_orphan_uploads()}


def _expire(job_id) -> bool:
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.status not in (ImportJob.Status.VALID, ImportJob.Status.VALIDATING):
            return False  # loaded or expired meanwhile
        stage_for(job).drop()
        job.upload_path.unlink(missing_ok=True)
        was, job.status = job.status, ImportJob.Status.EXPIRED
        job.save(update_fields=["status"])
        record_event(actor=None, action="import.expire", obj=job, data={"status": was, "register": job.register})
    return True


def _remove_orphan_uploads() -> int:
    """Upload files older than a day whose import is gone or no longer needs them."""
    folder = settings.MEDIA_ROOT / "imports"
    if not folder.is_dir():
        return 0
    live = {
        f"{pk}.upload"
        for pk in ImportJob.objects.filter(
            status__in=[ImportJob.Status.VALIDATING, ImportJob.Status.VALID, ImportJob.Status.COMMITTING]
        ).values_list("pk", flat=True)
    }
    removed = 0
    for path in folder.glob("*.upload"):
        if path.name not in live and path.stat().st_mtime < time.time() - STUCK_AFTER.total_seconds():
            path.unlink(missing_ok=True)
            removed += 1
    return removed
