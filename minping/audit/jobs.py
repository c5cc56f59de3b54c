"""The audit log's scheduled jobs: anchor the chain's head outside the database at every tick of the scheduler
(a minute by default) when it has moved, and recompute the chain against its anchors every night, failing loudly
if either is broken."""

import datetime as dt

from django.conf import settings

from minping.audit import anchors
from minping.audit.actions import verify_chain
from minping.lib.schedule import job


class ChainBroken(Exception):
    pass


@job("audit.verify_chain", "核验操作日志哈希链", daily_at=dt.time(2, 30), results={"checked": "核验的记录数"})
def verify_audit_chain() -> dict:
    checked, broken, reason = verify_chain()
    if reason:
        where = f"#{broken.seq}" if broken else "链头"
        raise ChainBroken(f"操作日志哈希链在 {where} 处断开：{reason}（此前 {checked} 条完好）")
    problems = anchors.check(anchors.read_file(settings.AUDIT_ANCHOR_FILE))
    if problems:
        raise ChainBroken("操作日志与锚点不符：" + "；".join(problems))
    return {"checked": checked}


@job(
    "audit.anchor_head",
    "把操作日志链头写入锚点文件（并发给见证方）",
    every=dt.timedelta(seconds=30),
    results={"anchored": "写入的锚点数", "seq": "链头序号", "witness": "见证方回应"},
)
def anchor_audit_chain() -> dict:
    anchor = anchors.write_anchor()
    if anchor is None:
        return {"anchored": 0}
    return {"seq": anchor.seq, "witness": anchors.send_to_witness(anchor)}
