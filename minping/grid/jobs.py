"""Deadlines of problems: every quarter of an hour, a problem not received by its deadline, or not resolved by its
own, is escalated (once per deadline missed): a step on the problem, and a message through `notify` to the
department's handlers and to the offices of the problem's street and district: a text message to those with a
mobile number when the SMS gateway is configured, an e-mail to the others when mail is."""

import datetime as dt

from django.utils import timezone

from minping.accounts.models import User
from minping.grid import actions
from minping.grid.models import Problem
from minping.lib.messaging import TRANSPORTS, Message
from minping.lib.schedule import job
from minping.notifications.actions import Outgoing, notify

S = Problem.Status


def _recipients(problem: Problem) -> list[User]:
    street = problem.region.ancestors().filter(level="street").first()
    offices = User.objects.filter(
        role__in=["office", "organiser"], is_active=True, region__in=[r for r in (street, street and street.parent) if r]
    )
    handlers = User.objects.filter(role="handler", unit_id=problem.unit_id, is_active=True)
    return list(handlers) + list(offices)


@job("grid.escalate", "事件超时升级督办", every=dt.timedelta(minutes=15), results={"escalated": "升级的事件", "sent": "发出的提醒"})
def escalate() -> dict:
    now = timezone.now()
    escalated = sent = 0
    channels = [key for key in ("sms", "email") if TRANSPORTS[key].is_configured()]
    for problem in actions.overdue(now).select_related("category", "region", "unit")[:500]:
        what = actions.escalate_problem(problem=problem, now=now)
        if what is None:
            continue
        escalated += 1
        if channels:
            text = f"【民评】事件 #{problem.pk}（{problem.category.name}，{problem.address}）{what}，请尽快处理。"
            for channel, people in _by_channel(_recipients(problem), channels).items():
                outgoing = [
                    Outgoing(u.username, Message(address=u.phone if channel == "sms" else u.email, subject="事件超时督办", text=text))
                    for u in people
                ]
                sent += notify(channel=channel, topic="grid.escalate", outgoing=outgoing).sent
    return {"escalated": escalated, "sent": sent}


def _by_channel(people: list[User], channels: list[str]) -> dict[str, list[User]]:
    """Each person on the first of `channels` they can be reached on: a text message needs a mobile number.
    Those with neither are kept on the last channel, where `notify` logs them as skipped."""
    grouped = {}
    for person in people:
        channel = "sms" if "sms" in channels and person.phone else channels[-1]
        grouped.setdefault(channel, []).append(person)
    return grouped
