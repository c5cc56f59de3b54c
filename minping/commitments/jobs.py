"""Reminders of the commitment cycle, sent once each through `notify` (text message to the cadre's phone):

- before a month opens: on the day filing opens, to every cadre with a current post and an account who has no
  form for the month yet;
- before it closes: CLOSING_REMINDER_DAYS before the month ends, to every owner of a published form of the month
  with an item still open.

Without a configured SMS gateway nothing is sent and nothing recorded: the workbench shows the same work.
"""

import datetime as dt

from django.utils import timezone

from minping.commitments import actions, filing, periods
from minping.commitments.models import Item, Reminder
from minping.lib.messaging import TRANSPORTS, Message
from minping.lib.schedule import job
from minping.notifications.actions import Outgoing, notify
from minping.org.models import Cadre


def _due(today: dt.date) -> list[tuple[dt.date, str, list[Cadre]]]:
    """(month, kind, cadres) reminders that are due today or overdue within their window and not yet sent."""
    due = []
    following = periods.next_month(periods.month_of(today))
    if periods.opens_on(following) <= today:
        cadres = filing.missing_filers(following).exclude(
            pk__in=Reminder.objects.filter(month=following, kind=Reminder.Kind.OPENS).values("cadre_id")
        )
        due.append((following, Reminder.Kind.OPENS, list(cadres)))
    month = periods.month_of(today)
    if periods.last_day(month) - dt.timedelta(days=periods.CLOSING_REMINDER_DAYS) <= today:
        open_items = Item.objects.published().filter(form__month=month, outcome=Item.Outcome.OPEN, form__cadre__isnull=False)
        cadres = Cadre.objects.filter(pk__in=open_items.values("form__cadre_id")).exclude(
            pk__in=Reminder.objects.filter(month=month, kind=Reminder.Kind.CLOSES).values("cadre_id")
        )
        due.append((month, Reminder.Kind.CLOSES, list(cadres)))
    return due


TEXTS = {
    Reminder.Kind.OPENS: "【民评】{name}您好，{month}的工作承诺表已开放填报，请登录民评系统填写并提交审核。",
    Reminder.Kind.CLOSES: "【民评】{name}您好，{month}即将结束，您还有承诺未记录践诺结果，请及时更新进展并上传佐证材料。",
}


@job(
    "commitments.remind",
    "提醒填报承诺表和更新践诺进展",
    daily_at=dt.time(9, 0),
    results={"sent": "发出的提醒", "skipped": "无手机号", "failed": "发送失败"},
)
def remind() -> dict:
    if not TRANSPORTS["sms"].is_configured():
        return {"sent": 0, "skipped": 0, "failed": 0}
    totals = {"sent": 0, "skipped": 0, "failed": 0}
    for month, kind, cadres in _due(timezone.localdate()):
        for cadre in cadres:
            if not actions.claim_reminder(month=month, kind=kind, cadre=cadre):
                continue
            text = TEXTS[kind].format(name=cadre.name, month=periods.label(month))
            outcome = notify(
                channel="sms",
                topic=f"commitments.{kind}",
                outgoing=[Outgoing(cadre.name, Message(address=cadre.phone, subject="", text=text))],
            )
            for key in totals:
                totals[key] += getattr(outcome, key)
    return totals
