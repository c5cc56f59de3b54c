"""Who may fetch an evidence file: exactly those who may open the record it belongs to.

A module that attaches files to its records registers, for the purposes it stores them under, a rule that answers
whether a user may open the record a file belongs to (`register("problem.report", rule)` in its app's `ready()`),
so this layer needs nothing from the modules above it. A public file (a posted commitment's progress, a duty
report) is for anyone; the uploader always sees their own; a file of a purpose no module registered is seen
within its region's scope.
"""

from collections.abc import Callable

from minping.accounts.scoping import scope
from minping.evidence.models import Evidence

Rule = Callable[[object, Evidence], bool]
_RULES: dict[str, Rule] = {}


def register(*purposes: str, rule: Rule) -> None:
    for purpose in purposes:
        _RULES[purpose] = rule


def may_open(user, evidence: Evidence) -> bool:
    if evidence.is_public:
        return True
    if not user.is_authenticated:
        return False
    if evidence.owner_id == user.pk:
        return True
    rule = _RULES.get(evidence.purpose)
    if rule is not None:
        return rule(user, evidence)
    return scope(Evidence.objects.filter(pk=evidence.pk), user).exists()
