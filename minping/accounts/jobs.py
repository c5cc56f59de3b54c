"""Accounts' scheduled job: sessions that have expired are deleted every night (they can no longer be used)."""

import datetime as dt

from minping.accounts import actions
from minping.lib.schedule import job


@job("accounts.clear_sessions", "清理已过期的登录会话", daily_at=dt.time(3, 40), results={"cleared": "清理的会话数"})
def clear_expired_sessions() -> dict:
    return {"cleared": actions.clear_expired_sessions()}
