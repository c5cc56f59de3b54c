
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from minping.imports import tasks
from minping.imports.models import ImportJob
from minping.imports.registers import REGISTERS
from minping.lib.tabular import TableError, sniff_format
from minping.lib.tasks import enqueue


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
    with open(job.upload_path, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    try:
        job.format = sniff_format(job.upload_path)
    except TableError as exc:
        job.upload_path.unlink(missing_ok=True)
        raise ValidationError({"file": str(exc)}) from None
    with transaction.atomic():
        job.save(force_insert=True)
        enqueue(tasks.validate_import, str(job.pk))
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
        enqueue(tasks.commit_import, str(job.pk))
    return job


