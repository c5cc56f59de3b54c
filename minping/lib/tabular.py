"""Streaming readers for the spreadsheets people upload: CSV (UTF-8 or GB18030) and xlsx.

Both yield (line number, list of cell values) one row at a time, so memory does not grow with the file.
The xlsx reader parses the sheet XML directly with lxml's iterparse: several times faster than openpyxl's
read-only mode, which matters at a million rows.

What a file may expand to is bounded (cells per row, characters per cell and per record, bytes of sheet XML).
A CSV file cannot expand: a record is at most MAX_RECORD_CHARS characters of the file, so it is read in the
process that asked. An xlsx file can: RowSource reads it in a separate process whose address space is limited to
READER_MEMORY, so a hostile workbook (a few kilobytes of zip declaring a row of millions of cells) can only fail its
own import, with a message, never take memory from the process that asked. Run as
`python -m minping.lib.tabular PATH FORMAT START END RECORDS` it is that process.
"""

import codecs
import csv
import io
import json
import os
import re
import subprocess
import sys
import zipfile
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from xml.etree.ElementTree import iterparse

from lxml.etree import XMLSyntaxError
from lxml.etree import iterparse as lxml_iterparse

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
CELL_REF_RE = re.compile(r"([A-Z]{1,3})(\d+)")
MAX_COLUMNS = 16384  # Excel's own limit, column XFD
# What a sheet and its strings may expand to. A million residents take about 470 MB of sheet XML; a few hundred
# kilobytes of zip can declare gigabytes (a "zip bomb"), which would keep a worker parsing for hours.
MAX_XML_BYTES = 4 << 30
MAX_ROW_CELLS = 1000  # a register has a dozen columns; a row of more is not a register
MAX_CELL_CHARS = 32767  # Excel's own limit for the text of a cell
# Characters of one CSV record, line breaks inside quoted cells included: it bounds the cells the csv module makes
# of a record (a line of a million commas is a million cells) before the count of cells can be checked.
MAX_RECORD_CHARS = 1_000_000
READER_MEMORY = 1 << 30  # address space of the reading process
BATCH_ROWS = 500  # rows to a line between the reading process and its caller: one JSON parse each, not one a row
PROGRESS_ROWS = 5000
TOO_BIG = "文件展开后过大（例如一行中有海量单元格），超出读取限制，请检查文件内容或拆分后再导入"


class TableError(ValueError):
    """The file as a whole cannot be read; the message is for the person who uploaded it."""


def sniff_format(path) -> str:
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise TableError("这是旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 后再上传")
    if b"\x00" in head:
        raise TableError("文件不是 xlsx 或 csv 格式")
    return "csv"


@dataclass(frozen=True)
class Part:
    """Bytes [start, end) of a CSV file, beginning at a record, with `records_before` records ahead of it."""

    start: int
    end: int
    records_before: int


class RowSource:
    """Rows of an uploaded file, with `fraction()` telling roughly how far through the file reading is.

    With `part` (CSV only) it reads that part, numbering rows as they are numbered in the whole file. An xlsx file
    is read in a separate process unless `isolated` is false; a CSV file always here.
    """

    def __init__(self, path, fmt: str | None = None, part: Part | None = None, *, isolated: bool = True):
        self.path = path
        self.format = fmt or sniff_format(path)
        self.part = part or Part(0, max(os.path.getsize(path), 1), 0)
        self.isolated = isolated and self.format == "xlsx"
        self.peak_rss = 0  # of the reading process, in bytes, once it has ended
        self._fh = None
        self._fraction = 0.0

    def __iter__(self) -> Iterator[tuple[int, list]]:
        if self.isolated:
            yield from self._read_in_process()
            return
        with open(self.path, "rb") as self._fh:
            if self.format == "xlsx":
                yield from read_xlsx(self._fh)
                return
            encoding = _csv_encoding(self.path)
            if self.part.start:
                self._fh.seek(self.part.start)
                encoding = "utf-8" if encoding == "utf-8-sig" else encoding  # the mark is at the very start
            raw = io.BufferedReader(_Bounded(self._fh, self.part.end), 1 << 16)
            yield from read_csv(raw, self.path, encoding=encoding, first_line=self.part.records_before + 1)

    def _read_in_process(self) -> Iterator[tuple[int, list]]:
        """The rows as a reading process sends them: one JSON array per line, a progress or error object now
        and then. Its exit status tells a file that broke the memory limit from one that was read."""
        part = self.part
        command = [
            sys.executable,
            "-m",
            "minping.lib.tabular",
            str(self.path),
            self.format,
            str(part.start),
            str(part.end),
            str(part.records_before),
        ]
        reader = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=1 << 16)
        error, finished = None, False
        try:
            for raw in reader.stdout:
                item = json.loads(raw)
                if type(item) is list:  # a batch of [line, values]
                    yield from map(tuple, item)
                elif "fraction" in item:
                    self._fraction = item["fraction"]
                else:
                    error = item["error"]
            finished = True
        finally:
            reader.stdout.close()
            if not finished:  # the caller stopped early
                reader.kill()
            try:
                _pid, status, usage = os.wait4(reader.pid, 0)  # reaped here, with what it used
                reader.returncode = status
                self.peak_rss = usage.ru_maxrss * 1024
            except ChildProcessError:  # a reader dropped unfinished: Popen's finaliser may have reaped it first
                status = reader.wait()
        if error:
            raise TableError(error)
        if status != 0:
            raise TableError(TOO_BIG)
        self._fraction = 1.0

    def fraction(self) -> float:
        if self.isolated:
            return self._fraction
        try:
            done = self._fh.tell() - self.part.start if self._fh else 0
        except (ValueError, OSError):
            return 1.0
        return min(max(done / max(self.part.end - self.part.start, 1), 0.0), 1.0)


