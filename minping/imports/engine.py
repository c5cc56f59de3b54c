"""The two steps of an import: check the upload into the job's stage (preview), then load it (commit)."""

import logging
import operator
import os
import pickle
import signal
import threading
import traceback

from django.core.cache import cache
from django.db import connection

from minping.imports.models import MAX_LISTED_PROBLEMS, ImportJob
from minping.imports.registers import REGISTERS, Context, RowProblem
from minping.imports.stage import Stage
from minping.lib.env import usable_cores
from minping.lib.identity import clean_text
from minping.lib.tabular import RowSource, TableError, csv_parts

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
    """Map each position of the header row to a column key; None for a blank header. Spaces inside a header are
    ignored: Chinese forms often spread a short label out to line up with longer ones (“姓　名”)."""
    by_header = {column.header: column for column in register.columns}
    for line, values in rows:
        headers = [clean_text(v) for v in values]
        if not any(headers):
            continue
        keys: list[str | None] = []
        for header in headers:
            column = by_header.get(header.replace(" ", ""))
            if header and column is None:
                problems.add(line, header, f"未知的列名“{header}”（应为：{'、'.join(by_header)}）")
            key = column.key if column else None
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
        position = {key: n for n, key in enumerate(keys) if key}
        # Each column with the position of its cells (None: the file lacks this optional column).
        self.plan = [(column, position.get(column.key)) for column in register.columns]
        self.width = len(keys)
        self.problems = problems

    def read(self, line: int, values: list) -> dict | None:
        if len(values) > self.width:
            for position in range(self.width, len(values)):
                if clean_text(values[position]):
                    self.problems.add(line, f"第{position + 1}列", "该列没有列名，却填写了数据")
        data = {}
        ok = True
        count = len(values)
        for column, position in self.plan:
            raw = values[position] if position is not None and position < count else None
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
                data[column.key] = text if type(raw) is str else raw  # numbers and dates stay typed
        return data if ok else None


def is_blank(values: list) -> bool:
    for value in values:
        if value is not None and value != "" and (type(value) is not str or not clean_text(value) == ""):
            return False
    return True


def validate_job(job: ImportJob) -> tuple[str, dict]:
    """Check every row of the upload into the stage: the status the job ends in (valid, invalid or failed) and
    the job's fields to set with it (`imports.actions` records them)."""
    try:
        return _validate(job)
    except Exception as exc:
        log.exception("checking import %s failed", job.pk)
        stage_for(job).drop()
        return ImportJob.Status.FAILED, {"result": {"error": f"{type(exc).__name__}: {exc}"[:500]}}


def _validate(job: ImportJob) -> tuple[str, dict]:
    register = REGISTERS[job.register]
    ctx = context_for(job.created_by)
    stage = stage_for(job)
    stage.create()
    register.prepare(ctx)
    problems = Problems()
    parts = _parts(job)
    source = RowSource(job.upload_path, job.format, parts[0] if parts else None)
    rows = iter(source)
    try:
        keys = _read_header(register, rows, problems)
    except TableError as exc:
        problems.add(0, "", str(exc))
        keys = None
    check = RowCheck(register, ctx, RowReader(register, keys, problems)) if keys is not None else None
    if check is not None:
        pending = []  # each later part, in file order, with the helper checking it (None if none could start)
        try:
            for part in parts[1:] if parts else []:
                pending.append((part, _check_in_helper(check, stage, RowSource(job.upload_path, job.format, part))))
            with stage.writer() as write:
                check.run(rows, write, lambda: report(job, "validating", check.row_count, source.fraction()))
            while pending:
                part, helper = pending.pop(0)
                if not (helper and check.merge(_helper_result(*helper), last=not pending)):
                    # No helper, or it failed: read its part here, instead of whatever it may have staged.
                    end = pending[0][0].records_before + 1 if pending else None  # the next part's first line
                    with connection.cursor() as cursor:
                        cursor.execute(
                            f"DELETE FROM {stage.table} WHERE line > %s AND (%s::integer IS NULL OR line < %s)",
                            [part.records_before, end, end],
                        )
                    with stage.writer() as write:
                        check.run(iter(RowSource(job.upload_path, job.format, part)), write)
        except BaseException:
            for _part, helper in pending:
                if helper:
                    _stop_helper(*helper)
            raise
    for set_check in register.set_checks(ctx):
        sql = set_check.sql + " ORDER BY 1 LIMIT %s"
        for line, detail in stage.select(sql, [*set_check.params, MAX_LISTED_PROBLEMS]):
            problems.add(line, set_check.column, set_check.reason.format(detail=detail))
    row_count = check.row_count if check else 0
    if row_count == 0 and not problems.count:
        problems.add(0, "", "文件中没有数据行")
    problems.listed.sort(key=lambda p: p["row"])
    del problems.listed[MAX_LISTED_PROBLEMS:]
    if problems.count:
        stage.drop()
        remove_upload(job)
    status = ImportJob.Status.INVALID if problems.count else ImportJob.Status.VALID
    return status, {
        "row_count": row_count,
        "problem_count": problems.count,
        "problems": problems.listed,
        "preview": [] if problems.count or not check else check.preview,
    }


