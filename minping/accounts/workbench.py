"""The workbench every user lands on after login: for each role, the work it can do now. Modules contribute
sections (campaigns to run, codes to hand out, interviews to make, imports waiting, published results; visits
due and problems to handle once those modules exist) by registering a function in their AppConfig.ready();
the page shows the sections of the user's role in the order registered."""

from dataclasses import dataclass, field
from typing import Callable


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


SECTIONS: list[tuple[frozenset, Callable]] = []


def section(*roles: str):
    """Register `build(user) -> Section | None` for the users of `roles`."""

    def register(build: Callable):
        SECTIONS.append((frozenset(roles), build))
        return build

    return register


def sections_for(user) -> list[Section]:
    role = "admin" if user.is_system_admin else user.role
    built = (build(user) for roles, build in SECTIONS if role in roles)
    return [s for s in built if s is not None]
