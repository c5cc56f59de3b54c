"""Photos and documents of a problem's steps are open exactly to those who may open the problem."""

from minping.evidence import access
from minping.grid.models import Problem


def may_open_problem_file(user, evidence) -> bool:
    return Problem.objects.visible_to(user).filter(steps__evidence=evidence).exists()


access.register("problem.report", "problem.resolve", rule=may_open_problem_file)
