"""Grid assignments as an import register (网格人员分配): a street office puts many workers on grids from one Excel
file, checked like every register (each row against the office's grids and accounts) before anything is written.
Registered into the imports' registry by the grid app at start, so imports knows nothing of the grid."""

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from minping.accounts.models import User
from minping.accounts.scoping import scope
from minping.grid import actions
from minping.grid.models import Assignment
from minping.imports.registers import REGISTERS, Column, Register, RowProblem
from minping.lib.dates import parse_date
from minping.org.models import PATH_SEGMENT, Region

KINDS = {"网格员": "worker", "我当网格员": "secondment"}


class AssignmentRegister(Register):
    """One row per worker on a grid for a period; a row already held (same grid, account and first day) is
    updated to the file's end, kind and target."""

    key, label, model = "grid_assignments", "网格人员分配", Assignment
    key_header = "网格、账号、开始日期"
    columns = [
        Column("网格", "grid", hint="网格的完整路径，如 某区/某街道/某社区/第1网格"),
        Column("账号", "username", hint="网格员或下沉干部登录民评的账号"),
        Column("开始日期", "starts_on", hint="如 2026-12-01"),
        Column("结束日期", "ends_on", required=False, hint="空白表示长期负责"),
        Column("类型", "kind", choices=KINDS),
        Column("目标走访户次", "target_visits", required=False, hint="我当网格员期间应走访的户次"),
    ]
    stage = [
        ("grid_id", "bigint"),
        ("worker_id", "bigint"),
        ("starts_on", "text"),
        ("ends_on", "text"),
        ("kind", "text"),
        ("target_visits", "text"),
    ]
    key_columns = ("grid_id", "worker_id", "starts_on")

    def prepare(self, ctx):
        super().prepare(ctx)
        grids = Region.objects.filter(level="grid")
        ctx.cache["grids"] = set((grids.within(ctx.scope) if ctx.scope else grids).values_list("pk", flat=True))
        users = User.objects.filter(is_active=True, region__isnull=False).select_related("region")
        if ctx.scope:  # people of the office's regions, and of the regions above it (a district's cadres take grids over)
            step = PATH_SEGMENT + 1
            above = [ctx.scope.path[:i] for i in range(step, len(ctx.scope.path), step)]
            users = users.filter(Q(region__path__startswith=ctx.scope.path) | Q(region__path__in=above))
        ctx.cache["people"] = {u.username: (u.pk, u.region.path) for u in users}

    def clean(self, values, ctx):
        grid_id, grid_path = ctx.region("网格", values["grid"])
        if grid_id not in ctx.cache["grids"]:
            raise RowProblem("网格", f"“{values['grid']}”不是您管辖范围内的网格")
        person = ctx.cache["people"].get(values["username"])
        if person is None:
            raise RowProblem("账号", f"找不到账号“{values['username']}”")
        if not actions.may_work_on(grid_path, person[1]):
            raise RowProblem("账号", "该人员不属于这个网格所在的社区")
        starts_on = _date("开始日期", values["starts_on"])
        ends_on = _date("结束日期", values["ends_on"]) if values.get("ends_on") else None
        if ends_on is not None and ends_on < starts_on:
            raise RowProblem("结束日期", "结束日期不能早于开始日期")
        target = values.get("target_visits", "")
        if target and not (target.isascii() and target.isdigit() and 0 < int(target) <= 100_000):
            raise RowProblem("目标走访户次", "应为 1 到 100000 之间的整数")
        return {
            "grid_id": grid_id,
            "worker_id": person[0],
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat() if ends_on else "",
            "kind": values["kind"],
            "target_visits": target,
        }

    def load(self, stage, ctx):
        rows = [
            {
                "grid_id": int(s["grid_id"]),
                "worker_id": int(s["worker_id"]),
                "starts_on": dt.date.fromisoformat(s["starts_on"]),
                "ends_on": dt.date.fromisoformat(s["ends_on"]) if s["ends_on"] else None,
                "secondment": s["kind"] == "secondment",
                "target_visits": int(s["target_visits"]) if s["kind"] == "secondment" and s["target_visits"] else None,
            }
            for s in stage.rows()
        ]
        return actions.import_assignments(actor=ctx.actor, rows=rows)

    def example(self, ctx):
        today = timezone.localdate()
        grids = Region.objects.filter(level="grid").order_by("path")
        grid = (grids.within(ctx.scope) if ctx.scope else grids).first()
        return {
            "grid": ctx.regions.name_of(grid.pk) if grid else "某区/某街道/某社区/第1网格",
            "username": ctx.actor.username,
            "starts_on": today.isoformat(),
            "ends_on": "",
            "kind": "网格员",
            "target_visits": "",
        }

    def export_queryset(self, ctx):
        rows = Assignment.objects.current().select_related("worker")
        return scope(rows, ctx.actor)

    def export_row(self, a, ctx):
        return [
            ctx.regions.name_of(a.grid_id),
            a.worker.username,
            a.starts_on.isoformat(),
            a.ends_on.isoformat() if a.ends_on else "",
            "我当网格员" if a.is_secondment else "网格员",
            str(a.target_visits or ""),
        ]


def _date(column: str, raw: str) -> dt.date:
    try:
        return parse_date(raw)
    except ValueError as exc:
        raise RowProblem(column, str(exc)) from None


def register() -> None:
    REGISTERS.setdefault(AssignmentRegister.key, AssignmentRegister())
