"""The streaming readers, on files as Excel and WPS write them (shared strings, rich text, gaps, numbers)."""

import io
import zipfile

import pytest
from openpyxl import Workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from minping.lib import tabular
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


def with_sheet(content: bytes, edit) -> bytes:
    """The workbook with its first sheet's XML passed through `edit`."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as original, zipfile.ZipFile(out, "w") as edited:
        for item in original.infolist():
            data = original.read(item)
            edited.writestr(item, edit(data) if item.filename.endswith("sheet1.xml") else data)
    return out.getvalue()


def test_a_sheet_with_broken_xml_is_refused():
    broken = with_sheet(workbook_bytes(lambda sheet: sheet.append(["a"])), lambda data: data[: len(data) // 2])
    with pytest.raises(TableError):
        rows_of(broken)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (b'<c r="B2"', b'<c r="ZZZZZZ2"', "无效的单元格编号“ZZZZZZ2”"),  # would be a row of 300 million cells
        (b'<c r="B2"', b'<c r="XFE2"', "无效的单元格编号“XFE2”"),  # one past Excel's last column
        (b'<c r="B2"', b'<c r="2B"', "无效的单元格编号“2B”"),
        (b'<row r="2"', b'<row r="two"', "无法读取工作表"),
        (b"<v>42</v>", b"<v>forty-two</v>", "无法读取工作表"),
    ],
)
def test_a_tampered_sheet_is_refused_with_a_message(old, new, message):
    def fill(sheet):
        sheet["A1"], sheet["B2"] = "表头", 42

    def tamper(data: bytes) -> bytes:
        assert old in data
        return data.replace(old, new, 1)

    with pytest.raises(TableError, match=message):
        rows_of(with_sheet(workbook_bytes(fill), tamper))


def test_a_row_wider_than_any_register_is_refused():
    def fill(sheet):
        sheet["ALL1"] = "第1000列"  # column 1000 is read; column 1001 is not
        sheet["ALM2"] = "第1001列"

    with pytest.raises(TableError, match="超过 1000 列"):
        rows_of(workbook_bytes(fill))
    assert len(rows_of(workbook_bytes(lambda sheet: sheet.__setitem__("ALL1", "x")))[0]) == 1000


def hostile(tmp_path, cells: int) -> object:
    """A workbook of a few hundred kilobytes whose first row declares `cells` cells."""

    def row(data: bytes) -> bytes:
        head, _sep, tail = data.partition(b"<sheetData>")
        return head + b'<sheetData><row r="1">' + b"<c><v>1</v></c>" * cells + b"</row></sheetData>" + tail.partition(b"</sheetData>")[2]

    path = tmp_path / "bomb.xlsx"
    path.write_bytes(with_sheet(workbook_bytes(lambda sheet: sheet.__setitem__("A1", "x")), row))
    return path


def test_a_hostile_workbook_fails_its_reading_process_not_the_caller(tmp_path):
    """Three million cells in one row: the reading process reaches its memory limit and ends; the caller gets a
    message and keeps its own memory."""
    import resource

    path = hostile(tmp_path, 3_000_000)
    assert path.stat().st_size < 500_000
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    source = tabular.RowSource(path, "xlsx")
    with pytest.raises(TableError, match="超出读取限制|超过 1000 列"):
        list(source)
    print(f"hostile workbook of {path.stat().st_size} bytes: reading process peak {source.peak_rss >> 20} MB")
    assert 0 < source.peak_rss <= tabular.READER_MEMORY
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 100 * 1024  # KB: the caller did not grow


def test_a_hostile_csv_line_is_refused(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_bytes(b"a" + b"," * 1001 + b"\n")
    with pytest.raises(TableError, match="超过 1000 列"):
        list(tabular.RowSource(path, "csv"))
    path.write_bytes(b"a," + b"x" * 200_000 + b"\n")
    with pytest.raises(TableError, match="字符的单元格"):
        list(tabular.RowSource(path, "csv"))


def test_a_csv_record_of_a_million_cells_is_refused_before_its_cells_are_made(tmp_path):
    """A line of two million commas, and a record whose quoted cells carry it over lines of half a million commas
    each: both refused by their length while read, before the csv module makes millions of cells of them."""
    path = tmp_path / "wide.csv"
    path.write_bytes(b"a" + b"," * 2_000_000 + b"\n")
    with pytest.raises(TableError, match="第1行超过 100 万个字符"):
        list(tabular.RowSource(path, "csv"))
    path.write_bytes(b'a,b\nc,"x\n' + (b'y",' + b"," * 500_000 + b'"x\n') * 3)
    with pytest.raises(TableError, match="第2行超过 100 万个字符"):
        list(tabular.RowSource(path, "csv"))


def test_long_csv_records_are_read_when_each_is_within_bounds(tmp_path):
    cells = ["x" * 60_000] * 10  # 600,000 characters a record; three records pass a million between them
    path = tmp_path / "long.csv"
    path.write_text("\n".join(",".join(cells) for _ in range(3)) + "\n", encoding="utf-8")
    assert [len(values) for _line, values in tabular.RowSource(path, "csv")] == [10, 10, 10]


def test_rows_read_in_a_separate_process_are_the_rows_read_here(tmp_path):
    def fill(sheet):
        sheet["A1"], sheet["C1"] = "姓名", "年龄"
        sheet["A2"], sheet["B2"], sheet["C2"], sheet["D2"] = "张三", True, 42, 2.5

    path = tmp_path / "a.xlsx"
    path.write_bytes(workbook_bytes(fill))
    isolated = tabular.RowSource(path, "xlsx")
    assert (
        list(isolated)
        == list(tabular.RowSource(path, "xlsx", isolated=False))
        == [(1, ["姓名", None, "年龄"]), (2, ["张三", True, 42, 2.5])]
    )
    assert isolated.fraction() == 1.0


def test_csv_rows_stream_in_utf8_with_a_bom(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes('\ufeff姓名,住址\n张三,"幸福路, 1号"\n'.encode())
    with open(path, "rb") as fh:
        assert [v for _l, v in read_csv(fh, path)] == [["姓名", "住址"], ["张三", "幸福路, 1号"]]


def test_formats_are_told_by_content_not_name(tmp_path):
    cases = {"a.bin": (b"PK\x03\x04rest", "xlsx"), "b.xlsx": (b"name,phone\n", "csv")}
    for name, (content, expected) in cases.items():
        (tmp_path / name).write_bytes(content)
        assert sniff_format(tmp_path / name) == expected


def test_a_sheet_that_expands_past_the_limit_is_refused_before_it_is_read(monkeypatch):
    content = workbook_bytes(lambda sheet: [sheet.append(["居民", n]) for n in range(200)])
    assert len(rows_of(content)) == 200
    monkeypatch.setattr(tabular, "MAX_XML_BYTES", 2000)  # a few rows of XML, standing for 4 GB
    with pytest.raises(TableError, match="解压后超过"):
        rows_of(content)
