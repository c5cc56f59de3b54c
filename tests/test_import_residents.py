import tempfile
import unittest
from pathlib import Path
from unittest import mock

from django.db import IntegrityError, connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from minping.audit.models import AuditEvent
from minping.imports import stage
from minping.imports.models import ImportJob
from minping.org.models import Resident
from tests.base import BaseTestCase, id_number, make_region
from tests.importing import ImportMixin, csv_bytes, xlsx_bytes

HEADER = ["姓名", "身份证号", "手机号", "住址", "所属区域", "户编号"]
GRID = "甲区/一街道/光明社区/第1网格"


def rows(*people):
    return [HEADER, *people]


class ResidentImportTest(ImportMixin, BaseTestCase):
    def setUp(self):
        self.client.force_login(self.organiser_a)

    def test_it_imports_new_residents_and_records_the_import(self):
        data = rows(["李四", id_number(10), "13900001111", "幸福路2号", GRID, "HA001"], ["王五", id_number(11), "", "", GRID, ""])
        job = self.import_file("residents", csv_bytes(data))
        self.assertEqual(job.result, {"created": 2, "updated": 0, "unchanged": 0})
        li = Resident.objects.get(name="李四")
        self.assertEqual((li.household.code, li.region, li.gender, li.birth_year), ("HA001", self.grid_a, "F", 1980))
        self.assertTrue(AuditEvent.objects.filter(action="import.commit", data__created=2).exists())

    def test_re_importing_the_same_file_changes_nothing(self):
        content = xlsx_bytes(rows(["李四", id_number(10), "13900001111", "幸福路2号", GRID, "HA001"]))
        self.import_file("residents", content, "a.xlsx")
        job = self.import_file("residents", content, "a.xlsx")
        self.assertEqual(job.result, {"created": 0, "updated": 0, "unchanged": 1})
        self.assertEqual(Resident.objects.filter(name="李四").count(), 1)

    def test_a_changed_row_updates_the_resident_in_place(self):
        self.import_file("residents", csv_bytes(rows(["李四", id_number(10), "", "旧址", GRID, ""])))
        job = self.import_file("residents", csv_bytes(rows(["李四", id_number(10), "", "新址", "甲区/一街道/光明社区", ""])))
        self.assertEqual(job.result, {"created": 0, "updated": 1, "unchanged": 0})
        li = Resident.objects.get(name="李四")
        self.assertEqual((li.address, li.region), ("新址", self.community_a))

    def test_full_width_digits_and_stray_spaces_are_normalised(self):
        number = id_number(12)
        wide = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in number)
        self.import_file("residents", csv_bytes(rows(["  李　四 ", f" {wide} ", "１３９ 0000 1111", "", f" {GRID} ", ""])))
        li = Resident.objects.get(name="李 四")
        self.assertEqual((li.phone, li.id_masked), ("13900001111", number[:6] + "********" + number[-4:]))

    def test_headers_spread_out_with_spaces_are_recognised(self):
        header = ["姓　名", " 身份证号 ", "手 机 号", "住　　址", "所属区域", "户编号"]
        self.import_file("residents", csv_bytes([header, ["李四", id_number(10), "13900001111", "幸福路", GRID, ""]]))
        self.assertEqual(Resident.objects.get(name="李四").address, "幸福路")

    def test_every_problem_is_listed_by_row_and_column_and_nothing_is_written(self):
        data = rows(
            ["好人", id_number(20), "13900001111", "", GRID, ""],
            ["坏号", "110105194912310021", "", "", GRID, ""],
            ["坏电话", id_number(21), "12345", "", GRID, ""],
            ["", id_number(22), "", "", GRID, ""],
            ["没区域", id_number(23), "", "", "甲区/不存在社区", ""],
            ["没户", id_number(24), "", "", GRID, "H-NONE"],
            ["重复", id_number(20), "", "", GRID, ""],
        )
        job = self.upload("residents", csv_bytes(data))
        self.assertEqual(job.status, "invalid")
        self.assertEqual(
            self.problems(job),
            [(3, "身份证号"), (4, "手机号"), (5, "姓名"), (6, "所属区域"), (7, "户编号"), (8, "身份证号")],
        )
        self.assertIn("与第2行重复", job.problems[5]["reason"])
        self.assertIn("HNONE", job.problems[4]["reason"])
        self.assertFalse(Resident.objects.filter(name="好人").exists())
        self.assertFalse(job.upload_path.exists())

    def test_an_invalid_job_cannot_be_committed(self):
        job = self.upload("residents", csv_bytes(rows(["坏号", "123", "", "", GRID, ""])))
        response = self.client.post(f"/console/imports/{job.pk}/commit/")
        self.assertEqual(response.status_code, 302)
        job.refresh_from_db()
        self.assertEqual(job.status, "invalid")

    def test_committing_twice_imports_once(self):
        job = self.import_file("residents", csv_bytes(rows(["李四", id_number(10), "", "", GRID, ""])))
        self.commit(job)
        self.assertEqual(AuditEvent.objects.filter(action="import.commit").count(), 1)

    def test_missing_and_unknown_headers_are_reported(self):
        job = self.upload("residents", csv_bytes([["姓名", "身份证", "住址"], ["李四", id_number(10), ""]]))
        self.assertEqual(job.status, "invalid")
        reasons = " ".join(p["reason"] for p in job.problems)
        self.assertIn("未知的列名“身份证”", reasons)
        self.assertIn("缺少必填列", reasons)
        self.assertIn(("所属区域", 1), [(p["column"], p["row"]) for p in job.problems])

    def test_blank_rows_and_leading_blank_lines_are_skipped(self):
        data = [[], HEADER, ["李四", id_number(10), "", "", GRID, ""], ["", "", "", "", "", ""], ["王五", id_number(11), "", "", GRID, ""]]
        job = self.import_file("residents", xlsx_bytes(data), "a.xlsx")
        self.assertEqual((job.row_count, job.result["created"]), (2, 2))

    def test_merged_cells_are_refused_with_a_reason(self):
        data = rows(["李四", id_number(10), "", "", GRID, ""], ["王五", id_number(11), "", "", "", ""])
        job = self.upload("residents", xlsx_bytes(data, merge="E2:E3"), "a.xlsx")
        self.assertEqual(job.status, "invalid")
        self.assertIn("合并单元格", job.problems[0]["reason"])

    def test_a_resident_registered_in_another_district_is_not_taken_over_nor_revealed(self):
        job = self.upload("residents", csv_bytes(rows(["赵六", id_number(2), "", "", GRID, ""])))
        self.assertEqual(job.status, "invalid")
        # The row cannot be imported; that someone with this ID number lives elsewhere is not said.
        self.assertEqual(job.problems[0]["reason"], "此行不能由您导入，请联系区级管理员核实")
        self.assertNotIn("以外", str(job.problems))
        self.assertEqual(Resident.objects.get(name="赵六").region, self.community_b)

    def test_the_preview_keeps_id_and_phone_numbers_masked_and_the_upload_is_owner_only(self):
        job = self.upload("residents", csv_bytes(rows(["李四", id_number(10), "13900001111", "幸福路2号", GRID, ""])))
        self.assertEqual(job.status, "valid")
        stored = str(ImportJob.objects.values("preview", "problems").get(pk=job.pk))
        self.assertNotIn(id_number(10), stored)
        self.assertNotIn("13900001111", stored)
        self.assertIn("139****1111", stored)
        self.assertEqual(job.upload_path.stat().st_mode & 0o777, 0o600)
        self.assertEqual(job.upload_path.parent.stat().st_mode & 0o077, 0)
        page = self.client.get(reverse("imports:job-detail", args=[job.pk]))
        self.assertNotContains(page, id_number(10))
        self.commit(job)
        self.assertFalse(job.upload_path.exists())

    def test_a_hostile_workbook_fails_only_its_own_import(self):
        from tests.test_tabular import hostile

        path = hostile(Path(tempfile.mkdtemp()), 3_000_000)
        job = self.upload("residents", path.read_bytes(), "炸弹.xlsx")
        self.assertEqual(job.status, "invalid")
        self.assertRegex(job.problems[0]["reason"], "超出读取限制|超过 1000 列")
        self.assertEqual(self.client.get(reverse("imports:job-list")).status_code, 200)  # the site carries on

    def test_a_region_of_another_district_is_refused(self):
        job = self.upload("residents", csv_bytes(rows(["李四", id_number(10), "", "", "乙区/二街道/和平社区", ""])))
        self.assertEqual(self.problems(job), [(2, "所属区域")])

    def test_gb18030_csv_from_old_excel_is_read(self):
        self.import_file("residents", csv_bytes(rows(["李四", id_number(10), "", "幸福路", GRID, ""]), encoding="gb18030"))
        self.assertEqual(Resident.objects.get(name="李四").address, "幸福路")

    def test_nul_characters_past_the_start_of_a_csv_are_read_as_spaces(self):
        padding = [["", "", "", "", "", ""]] * 2000  # blank lines: the file is told from its first 4 KB, which have no NUL
        data = rows(*padding, ["王\x00五", id_number(10), "", "幸福\x00路", GRID, "HA\x00001"])
        self.import_file("residents", csv_bytes(data))
        wang = Resident.objects.get(name="王 五")
        self.assertEqual((wang.address, wang.household.code), ("幸福 路", "HA001"))

    def test_a_file_that_is_neither_xlsx_nor_csv_is_refused(self):
        self.upload("residents", b"\x00\x01\x02binary" * 100, "x.pdf", expect=400)
        self.upload("residents", b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "old.xls", expect=400)

    def test_a_corrupt_xlsx_is_reported(self):
        job = self.upload("residents", b"PK\x03\x04" + b"garbage" * 50, "broken.xlsx")
        self.assertEqual(job.status, "invalid")
        self.assertIn("已损坏", job.problems[0]["reason"])

    def test_an_empty_file_is_refused(self):
        self.upload("residents", b"", "empty.csv", expect=400)

    @override_settings(IMPORT_MAX_BYTES=1024)
    def test_a_file_over_the_limit_is_refused_before_it_is_read(self):
        self.upload("residents", b"x" * 200_000, "big.csv", expect=413)

    def test_a_hundred_megabyte_file_of_garbage_is_refused_with_a_reason(self):
        job = self.upload("residents", b"\x00" * (100 * 1024 * 1024), "huge.csv", expect=400)
        self.assertIsNone(job)

    def test_a_street_office_may_name_regions_relative_to_its_street(self):
        self.client.force_login(self.office_a)
        self.import_file("residents", csv_bytes(rows(["李四", id_number(10), "", "", "光明社区/第1网格", ""])))
        self.assertEqual(Resident.objects.get(name="李四").region, self.grid_a)

    def test_the_progress_page_polls_while_running_and_stops_when_done(self):
        job = self.upload("residents", csv_bytes(rows(["李四", id_number(10), "", "", GRID, ""])))
        response = self.client.get(f"/console/imports/{job.pk}/", headers={"HX-Request": "true"})
        self.assertContains(response, 'data-status="valid"')
        self.assertNotContains(response, "hx-trigger")


