"""What a sample audit draws from: the frames of resolved problems and of work-log entries of a region and period,
and how an item is named to whoever goes to check it."""

import datetime as dt

from django.utils import timezone

from minping.fieldwork.models import Entry
from minping.grid.models import Problem
from minping.lib.dates import day_bounds


def problems(region, start: dt.date, end: dt.date):
    first, after = day_bounds(start, end)
    return Problem.objects.within(region).filter(resolved_at__gte=first, resolved_at__lt=after).select_related("category", "unit")


def logs(region, start: dt.date, end: dt.date):
    return Entry.objects.filter(cadre__region__path__startswith=region.path, on__gte=start, on__lte=end).select_related("cadre", "contact")


FRAMES = {"problems": problems, "logs": logs}


def label(kind: str, record) -> str:
    if kind == "problems":
        return f"{record.category.name}：{record.address}（{record.unit.name if record.unit else '—'}，{timezone.localtime(record.resolved_at):%Y-%m-%d}办结）"
    return f"{record.cadre.name} {record.on:%Y-%m-%d} {record.contact}：{record.discussed[:60]}"
