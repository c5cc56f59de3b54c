"""Writing spreadsheets people open in Excel or WPS: one rule for what a cell may hold, one write-only sheet.

A text cell that a spreadsheet program would run as a formula is kept as text by a leading apostrophe (CSV and
formula injection, OWASP). A formula starts with `=`, `+`, `-` or `@`, and programs also act on a tab or a
carriage return in front of one; zero-width characters and the byte-order mark are invisible, so a cell that
starts with them is judged by what follows. Text that is a plain number ("-5", "+3.5") is no formula and stays
as it is; numbers that are numbers (int, float, Decimal) stay numbers, and so do dates (shown as 2026-12-31), so that
a sheet can sort and sum them. Control characters that XML cannot carry
are removed from text.
"""

import datetime as dt
import io
import re
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
HIDING = "\u200b\u200c\u200d\u2060\ufeff"  # zero-width space, non-joiner, joiner, word joiner, byte-order mark
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def clean(value):
    """Text safe for XML-based files (xlsx, docx); anything that is not text unchanged."""
    if not isinstance(value, str):
        return value
    return CONTROL.sub("", value)


def safe_cell(value):
    """A value for a spreadsheet cell or a CSV field: text that would run as a formula gets a leading apostrophe."""
    if not isinstance(value, str):
        return value
    value = clean(value)
    visible = value.lstrip(HIDING)
    if visible.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(visible):
        return "'" + value
    return value


def column_letter(position: int) -> str:
    """The letters of a 0-based column position: 0 → A, 26 → AA."""
    letters = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass(frozen=True)
class Formatted:
    """A number shown in an Excel format, e.g. a rate kept as the fraction 0.75 and shown as 75.00%; as text (in a
    Word table) it reads the same."""

    value: float | None
    number_format: str

    def __str__(self) -> str:
        if self.value is None:
            return ""
        places = len(self.number_format.partition(".")[2].rstrip("%"))
        if self.number_format.endswith("%"):
            return f"{self.value * 100:.{places}f}%"
        return f"{self.value:.{places}f}"


def percent(value: float | None, number_format: str = "0.00%") -> Formatted | str:
    """A rate as a number Excel shows as a percentage (and can still compute with); "" for none."""
    return "" if value is None else Formatted(value, number_format)


def points(value: float | None) -> Formatted | str:
    """A score as a number shown with two decimals; "" for none."""
    return "" if value is None else Formatted(value, "0.00")


class Sheet:
    """A sheet of a write-only workbook, taking rows of plain values (made safe) or Formatted numbers,
    optionally in bold."""

    BOLD = Font(bold=True)

    def __init__(self, workbook: Workbook, title: str):
        self.sheet = workbook.create_sheet(title)

    def row(self, values, bold: bool = False) -> None:
        values = [Formatted(v, "yyyy-mm-dd") if isinstance(v, dt.date) and not isinstance(v, dt.datetime) else v for v in values]
        if not bold and not any(isinstance(v, Formatted) for v in values):
            self.sheet.append([safe_cell(v) for v in values])
            return
        cells = []
        for value in values:
            if isinstance(value, Formatted):
                cell = WriteOnlyCell(self.sheet, value=value.value)
                cell.number_format = value.number_format
            else:
                cell = WriteOnlyCell(self.sheet, value=safe_cell(value))
            if bold:
                cell.font = self.BOLD
            cells.append(cell)
        self.sheet.append(cells)


def workbook_bytes(workbook: Workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