class _Bounded(io.RawIOBase):
    """A file read only up to `end`."""

    def __init__(self, fh, end: int):
        self.fh, self.end = fh, end

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        left = self.end - self.fh.tell()
        if left <= 0:
            return 0
        with memoryview(buffer) as view:
            return self.fh.readinto(view[:left])


CUT_BLOCK = 1 << 20


def csv_parts(path, count: int, min_bytes: int) -> list[Part] | None:
    """Cut a CSV file of at least `min_bytes` at line breaks into up to `count` parts of about equal size, to be read
    at once; None when it cannot be cut.

    The file ahead of the last cut must be free of quotes: there every line break ends a record, so the records ahead
    of a cut are its line breaks. A quoted field may hold line breaks of its own, and the csv module takes a quote
    in the middle of a field literally, so no count of bytes tells records apart once quotes appear; such a file is
    read in one pass. A bare carriage return also ends a record for the csv module, so it prevents a cut too.
    """
    size = os.path.getsize(path)
    if size < min_bytes or count < 2:
        return None
    parts: list[Part] = []
    start = records = before = 0
    with open(path, "rb") as fh:
        for k in range(1, count):
            target = size * k // count
            while fh.tell() <= target:
                block = fh.read(CUT_BLOCK)
                if not block:
                    break
                block += fh.readline()  # a block ends at a line break, so a CRLF is never split
                if b'"' in block or block.count(b"\r") != block.count(b"\r\n"):
                    return None
                records += block.count(b"\n")
            cut = fh.tell()
            if cut >= size:
                break
            if cut > start:
                parts.append(Part(start, cut, before))
                start, before = cut, records
    if not parts:
        return None
    return [*parts, Part(start, size, before)]


def _csv_encoding(path) -> str:
    with open(path, "rb") as fh:
        sample = fh.read(1 << 16)
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 3:  # a character cut by the sample's end
            return "utf-8"
    try:
        sample.decode("gb18030")
    except UnicodeDecodeError:
        raise TableError("无法识别文件编码，请保存为 UTF-8 或 GB18030 编码的 CSV") from None
    return "gb18030"


csv.field_size_limit(MAX_CELL_CHARS * 4)  # characters; a field longer than a cell may hold is refused


class _RecordLines:
    """The lines of a text file for csv.reader, refusing a record of more than MAX_RECORD_CHARS characters. The
    reader of the records sets `used` back to 0 at each record."""

    def __init__(self, fh, first_line: int):
        self.readline, self.used = fh.readline, 0
        self.record = first_line  # the number of the record being read

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = self.readline(MAX_RECORD_CHARS + 1)
        if not line:
            raise StopIteration
        self.used += len(line)
        if self.used > MAX_RECORD_CHARS:
            raise TableError(f"第{self.record}行超过 {MAX_RECORD_CHARS // 10_000} 万个字符，不是名册中的一行，请检查文件内容")
        return line


