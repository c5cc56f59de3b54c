"""The assessment's files: a run's cohort sheet (Excel: numbers as numbers, text made formula-safe) and its 通报
(Word), and a cadre's record (Word and PDF)."""

import io
from collections import Counter

from openpyxl import Workbook
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

from minping.assessment import schemes
from minping.lib.fonts import cjk_font, paragraph
from minping.lib.spreadsheet import Sheet, clean, points, workbook_bytes
from minping.lib.wordfile import CENTER, OfficialDocument


def grade_counts(run, results) -> list[tuple[str, int]]:
    counts = Counter(r.grade for r in results)
    return [(g["label"], counts.get(g["label"], 0)) for g in run.definition["grades"]] + (
        [("不定等次", counts[""])] if counts.get("") else []
    )


ROLL = 3  # members on each category's 红榜 and 黑榜, unless the scheme says


def rolls(run, results) -> list[tuple[str, list, list]]:
    """Each category's 红榜 (the first `roll` of its ranking) and 黑榜 (the last `roll`, never the same members),
    graded members only: [(category, top, bottom)]."""
    size = int(run.definition.get("roll", ROLL))
    found = []
    for category in dict.fromkeys(r.category for r in results):
        ranked = sorted((r for r in results if r.category == category and r.score is not None), key=lambda r: (r.rank, r.label))
        top = ranked[:size]
        bottom = [r for r in ranked[-size:] if r not in top][::-1]
        found.append((category, top, bottom))
    return found


def method_lines(definition: dict) -> list[str]:
    """The scheme in words: each component with its weight, source and conversion; grades, quota and vetoes."""
    lines = []
    for c in definition["components"]:
        source = schemes.KINDS[c["kind"]]
        if c["kind"] == "mass":
            source += f"（{schemes.FIGURES[c['figure']]}，测评活动 {len(c.get('campaigns', []))} 个）"
        elif c["kind"] == "dispatch":
            source += f"（{c['rate']}）"
        elif c["kind"] == "superior":
            source += "（" + "、".join(f"{x['label']}×{float(x['weight']):g}" for x in c["criteria"]) + "）"
        lines.append(f"{c['label']}：权重 {float(c['weight']):g}，来源 {source}，折算 {schemes.CONVERSIONS[c['conversion']]}")
    lines.append("等次：" + "，".join(f"{g['label']} ≥ {g['min']:g}" for g in definition["grades"]))
    if definition.get("quota"):
        lines.append(f"名额：“{definition['quota']['grade']}”不超过 {definition['quota']['share']:.0%}")
    if definition.get("forced"):
        lines.append(f"强制分布：排名最后的 {definition['forced']['share']:.0%} 至多“{definition['forced']['grade']}”")
    for veto in definition.get("vetoes") or []:
        text = f"不称职票达 {veto['share']:.1%}" if veto["kind"] == "incompetent" else "有否决事项（如违纪违法查实）"
        lines.append(f"一票否决：{text}，定为“{definition['veto_grade']}”")
    lines.append(f"加分上限 {definition['bonus_cap']:g} 分；数据不足时{schemes.MISSING[definition['missing']]}")
    return lines


def cohort_workbook(run) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = Sheet(workbook, "考核结果")
    components = run.definition["components"]
    sheet.row([f"{run.scheme.year}年 {run.scheme.name}（第{run.number}次计算）"], bold=True)
    sheet.row(
        [
            "类别",
            "名次",
            "姓名/名称",
            "岗位/所在",
            *[f"{c['label']}（得分）" for c in components],
            "加减分",
            "综合得分",
            "建议等次",
            "确定等次",
            "调整理由",
            "说明",
            "跟进",
        ],
        bold=True,
    )
    for r in run.results.all():
        found = {p["key"]: p for p in r.parts}
        sheet.row(
            [
                r.category,
                r.rank if r.rank is not None else "",
                r.label,
                r.detail,
                *[
                    points(found[c["key"]]["points"]) if found[c["key"]]["points"] is not None else found[c["key"]]["missing"]
                    for c in components
                ],
                points(r.adjustment),
                points(r.score) if r.score is not None else "不定等次",
                r.proposed,
                r.grade,
                r.override_reason,
                "；".join(r.reasons),
                "；".join(f"{f['kind']}（{f['rule']}）" for f in r.follow_ups),
            ]
        )
    lists = Sheet(workbook, "红榜黑榜")
    lists.row(["类别", "榜", "名次", "姓名/名称", "综合得分", "等次"], bold=True)
    for category, top, bottom in rolls(run, list(run.results.all())):
        for name, members in (("红榜", top), ("黑榜", bottom)):
            for r in members:
                lists.row([category, name, r.rank, r.label, points(r.score), r.grade])
    method = Sheet(workbook, "计分办法")
    for line in method_lines(run.definition):
        method.row([line])
    for note in run.notes:
        method.row([note])
    return workbook_bytes(workbook)


