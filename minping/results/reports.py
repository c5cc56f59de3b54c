"""Result reports: an Excel workbook, a Word circular (测评结果通报) and a PDF result sheet to sign.

All three are built from present.py's data, so small-group protection holds in every one. Text that would
break a file (control characters) is removed, and text Excel would take for a formula is kept as text.
"""

import io
import re

from django.utils import timezone, translation
from openpyxl import Workbook
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

from minping.audit import anchors
from minping.evaluations.models import Campaign
from minping.lib.fonts import cjk_font, paragraph
from minping.lib.spreadsheet import XLSX, Sheet, clean, percent, points, workbook_bytes
from minping.lib.suppression import shown
from minping.lib.wordfile import CENTER, DOCX, RIGHT, OfficialDocument
from minping.results import present
from minping.results.figures import (
    DEFINITIONS,
    METRICS,
    SCORE_LABEL,
    SCORED_TYPES,
    metrics_for,
    subject_figures,
)

PDF = "application/pdf"


def pct(value) -> str:
    return "" if value is None else f"{value * 100:.2f}%"


def _context(campaign: Campaign) -> dict:
    figures = subject_figures(campaign, list(campaign.subjects.all()))
    view = present.campaign_view(campaign, figures)
    return {"view": view, "subjects": [present.subject_view(campaign, f) for f in figures], "figures": figures, "anchor": anchors.current()}


def _rate_columns(campaign: Campaign) -> list[tuple[str, str, str]]:
    """(question key, metric, column title) of the combined figures the summary lists."""
    columns = []
    for question in campaign.definition["subject_questions"]:
        if question["type"] in SCORED_TYPES:
            columns.append((question["key"], "score", f"{question['label']}·{SCORE_LABEL}"))
        for metric in metrics_for(question):
            columns.append((question["key"], metric, f"{question['label']}·{METRICS[metric][0]}"))
    return columns


def _sheet_title(index: int, label: str, used: set) -> str:
    title = re.sub(r"[\[\]:*?/\\']", "", clean(f"{index} {label}"))[:31].strip() or str(index)
    while title in used:
        title = f"{index}"[:31]
    used.add(title)
    return title


def xlsx(campaign: Campaign) -> tuple[str, bytes]:
    """Summary, follow-up list, one sheet per subject, and the definitions of every figure."""
    data = _context(campaign)
    view = data["view"]
    workbook = Workbook(write_only=True)
    _summary_sheet(Sheet(workbook, "汇总"), campaign, view)
    _follow_up_sheet(Sheet(workbook, "跟进名单"), view)
    used = {"汇总", "跟进名单", "计算口径"}
    for index, subject in enumerate(data["subjects"], start=1):
        _subject_sheet(Sheet(workbook, _sheet_title(index, subject["label"], used)), subject)
    _formula_sheet(Sheet(workbook, "计算口径"), view)
    return XLSX, workbook_bytes(workbook)


def _summary_sheet(sheet: Sheet, campaign: Campaign, view: dict) -> None:
    closed = timezone.localtime(campaign.closed_at).strftime("%Y-%m-%d %H:%M") if campaign.closed_at else ""
    sheet.row([campaign.name], bold=True)
    sheet.row(["区域", campaign.region.name, "状态", campaign.get_status_display()])
    sheet.row(["结束时间", closed])
    sheet.row(["票箱哈希（结束时）", campaign.head_at_close])
    sheet.row(["比率分母口径", view["denominator"]])
    sheet.row(["排名依据", view["headline"]])
    sheet.row(["说明", "少于5票的单元格显示为“<5”，其对象的合计显示为“—”；未达到法定有效票数的对象不计算比率"])
    sheet.row([])
    columns = _rate_columns(campaign)
    sheet.row(["类别", "排名", "对象", "职务/说明", "有效票", "达到法定票数", view["headline"], *[c[2] for c in columns]], bold=True)
    for item in view["ranking"]:
        figures = item["figures"]
        sheet.row(
            [
                item["category"],
                item["rank"] or "",
                item["label"],
                item["detail"],
                item["valid"],
                "是" if item["quorum_met"] else "否（未达法定票数）",
                round(item["headline"], 2) if item["headline"] is not None else "",
                *[_figure(figures.get(key, {}).get(metric), metric) for key, metric, _ in columns],
            ]
        )


def _follow_up_sheet(sheet: Sheet, view: dict) -> None:
    sheet.row(["对象", "类别", view["headline"], "触发的规则"], bold=True)
    for item in view["follow_up"]:
        sheet.row([item["label"], item["category"], points(item["headline"]), "；".join(item["rules"])])
    if not view["follow_up"]:
        sheet.row(["（无）"])