def read_csv(raw, path, encoding: str | None = None, first_line: int = 1) -> Iterator[tuple[int, list]]:
    encoding = encoding or _csv_encoding(path)
    line = first_line - 1
    with io.TextIOWrapper(raw, encoding=encoding, newline="") as fh:
        lines = _RecordLines(fh, first_line)
        try:
            for line, row in enumerate(csv.reader(lines), start=first_line):
                if len(row) > MAX_ROW_CELLS:
                    raise TableError(f"第{line}行有 {len(row)} 列，超过 {MAX_ROW_CELLS} 列的上限")
                lines.used, lines.record = 0, line + 1
                yield line, row
        except UnicodeDecodeError:
            raise TableError(f"文件第{line + 1}行附近含有无法识别的字符（编码应为 {encoding}）") from None
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise TableError(f"第{line + 1}行附近有超过 {MAX_CELL_CHARS} 个字符的单元格") from None
            raise TableError(f"CSV 格式错误（第{line + 1}行）：{exc}") from None


class SharedStrings:
    """The workbook's string table, packed into one string plus offsets to keep millions of entries small."""

    def __init__(self, archive: zipfile.ZipFile, name: str | None):
        self.offsets = array("q", [0])
        parts: list[str] = []
        total = 0
        if name:
            text_tag = f"{NS}t"
            with archive.open(name) as fh:
                for _event, elem in lxml_iterparse(fh, tag=f"{NS}si", resolve_entities=False, no_network=True):
                    if len(elem) == 1 and elem[0].tag == text_tag:
                        text = elem[0].text or ""
                    else:  # rich text: several runs, each with its own <t>
                        text = "".join(t.text or "" for t in elem.iter(text_tag))
                    if len(text) > MAX_CELL_CHARS:
                        raise TableError(f"工作簿中有超过 {MAX_CELL_CHARS} 个字符的单元格")
                    parts.append(text)
                    total += len(text)
                    self.offsets.append(total)
                    elem.clear()
                    while elem.getprevious() is not None:
                        del elem.getparent()[0]
        self.blob = "".join(parts)

    def __getitem__(self, index: int) -> str:
        return self.blob[self.offsets[index] : self.offsets[index + 1]]


def _column_index(letters: str) -> int:
    index = 0
    for char in letters:
        index = index * 26 + ord(char) - 64
    return index - 1


def _first_sheet(archive: zipfile.ZipFile) -> str:
    with archive.open("xl/workbook.xml") as fh:
        sheet = next((e for _ev, e in iterparse(fh) if e.tag == f"{NS}sheet"), None)
    if sheet is None:
        raise TableError("工作簿中没有工作表")
    rel_id = sheet.get(f"{REL_NS}id")
    with archive.open("xl/_rels/workbook.xml.rels") as fh:
        for _ev, rel in iterparse(fh):
            if rel.tag == f"{PKG_REL_NS}Relationship" and rel.get("Id") == rel_id:
                target = rel.get("Target")
                return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    raise TableError("工作簿结构不完整")


def read_xlsx(raw) -> Iterator[tuple[int, list]]:
    try:
        archive = zipfile.ZipFile(raw)
        names = set(archive.namelist())
        if "xl/workbook.xml" not in names:
            raise TableError("文件不是有效的 xlsx 工作簿")
        sheet_name = _first_sheet(archive)
        strings_name = "xl/sharedStrings.xml" if "xl/sharedStrings.xml" in names else None
        # zipfile reads no more than a member declares, so the declared sizes bound the work
        if sum(archive.getinfo(name).file_size for name in (sheet_name, strings_name) if name) > MAX_XML_BYTES:
            raise TableError(f"xlsx 文件解压后超过 {MAX_XML_BYTES >> 30} GB，请拆分后再导入")
        strings = SharedStrings(archive, strings_name)
    except (zipfile.BadZipFile, KeyError, SyntaxError, XMLSyntaxError, OSError, EOFError, MemoryError) as exc:
        raise TableError(TOO_BIG if _out_of_memory(exc) else "xlsx 文件已损坏，无法打开") from None
    try:
        yield from _sheet_rows(archive, sheet_name, strings)
    except TableError:
        raise
    except (zipfile.BadZipFile, SyntaxError, XMLSyntaxError, OSError, EOFError, KeyError, IndexError, ValueError, MemoryError) as exc:
        # ValueError: a row or string number, or a number cell, that is not a number
        raise TableError(TOO_BIG if _out_of_memory(exc) else "xlsx 文件已损坏，无法读取工作表") from None
    finally:
        archive.close()


