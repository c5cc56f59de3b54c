"""The audit log's scheduled job: recompute the hash chain every night, failing loudly if it is broken."""

import datetime as dt

from minping.audit.actions import verify_chain
from minping.lib.schedule import job


class ChainBroken(Exception):
    pass


@job("audit.verify_chain", "核验操作日志哈希链", daily_at=dt.time(2, 30))
def verify_audit_chain() -> dict:
    checked, broken, reason = verify_chain()
    if reason:
        where = f"#{broken.seq}" if broken else "链头"
        raise ChainBroken(f"操作日志哈希链在 {where} 处断开：{reason}（此前 {checked} 条完好）")
    return {"checked": checked}
