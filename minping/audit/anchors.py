"""Anchors of the audit chain: its head (sequence number and hash) copied where the database's owner cannot
rewrite it. The chain itself shows any edit in its middle, but whoever owns the database could cut its tail (or
rewrite it from some entry on) and set the head back, and the chain would again look whole. An anchor taken
before that no longer matches: the entry it names is missing, or has another hash.

Anchors leave the database by four roads: printed on every public notice, Word circular and signed PDF sheet;
written to the anchor file (MINPING_AUDIT_ANCHOR_FILE), to be copied off the machine, at every tick of the
scheduler (a minute by default) when the head has moved; and, when MINPING_AUDIT_WITNESS_URL is set, POSTed to
a witness that keeps them. `minping audit verify` checks the chain against the anchor file and any anchor typed
from paper. What a cut can still remove unnoticed is what was written after the newest anchor: at most the last
tick's worth of entries (docs/threat-model.md).
"""

import json
import re
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from minping.audit.models import AuditEvent, AuditHead

LINE = re.compile(r"#?(?P<seq>\d+)[\s:]+(?P<hash>[0-9a-f]{64})")


@dataclass(frozen=True)
class Anchor:
    seq: int
    hash: str
    at: str = ""  # when it was taken, as written
    source: str = ""  # where it was read from

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash}"


def current() -> Anchor | None:
    """The chain's head now; None while the log is empty."""
    head = AuditHead.objects.filter(pk=1).first()
    return Anchor(head.last_seq, head.last_hash) if head and head.last_seq else None


def parse(text: str, source: str = "") -> list[Anchor]:
    """Anchors in `text`, one a line: "[time] #SEQ HASH" (the anchor file) or "SEQ:HASH" (typed from paper)."""
    anchors = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = LINE.search(line)
        if match:
            at = line[: match.start()].strip()
            anchors.append(Anchor(int(match["seq"]), match["hash"], at, f"{source}:{number}" if source else ""))
    return anchors


def read_file(path) -> list[Anchor]:
    try:
        return parse(path.read_text(), str(path))
    except FileNotFoundError:
        return []


def last_written(path) -> Anchor | None:
    """The newest anchor of the file, read from its end (the file grows by a line a minute while the log moves)."""
    try:
        with open(path, "rb") as handle:
            handle.seek(0, 2)
            size = handle.tell()
            handle.seek(max(0, size - 4096))
            tail = handle.read().decode("utf-8", "replace")
    except FileNotFoundError:
        return None
    found = parse(tail)
    return found[-1] if found else None


def write_anchor(path=None) -> Anchor | None:
    """Append the current head to the anchor file unless it is already the last line there; the anchor written,
    or None when there was nothing new to write."""
    path = path or settings.AUDIT_ANCHOR_FILE
    anchor = current()
    if anchor is None:
        return None
    last = last_written(path)
    if last is not None and (last.seq, last.hash) == (anchor.seq, anchor.hash):
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as out:
        out.write(f"{timezone.localtime().isoformat(timespec='seconds')} {anchor}\n")
    return anchor


def send_to_witness(anchor: Anchor) -> bool:
    """POST the anchor as JSON to MINPING_AUDIT_WITNESS_URL; False when none is configured. Raises on failure,
    so the job that calls it is retried."""
    if not settings.AUDIT_WITNESS_URL:
        return False
    body = json.dumps(
        {
            "seq": anchor.seq,
            "hash": anchor.hash,
            "at": timezone.now().isoformat(),
            "site": settings.ALLOWED_HOSTS[0] if settings.ALLOWED_HOSTS else "",
        }
    ).encode()
    request = urllib.request.Request(settings.AUDIT_WITNESS_URL, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (an operator-set URL)
        response.read()
    return True


def check(anchors: list[Anchor]) -> list[str]:
    """Every anchor the chain no longer matches, oldest first, each naming the entry and what became of it."""
    problems = []
    last = AuditHead.objects.filter(pk=1).values_list("last_seq", flat=True).first() or 0
    hashes = dict(AuditEvent.objects.filter(seq__in={a.seq for a in anchors}).values_list("seq", "hash"))
    intact = 0
    for anchor in sorted(anchors, key=lambda a: a.seq):
        where = f"（锚点 {anchor.source}{'，' + anchor.at if anchor.at else ''}）" if anchor.source or anchor.at else ""
        if anchor.seq not in hashes:
            problems.append(f"第 {anchor.seq} 条已不在日志中{where}：日志在第 {last} 条之后被截断，或链头被回拨")
        elif hashes[anchor.seq] != anchor.hash:
            problems.append(f"第 {anchor.seq} 条与锚点记录的哈希不同{where}：日志从第 {intact + 1} 条到第 {anchor.seq} 条之间被改写")
        else:
            intact = anchor.seq
    return problems