def _out_of_memory(exc: BaseException) -> bool:
    """Whether reading stopped at the memory limit: Python's MemoryError, or libxml2 reporting it as a parse error."""
    return isinstance(exc, MemoryError) or "NO_MEMORY" in str(getattr(exc, "error_log", ""))


def _sheet_rows(archive, sheet_name, strings) -> Iterator[tuple[int, list]]:
    row_tag, cell_tag, value_tag, merge_tag = f"{NS}row", f"{NS}c", f"{NS}v", f"{NS}mergeCell"
    inline_tag, text_tag = f"{NS}is", f"{NS}t"
    next_line = 1
    with archive.open(sheet_name) as fh:
        # lxml parses about twice as fast as ElementTree; only rows and merged ranges become events.
        for _event, elem in lxml_iterparse(fh, tag=(row_tag, merge_tag), resolve_entities=False, no_network=True):
            tag = elem.tag
            if tag == row_tag:
                line = int(elem.get("r") or next_line)
                if len(elem) > MAX_ROW_CELLS:
                    raise TableError(f"第{line}行有 {len(elem)} 个单元格，超过 {MAX_ROW_CELLS} 列的上限")
                values: list = []
                for cell in elem:
                    if cell.tag != cell_tag:
                        continue
                    ref = cell.get("r")
                    if ref:
                        match = CELL_REF_RE.match(ref)
                        column = _column_index(match.group(1)) if match else MAX_COLUMNS
                        if column >= MAX_COLUMNS:
                            raise TableError(f"xlsx 文件已损坏：第{line}行有无效的单元格编号“{ref[:20]}”")
                        if column >= MAX_ROW_CELLS:
                            raise TableError(f"第{line}行的单元格 {ref[:20]} 超过 {MAX_ROW_CELLS} 列的上限")
                        if column > len(values):
                            values.extend([None] * (column - len(values)))
                    kind = cell.get("t")
                    child = cell[0] if len(cell) else None
                    if kind == "inlineStr":
                        if child is None or child.tag != inline_tag:
                            values.append("")
                        elif len(child) == 1 and child[0].tag == text_tag:  # the usual single run
                            values.append(child[0].text or "")
                        else:
                            values.append("".join(t.text or "" for t in child.iter(text_tag)))
                        continue
                    if child is None or child.tag != value_tag:
                        child = cell.find(value_tag)
                    raw = child.text if child is not None else None
                    if raw is None:
                        values.append(None)
                    elif kind == "s":
                        values.append(strings[int(raw)])
                    elif kind in ("str", "e"):
                        values.append(raw)
                    elif kind == "b":
                        values.append(raw == "1")
                    else:
                        number = float(raw)
                        values.append(int(number) if number.is_integer() and "E" not in raw else number)
                elem.clear()
                while elem.getprevious() is not None:  # drop finished rows so memory stays flat
                    del elem.getparent()[0]
                next_line = line + 1
                yield line, values
            elif tag == merge_tag:
                raise TableError(f"工作表含有合并单元格（{elem.get('ref')}），请取消合并并在每行填写完整后再上传")


def serve_rows(path: str, fmt: str, start: int, end: int, records_before: int) -> int:
    """The reading process: rows of the file's part on standard output, BATCH_ROWS to a JSON line, within
    READER_MEMORY."""
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (READER_MEMORY, READER_MEMORY))
    out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="\n", write_through=False)
    source = RowSource(path, fmt, Part(start, end, records_before), isolated=False)
    batch: list = []
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode

    def send() -> None:
        out.write(encode(batch))
        out.write("\n")
        batch.clear()

    try:
        for n, (line, values) in enumerate(source, start=1):
            batch.append((line, values))
            if len(batch) == BATCH_ROWS:
                send()
            if n % PROGRESS_ROWS == 0:
                out.write(json.dumps({"fraction": round(source.fraction(), 3)}) + "\n")
        if batch:
            send()
    except TableError as exc:
        if batch:
            send()  # the rows read before the problem, then the problem
        out.write(json.dumps({"error": str(exc)}, ensure_ascii=False) + "\n")
    except MemoryError:
        return 3
    out.flush()
    return 0


if __name__ == "__main__":
    path, fmt, start, end, records_before = sys.argv[1:6]
    sys.exit(serve_rows(path, fmt, int(start), int(end), int(records_before)))
