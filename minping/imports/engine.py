"""The two steps of an import: check the upload into a staged file (preview), then load it (commit)."""

import csv
import logging
import os

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from minping.audit.actions import record_event
from minping.imports.models import MAX_LISTED_PROBLEMS, ImportJob
from minping.imports.registers import REGISTERS, Context, RowProblem
from minping.lib.identity import clean_text
from minping.lib.tabular import RowSource, TableError

log = logging.getLogger(__name__)
BATCH = 5000
PREVIEW_ROWS = 20


def context_for(user) -> Context:
    return Context(actor=user, scope=None if user.is_system_admin else user.region)


class Problems:
    def __init__(self):
        self.listed: list[dict] = []
        self.count = 0

    def add(self, line: int, column: str, reason: str) -> None:
        self.count += 1
        if len(self.listed) < MAX_LISTED_PROBLEMS:
            self.listed.append({"row": line, "column": column, "reason": reason})


def _read_header(register, rows, problems: Problems) -> list[str | None] | None:
    """Map each position of the header row to a column key; None for a blank header."""
    by_header = {column.header: column for column in register.columns}
    for line, values in rows:
        headers = [clean_text(v) for v in values]
        if not any(headers):
            continue
        keys: list[str | None] = []
        for position, header in enumerate(headers):
            if header and header not in by_header:
                problems.add(line, header, f"未知的列名“{header}”（应为：{'、'.join(by_header)}）")
            if header in keys:
                problems.add(line, header, "列名重复")
            keys.append(by_header[header].key if header in by_header else None)
        for column in register.columns:
            if column.required and column.key not in keys:
                problems.add(line, column.header, "缺少必填列")
        return None if problems.count else keys
    problems.add(1, "", "文件中没有表头和数据")
    return None


def _row_values(register, keys, line, values, problems: Problems) -> dict | None:
    data = {}
    for position, raw in enumerate(values):
        key = keys[position] if position < len(keys) else None
        if key is None:
            if raw not in (None, "") and clean_text(raw):
                problems.add(line, f"第{position + 1}列", "该列没有列名，却填写了数据")
            continue
        data[key] = raw
    ok = True
    for column in register.columns:
        raw = data.get(column.key)
        text = clean_text(raw)
        if not text:
            if column.required:
                problems.add(line, column.header, "必填项为空")
                ok = False
            data[column.key] = ""
            continue
        try:
            data[column.key] = column.parse(raw) if column.choices else (raw if not isinstance(raw, str) else text)
        except ValueError as exc:
            problems.add(line, column.header, str(exc))
            ok = False
    return data if ok else None


def validate_job(job: ImportJob) -> None:
    """Check every row of the upload, writing the staged file; the job ends valid, invalid or failed."""
    try:
        _validate(job)
    except Exception as exc:
        log.exception("checking import %s failed", job.pk)
        job.status, job.result, job.finished_at = ImportJob.Status.FAILED, {"error": f"{type(exc).__name__}: {exc}"[:500]}, timezone.now()
        job.save(update_fields=["status", "result", "finished_at"])
        _remove(job.cleaned_path)


def _validate(job: ImportJob) -> None:
    register = REGISTERS[job.register]
    ctx = context_for(job.created_by)
    problems = Problems()
    seen: dict[int, int] = {}
    batch: list[tuple[int, dict]] = []
    preview: list[list] = []
    stage_names = [name for name, _kind in register.stage]
    row_count = 0
    source = RowSource(job.upload_path, job.format)
    job.cleaned_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(job.cleaned_path, "w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            rows = iter(source)
            keys = _read_header(register, rows, problems)
            if keys is not None:
                for line, values in rows:
                    if not any(v not in (None, "") and clean_text(v) for v in values):
                        continue  # blank rows are skipped, not errors
                    row_count += 1
                    data = _row_values(register, keys, line, values, problems)
                    if data is None:
                        continue
                    try:
                        staged = register.clean(data, ctx)
                    except RowProblem as problem:
                        problems.add(line, problem.column, problem.reason)
                        continue
                    fingerprint = hash(register.natural_key(staged))
                    if fingerprint in seen:
                        problems.add(line, register.key_header, f"与第{seen[fingerprint]}行重复")
                        continue
                    seen[fingerprint] = line
                    batch.append((line, staged))
                    if len(preview) < PREVIEW_ROWS:
                        preview.append([clean_text(data.get(c.key, "")) for c in register.columns])
                    if len(batch) >= BATCH:
                        _flush(register, ctx, batch, writer, stage_names, problems)
                        _report(job, "validating", row_count, source.fraction())
                _flush(register, ctx, batch, writer, stage_names, problems)
    except TableError as exc:
        problems.add(0, "", str(exc))
    if row_count == 0 and not problems.count:
        problems.add(0, "", "文件中没有数据行")
    job.row_count, job.problem_count, job.problems = row_count, problems.count, problems.listed
    job.preview = preview if not problems.count else []
    job.status = ImportJob.Status.INVALID if problems.count else ImportJob.Status.VALID
    job.finished_at = timezone.now()
    if problems.count:
        _remove(job.cleaned_path)
    job.save(update_fields=["row_count", "problem_count", "problems", "preview", "status", "finished_at"])
    cache.delete(job.progress_key)


def _flush(register, ctx, batch, writer, stage_names, problems: Problems) -> None:
    if not batch:
        return
    for line, column, reason in register.check_batch(batch, ctx):
        problems.add(line, column, reason)
    if not problems.count:
        writer.writerows([staged[name] for name in stage_names] for _line, staged in batch)
    batch.clear()


def _report(job: ImportJob, phase: str, rows: int, fraction: float) -> None:
    cache.set(job.progress_key, {"phase": phase, "rows": rows, "fraction": round(fraction, 3)}, 3600)


def _remove(path) -> None:
    try:
        os.remove(path)
    except FileNotFoundError:
        pass


def commit_job(job: ImportJob) -> None:
    """Load the staged file in one transaction; on any failure nothing is written."""
    register = REGISTERS[job.register]
    ctx = context_for(job.created_by)
    _report(job, "committing", job.row_count, 0.0)
    try:
        with transaction.atomic():
            with open(job.cleaned_path, encoding="utf-8", newline="") as staged:
                result = register.load(staged, ctx)
            record_event(
                actor=job.created_by,
                action="import.commit",
                obj=job,
                data={"register": job.register, "file": job.original_name, "rows": job.row_count, **result},
            )
        job.status, job.result = ImportJob.Status.DONE, result
    except Exception as exc:  # reported to the person; the transaction above has rolled back
        log.exception("import %s failed", job.pk)
        job.status, job.result = ImportJob.Status.FAILED, {"error": f"{type(exc).__name__}: {exc}"[:500]}
    finally:
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "result", "finished_at"])
        cache.delete(job.progress_key)
        _remove(job.cleaned_path)
        _remove(job.upload_path)