def _subject_sheet(sheet: Sheet, subject: dict) -> None:
    sheet.row([subject["label"], subject["detail"], subject["category"]], bold=True)
    sheet.row(["评价群体", "权重", "发放", "收回", "有效", "不认识", "无效", "法定票数", "达到"], bold=True)
    for cell in subject["cells"]:
        sheet.row(
            [
                cell["group"],
                cell["weight"],
                cell["issued"],
                cell["returned"],
                cell["valid"],
                cell["unknown"],
                cell["void"],
                cell["quorum"],
                "是" if cell["quorum_met"] else "否",  # a hidden cell (<5 ballots) is below any quorum
            ]
        )
    for question in subject["questions"]:
        if question["cells"]:
            _question_rows(sheet, question)


def _question_rows(sheet: Sheet, question: dict) -> None:
    """One question's figures per group: n and the count of each option, then each rate as a percentage with its
    numerator and interval beside it, then 满意度 with its interval; the weighted combination last."""
    sheet.row([])
    sheet.row([question["label"]], bold=True)
    options = [d["label"] for d in next((c["distribution"] for c in question["cells"] if c["distribution"]), [])]
    metrics = next((c["rates"] for c in question["cells"] if c["rates"]), [])
    rate_headers = [h for r in metrics for h in (r["label"], f"{r['label']}·分子", "95%区间下限", "95%区间上限")]
    sheet.row(["评价群体", "n", *options, *rate_headers, SCORE_LABEL, "95%区间下限", "95%区间上限"], bold=True)
    for cell in question["cells"]:
        rates = {r["metric"]: r for r in cell["rates"]}
        figures = []
        for metric in metrics:
            rate = rates.get(metric["metric"])
            figures += [percent(rate["value"]), rate["k"], percent(rate["low"]), percent(rate["high"])] if rate else ["", "", "", ""]
        score = cell["score"] or {}
        sheet.row(
            [
                cell["group"],
                cell["n"],
                *[d["count"] for d in cell["distribution"]],
                *figures,
                *[_score(score.get(key)) for key in ("value", "low", "high")],
            ]
        )
    combined = {c["metric"]: c["value"] for c in question["combined"]}
    spacer = [""] * len(options)
    sheet.row(
        [
            "综合（按权重）",
            "",
            *spacer,
            *[h for m in metrics for h in (percent(combined.get(m["metric"])), "", "", "")],
            _score(question["combined_score"]),
        ]
    )


def _score(value) -> float | str:
    return "" if value is None else round(value, 2)


def _formula_sheet(sheet: Sheet, view: dict) -> None:
    sheet.row(["名称", "定义"], bold=True)
    for term, definition in DEFINITIONS:
        sheet.row([term, definition])
    sheet.row([])
    sheet.row(["本次比率分母口径", view["denominator"]])
    for rule in view["rules"]:
        sheet.row(["跟进规则", rule])
    if anchor := anchors.current():
        sheet.row(["操作日志链头（可用 minping audit verify --anchor 核对）", f"{anchor.seq}:{anchor.hash}"])


def _figure(value, metric):
    """满意度 as a number with two decimals; a rate as a percentage Excel can compute with."""
    if metric == "score":
        return _score(value)
    return percent(value)


