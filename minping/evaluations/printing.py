"""PDFs people print: QR slips for meetings, paper ballots, letters carrying a code to a registered person.

Chinese is set in the font shipped with the package and embedded in each PDF, so slips print the same on a
machine with no Chinese font. Codes appear in clear only in these responses; nothing is kept.
"""

import io

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from minping.evaluations.codes import format_short
from minping.lib.fonts import cjk_font
from minping.lib.qr import draw_qr

FONT = cjk_font()
PAGE_W, PAGE_H = A4


def _fit(canvas: Canvas, text: str, x: float, y: float, size: float, width: float) -> None:
    while size > 6 and pdfmetrics.stringWidth(text, FONT, size) > width:
        size -= 0.5
    canvas.setFont(FONT, size)
    canvas.drawString(x, y, text)


SLIP_TITLE_SIZE = 12  # points: a campaign's name on a slip wraps onto a second line rather than shrinking
SLIP_TITLE_LINES = 2
SLIP_TEXT_SIZE = 10  # points: every other word on a slip, read by a voter of seventy
SLIP_CODE_SIZE = 14  # points: the code typed digit by digit


def title_lines(text: str, size: float, width: float, max_lines: int) -> list[str]:
    """`text` broken into at most `max_lines` lines of at most `width` at `size`; the last ends in "…" if the
    text does not fit."""
    lines, line = [], ""
    for char in text:
        if pdfmetrics.stringWidth(line + char, FONT, size) <= width:
            line += char
            continue
        lines.append(line)
        line = char
        if len(lines) == max_lines:
            break
    else:
        lines.append(line)
        lines = [item for item in lines if item]
        if len(lines) > 1 and len(lines[-1]) == 1:  # no line of a single character: the last takes one more
            lines[-2:] = [lines[-2][:-1], lines[-2][-1] + lines[-1]]
        return lines
    last = lines[-1]
    while last and pdfmetrics.stringWidth(last + "…", FONT, size) > width:
        last = last[:-1]
    return [*lines[:-1], last + "…"]


def slips_pdf(*, campaign_name: str, group_name: str, vote_url: str, pairs: list[tuple[str, str]]) -> bytes:
    """Eight slips an A4 page, to cut apart: QR code (the token after '#'), the code in 14 pt, where to vote, in
    type of at least 10 pt."""
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4)
    canvas.setTitle(f"{campaign_name} 测评码")
    cols, rows = 2, 4
    width, height = PAGE_W / cols, PAGE_H / rows
    qr_size = 46 * mm
    text_x_offset = 6 * mm + qr_size + 4 * mm
    text_w = width - text_x_offset - 5 * mm
    for index, (token, short) in enumerate(pairs):
        slot = index % (cols * rows)
        if index and slot == 0:
            canvas.showPage()
        x, y = (slot % cols) * width, PAGE_H - (slot // cols + 1) * height
        canvas.setDash(2, 3)
        canvas.rect(x + 2 * mm, y + 2 * mm, width - 4 * mm, height - 4 * mm)
        canvas.setDash()
        draw_qr(canvas, f"{vote_url}#{token}", x + 6 * mm, y + (height - qr_size) / 2, qr_size)
        text_x, top = x + text_x_offset, y + height - 11 * mm
        canvas.setFont(FONT, SLIP_TITLE_SIZE)
        for number, line in enumerate(title_lines(campaign_name, SLIP_TITLE_SIZE, text_w, SLIP_TITLE_LINES)):
            canvas.drawString(text_x, top - 5.2 * mm * number, line)
        _fit(canvas, f"评价群体：{group_name}", text_x, top - 12 * mm, SLIP_TEXT_SIZE, text_w)
        _fit(canvas, "测评码", text_x, top - 18.5 * mm, SLIP_TEXT_SIZE, text_w)
        canvas.setFont("Courier-Bold", SLIP_CODE_SIZE)
        canvas.drawString(text_x, top - 25 * mm, format_short(short))
        canvas.setFont(FONT, SLIP_TEXT_SIZE)
        lines = ["手机扫码即可投票；", "或访问网址输入测评码：", *_broken(vote_url, SLIP_TEXT_SIZE, text_w), "无记名，无人知您的选择。"]
        for number, line in enumerate(lines):  # from the top down, the last line 7 mm above the slip's foot
            canvas.drawString(text_x, y + 7 * mm + 4.6 * mm * (len(lines) - 1 - number), line)
    canvas.save()
    return out.getvalue()


def _broken(text: str, size: float, width: float) -> list[str]:
    """`text` (a web address) broken into lines of at most `width` at `size`, wherever a line is full."""
    lines = [""]
    for char in text:
        if lines[-1] and pdfmetrics.stringWidth(lines[-1] + char, FONT, size) > width:
            lines.append("")
        lines[-1] += char
    return lines


def paper_ballots_pdf(*, campaign, subjects, pairs: list[tuple[str, str]]) -> bytes:
    """One paper ballot per code: every question of every subject with boxes to tick, the short code on top."""
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4)
    canvas.setTitle(f"{campaign.name} 纸质测评票")
    definition = campaign.definition
    for _token, short in pairs:
        y = PAGE_H - 20 * mm
        _fit(canvas, campaign.name, 15 * mm, y, 15, PAGE_W - 80 * mm)
        canvas.setFont("Courier-Bold", 12)
        canvas.drawRightString(PAGE_W - 15 * mm, y, format_short(short))
        y -= 7 * mm
        _fit(canvas, "无记名测评：请在选项前的方框内打“√”，每题只选一项；不认识的对象请勾选“不认识”。", 15 * mm, y, 9, PAGE_W - 30 * mm)
        y -= 8 * mm
        for subject in subjects:
            needed = (len(definition["subject_questions"]) + 2) * 6 * mm
            if y - needed < 20 * mm:
                canvas.showPage()
                y = PAGE_H - 20 * mm
            _fit(canvas, f"{subject.label}  {subject.detail}", 15 * mm, y, 11, PAGE_W - 80 * mm)
            _box(canvas, PAGE_W - 45 * mm, y, "不认识")
            y -= 6 * mm
            for question in definition["subject_questions"]:
                y = _question_line(canvas, question, y)
            y -= 3 * mm
        for question in definition.get("general_questions", []):
            if y < 45 * mm:
                canvas.showPage()
                y = PAGE_H - 20 * mm
            _fit(canvas, question["label"] + "：", 15 * mm, y, 10, PAGE_W - 30 * mm)
            canvas.rect(15 * mm, y - 22 * mm, PAGE_W - 30 * mm, 19 * mm)
            y -= 27 * mm
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def _box(canvas: Canvas, x: float, y: float, label: str) -> float:
    canvas.rect(x, y - 0.5 * mm, 3.2 * mm, 3.2 * mm)
    canvas.setFont(FONT, 9)
    canvas.drawString(x + 4.5 * mm, y, label)
    return x + 4.5 * mm + pdfmetrics.stringWidth(label, FONT, 9) + 5 * mm


