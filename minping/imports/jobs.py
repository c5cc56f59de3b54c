"""Imports' scheduled job: expire uploads nobody finished, with their files and staged rows."""

import datetime as dt

from minping.imports.actions import expire_imports
from minping.lib.schedule import job


@job(
    "imports.expire",
    "清理过期未完成的导入及其上传文件",
    every=dt.timedelta(hours=1),
    results={"expired": "过期的导入", "files_removed": "删除的上传文件"},
)
def expire_unfinished_imports() -> dict:
    return expire_imports()