@unittest.skipUnless(connection.vendor == "postgresql", "the bulk load is PostgreSQL's")
class BulkLoadTest(ImportMixin, BaseTestCase):
    """A large load into a table at most half its size sets the table's indexes and foreign keys aside and makes
    them again. "Large" is lowered to two rows here; the fixtures hold fewer than five residents."""

    def setUp(self):
        self.client.force_login(self.organiser_a)
        patcher = mock.patch.object(stage, "BULK_ROWS", 2)
        patcher.start()
        self.addCleanup(patcher.stop)
        connection.check_constraints()  # fire the fixtures' deferred checks, as a fresh transaction would have none

    def schema(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = 'org_resident'::regclass ORDER BY 1")
            indexes = [row[0] for row in cursor.fetchall()]
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'org_resident'::regclass ORDER BY 1"
            )
            return indexes, cursor.fetchall()

    def people(self, count: int, region: str = GRID):
        return rows(*[[f"居民{n}", id_number(100 + n), "", "", region, "HA001" if n == 0 else ""] for n in range(count)])

    def test_the_table_gets_back_its_indexes_and_foreign_keys(self):
        before = self.schema()
        with CaptureQueriesContext(connection) as queries:
            job = self.import_file("residents", csv_bytes(self.people(10)))
        self.assertTrue(any(q["sql"].startswith("DROP INDEX") for q in queries), "the bulk path was not taken")
        self.assertTrue(any("ON CONFLICT" in q["sql"] for q in queries), "residents were there: an upsert")
        self.assertEqual(job.result, {"created": 10, "updated": 0, "unchanged": 0})
        self.assertEqual(self.schema(), before)
        self.assertEqual(Resident.objects.get(name="居民0").household.code, "HA001")
        Resident.objects.filter(name="居民1").update(region_id=10**9)
        with self.assertRaises(IntegrityError):  # the foreign key holds again
            connection.check_constraints()

    def test_an_empty_table_is_loaded_without_on_conflict_and_gets_its_unique_key_back(self):
        Resident.objects.all().delete()
        before = self.schema()
        with CaptureQueriesContext(connection) as queries:
            job = self.import_file("residents", csv_bytes(self.people(10)))
        statements = [q["sql"] for q in queries]
        self.assertIn('ALTER TABLE org_resident DROP CONSTRAINT "org_resident_id_digest_key"', statements)
        self.assertFalse([s for s in statements if "ON CONFLICT" in s])
        self.assertNotIn('ALTER TABLE org_resident DROP CONSTRAINT "org_resident_pkey"', statements)
        self.assertEqual(job.result, {"created": 10, "updated": 0, "unchanged": 0})
        self.assertEqual(self.schema(), before)
        again = Resident.objects.get(name="居民3")
        again.pk = None
        with self.assertRaises(IntegrityError), transaction.atomic():  # the unique key holds again
            again.save()

    def test_a_region_deleted_between_check_and_commit_fails_the_load_and_writes_nothing(self):
        grid = make_region("第9网格", "grid", self.community_a)
        before = self.schema()
        job = self.upload("residents", csv_bytes(self.people(10, "甲区/一街道/光明社区/第9网格")))
        self.assertEqual(job.status, "valid", job.problems)
        grid.delete()
        job = self.commit(job)
        self.assertEqual(job.status, "failed")
        self.assertFalse(Resident.objects.filter(name__startswith="居民").exists())
        self.assertEqual(self.schema(), before)

    def test_digests_are_staged_indexed_and_sorted_byte_by_byte(self):
        """The staged digest sorts as the unique index does, so an upsert fills that index in order."""
        job = self.upload("residents", csv_bytes(self.people(3)))
        self.assertEqual(job.status, "valid", job.problems)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT attrelid::regclass::text, collname FROM pg_attribute JOIN pg_collation c ON c.oid = attcollation "
                "WHERE attname = 'id_digest' AND attrelid IN ('org_resident'::regclass, 'org_cadre'::regclass, %s::regclass) "
                "ORDER BY 1",
                [stage.Stage(job.pk, []).table],
            )
            self.assertEqual(cursor.fetchall(), [(f"import_stage_{job.pk.hex}", "C"), ("org_cadre", "C"), ("org_resident", "C")])
