"""Department scorecards (seed 002: 接收率 94.18%, 处置率 82.9%): each rate with its raw counts and definition, per
department (or street) and period, read from the problems and their steps.

- 及时签收率 = problems received by their receive deadline ÷ problems dispatched to the department in the period;
- 按时办结率 = problems resolved by their resolve deadline ÷ problems dispatched in the period;
- 结案率 = problems closed (confirmed by the reporter) ÷ problems dispatched in the period;
- 回退率 = problems the department sent back (回退) ÷ problems dispatched to it in the period;
- 重办率 = problems reopened by their reporter at least once ÷ problems resolved;
- 核查属实率 = problems a sample audit checked on the ground and found true ÷ problems checked (抽样督评);
- 回访满意率 = the department's satisfaction rate in the closed call-back campaigns (回访, anonymous ballots) of the
  period: (满意 + 基本满意) ÷ answers, where its figure is shown (five ballots or more); the mean when several.

A problem counts in the period it was dispatched in.
"""

from django.db.models import Count, F, Q
from django.db.models.functions import ExtractMonth

from minping.evaluations import lifecycle
from minping.evaluations.models import Subject
from minping.grid.models import Problem, Step
from minping.lib import stats
from minping.results.figures import subject_figures

DEFINITIONS = [
    ("及时签收率", "期间派给该部门的事件中，在签收时限内签收的比例"),
    ("按时办结率", "期间派给该部门的事件中，在办结时限内办结的比例"),
    ("结案率", "期间派给该部门的事件中，经上报人确认结案的比例"),
    ("回退率", "期间派给该部门的事件中，被该部门回退重新分派的比例"),
    ("重办率", "已办结的事件中，被上报人要求重办过的比例"),
    ("核查属实率", "期间派给该部门的事件中，抽样督评实地核查过的，核查属实的比例"),
    ("回访满意率", "期间结束的事件回访（匿名测评）中，对该部门办理结果满意和基本满意的比例；少于5票不显示"),
]


def scorecard(units, start, end, region=None) -> dict:
    """{unit id: {name: Rate}} for the problems dispatched to `units` in [start, end) (those of `region` only, if
    given: a street's view of the departments serving it)."""
    dispatched = Problem.objects.filter(unit__in=units, dispatched_at__gte=start, dispatched_at__lt=end)
    if region is not None:
        dispatched = dispatched.within(region)
    rows = dispatched.values("unit_id").annotate(
        n=Count("pk"),
        received=Count("pk", filter=Q(received_at__isnull=False, received_at__lte=F("receive_by"))),
        resolved=Count("pk", filter=Q(resolved_at__isnull=False) | Q(reopened__gt=0)),  # resolved once, reopened or not
        on_time=Count("pk", filter=Q(resolved_at__isnull=False, resolved_at__lte=F("resolve_by"))),
        closed=Count("pk", filter=Q(status=Problem.Status.CONFIRMED)),
        reopened=Count("pk", filter=Q(reopened__gt=0)),
        checked=Count("pk", filter=~Q(verification="")),
        confirmed=Count("pk", filter=Q(verification="confirmed")),
    )
    steps = Step.objects.filter(problem__region__path__startswith=region.path) if region is not None else Step.objects
    returned = dict(
        steps.filter(action="return", unit__in=units, at__gte=start, at__lt=end)
        .values("unit_id")
        .annotate(n=Count("problem_id", distinct=True))
        .values_list("unit_id", "n")
    )
    cards = {}
    for row in rows:
        back = returned.get(row["unit_id"], 0)
        total = row["n"] + back  # a problem sent back was dispatched to the department, then taken off it
        cards[row["unit_id"]] = {
            "及时签收率": stats.rate(row["received"], total),
            "按时办结率": stats.rate(row["on_time"], total),
            "结案率": stats.rate(row["closed"], total),
            "回退率": stats.rate(back, total),
            "重办率": stats.rate(row["reopened"], row["resolved"]),
            "核查属实率": stats.rate(row["confirmed"], row["checked"]),
            "dispatched": total,
        }
    for unit_id, back in returned.items():
        cards.setdefault(
            unit_id,
            {
                "及时签收率": stats.rate(0, back),
                "按时办结率": stats.rate(0, back),
                "结案率": stats.rate(0, back),
                "回退率": stats.rate(back, back),
                "重办率": stats.rate(0, 0),
                "核查属实率": stats.rate(0, 0),
                "dispatched": back,
            },
        )
    callbacks = callback_rates(units, start, end)
    for unit_id, card in cards.items():
        card["回访满意率"] = callbacks.get(unit_id, stats.rate(0, 0))
    return cards


def callback_rates(units, start, end) -> dict:
    """{unit id: Rate} of the satisfied call-backs, from the closed call-back campaigns opened in [start, end)."""
    subjects = Subject.objects.filter(
        kind="unit",
        ref__in=[u.pk for u in units],
        campaign__opened_at__gte=start,
        campaign__opened_at__lt=end,
        campaign__status__in=lifecycle.STEPS["read_results"].states,
        campaign__instrument_version__instrument__builtin_key="problem_callback",
    ).select_related("campaign__instrument_version")
    by_campaign, found = {}, {}
    for subject in subjects:
        by_campaign.setdefault(subject.campaign, []).append(subject)
    for campaign, rated in by_campaign.items():
        for figures in subject_figures(campaign, rated, questions=["result"]):
            cell = next((c for c in figures.cells if c.reportable), None)
            rate = cell.questions["result"].rates.get("satisfaction_rate") if cell else None
            if rate is not None and rate.value is not None:
                k, n = found.get(figures.subject.ref, (0, 0))
                found[figures.subject.ref] = (k + rate.k, n + rate.n)
    return {ref: stats.rate(k, n) for ref, (k, n) in found.items()}


def monthly_on_time(unit, start, end) -> dict[int, float | None]:
    """{month: 按时办结率} of one department over [start, end), by the month problems were dispatched in."""
    rows = (
        Problem.objects.filter(unit=unit, dispatched_at__gte=start, dispatched_at__lt=end)
        .annotate(month=ExtractMonth("dispatched_at"))
        .values("month")
        .annotate(n=Count("pk"), on_time=Count("pk", filter=Q(resolved_at__isnull=False, resolved_at__lte=F("resolve_by"))))
    )
    return {row["month"]: row["on_time"] / row["n"] if row["n"] else None for row in rows}