def _question_line(canvas: Canvas, question: dict, y: float) -> float:
    _fit(canvas, question["label"], 20 * mm, y, 9, 65 * mm)
    x = 88 * mm
    if question["type"] == "score":
        canvas.setFont(FONT, 9)
        canvas.drawString(x, y, f"得分（{question.get('min', 0)}–{question.get('max', 100)}）：________")
    elif question["type"] == "text":
        canvas.line(x, y - 1 * mm, PAGE_W - 15 * mm, y - 1 * mm)
    else:
        for option in question["options"]:
            x = _box(canvas, x, y, option["label"])
    return y - 6 * mm


def letters_pdf(*, campaign_name: str, vote_url: str, letters: list[dict]) -> bytes:
    """One letter per registered person: their name and address for the envelope, and their code."""
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4)
    canvas.setTitle(f"{campaign_name} 测评邀请函")
    for letter in letters:
        _fit(canvas, letter["name"], 25 * mm, PAGE_H - 35 * mm, 14, 100 * mm)
        _fit(canvas, letter.get("address", ""), 25 * mm, PAGE_H - 42 * mm, 10, 120 * mm)
        _fit(canvas, f"邀请您参加“{campaign_name}”", 25 * mm, PAGE_H - 70 * mm, 15, PAGE_W - 50 * mm)
        lines = [
            "本次测评无记名进行：您的测评码与您的姓名没有任何关联，",
            "任何人（包括组织者）都无法知道您的选择。",
            "请用手机扫描下方二维码，或访问以下网址并输入测评码：",
        ]
        for offset, line in enumerate(lines):
            _fit(canvas, line, 25 * mm, PAGE_H - (82 + offset * 7) * mm, 11, PAGE_W - 50 * mm)
        canvas.setFont("Courier", 11)
        canvas.drawString(25 * mm, PAGE_H - 106 * mm, vote_url)
        canvas.setFont("Courier-Bold", 18)
        canvas.drawString(25 * mm, PAGE_H - 118 * mm, format_short(letter["short"]))
        draw_qr(canvas, f"{vote_url}#{letter['token']}", 25 * mm, PAGE_H - 175 * mm, 50 * mm)
        canvas.showPage()
    canvas.save()
    return out.getvalue()
