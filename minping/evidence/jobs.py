"""Evidence's scheduled job: remove files whose record never committed (an enclosing transaction rolled back)."""

import datetime as dt
import time
import uuid

from django.conf import settings

from minping.evidence.models import Evidence
from minping.lib.schedule import job


@job("evidence.orphans", "清理没有登记记录的材料文件", daily_at=dt.time(3, 10), results={"removed": "删除的文件数"})
def remove_orphan_files() -> dict:
    folder, removed = settings.MEDIA_ROOT / "evidence", 0
    if not folder.is_dir():
        return {"removed": 0}
    for path in folder.glob("*/*/*.*"):
        if path.stat().st_mtime > time.time() - 86400:
            continue  # perhaps written by a transaction still open
        try:
            pk = uuid.UUID(path.name.split(".", 1)[0])
        except ValueError:
            continue  # not ours
        if not Evidence.objects.filter(pk=pk).exists():
            path.unlink(missing_ok=True)
            removed += 1
    return {"removed": removed}
