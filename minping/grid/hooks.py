"""What modules above grid do when a problem's life moves on, registered by them in their app's `ready()` and
called by grid's actions inside the step's transaction: explicit, so that a reader of `grid.actions` sees where
the effect goes (field work closes the item a problem was forwarded from when the problem's case is closed)."""

from collections.abc import Callable

PROBLEM_CLOSED: list[Callable] = []


def on_problem_closed(effect: Callable) -> Callable:
    """Register `effect(problem)`, called when a problem's reporter confirms the fix (the case is closed)."""
    PROBLEM_CLOSED.append(effect)
    return effect


def problem_closed(problem) -> None:
    for effect in PROBLEM_CLOSED:
        effect(problem)
