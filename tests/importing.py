import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from minping.imports.models import ImportJob


def csv_bytes(rows, encoding="utf-8-sig") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows, merge: str | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


class ImportMixin:
    """Drives imports through the console views, running the background steps as they would run."""

    def upload(self, register: str, content: bytes, name: str = "名册.csv", expect=302) -> ImportJob | None:
        before = set(ImportJob.objects.values_list("pk", flat=True))
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                reverse("imports:job-create"),
                {"register": register, "file": SimpleUploadedFile(name, content)},
            )
        self.assertEqual(response.status_code, expect, getattr(response, "content", b"")[:500])
        return ImportJob.objects.exclude(pk__in=before).get() if expect == 302 else None  # the new one, on a pinned clock too

    def commit(self, job: ImportJob) -> ImportJob:
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(reverse("imports:job-commit", args=[job.pk]))
        self.assertEqual(response.status_code, 302)
        job.refresh_from_db()
        return job

    def import_file(self, register: str, content: bytes, name: str = "名册.csv") -> ImportJob:
        job = self.upload(register, content, name)
        self.assertEqual(job.status, "valid", job.problems)
        return self.commit(job)

    def problems(self, job: ImportJob) -> list[tuple[int, str]]:
        return [(p["row"], p["column"]) for p in job.problems]
