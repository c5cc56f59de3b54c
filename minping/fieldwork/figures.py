"""Field-work figures computed from the records, with their definitions: per cadre and period (visits, contacts
covered, suggestions collected, problems accepted, solutions proposed, items closed, cadence compliance), and a
region's summary in seed 004's terms (research topics, forums, site meetings, participants, suggestions, problems
accepted, solutions proposed, documents, reception days).

`cadre_figures` is what the composite assessment reads: {cadre id: {figure key: value}} for any set of cadres and
any period.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Q, Sum
from django.utils import timezone

from minping.fieldwork.models import (
    Activity,
    Contact,
    Entry,
    Meeting,
    Pairing,
    ReceptionDay,
    Topic,
)
from minping.lib.dates import day_bounds, month_end, week_start
from minping.lib.stats import percent_text
from minping.org.models import Cadre, Post

CADRE_FIGURES = [
    ("entries", "工作日志", "期间内记录的工作日志条数"),
    ("visits", "走访", "期间内工作方式为“走访”的日志条数"),
    ("contacts", "联系点", "期末仍在联系的联系点个数"),
    ("covered", "覆盖联系点", "期间内记过至少一条日志的联系点个数"),
    ("suggestions", "收集意见建议", "期间内受理的意见建议条数（来自工作日志、座谈会和接访日）"),
    ("problems", "受理问题", "期间内受理的问题条数"),
    ("proposed", "提出解决建议", "期间内提出解决建议的事项数"),
    ("forwarded", "转交部门", "期间内转交网格派单由部门办理的事项数"),
    ("closed", "办结", "期间内办结的事项数"),
    ("told", "告知提出人", "期间内把办理结果告知提出人的事项数"),
    ("checked", "抽查属实率", "期间内被抽样督评核查的工作日志中，核查属实的比例；没有被抽到为“—”"),
    (
        "cadence",
        "蹲点达标率",
        "蹲点期间已结束的周中“在现场天数”达标的周，加上已结束的月中“交流”和“报告”都达标的月，占这些周和月的比例；没有蹲点为“—”",
    ),
]
SUMMARY_FIGURES = [
    ("topics", "调研课题", "期间内在研或结题的调研课题数"),
    ("forums", "座谈会", "期间内召开的座谈会次数"),
    ("site_meetings", "现场推进会", "期间内召开的现场推进会次数"),
    ("participants", "参与人数", "座谈会和现场推进会参会人数之和"),
    ("documents", "形成文件", "座谈会和现场推进会形成的文件份数"),
    ("sessions", "接访日", "期间内已记录的接访日次数"),
    ("visitors", "接访人数", "接访日来访人数之和"),
    ("projects", "蹲点项目", "期间内有干部蹲点的重点项目个数"),
    ("enterprises", "走访企业", "期间内干部在“企业”类联系点记过日志的企业数（同一企业只计一次）"),
]
DEFINITIONS = {key: definition for key, _label, definition in CADRE_FIGURES + SUMMARY_FIGURES}
RATES = {"checked", "cadence"}  # shares, not counts: not summed over a unit


def split(start: dt.date, end: dt.date) -> tuple[tuple[dt.date, dt.date] | None, list[tuple[dt.date, dt.date]]]:
    """The whole months inside [start, end] (the first days of the first and the last of them), read from the
    rollups, and the days before and after them, read from the entries."""
    first = start if start.day == 1 else month_end(start) + dt.timedelta(days=1)
    last = end if end == month_end(end) else end.replace(day=1) - dt.timedelta(days=1)
    if first > last:
        return None, [(start, end)]
    edges = ([(start, first - dt.timedelta(days=1))] if start < first else []) + (
        [(last + dt.timedelta(days=1), end)] if end > last else []
    )
    return (first, last.replace(day=1)), edges


def _year_masks(first: dt.date, last: dt.date) -> list[tuple[int, int]]:
    """(year, bits of its months) for the months from `first` to `last` (first days)."""
    masks: dict[int, int] = {}
    month = first
    while month <= last:
        masks[month.year] = masks.get(month.year, 0) | 1 << (month.month - 1)
        month = month_end(month) + dt.timedelta(days=1)
    return list(masks.items())


def _entry_figures(scope: str, scope_params: list, start: dt.date, end: dt.date, by_cadre: bool) -> dict:
    """Entries, visits, contacts covered and enterprises visited by the cadres `scope` selects (a condition on
    org_cadre c and org_region r), per cadre (`by_cadre`) or in all (key None). The whole months come from the
    rollups (a cadre's month, a contact's months of the year), the days around them from the entries."""
    core, edges = split(start, end)
    counted, touched, counted_params, touched_params, masks = [], [], [], [], []
    if core:
        counted.append(
            "SELECT m.cadre_id, m.entries AS n, m.visits AS v FROM fieldwork_cadremonth m "
            "WHERE m.cadre_id IN (SELECT id FROM scope) AND m.month >= %s AND m.month <= %s"
        )
        counted_params += list(core)
        masks = _year_masks(*core)
        touched.append(
            "SELECT y.cadre_id, y.contact_id FROM fieldwork_contactyear y WHERE y.cadre_id IN (SELECT id FROM scope) AND ("
            + " OR ".join("(y.year = %s AND (y.months & %s) <> 0)" for _ in masks)
            + ")"
        )
        touched_params += [value for pair in masks for value in pair]
    if edges:
        days = " OR ".join('(e."on" >= %s AND e."on" <= %s)' for _ in edges)
        edge_params = [day for edge in edges for day in edge]
        counted.append(
            "SELECT e.cadre_id, 1 AS n, CASE WHEN e.form = 'visit' THEN 1 ELSE 0 END AS v FROM fieldwork_entry e "
            f"WHERE e.cadre_id IN (SELECT id FROM scope) AND ({days})"
        )
        touched.append(
            f"SELECT DISTINCT e.cadre_id, e.contact_id FROM fieldwork_entry e WHERE e.cadre_id IN (SELECT id FROM scope) AND ({days})"
        )
        counted_params += edge_params
        touched_params += edge_params
    # A contact has one row a year: a single year's rows need no de-duplication; entries and several years do.
    contacts = touched[0] if not edges and len(masks) == 1 else " UNION ".join(touched)
    cte = f"WITH scope AS (SELECT c.id FROM org_cadre c JOIN org_region r ON r.id = c.region_id WHERE {scope}) "
    key, group = ("s.cadre_id", " GROUP BY s.cadre_id") if by_cadre else ("NULL", "")
    out: dict = {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"{cte}SELECT {key}, coalesce(sum(s.n), 0), coalesce(sum(s.v), 0) FROM ({' UNION ALL '.join(counted)}) s{group}",
            scope_params + counted_params,
        )
        for pk, entries, visits in cursor.fetchall():
            out[pk] = {"entries": entries, "visits": visits, "covered": 0, "enterprises": 0}
        cursor.execute(
            f"{cte}SELECT {key}, count(*), count(DISTINCT ct.enterprise_id) FILTER (WHERE k.source = 'enterprise') "
            f"FROM ({contacts}) s JOIN fieldwork_contact ct ON ct.id = s.contact_id "
            f"JOIN fieldwork_contactkind k ON k.id = ct.kind_id{group}",
            scope_params + touched_params,
        )
        for pk, covered, enterprises in cursor.fetchall():
            out.setdefault(pk, {"entries": 0, "visits": 0})
            out[pk] |= {"covered": covered, "enterprises": enterprises}
    return out


def _entry_counts(cadre_ids, start: dt.date, end: dt.date) -> dict:
    """{cadre: {entries, visits, covered, enterprises}}."""
    cadre_ids = list(cadre_ids)
    if not cadre_ids:
        return {}
    return _entry_figures(f"c.id IN ({', '.join(['%s'] * len(cadre_ids))})", cadre_ids, start, end, by_cadre=True)


ITEM_COUNTS = """
    SELECT i.cadre_id,
           count(*) FILTER (WHERE i.created_at >= {first} AND i.created_at < {after} AND i.kind = 'suggestion') AS suggestions,
           count(*) FILTER (WHERE i.created_at >= {first} AND i.created_at < {after} AND i.kind = 'problem') AS problems,
           count(*) FILTER (WHERE i.proposed_at >= {first} AND i.proposed_at < {after}) AS proposed,
           count(*) FILTER (WHERE p.created_at >= {first} AND p.created_at < {after}) AS forwarded,
           count(*) FILTER (WHERE i.closed_at >= {first} AND i.closed_at < {after}) AS closed,
           count(*) FILTER (WHERE i.told_at >= {first} AND i.told_at < {after}) AS told
    FROM fieldwork_item i LEFT JOIN grid_problem p ON p.id = i.problem_id
    WHERE i.cadre_id IN ({cadres})
    GROUP BY i.cadre_id"""
ITEM_KEYS = ("suggestions", "problems", "proposed", "forwarded", "closed", "told")


def _item_counts(cadre_ids, start: dt.date, end: dt.date) -> dict:
    """{cadre: {key of ITEM_KEYS: count}}: one statement (the ORM's date lookups cost more to build than to run)."""
    cadre_ids = list(cadre_ids)
    if not cadre_ids:
        return {}
    first, after = (connection.ops.adapt_datetimefield_value(t) for t in day_bounds(start, end))
    sql = ITEM_COUNTS.format(first="%s", after="%s", cadres=", ".join(["%s"] * len(cadre_ids)))
    with connection.cursor() as cursor:
        cursor.execute(sql, [first, after] * 6 + cadre_ids)
        return {row[0]: dict(zip(ITEM_KEYS, row[1:], strict=True)) for row in cursor.fetchall()}


def _contact_counts(cadre_ids, end: dt.date) -> dict[int, int]:
    current = Contact.objects.current(min(end, timezone.localdate())).filter(cadre_id__in=cadre_ids).order_by()
    return dict(current.values("cadre_id").annotate(n=Count("pk")).values_list("cadre_id", "n"))


def month_figures(cadre_id: int, entries: list[Entry], start: dt.date, end: dt.date) -> dict:
    """The figures of one cadre's period whose entries are at hand (a month's page), cadence aside."""
    items = _item_counts([cadre_id], start, end).get(cadre_id, {})
    return {
        "entries": len(entries),
        "visits": sum(1 for e in entries if e.form == Entry.Form.VISIT),
        "contacts": _contact_counts([cadre_id], end).get(cadre_id, 0),
        "covered": len({e.contact_id for e in entries}),
        **{key: items.get(key, 0) for key in ITEM_KEYS},
    }


def cadre_figures(cadre_ids, start: dt.date, end: dt.date) -> dict[int, dict]:
    """{cadre id: {key of CADRE_FIGURES: value}} for the cadres and the period (both days included)."""
    cadre_ids = list(cadre_ids)
    entries, items = _entry_counts(cadre_ids, start, end), _item_counts(cadre_ids, start, end)
    contacts = _contact_counts(cadre_ids, end)
    cadence = cadence_by_cadre(cadre_ids, start, end)
    checked = {
        row["cadre_id"]: row["confirmed"] / row["checked"]
        for row in Entry.objects.filter(cadre_id__in=cadre_ids, on__gte=start, on__lte=end)
        .exclude(verification="")
        .values("cadre_id")
        .annotate(checked=Count("pk"), confirmed=Count("pk", filter=Q(verification="confirmed")))
    }
    out = {}
    for pk in cadre_ids:
        e, i = entries.get(pk, {}), items.get(pk, {})
        out[pk] = {
            "entries": e.get("entries", 0),
            "visits": e.get("visits", 0),
            "contacts": contacts.get(pk, 0),
            "covered": e.get("covered", 0),
            **{key: i.get(key, 0) for key in ITEM_KEYS},
            "checked": checked.get(pk),
            "cadence": cadence.get(pk),
        }
    return out


# Cadence of 蹲点 -------------------------------------------------------------------------------------------------


@dataclass
class Compliance:
    weeks: list = field(default_factory=list)  # (monday, days on site, met)
    months: list = field(default_factory=list)  # (first of month, exchanges, reports, met)

    @property
    def met(self) -> int:
        return sum(1 for w in self.weeks if w[2]) + sum(1 for m in self.months if m[3])

    @property
    def periods(self) -> int:
        return len(self.weeks) + len(self.months)

    @property
    def rate(self) -> float | None:
        return self.met / self.periods if self.periods else None


def compliance(pairing: Pairing, start: dt.date | None = None, end: dt.date | None = None, activities=None) -> Compliance:
    """Each week (Monday to Sunday) and month of the pairing inside [start, end] that has ended by today, and
    whether its targets were met."""
    today = timezone.localdate()
    start = max(start or pairing.starts_on, pairing.starts_on)
    end = min(end or pairing.ends_on, pairing.ends_on, today)
    if activities is None:
        activities = list(
            pairing.activities.filter(on__gte=start - dt.timedelta(days=7), on__lte=end + dt.timedelta(days=31)).values_list("kind", "on")
        )
    result = Compliance()
    monday = week_start(start)
    while monday + dt.timedelta(days=6) < today and monday <= end:
        sunday = monday + dt.timedelta(days=6)
        if monday >= pairing.starts_on and sunday <= pairing.ends_on:
            days = len({on for kind, on in activities if kind == Activity.Kind.SITE_DAY and monday <= on <= sunday})
            result.weeks.append((monday, days, days >= pairing.site_days_a_week))
        monday += dt.timedelta(days=7)
    month = start.replace(day=1)
    while month <= end:
        following = (month + dt.timedelta(days=32)).replace(day=1)
        last = following - dt.timedelta(days=1)
        if last < today and month >= pairing.starts_on.replace(day=1) and last <= pairing.ends_on + dt.timedelta(days=31):
            inside = [kind for kind, on in activities if month <= on <= last]
            exchanges, reports = inside.count(Activity.Kind.EXCHANGE), inside.count(Activity.Kind.REPORT)
            result.months.append((month, exchanges, reports, exchanges >= pairing.exchanges_a_month and reports >= pairing.reports_a_month))
        month = following
    return result


def cadence_by_cadre(cadre_ids, start: dt.date, end: dt.date) -> dict[int, float | None]:
    pairings = list(Pairing.objects.filter(cadre_id__in=cadre_ids, starts_on__lte=end, ends_on__gte=start))
    if not pairings:
        return {}
    activities: dict[int, list] = {}
    for pairing_id, kind, on in Activity.objects.filter(pairing__in=pairings).values_list("pairing_id", "kind", "on"):
        activities.setdefault(pairing_id, []).append((kind, on))
    met: dict[int, list[int]] = {}
    for pairing in pairings:
        c = compliance(pairing, start, end, activities.get(pairing.pk, []))
        totals = met.setdefault(pairing.cadre_id, [0, 0])
        totals[0] += c.met
        totals[1] += c.periods
    return {pk: (m / n if n else None) for pk, (m, n) in met.items()}


# A region's summary ---------------------------------------------------------------------------------------------


def cadres_of(region):
    return Cadre.objects.filter(region__path__startswith=region.path)


REGION_ITEMS = """
    SELECT count(*) FILTER (WHERE i.created_at >= %s AND i.created_at < %s AND i.kind = 'suggestion'),
           count(*) FILTER (WHERE i.created_at >= %s AND i.created_at < %s AND i.kind = 'problem'),
           count(*) FILTER (WHERE i.proposed_at >= %s AND i.proposed_at < %s),
           count(*) FILTER (WHERE i.closed_at >= %s AND i.closed_at < %s),
           count(*) FILTER (WHERE i.told_at >= %s AND i.told_at < %s)
    FROM fieldwork_item i JOIN org_region r ON r.id = i.region_id WHERE r.path LIKE %s"""


def summary(region, start: dt.date, end: dt.date) -> dict:
    """Seed 004's figures for the region's subtree and the period, plus the cadre figures' totals."""
    meetings = Meeting.objects.within(region).filter(held_on__gte=start, held_on__lte=end)
    met = meetings.aggregate(
        forums=Count("pk", filter=Q(kind=Meeting.Kind.FORUM)),
        site_meetings=Count("pk", filter=Q(kind=Meeting.Kind.SITE)),
        participants=Sum("participants"),
    )
    sessions = ReceptionDay.objects.filter(schedule__region__path__startswith=region.path, held=True, on__gte=start, on__lte=end)
    figures = {
        "topics": Topic.objects.within(region)
        .filter(starts_on__lte=end)
        .filter(Q(concluded_on__isnull=True) | Q(concluded_on__gte=start))
        .count(),
        "forums": met["forums"],
        "site_meetings": met["site_meetings"],
        "participants": met["participants"] or 0,
        "documents": sum(len(d) for d in meetings.values_list("documents", flat=True)),
        **{key: value or 0 for key, value in sessions.aggregate(sessions=Count("pk"), visitors=Sum("visitors")).items()},
        "projects": Pairing.objects.filter(project__region__path__startswith=region.path, starts_on__lte=end, ends_on__gte=start)
        .values("project_id")
        .distinct()
        .count(),
    }
    bounds = [connection.ops.adapt_datetimefield_value(t) for t in day_bounds(start, end)]
    with connection.cursor() as cursor:
        cursor.execute(REGION_ITEMS, bounds * 5 + [region.path + "%"])
        figures |= dict(zip(("suggestions", "problems", "proposed", "closed", "told"), cursor.fetchone(), strict=True))
    figures |= _entry_totals(region, start, end)
    return figures


def _entry_totals(region, start: dt.date, end: dt.date) -> dict:
    totals = _entry_figures("r.path LIKE %s", [region.path + "%"], start, end, by_cadre=False).get(None, {})
    return {key: totals.get(key) or 0 for key in ("entries", "visits", "covered", "enterprises")}


def units_of(cadre_ids, day: dt.date) -> dict[int, str]:
    """{cadre: the unit (or the region) of the cadre's current post}, for grouping the figures."""
    places = {}
    for cadre_id, unit, region in (
        Post.objects.filter(cadre_id__in=cadre_ids, started_on__lte=day)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))
        .order_by("cadre_id", "-started_on")
        .values_list("cadre_id", "unit__name", "region__name")
    ):
        places.setdefault(cadre_id, unit or region)
    return places


def by_unit(region, start: dt.date, end: dt.date) -> list[tuple[str, int, dict]]:
    """The cadre figures summed per unit (the place of each cadre's current post): (unit, cadres, totals)."""
    cadres = dict(cadres_of(region).values_list("pk", "region__name"))
    figures = cadre_figures(cadres, start, end)
    places = units_of(list(cadres), end)
    rows: dict[str, list] = {}
    for pk, values in figures.items():
        row = rows.setdefault(places.get(pk) or cadres[pk], [0, {key: 0 for key, _l, _d in CADRE_FIGURES if key not in RATES}])
        row[0] += 1
        for key in row[1]:
            row[1][key] += values[key]
    return sorted(((name, n, totals) for name, (n, totals) in rows.items()), key=lambda r: r[0])


def percent(rate: float | None) -> str:
    return percent_text(rate)


def shown(value) -> str | int:
    """A figure as the pages and files show it: a rate as a percentage, a missing one as a dash."""
    return percent(value) if value is None or isinstance(value, float) else value