class RowCheck:
    """Checks rows into the stage: read, cleaned by the register, its key not seen before in the file."""

    def __init__(self, register, ctx: Context, reader: RowReader):
        self.register, self.ctx, self.reader = register, ctx, reader
        self.staged_values = operator.itemgetter(*(name for name, _kind in register.stage))  # a tuple, in stage order
        self.natural_key = operator.itemgetter(*register.key_columns)  # hashable; a bare value for a one-column key
        self.seen: dict[int, int] = {}  # hash of a row's key -> its line
        self.preview: list[list] = []
        self.row_count = 0

    @property
    def problems(self) -> Problems:
        return self.reader.problems

    def run(self, rows, write, report=None) -> None:
        register, read, problems, seen, ctx = self.register, self.reader.read, self.problems, self.seen, self.ctx
        clean, staged_values, natural_key, key_header = register.clean, self.staged_values, self.natural_key, register.key_header
        batch: list[tuple] = []
        previewing = len(self.preview) < PREVIEW_ROWS
        try:  # a file that breaks mid-way ends the COPY cleanly with the rows read so far
            for line, values in rows:
                if is_blank(values):
                    continue  # blank rows are skipped, not errors
                self.row_count += 1
                data = read(line, values)
                if data is None:
                    continue
                try:
                    staged = clean(data, ctx)
                except RowProblem as problem:
                    problems.add(line, problem.column, problem.reason)
                    continue
                first = seen.setdefault(hash(natural_key(staged)), line)
                if first != line:
                    problems.add(line, key_header, f"与第{first}行重复")
                    continue
                batch.append((line, *staged_values(staged)))
                if previewing:
                    self.preview.append([c.shown(clean_text(data.get(c.key, ""))) for c in register.columns])
                    previewing = len(self.preview) < PREVIEW_ROWS
                if len(batch) == BATCH:
                    write(batch)
                    batch = []
                    if report:
                        report()
        except TableError as exc:
            problems.add(0, "", str(exc))
        write(batch)

    def merge(self, helper: tuple | None, *, last: bool) -> bool:
        """Take in what a helper found in the next part of the file; False when it has nothing to give. The keys
        of a part before the last are kept, to find them repeated in the parts after it."""
        if helper is None:
            return False
        rows, problem_count, listed, seen = helper
        self.row_count += rows
        self.problems.count += problem_count
        self.problems.listed.extend(listed)
        for fingerprint, line in seen.items():  # keys first seen in this part may repeat an earlier part's
            first = self.seen.get(fingerprint) if last else self.seen.setdefault(fingerprint, line)
            if first is not None and first != line:
                self.problems.add(line, self.register.key_header, f"与第{first}行重复")
        return True


PARALLEL_BYTES = 16 << 20
MAX_PARTS = 8  # each part beyond the first holds a database session while it is checked


def part_count() -> int:
    """How many parts a large CSV is checked in at once: one for each core this process may run on."""
    return min(usable_cores(), MAX_PARTS)


def _parts(job: ImportJob):
    """On PostgreSQL a large CSV is read as several parts at once, each after the first by a helper process: on two
    cores a million rows are checked in about half the time, and each further core takes a part. A helper writes
    to the stage over its own session, which can see the stage only once it is committed: not inside a transaction
    (as in tests that roll back). Helpers are forked only from a main thread (a Celery worker's), never from a
    thread of a web process, whose other threads may hold locks a forked copy could wait on forever."""
    if job.format != "csv" or connection.vendor != "postgresql" or connection.in_atomic_block:
        return None
    if threading.current_thread() is not threading.main_thread():
        return None
    return csv_parts(job.upload_path, part_count(), PARALLEL_BYTES)


def _check_in_helper(check: RowCheck, stage: Stage, source: RowSource) -> tuple[int, int] | None:
    """Fork a helper that checks `source` into the stage; its pid and the pipe its findings come back on. None when
    no helper can start (no pipe, no process): the caller reads the part itself."""
    pipe: tuple[int, ...] = ()
    try:
        pipe = os.pipe()
        pid = os.fork()
    except OSError:
        log.warning("no helper process for part of an import; it is read in the importing process", exc_info=True)
        for end in pipe:
            os.close(end)
        return None
    read_end, write_end = pipe
    if pid:
        os.close(write_end)
        return pid, read_end
    status = 1
    try:  # the helper: everything ends in os._exit, so nothing of the parent's is closed or flushed from here
        os.close(read_end)
        inherited = connection.connection  # noqa: F841 -- the parent's session, kept open: closing it would end it
        connection.connection = None  # a session of our own on first use
        check.reader.problems, check.seen, check.row_count = Problems(), {}, 0
        with stage.writer() as write:
            check.run(iter(source), write)
        connection.close()
        findings = pickle.dumps((check.row_count, check.problems.count, check.problems.listed, check.seen))
        with os.fdopen(write_end, "wb") as out:
            out.write(findings)
        status = 0
    except BaseException:
        traceback.print_exc()
    finally:
        os._exit(status)


def _stop_helper(pid: int, read_end: int) -> None:
    os.close(read_end)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


def _helper_result(pid: int, read_end: int) -> tuple | None:
    with os.fdopen(read_end, "rb") as pipe:
        findings = pipe.read()
    _pid, status, usage = os.wait4(pid, 0)
    log.info("import helper %s ended with status %s, peak RSS %.0f MB", pid, status, usage.ru_maxrss / 1024)
    return pickle.loads(findings) if status == 0 and findings else None


def report(job: ImportJob, phase: str, rows: int, fraction: float) -> None:
    """The job's progress, for the page that polls it."""
    cache.set(job.progress_key, {"phase": phase, "rows": rows, "fraction": round(fraction, 3)}, 3600)


def remove_upload(job: ImportJob) -> None:
    try:
        os.remove(job.upload_path)
    except FileNotFoundError:
        pass