def cohort_notice(run) -> bytes:
    """A 通报 in the seeds' wording: the scheme, the grades by number, the list of each grade, follow-ups."""
    scheme = run.scheme
    results = list(run.results.all())
    doc = OfficialDocument()
    doc.paragraph(f"关于{scheme.year}年度{scheme.name}结果的通报", size=22, font="方正小标宋简体", align=CENTER, indent=False)
    counts = grade_counts(run, results)
    doc.paragraph(
        f"根据{scheme.region.name}{scheme.year}年度{scheme.name}方案，经群众评议、上级考评和实绩考核，综合计算并经组织部门审定，"
        f"共 {len(results)} 名（个）考核对象参加考核。其中" + "，".join(f"“{label}”{n} 名" for label, n in counts) + "。现将结果通报如下。"
    )
    for label, n in counts:
        if not n:
            continue
        names = "、".join(r.label for r in sorted(results, key=lambda r: -(r.score or 0)) if (r.grade or "不定等次") == label)
        doc.paragraph(f"“{label}”（{n} 名）：{names}。")
    for category, top, bottom in rolls(run, results):
        doc.paragraph(f"{category}红榜：{'、'.join(r.label for r in top) or '无'}；黑榜：{'、'.join(r.label for r in bottom) or '无'}。")
    follow = [r for r in results if r.follow_ups]
    if follow:
        doc.paragraph(
            "对以下考核对象按规定进行跟进："
            + "；".join(f"{r.label}（{'、'.join(f['kind'] for f in r.follow_ups)}）" for r in follow)
            + "。"
        )
    doc.paragraph(f"对考核结果有异议的，可在通报之日起 {scheme.appeal_days} 日内向组织部门提出申诉。")
    doc.table(
        ["名次", "姓名/名称", "类别", "综合得分", "等次"],
        [[r.rank or "—", r.label, r.category, "—" if r.score is None else f"{r.score:.2f}", r.grade or "不定等次"] for r in results],
    )
    return doc.to_bytes()


def _record_rows(years: list[dict]) -> list[tuple[str, list[str]]]:
    rows = []
    for year in years:
        lines = [
            f"{r.run.scheme.name}：综合得分 {'—' if r.score is None else f'{r.score:.2f}'}，名次 {r.rank or '—'}，等次 {r.grade or '不定等次'}"
            for r in year["grades"]
        ]
        lines += [
            f"测评“{c.name}”：{'满意度 ' + format(f.headline, '.2f') if f.headline is not None else '未公布（样本不足）'}，同类排名 {f.rank or '—'}"
            for c, f in year["campaigns"]
        ]
        lines += [
            f"第{s.assessment.quarter}季度公开承诺得分 {s.score:g}，{s.get_award_display() if s.award else '未获奖'}"
            for s in year["quarters"]
        ]
        if year["fieldwork"]:
            lines.append("走基层：" + "，".join(f"{label} {value}" for label, value in year["fieldwork"]))
        lines += [f"{f.kind}（{f.rule}）" + (f"：{f.done_on:%Y-%m-%d} {f.note}" if f.done_on else "：尚未进行") for f in year["follow_ups"]]
        rows.append((f"{year['year']}年", lines))
    return rows


def record_docx(cadre, years: list[dict]) -> bytes:
    doc = OfficialDocument()
    doc.paragraph(f"{cadre.name}实绩档案", size=22, font="方正小标宋简体", align=CENTER, indent=False)
    for title, lines in _record_rows(years):
        doc.paragraph(title, font="黑体", indent=False)
        for line in lines or ["无记录"]:
            doc.paragraph(line)
    return doc.to_bytes()


def record_pdf(cadre, years: list[dict]) -> bytes:
    font = cjk_font()
    title = ParagraphStyle("title", fontName=font, fontSize=18, leading=24, alignment=1)
    body = ParagraphStyle("body", fontName=font, fontSize=10, leading=15)

    def p(text, style=body):
        return paragraph(text, style)

    story = [p(f"{cadre.name}实绩档案", title), Spacer(1, 4 * mm)]
    rows = [[p("年度"), p("记录")]] + [[p(t), [p(line) for line in lines] or p("无记录")] for t, lines in _record_rows(years)]
    table = Table(rows, colWidths=[22 * mm, 158 * mm], repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story.append(table)
    out = io.BytesIO()
    SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=clean(f"{cadre.name}实绩档案"),
    ).build(story)
    return out.getvalue()
