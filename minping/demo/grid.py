"""Demo grid governance (seeds 002 and 003): the first street's grids each with a grid worker (the demo "grid"
login on 第1网格), a year of fortnightly visits to their households, routes from each problem category to a
department or the street's stations, a year of problems whose receiving and handling times differ by department
(so the scorecards differ), and today's work: problems waiting for dispatch, routed to the demo handler's
station, overdue, and one resolved for the demo grid worker to confirm. The history is written directly, as a
system already running would have it; today's problems go through the actions."""

import datetime as dt
import random
import uuid

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from minping.accounts.models import User
from minping.grid import actions
from minping.grid.models import (
    Assignment,
    Category,
    Problem,
    Site,
    Step,
    Visit,
    VisitState,
)
from minping.org.models import Household, Region, Unit

ROUTES = {
    "sanitation": "城管局",
    "facilities": "住建局",
    "safety": "应急管理局",
    "construction": "城管局",
    "livelihood": "民政局",
    "order": "派出所",
    "dispute": "司法所",
    "rental": "派出所",
}  # "other" has no route: it waits for dispatch
SPEED = {
    "城管局": (3, 2),
    "住建局": (20, 6),
    "应急管理局": (2, 1),
    "民政局": (8, 4),
    "派出所": (1, 2),
    "司法所": (30, 9),
}  # hours to receive, days to resolve
PLACES = ["小区门口", "菜市场旁", "3幢楼道", "公交站", "河边步道", "学校后门", "停车场", "老年活动室"]
TEXTS = {
    "sanitation": "垃圾堆放未清运",
    "facilities": "路灯不亮",
    "safety": "楼道堆放杂物堵塞消防通道",
    "construction": "屋顶私自搭建",
    "livelihood": "独居老人需要上门服务",
    "order": "夜间有人聚集喧哗",
    "dispute": "邻里因漏水发生纠纷",
    "rental": "出租屋未登记",
    "other": "井盖松动",
}


def seed_grid(*, district: Region, organiser: User, office: User, grid_user: User, handler: User) -> dict:
    rng = random.Random(2002)
    street = district.children.order_by("pk").first()
    grids = list(Region.objects.filter(level="grid", path__startswith=street.path).order_by("path"))
    grids.sort(key=lambda grid: grid.pk != grid_user.region_id)  # the demo grid worker's own grid first
    today = timezone.localdate()
    year_ago = today - dt.timedelta(days=364)
    workers = {grids[0].pk: grid_user}
    unusable = make_password(None)
    for grid in grids[1:]:
        workers[grid.pk] = User.objects.create(username=f"grid-{grid.pk}", role="grid_worker", region=grid, password=unusable)
    Assignment.objects.bulk_create(Assignment(grid_id=pk, worker=w, starts_on=year_ago, created_by=office) for pk, w in workers.items())
    # A cadre takes over a grid for a day (我当网格员).
    cadre_user = User.objects.filter(username="cadre").first()
    if cadre_user is not None and cadre_user.region_id:
        near = next((g for g in grids if g.is_within(cadre_user.region)), None)
        if near is not None:
            actions.assign_worker(actor=office, grid=near, worker=cadre_user, starts_on=today, ends_on=today, secondment=True)
    community_grids = [g for g in grids if g.parent_id == grids[0].parent_id]
    actions.create_team(
        actor=office,
        community=grids[0].parent,
        name=f"{grids[0].parent.name}第一组团",
        grids=community_grids[:3],
        members=[workers[g.pk] for g in community_grids[:3]],
    )
    task = actions.create_task(
        actor=office,
        region=street,
        name="土地整备攻坚",
        target="完成全年土地整备任务量",
        baseline=30,
        starts_on=today - dt.timedelta(days=80),
        ends_on=today + dt.timedelta(days=10),
    )
    if cadre_user is not None and cadre_user.region_id:
        actions.second_cadre(actor=office, task=task, cadre=cadre_user, starts_on=task.starts_on, ends_on=task.ends_on)
        for percent, note in ((52, "入户走访、政策宣传 120 余户"), (71, "完成评估和补偿谈判"), (83, "协助完成拆迁")):
            actions.report_task_progress(actor=cadre_user, task=task, percent=percent, note=note)
    _visits(rng, grids, workers, year_ago, today)
    _sites(rng, grids, workers, today)
    units = {u.name: u for u in Unit.objects.filter(region=district)} | {
        u.name.removeprefix(street.name): u for u in Unit.objects.filter(region=street)
    }
    categories = {c.code: c for c in Category.objects.all()}
    for code, unit_name in ROUTES.items():
        actions.save_route(actor=organiser, category=categories[code], region=street, unit=units[unit_name])
    _history(rng, grids, workers, categories, units, year_ago, today)
    _today(rng, grids, grid_user, workers, categories, handler, office)
    return {"grids": len(grids)}


