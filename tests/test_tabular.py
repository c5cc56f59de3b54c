"""The streaming readers, on files as Excel and WPS write them (shared strings, rich text, gaps, numbers)."""

import io
import zipfile

import pytest
from openpyxl import Workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from minping.lib.tabular import TableError, read_csv, read_xlsx, sniff_format


def rows_of(content: bytes):
    return [values for _line, values in read_xlsx(io.BytesIO(content))]


def workbook_bytes(fill) -> bytes:
    workbook = Workbook()
    fill(workbook.active)
    out = io.BytesIO()
    workbook.save(out)  # the normal (not write-only) mode writes a shared-strings table, as Excel does
    return out.getvalue()


def test_it_reads_shared_strings_numbers_booleans_and_gaps():
    def fill(sheet):
        sheet["A1"], sheet["C1"] = "姓名", "年龄"
        sheet["A2"], sheet["B2"], sheet["C2"], sheet["D2"] = "张三", True, 42, 2.5

    assert rows_of(workbook_bytes(fill)) == [["姓名", None, "年龄"], ["张三", True, 42, 2.5]]


def test_it_joins_the_runs_of_rich_text():
    def fill(sheet):
        sheet["A1"] = CellRichText("光明", TextBlock(InlineFont(b=True), "社区"))

    assert rows_of(workbook_bytes(fill)) == [["光明社区"]]


def test_it_reports_line_numbers_of_the_sheet_including_skipped_rows():
    def fill(sheet):
        sheet["A1"], sheet["A5"] = "表头", "数据"

    assert [line for line, _v in read_xlsx(io.BytesIO(workbook_bytes(fill)))] == [1, 5]


def test_a_zip_that_is_not_a_workbook_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(TableError):
        rows_of(out.getvalue())


def test_a_sheet_with_broken_xml_is_refused():
    source = io.BytesIO(workbook_bytes(lambda sheet: sheet.append(["a"])))
    out = io.BytesIO()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(out, "w") as broken:
        for item in original.infolist():
            data = original.read(item)
            broken.writestr(item, data[: len(data) // 2] if item.filename.endswith("sheet1.xml") else data)
    with pytest.raises(TableError):
        rows_of(out.getvalue())


def test_csv_rows_stream_in_utf8_with_a_bom(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes("\ufeff姓名,住址\n张三,\"幸福路, 1号\"\n".encode())
    with open(path, "rb") as fh:
        assert [v for _l, v in read_csv(fh, path)] == [["姓名", "住址"], ["张三", "幸福路, 1号"]]


def test_formats_are_told_by_content_not_name(tmp_path):
    cases = {"a.bin": (b"PK\x03\x04rest", "xlsx"), "b.xlsx": (b"name,phone\n", "csv")}
    for name, (content, expected) in cases.items():
        (tmp_path / name).write_bytes(content)
        assert sniff_format(tmp_path / name) == expected
