"""The workbench every user lands on after login: for each role, the work it can do now. Modules contribute
sections (campaigns to run, codes to hand out, interviews to make, imports waiting, published results; visits
due and problems to handle once those modules exist) by registering a function in their AppConfig.ready();
the page shows the sections of the user's role by their order, then in the order registered."""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Task:
    title: str
    url: str
    note: str = ""


@dataclass
class Section:
    title: str
    tasks: list[Task] = field(default_factory=list)
    empty: str = ""  # what the section says when there is nothing to do
    links: list[Task] = field(default_factory=list)  # where to go for more of the same work


SECTIONS: list[tuple[int, frozenset, Callable]] = []


def section(*roles: str, order: int = 50):
    """Register `build(user) -> Section | None` for the users of `roles`; lower `order` comes first (the work
    itself at 50, reference material after it)."""

    def register(build: Callable):
        SECTIONS.append((order, frozenset(roles), build))
        return build

    return register


def sections_for(user) -> list[Section]:
    role = "admin" if user.is_system_admin else user.role
    built = (build(user) for _order, roles, build in sorted(SECTIONS, key=lambda entry: entry[0]) if role in roles)
    return [s for s in built if s is not None]
