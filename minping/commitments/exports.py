"""The month's commitments and the quarter's assessment as Excel and Word, and the month's board as an A3 poster
(PDF) for the physical public board. Always in Chinese, with cells made safe by lib/spreadsheet."""

import datetime as dt
import io

from openpyxl import Workbook
from reportlab.lib import colors
from reportlab.lib.pagesizes import A3, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, SimpleDocTemplate, Spacer, Table, TableStyle

from minping.commitments import periods, scoring
from minping.commitments.models import Assessment, CommitmentForm, Item
from minping.lib.fonts import cjk_font, paragraph
from minping.lib.qr import qr_drawing
from minping.lib.spreadsheet import Sheet, clean, percent, points, workbook_bytes
from minping.lib.wordfile import CENTER, OfficialDocument

TITLE_FONT = "方正小标宋简体"
MONTH_HEADER = ["区域", "承诺人", "序列", "类别", "承诺内容", "可衡量目标", "完成时限", "重点项目", "进度", "践诺结果", "说明", "版本"]


def month_items(region, month: dt.date):
    return (
        Item.objects.published()
        .within(region)
        .filter(form__month=month)
        .select_related("form__region", "form__cadre", "form__unit", "form__collective", "form__sequence")
        .order_by("form__region__path", "form_id", "position")
    )


def _row(item: Item) -> list:
    form = item.form
    return [
        form.region.name,
        str(form.owner),
        form.sequence.name if form.sequence_id else "",
        item.get_category_display(),
        item.content,
        item.target,
        item.deadline,
        item.project,
        percent(item.progress / 100, "0%"),
        item.get_outcome_display(),
        item.outcome_reason,
        f"第{item.revision}版",
    ]


def month_workbook(region, month: dt.date) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = Sheet(workbook, "公开承诺")
    sheet.row([f"{region.name}{periods.label(month)}公开承诺"], bold=True)
    sheet.row(MONTH_HEADER, bold=True)
    for item in month_items(region, month).iterator(chunk_size=2000):
        sheet.row(_row(item))
    return workbook_bytes(workbook)


def month_document(region, month: dt.date) -> bytes:
    doc = OfficialDocument()
    doc.paragraph(f"{region.name}{periods.label(month)}机关全员工作承诺", 22, font=TITLE_FONT, align=CENTER, indent=False)
    rows = [
        [
            str(i.form.owner),
            i.get_category_display(),
            i.content,
            i.target,
            i.deadline.strftime("%-m月%-d日"),
            f"{i.progress}% {i.get_outcome_display()}",
        ]
        for i in month_items(region, month)
    ]
    doc.table(["承诺人", "类别", "承诺内容", "目标", "时限", "践诺"], rows, size=10.5)
    return doc.to_bytes()


def _score_rows(assessment: Assessment) -> list[list]:
    return [
        [
            s.sequence.name if s.sequence_id else "未分序列",
            s.rank,
            s.label,
            s.items,
            points(s.fulfilment),
            points(s.verification),
            points(s.rating),
            points(s.score),
            s.get_award_display() if s.award else "",
        ]
        for s in assessment.scores.select_related("sequence")
    ]


QUARTER_HEADER = ["序列", "名次", "姓名（单位）", "承诺项数", *scoring.COLUMN_LABELS.values(), "季度得分", "奖项"]


def quarter_workbook(assessment: Assessment) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = Sheet(workbook, "季度考评")
    sheet.row([f"{assessment.region.name}{assessment}公开承诺考评（{assessment.get_status_display()}）"], bold=True)
    sheet.row([scoring.formula_text(assessment.weights)])
    sheet.row(QUARTER_HEADER, bold=True)
    for row in _score_rows(assessment):
        sheet.row(row)
    sheet.row([])
    for term, text in scoring.DEFINITIONS:
        sheet.row([term, text])
    return workbook_bytes(workbook)


def quarter_document(assessment: Assessment) -> bytes:
    doc = OfficialDocument()
    doc.paragraph(f"{assessment.region.name}{assessment}公开承诺践诺考评结果", 22, font=TITLE_FONT, align=CENTER, indent=False)
    doc.paragraph(scoring.formula_text(assessment.weights), 14)
    doc.table(QUARTER_HEADER, _score_rows(assessment), size=10.5)
    for term, text in scoring.DEFINITIONS:
        doc.paragraph(f"{term}：{text}", 12)
    return doc.to_bytes()


def poster(region, month: dt.date, forms: list[CommitmentForm], board_url: str) -> bytes:
    """The month's board as an A3 landscape poster: each owner's commitments in a ruled table, in type read at a
    metre (body 14 pt), and at the foot the board's QR code and web address, where residents follow each
    commitment's progress and evidence."""
    font = cjk_font()
    title = ParagraphStyle("title", fontName=font, fontSize=30, leading=40, alignment=1)
    body = ParagraphStyle("body", fontName=font, fontSize=14, leading=19)
    head = ParagraphStyle("head", fontName=font, fontSize=15, leading=20)

    def p(text, style=body):
        return paragraph(text, style)

    story = [p(f"{region.name}{periods.label(month)}公开承诺栏", title), Spacer(1, 6 * mm)]
    rows = [[p("承诺人", head), p("类别", head), p("承诺内容", head), p("可衡量目标", head), p("时限", head), p("践诺", head)]]
    for form in forms:
        for item in form.items.all():
            rows.append(
                [
                    p(form.owner),
                    p(item.get_category_display()),
                    p(item.content),
                    p(item.target),
                    p(item.deadline.strftime("%-m月%-d日")),
                    p(f"{item.progress}% {item.get_outcome_display()}"),
                ]
            )
    table = Table(rows, colWidths=[50 * mm, 28 * mm, 140 * mm, 105 * mm, 30 * mm, 32 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3e0e0")),
            ]
        )
    )
    foot = Table(
        [
            [
                qr_drawing(board_url, 40 * mm),
                p(f"欢迎群众监督。用手机扫描左侧二维码，或访问 {board_url} ，可查看每项承诺的践诺进展和佐证材料。"),
            ]
        ],
        colWidths=[46 * mm, 300 * mm],
    )
    foot.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    story += [table, Spacer(1, 6 * mm), KeepTogether(foot)]
    out = io.BytesIO()
    SimpleDocTemplate(
        out,
        pagesize=landscape(A3),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=clean(f"{region.name}{periods.label(month)}公开承诺栏"),
    ).build(story)
    return out.getvalue()