def docx(campaign: Campaign) -> tuple[str, bytes]:
    """测评结果通报 in the usual layout: red masthead and rule, 小标宋 title, 仿宋 三号 body, numbered parts,
    the issuing office and date at the bottom right."""
    data = _context(campaign)
    view = data["view"]
    doc = OfficialDocument()
    paragraph = doc.paragraph
    office = f"中共{campaign.region.name}委员会组织部" if campaign.region.level == "district" else f"{campaign.region.name}"
    paragraph(f"{office}文件", 36, "方正小标宋简体", True, CENTER, (0xC0, 0, 0), indent=False)
    paragraph("━" * 24, 12, "宋体", False, CENTER, (0xC0, 0, 0), indent=False)
    paragraph(f"关于{campaign.name}结果的通报", 22, "方正小标宋简体", False, CENTER, indent=False)
    paragraph("各有关单位：", indent=False)
    total = shown(sum(item.returned for item in data["figures"][0].cells)) if data["figures"] else 0
    closed = timezone.localtime(campaign.closed_at).strftime("%Y年%m月%d日") if campaign.closed_at else ""
    paragraph(
        f"根据工作安排，{campaign.region.name}组织开展了{campaign.name}，于{closed}结束投票。"
        f"本次测评共有测评对象{len(data['subjects'])}个，收回测评票{total}张。现将结果通报如下。"
    )
    paragraph("一、测评结果", font="黑体", indent=False)
    paragraph(
        f"按{view['headline']}排名（比率分母口径：{view['denominator']}；少于5票的单元格不公布；"
        f"未达到法定有效票数的对象只公布“未达法定票数”）。"
    )
    doc.table(
        ["类别", "名次", "测评对象", "有效票", view["headline"]],
        [
            [
                item["category"],
                str(item["rank"] or "—"),
                item["label"],
                str(item["valid"]),
                str(points(item["headline"])) if item["quorum_met"] else "未达法定票数",
            ]
            for item in view["ranking"]
        ],
    )
    paragraph("二、需要跟进的对象", font="黑体", indent=False)
    if view["follow_up"]:
        for item in view["follow_up"]:
            paragraph(f"{item['label']}（{item['category']}）：{'；'.join(item['rules'])}。")
    else:
        paragraph("本次测评没有对象触发跟进规则。")
    paragraph("三、有关要求", font="黑体", indent=False)
    paragraph(
        "各单位要认真分析测评结果，对群众反映的问题逐项整改；对触发跟进规则的干部，由组织部门进行谈话提醒。"
        "对测评结果有异议的，可在公示期内通过公示页面提出申诉。"
    )
    paragraph(office, align=RIGHT, indent=False)
    paragraph(timezone.localdate().strftime("%Y年%m月%d日"), align=RIGHT, indent=False)
    if data["anchor"]:
        paragraph(f"票箱哈希：{campaign.head_at_close}；操作日志链头：{data['anchor'].seq}:{data['anchor'].hash}", 9, indent=False)
    return DOCX, doc.to_bytes()


def pdf(campaign: Campaign) -> tuple[str, bytes]:
    """The result sheet to sign: the ranking with each subject's figures, the sealed ballot box's head, and a
    signature block for the organisers and the scrutineers. Chinese is in the embedded font."""
    font = cjk_font()
    data = _context(campaign)
    view = data["view"]
    title = ParagraphStyle("title", fontName=font, fontSize=18, leading=24, alignment=1)
    body = ParagraphStyle("body", fontName=font, fontSize=10, leading=15)
    small = ParagraphStyle("small", fontName=font, fontSize=8, leading=11)

    def p(text, style=body):
        return paragraph(text, style)

    story = [
        p(f"{campaign.name} 测评结果", title),
        Spacer(1, 4 * mm),
        p(f"区域：{campaign.region.name}　　比率分母口径：{view['denominator']}　　排名依据：{view['headline']}"),
        p(f"票箱哈希（结束时）：{campaign.head_at_close}", small),
    ]
    if data["anchor"]:
        story.append(p(f"操作日志链头：{data['anchor'].seq}:{data['anchor'].hash}", small))
    story.append(Spacer(1, 3 * mm))
    rows = [[p("类别"), p("名次"), p("测评对象"), p("有效票"), p(view["headline"]), p("跟进")]]
    flagged = {item["id"]: "；".join(item["rules"]) for item in view["follow_up"]}
    for item in view["ranking"]:
        rows.append(
            [
                p(item["category"], small),
                p(item["rank"] or "—"),
                p(item["label"]),
                p(item["valid"]),
                p(str(points(item["headline"])) if item["quorum_met"] else "未达法定票数"),
                p(flagged.get(item["id"], ""), small),
            ]
        )
    table = Table(rows, colWidths=[28 * mm, 14 * mm, 40 * mm, 18 * mm, 30 * mm, 50 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
            ]
        )
    )
    story += [table, Spacer(1, 6 * mm), p("少于5票的单元格不公布。以上结果经核对无误。"), Spacer(1, 10 * mm)]
    signatures = Table(
        [
            [p("组织单位（盖章）："), p("负责人签字："), p("监票人签字：")],
            [p(""), p(""), p("")],
            [p("日期：　　年　　月　　日"), p(""), p("")],
        ],
        colWidths=[60 * mm, 60 * mm, 60 * mm],
        rowHeights=[8 * mm, 16 * mm, 8 * mm],
    )
    story.append(signatures)
    out = io.BytesIO()
    SimpleDocTemplate(
        out, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm, bottomMargin=15 * mm, title=clean(campaign.name)
    ).build(story)
    return PDF, out.getvalue()


MAKERS = {"xlsx": xlsx, "docx": docx, "pdf": pdf}


def make(kind: str, campaign: Campaign) -> tuple[str, bytes]:
    """A report in Chinese, whatever language the person downloading it reads the console in."""
    with translation.override("zh-hans"):
        return MAKERS[kind](campaign)
