"""Field-work figures as Excel (the summary with definitions, per unit, per cadre) and a monthly Word report in
the wording of seed 004, always in Chinese and computed from the records."""

import datetime as dt

from openpyxl import Workbook

from minping.commitments import periods
from minping.commitments.exports import TITLE_FONT
from minping.fieldwork import figures
from minping.fieldwork.models import FollowUp
from minping.lib.spreadsheet import Sheet, percent, workbook_bytes
from minping.lib.wordfile import CENTER, OfficialDocument

CADRE_COLUMNS = [label for _key, label, _definition in figures.CADRE_FIGURES]
UNIT_COLUMNS = [label for key, label, _definition in figures.CADRE_FIGURES if key not in figures.RATES]


def _period(start: dt.date, end: dt.date) -> str:
    return f"{start:%Y-%m-%d} 至 {end:%Y-%m-%d}"


def _cell(value):
    """A figure as a sheet holds it: a rate as a percentage Excel computes with, a missing one as a dash."""
    if value is None:
        return "—"
    return percent(value, "0.0%") if isinstance(value, float) else value


def figures_workbook(region, start: dt.date, end: dt.date) -> bytes:
    workbook = Workbook(write_only=True)
    summary = figures.summary(region, start, end)
    sheet = Sheet(workbook, "汇总")
    sheet.row([f"{region.name}干部走基层工作统计（{_period(start, end)}）"], bold=True)
    sheet.row(["指标", "数值", "口径"], bold=True)
    for key, label, definition in figures.SUMMARY_FIGURES + figures.CADRE_FIGURES:
        if key in summary:
            sheet.row([label, _cell(summary[key]), definition])
    sheet = Sheet(workbook, "按单位")
    sheet.row(["单位", "干部人数", *UNIT_COLUMNS], bold=True)
    for name, n, totals in figures.by_unit(region, start, end):
        sheet.row([name, n, *(_cell(totals[key]) for key, _l, _d in figures.CADRE_FIGURES if key not in figures.RATES)])
    sheet = Sheet(workbook, "按干部")
    sheet.row(["区域", "干部", *CADRE_COLUMNS], bold=True)
    cadres = list(figures.cadres_of(region).select_related("region").order_by("region__path", "name"))
    for chunk in range(0, len(cadres), 1000):
        part = cadres[chunk : chunk + 1000]
        values = figures.cadre_figures([c.pk for c in part], start, end)
        for cadre in part:
            sheet.row([cadre.region.name, cadre.name, *(_cell(values[cadre.pk][key]) for key, _l, _d in figures.CADRE_FIGURES)])
    return workbook_bytes(workbook)


def month_report(region, day: dt.date) -> bytes:
    """The month of `day`: what was done, in figures from the records, the units' table, and the items closed."""
    first = day.replace(day=1)
    last = periods.last_day(first)
    s = figures.summary(region, first, last)
    doc = OfficialDocument()
    doc.paragraph(f"{region.name}{periods.label(first)}干部走基层工作情况", 22, font=TITLE_FONT, align=CENTER, indent=False)
    doc.paragraph(
        f"本月共开展调研课题 {s['topics']} 个，召开座谈会 {s['forums']} 场、现场推进会 {s['site_meetings']} 场，参与 {s['participants']} 人次，"
        f"形成文件 {s['documents']} 份；记录联系点工作日志 {s['entries']} 条，其中走访 {s['visits']} 次，覆盖联系点 {s['covered']} 个，"
        f"走访企业 {s['enterprises']} 家；举办接访日 {s['sessions']} 次，接待群众 {s['visitors']} 人次。"
    )
    doc.paragraph(
        f"收集意见建议 {s['suggestions']} 条，受理问题 {s['problems']} 个，提出解决建议 {s['proposed']} 条，办结 {s['closed']} 件，"
        f"已向提出人反馈 {s['told']} 件。{s['projects']} 个重点项目有干部蹲点。"
    )
    doc.paragraph("一、各单位情况", 16, bold=True)
    doc.table(
        ["单位", "干部", "日志", "走访", "意见建议", "问题", "解决建议", "办结"],
        [
            [name, n, t["entries"], t["visits"], t["suggestions"], t["problems"], t["proposed"], t["closed"]]
            for name, n, t in figures.by_unit(region, first, last)
        ],
        size=10.5,
    )
    closed = (
        FollowUp.objects.within(region)
        .filter(closed_at__date__gte=first, closed_at__date__lte=last)
        .select_related("cadre")
        .order_by("closed_at")[:200]
    )
    doc.paragraph("二、本月办结的意见建议和问题", 16, bold=True)
    doc.table(
        ["事项", "跟进干部", "办理结果"], [[i.text, i.cadre.name, i.outcome] for i in closed] or [["本月没有办结的事项", "", ""]], size=10.5
    )
    doc.paragraph(
        "口径：" + "；".join(f"{label}——{definition}" for _key, label, definition in figures.SUMMARY_FIGURES + figures.CADRE_FIGURES), 10.5
    )
    return doc.to_bytes()
