"""The work done on a grid assignment, counted to the worker: for a cadre taking over a grid (我当网格员, seed 002)
it is what the assessment reads as their grid work.

- visits: households and sites visited by the worker on that grid within the assignment's days;
- records: those visits that changed the registry (a new address, a household's details);
- problems: problems the worker reported in the grid within the days; hazards: those of the safety category;
- target: the visits expected (set with a secondment), and the share of it reached.
"""

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone

from minping.grid.models import Assignment, Problem, Visit
from minping.lib.dates import day_bounds

HAZARD_CATEGORY = "safety"  # 安全隐患 in the shipped catalogue


def assignment_work(assignments: list[Assignment], today: dt.date | None = None) -> dict[int, dict]:
    """{assignment id: its counts} over each assignment's days up to today."""
    today = today or timezone.localdate()
    found = {}
    for a in assignments:
        last = min(a.ends_on or today, today)
        visits = Visit.objects.filter(worker_id=a.worker_id, grid_id=a.grid_id, visited_on__gte=a.starts_on, visited_on__lte=last)
        counted = visits.aggregate(visits=Count("id"), records=Count("id", filter=~Q(changes={})))
        start, end = day_bounds(a.starts_on, last)
        problems = Problem.objects.filter(reporter_id=a.worker_id, region_id=a.grid_id, created_at__gte=start, created_at__lt=end)
        counted.update(problems.aggregate(problems=Count("id"), hazards=Count("id", filter=Q(category__code=HAZARD_CATEGORY))))
        counted["target"] = a.target_visits
        counted["reached"] = counted["visits"] / a.target_visits if a.target_visits else None  # may pass 100%
        found[a.pk] = counted
    return found
