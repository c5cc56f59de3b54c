"""The two steps of an import: check the upload into the job's stage (preview), then load it (commit)."""

import logging
import operator
import os

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from minping.audit.actions import record_event
from minping.imports.models import MAX_LISTED_PROBLEMS, ImportJob
from minping.imports.registers import REGISTERS, Context, RowProblem
from minping.imports.stage import Stage
from minping.lib.identity import clean_text
from minping.lib.tabular import RowSource, TableError

log = logging.getLogger(__name__)
BATCH = 5000
PREVIEW_ROWS = 20


def context_for(user) -> Context:
    return Context(actor=user, scope=None if user.is_system_admin else user.region)


def stage_for(job: ImportJob) -> Stage:
    return Stage(job.pk, REGISTERS[job.register].stage)


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
        for header in headers:
            if header and header not in by_header:
                problems.add(line, header, f"未知的列名“{header}”（应为：{'、'.join(by_header)}）")
            key = by_header[header].key if header in by_header else None
            if key and key in keys:
                problems.add(line, header, "列名重复")
            keys.append(key)
        for column in register.columns:
            if column.required and column.key not in keys:
                problems.add(line, column.header, "缺少必填列")
        return None if problems.count else keys
    problems.add(1, "", "文件中没有表头和数据")
    return None


class RowReader:
    """Turns a row of raw cells into {column key: cleaned text}, or records why it cannot."""

    def __init__(self, register, keys: list[str | None], problems: Problems):
        self.columns = register.columns
        self.positions = [(position, key) for position, key in enumerate(keys) if key]
        self.width = len(keys)
        self.problems = problems

    def read(self, line: int, values: list) -> dict | None:
        data = {key: values[position] if position < len(values) else None for position, key in self.positions}
        for position in range(self.width, len(values)):
            if clean_text(values[position]):
                self.problems.add(line, f"第{position + 1}列", "该列没有列名，却填写了数据")
        ok = True
        for column in self.columns:
            raw = data.get(column.key)
            text = clean_text(raw)
            if not text:
                if column.required:
                    self.problems.add(line, column.header, "必填项为空")
                    ok = False
                data[column.key] = ""
            elif column.choices:
                try:
                    data[column.key] = column.parse(text)
                except ValueError as exc:
                    self.problems.add(line, column.header, str(exc))
                    ok = False
            else:
                data[column.key] = text if isinstance(raw, str) else raw  # numbers and dates stay typed
        return data if ok else None


def is_blank(values: list) -> bool:
    for value in values:
        if value is not None and value != "" and (type(value) is not str or not clean_text(value) == ""):
            return False
    return True


def validate_job(job: ImportJob) -> None:
    """Check every row of the upload into the stage; the job ends valid, invalid or failed."""
    try:
        _validate(job)
    except Exception as exc:
        log.exception("checking import %s failed", job.pk)
        _finish(job, ImportJob.Status.FAILED, result={"error": f"{type(exc).__name__}: {exc}"[:500]})
        stage_for(job).drop()


def _validate(job: ImportJob) -> None:
    register = REGISTERS[job.register]
    ctx = context_for(job.created_by)
    stage = stage_for(job)
    stage.create()
    register.prepare(ctx)
    problems = Problems()
    seen: dict[int, int] = {}
    batch: list[list] = []
    preview: list[list] = []
    staged_values = operator.itemgetter(*(name for name, _kind in register.stage))  # a tuple, in stage order
    row_count = 0
    source = RowSource(job.upload_path, job.format)
    rows = iter(source)
    try:
        keys = _read_header(register, rows, problems)
    except TableError as exc:
        problems.add(0, "", str(exc))
        keys = None
    if keys is not None:
        reader = RowReader(register, keys, problems)
        with stage.writer() as write:
            try:  # a file that breaks mid-way ends the COPY cleanly with the rows read so far
                for line, values in rows:
                    if is_blank(values):
                        continue  # blank rows are skipped, not errors
                    row_count += 1
                    data = reader.read(line, values)
                    if data is None:
                        continue
                    try:
                        staged = register.clean(data, ctx)
                    except RowProblem as problem:
                        problems.add(line, problem.column, problem.reason)
                        continue
                    fingerprint = hash(register.natural_key(staged))
                    first = seen.setdefault(fingerprint, line)
                    if first != line:
                        problems.add(line, register.key_header, f"与第{first}行重复")
                        continue
                    batch.append((line, *staged_values(staged)))
                    if len(preview) < PREVIEW_ROWS:
                        preview.append([clean_text(data.get(c.key, "")) for c in register.columns])
                    if len(batch) >= BATCH:
                        write(batch)
                        batch = []
                        _report(job, "validating", row_count, source.fraction())
            except TableError as exc:
                problems.add(0, "", str(exc))
            write(batch)
    for check in register.set_checks(ctx):
        for line, detail in stage.select(check.sql + " ORDER BY 1 LIMIT %s", [*check.params, MAX_LISTED_PROBLEMS]):
            problems.add(line, check.column, check.reason.format(detail=detail))
    if row_count == 0 and not problems.count:
        problems.add(0, "", "文件中没有数据行")
    problems.listed.sort(key=lambda p: p["row"])
    if problems.count:
        stage.drop()
        _remove(job.upload_path)
    status = ImportJob.Status.INVALID if problems.count else ImportJob.Status.VALID
    _finish(job, status, row_count=row_count, problem_count=problems.count, problems=problems.listed,
            preview=[] if problems.count else preview)  # fmt: skip


def _finish(job: ImportJob, status: str, **fields) -> None:
    for name, value in fields.items():
        setattr(job, name, value)
    job.status, job.finished_at = status, timezone.now()
    job.save(update_fields=["status", "finished_at", *fields])
    cache.delete(job.progress_key)


def _report(job: ImportJob, phase: str, rows: int, fraction: float) -> None:
    cache.set(job.progress_key, {"phase": phase, "rows": rows, "fraction": round(fraction, 3)}, 3600)


def _remove(path) -> None:
    try:
        os.remove(path)
    except FileNotFoundError:
        pass


def commit_job(job: ImportJob) -> None:
    """Load the stage in one transaction; on any failure nothing is written."""
    register = REGISTERS[job.register]
    ctx = context_for(job.created_by)
    stage = stage_for(job)
    _report(job, "committing", job.row_count, 0.0)
    try:
        with transaction.atomic():
            result = register.load(stage, ctx)
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
        _remove(job.upload_path)
