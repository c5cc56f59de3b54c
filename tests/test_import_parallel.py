"""A large CSV is checked as several parts at once on PostgreSQL; the outcome is the one-pass outcome (a row
repeating within a later part a key of an earlier one may be named against another repeat of it)."""

import logging
import os
import tempfile
import threading
import unittest
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.test import SimpleTestCase, TransactionTestCase, override_settings

from minping.accounts.models import User
from minping.imports import actions, engine
from minping.imports.models import ImportJob
from minping.lib import tabular
from minping.lib.tabular import RowSource, csv_parts
from minping.org.models import Resident
from tests.base import id_number, make_region
from tests.importing import csv_bytes

HEADER = ["姓名", "身份证号", "手机号", "住址", "所属区域", "户编号"]
GRID = "甲区/一街道/光明社区/第1网格"


def write(content: bytes) -> str:
    fd, path = tempfile.mkstemp(suffix=".csv")
    with os.fdopen(fd, "wb") as fh:
        fh.write(content)
    return path


class CsvPartsTest(SimpleTestCase):
    def setUp(self):
        patcher = mock.patch.object(tabular, "CUT_BLOCK", 64)
        patcher.start()
        self.addCleanup(patcher.stop)

    def parts(self, content: bytes, count: int = 2):
        path = write(content)
        self.addCleanup(os.remove, path)
        return path, csv_parts(path, count, 1)

    def test_the_parts_read_as_the_whole_file_with_the_same_row_numbers(self):
        lines = [["姓名", "住址"], *[[f"居民{n}", f"幸福路{n}号"] for n in range(40)]]
        lines[7], lines[30] = [], []  # blank records are numbered too
        for encoding, count in (("utf-8-sig", 2), ("gb18030", 2), ("utf-8-sig", 4)):
            with self.subTest(encoding=encoding, count=count):
                path, parts = self.parts(csv_bytes(lines, encoding).replace(b'""', b""), count)
                self.assertEqual(len(parts), count)
                read = [list(RowSource(path, "csv", part)) for part in parts]
                for part, after, rows in zip(parts, parts[1:], read, strict=False):
                    self.assertEqual((part.end, after.records_before), (after.start, part.records_before + len(rows)))
                whole = list(RowSource(path, "csv"))
                self.assertEqual(sum(read, []), whole)
                self.assertEqual(whole[1], (2, ["居民0", "幸福路0号"]))

    def test_a_file_is_cut_only_where_every_line_break_ends_a_record(self):
        plain = [["姓名", "住址"], *[[f"居民{n}", f"幸福路{n}号"] for n in range(40)]]
        quoted_early = [plain[0], ["张三", "幸福路\n1号"], *plain[1:]]
        quoted_late = [*plain, ["张三", "幸福路\n1号"]]
        self.assertIsNone(self.parts(csv_bytes(quoted_early))[1])
        self.assertIsNotNone(self.parts(csv_bytes(quoted_late))[1])
        self.assertIsNone(self.parts(csv_bytes(plain).replace(b"\r\n", b"\r"))[1])  # a bare CR ends a record too
        self.assertIsNone(self.parts(csv_bytes(plain[:2]))[1])  # no line break past the first block's end
        self.assertIsNone(csv_parts(self.parts(csv_bytes(plain))[0], 2, 1 << 30))  # too small to be worth two
        self.assertIsNone(self.parts(csv_bytes(plain), 1)[1])

    def test_a_file_too_short_for_every_part_asked_for_is_cut_into_fewer(self):
        path, parts = self.parts(csv_bytes([["姓名", "住址"], *[[f"居民{n}", "幸福路"] for n in range(10)]]), 16)
        self.assertLess(len(parts), 16)
        self.assertEqual([p.start for p in parts[1:]], [p.end for p in parts[:-1]])
        self.assertEqual(parts[-1].end, os.path.getsize(path))
        self.assertTrue(all(p.start < p.end for p in parts))