def _visits(rng, grids, workers, start: dt.date, today: dt.date) -> None:
    visits, last = [], {}
    for household in Household.objects.filter(region__in=grids).only("pk", "region_id"):
        day = start + dt.timedelta(days=rng.randint(0, 13))
        while day <= today - dt.timedelta(days=rng.randint(0, 6)):
            visits.append(
                Visit(
                    id=uuid.uuid4(),
                    household_id=household.pk,
                    grid_id=household.region_id,
                    worker=workers[household.region_id],
                    visited_on=day,
                    kind="routine",
                )
            )
            last[household.pk] = day
            day += dt.timedelta(days=rng.choice([7, 14, 14, 21]))
    Visit.objects.bulk_create(visits, batch_size=5000)
    VisitState.objects.bulk_create((VisitState(household_id=pk, last_visited_on=day) for pk, day in last.items()), batch_size=5000)


SITES = [("便民小吃店", Site.Kind.SMALL_VENUE), ("出租屋", Site.Kind.RENTAL), ("便利店", Site.Kind.SHOP)]


def _sites(rng, grids, workers, today: dt.date) -> None:
    """Each grid's legal persons and sites: most visited within the cycle, some due."""
    sites = Site.objects.bulk_create(
        Site(grid=grid, name=f"{grid.name}{name}", kind=kind, address=f"{grid.name}{rng.choice(PLACES)}")
        for grid in grids
        for name, kind in SITES
    )
    visits = []
    for site in sites:
        if rng.random() < 0.6:
            site.last_visited_on = today - dt.timedelta(days=rng.randint(0, 6))
            visits.append(
                Visit(
                    id=uuid.uuid4(),
                    site=site,
                    grid_id=site.grid_id,
                    worker=workers[site.grid_id],
                    visited_on=site.last_visited_on,
                    kind="check",
                    notes="消防安全检查",
                )
            )
    Site.objects.bulk_update(sites, ["last_visited_on"])
    Visit.objects.bulk_create(visits)


def _history(rng, grids, workers, categories, units, start: dt.date, today: dt.date) -> None:
    problems = []
    for _n in range(1200):
        code = rng.choice(list(TEXTS))
        category = categories[code]
        unit = units.get(ROUTES.get(code, ""))
        if unit is None:
            continue
        grid = rng.choice(grids)
        created = timezone.make_aware(dt.datetime.combine(start + dt.timedelta(days=rng.randint(0, 340)), dt.time(rng.randint(8, 18))))
        hours, days = SPEED[ROUTES[code]]
        received = created + dt.timedelta(hours=rng.expovariate(1 / hours))
        resolved = received + dt.timedelta(days=rng.expovariate(1 / days))
        problems.append(
            Problem(
                client_id=uuid.uuid4(),
                category=category,
                region=grid,
                address=f"{grid.name}{rng.choice(PLACES)}",
                description=TEXTS[code],
                reporter_kind="grid_worker",
                reporter=workers[grid.pk],
                unit=unit,
                status="confirmed",
                created_at=created,
                dispatched_at=created,
                receive_by=created + dt.timedelta(hours=category.receive_hours),
                received_at=received,
                resolve_by=created + dt.timedelta(days=category.resolve_days),
                resolved_at=resolved,
                closed_at=resolved + dt.timedelta(days=1),
                reopened=1 if rng.random() < 0.05 else 0,
            )
        )
    problems = Problem.objects.bulk_create(problems, batch_size=2000)
    steps = []
    for p in problems:
        steps += [
            Step(problem=p, action="report", actor=p.reporter, note=p.description, at=p.created_at),
            Step(problem=p, action="dispatch", unit=p.unit, note="按分派规则自动派单", at=p.created_at),
            Step(problem=p, action="receive", unit=p.unit, at=p.received_at),
            Step(problem=p, action="resolve", unit=p.unit, note="已处理", at=p.resolved_at),
            Step(problem=p, action="confirm", actor=p.reporter, unit=p.unit, at=p.closed_at),
        ]
    Step.objects.bulk_create(steps, batch_size=5000)


def _today(rng, grids, grid_user, workers, categories, handler, office) -> None:
    """Today's problems, through the actions: some routed (one to the demo handler's station), one waiting for
    dispatch, one overdue, and one resolved for the demo grid worker to confirm."""
    first = grids[0]
    made = []
    for code in ["order", "order", "sanitation", "facilities", "other", "dispute"]:
        problem, _new = actions.report_problem(
            actor=grid_user, category=categories[code], region=first, address=f"{first.name}{rng.choice(PLACES)}", description=TEXTS[code]
        )
        made.append(problem)
    if handler.unit_id == made[0].unit_id:
        actions.receive_problem(actor=handler, problem=made[0])
        actions.resolve_problem(actor=handler, problem=made[0], note="已到场劝离，加强夜间巡逻")
    Problem.objects.filter(pk=made[3].pk).update(receive_by=timezone.now() - dt.timedelta(hours=2))
    from minping.grid.jobs import escalate

    escalate()
