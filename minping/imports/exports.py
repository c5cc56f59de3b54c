"""Templates and exports of the registers, in the same Chinese columns the import reads."""

import csv
import io
import tempfile

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from minping.imports.registers import Context, Register
from minping.lib.spreadsheet import column_letter, safe_cell


def template_xlsx(register: Register, ctx: Context) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = register.label
    sheet.append([column.header for column in register.columns])
    example = register.example(ctx)
    sheet.append([example.get(column.key, "") for column in register.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for position, column in enumerate(register.columns):
        letter = column_letter(position)
        sheet.column_dimensions[letter].width = max(14, len(column.header) * 3)
        if column.choices:
            rule = DataValidation(type="list", formula1='"' + ",".join(column.choices) + '"', allow_blank=True)
            rule.add(f"{letter}2:{letter}100000")
            sheet.add_data_validation(rule)
    guide = workbook.create_sheet("填写说明")
    guide.append(["列名", "是否必填", "说明"])
    for column in register.columns:
        hint = column.hint or ("可选值：" + "、".join(column.choices) if column.choices else "")
        guide.append([column.header, "必填" if column.required else "选填", hint])
    guide.append([])
    guide.append(["提示", "", "第二行是示例，可直接删除或覆盖；请勿合并单元格；日期写作 2024-03-05。"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def template_csv(register: Register, ctx: Context) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([column.header for column in register.columns])
    example = register.example(ctx)
    writer.writerow([example.get(column.key, "") for column in register.columns])
    return "\ufeff" + out.getvalue()


def export_rows(register: Register, ctx: Context):
    yield [column.header for column in register.columns]
    for obj in register.export_queryset(ctx).iterator(chunk_size=2000):
        yield [safe_cell(value) for value in register.export_row(obj, ctx)]


def export_xlsx(register: Register, ctx: Context):
    """Write the export to a temporary file (write-only mode keeps memory flat) and return it, rewound."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(register.label)
    for row in export_rows(register, ctx):
        sheet.append(row)
    out = tempfile.TemporaryFile()
    workbook.save(out)
    out.seek(0)
    return out


class Echo:
    def write(self, value):
        return value


def export_csv_lines(register: Register, ctx: Context):
    writer = csv.writer(Echo())
    yield "\ufeff"
    for row in export_rows(register, ctx):
        yield writer.writerow(row)