@unittest.skipUnless(connection.vendor == "postgresql", "the helper process is PostgreSQL's")
@override_settings(TASK_RUNNER="inline")
class ParallelCheckTest(TransactionTestCase):
    def setUp(self):
        district = make_region("甲区", "district")
        grid = make_region("第1网格", "grid", make_region("光明社区", "community", make_region("一街道", "street", district)))
        self.grid = grid
        self.user = User.objects.create_user("org_a", password="x", role=User.Role.ORGANISER, region=district)
        self.part_count = 2
        for target, name, value in (
            (tabular, "CUT_BLOCK", 256),
            (engine, "PARALLEL_BYTES", 1),
            (engine, "part_count", lambda: self.part_count),
        ):
            patcher = mock.patch.object(target, name, value)
            patcher.start()
            self.addCleanup(patcher.stop)

    def people(self, count: int) -> list[list]:
        return [[f"居民{n}", id_number(100 + n), "13900001111", f"幸福路{n}号", GRID, ""] for n in range(count)]

    def start(self, content: bytes) -> ImportJob:
        job = actions.start_import(actor=self.user, register="residents", upload=SimpleUploadedFile("居民.csv", content))
        job.refresh_from_db()
        return job

    def check(self, content: bytes, *, parallel: bool) -> ImportJob:
        if not parallel:
            with mock.patch.object(engine, "PARALLEL_BYTES", 1 << 40):
                return self.start(content)
        with self.assertLogs("minping.imports.engine", logging.INFO) as logs:
            job = self.start(content)
        self.assertIn("ended with status 0", "\n".join(logs.output))  # the helper did check a part
        return job

    def test_problems_in_either_part_and_repeats_across_them_are_found_as_in_one_pass(self):
        people = self.people(300)
        people[10][1] = "330212198001011231"  # bad check character, first part
        people[250][3] = ""
        people[260][1] = "12345"  # second part
        people[40][1] = people[20][1]  # repeat within the first part
        people[280][1] = people[270][1]  # within the second
        people[290][1] = people[30][1]  # across the cut
        people[200] = ["", "", "", "", "", ""]  # blank row: skipped, not counted
        content = csv_bytes([HEADER, *people])
        one_pass, two_parts = self.check(content, parallel=False), self.check(content, parallel=True)
        self.assertEqual(two_parts.status, "invalid")
        self.assertEqual((two_parts.row_count, two_parts.problem_count), (299, 5))
        self.assertEqual(two_parts.problems, one_pass.problems)
        self.assertEqual([p["row"] for p in two_parts.problems], [12, 42, 262, 282, 292])
        self.assertEqual(two_parts.problems[-1]["reason"], "与第32行重复")

    def test_a_valid_file_checked_in_two_parts_loads_every_row(self):
        job = self.check(csv_bytes([HEADER, *self.people(300)]), parallel=True)
        self.assertEqual((job.status, job.row_count, len(job.preview)), ("valid", 300, engine.PREVIEW_ROWS))
        actions.commit_import(actor=self.user, job=job)
        job.refresh_from_db()
        self.assertEqual(job.result, {"created": 300, "updated": 0, "unchanged": 0})
        self.assertEqual(Resident.objects.filter(region=self.grid).count(), 300)
        self.assertEqual(Resident.objects.get(name="居民299").address, "幸福路299号")

    def helper_statuses(self, content: bytes) -> tuple[ImportJob, list[str]]:
        with self.assertLogs("minping.imports.engine", logging.INFO) as logs:
            job = self.start(content)
        return job, [line.split("ended with status ")[1].split(",")[0] for line in logs.output if "ended with status" in line]

    def test_in_four_parts_repeats_across_any_two_of_them_are_found_as_in_one_pass(self):
        people = self.people(400)
        people[120][1] = "12345"
        people[250][1] = people[130][1]  # a part repeating the one before it
        people[390][1] = people[30][1]  # the last repeating the first
        people[380][1] = people[240][1]  # the last repeating the third
        people[385][1] = people[230][1]  # and repeated within the last as well
        people[395][1] = people[230][1]
        content = csv_bytes([HEADER, *people])
        one_pass = self.check(content, parallel=False)
        self.part_count = 4
        job, statuses = self.helper_statuses(content)
        self.assertEqual(statuses, ["0", "0", "0"])
        self.assertEqual([p["row"] for p in job.problems], [p["row"] for p in one_pass.problems])
        # A row repeating within a later part is named against that part's first such row, itself named as a repeat.
        self.assertEqual(
            [(p["row"], p["reason"]) for p in job.problems[1:]],
            [(252, "与第132行重复"), (382, "与第242行重复"), (387, "与第232行重复"), (392, "与第32行重复"), (397, "与第387行重复")],
        )

    def test_a_middle_part_whose_helper_fails_is_read_again_between_the_others(self):
        content = csv_bytes([HEADER, *self.people(400)])
        path = write(content)
        self.addCleanup(os.remove, path)
        self.part_count = 4
        parts = csv_parts(path, 4, 1)
        dumps = engine.pickle.dumps

        def failing_in_the_third_part(findings):
            if parts[2].records_before < min(findings[3].values()) <= parts[3].records_before:
                raise RuntimeError("helper failed")
            return dumps(findings)

        with mock.patch.object(engine.pickle, "dumps", failing_in_the_third_part):
            job, statuses = self.helper_statuses(content)
        self.assertEqual(sorted(statuses), ["0", "0", "256"])
        self.assertEqual((job.status, job.row_count), ("valid", 400))
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*), count(DISTINCT line), min(line), max(line) FROM {engine.stage_for(job).table}")
            self.assertEqual(cursor.fetchone(), (400, 400, 2, 401))

    def test_without_a_helper_the_file_is_read_in_one_pass(self):
        content = csv_bytes([HEADER, *self.people(300)])
        with mock.patch.object(engine.os, "fork", side_effect=OSError("no memory")):
            with self.assertLogs("minping.imports.engine", logging.WARNING):
                job = self.start(content)
        self.assertEqual((job.status, job.row_count), ("valid", 300))

    def test_a_helper_that_fails_after_staging_its_part_leaves_it_to_be_read_again(self):
        content = csv_bytes([HEADER, *self.people(300)])
        with mock.patch.object(engine.pickle, "dumps", side_effect=RuntimeError("helper failed")):  # in the helper only
            job = self.check(content, parallel=False)  # one pass: pickle is not used
            self.assertEqual(job.status, "valid")
            with self.assertLogs("minping.imports.engine", logging.INFO) as logs:
                job = self.start(content)
        self.assertIn("ended with status 256", "\n".join(logs.output))
        self.assertEqual((job.status, job.row_count), ("valid", 300))
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*), count(DISTINCT line) FROM {engine.stage_for(job).table}")
            self.assertEqual(cursor.fetchone(), (300, 300))

    def test_a_part_whose_helper_cannot_start_is_read_by_the_importing_process(self):
        content, pipe, made = csv_bytes([HEADER, *self.people(400)]), os.pipe, []

        def second_pipe_fails():
            made.append(1)
            if len(made) == 2:
                raise OSError("too many open files")
            return pipe()

        self.part_count = 4
        with mock.patch.object(engine.os, "pipe", second_pipe_fails), self.assertLogs("minping.imports.engine", logging.INFO) as logs:
            job = self.start(content)
        self.assertEqual([line.split(":")[0] for line in logs.output], ["WARNING", "INFO", "INFO"])  # two helpers ran
        self.assertEqual(sum("ended with status 0" in line for line in logs.output), 2)
        self.assertEqual((job.status, job.row_count), ("valid", 400))
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*), count(DISTINCT line) FROM {engine.stage_for(job).table}")
            self.assertEqual(cursor.fetchone(), (400, 400))

    def test_a_check_running_in_a_thread_of_a_web_process_is_read_in_one_pass(self):
        content, done = csv_bytes([HEADER, *self.people(300)]), {}

        def check_in_thread():
            try:
                done["job"] = self.start(content)
            finally:
                connections.close_all()

        with self.assertNoLogs("minping.imports.engine", logging.INFO):  # no helper was started
            thread = threading.Thread(target=check_in_thread)
            thread.start()
            thread.join()
        self.assertEqual((done["job"].status, done["job"].row_count), ("valid", 300))

    def test_when_the_first_part_fails_the_helper_is_stopped_and_the_job_fails(self):
        parent, run = os.getpid(), engine.RowCheck.run

        def run_failing_here(check, *args, **kwargs):
            if os.getpid() == parent:
                raise RuntimeError("the database went away")
            return run(check, *args, **kwargs)

        with mock.patch.object(engine.RowCheck, "run", run_failing_here), self.assertLogs("minping.imports.engine"):
            job = self.start(csv_bytes([HEADER, *self.people(300)]))
        self.assertEqual(job.status, "failed")
        self.assertIn("the database went away", job.result["error"])
        with self.assertRaises(ChildProcessError):  # the helper was reaped, not left behind
            os.waitpid(-1, os.WNOHANG)
