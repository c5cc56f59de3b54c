"""Scheduled jobs: work that runs every so often or every day at a time ("every night", "when a deadline
passes"). Modules declare their jobs in a `jobs.py` with the `job` decorator; minping.jobs finds those modules,
keeps each job's state (last run, next run, failures) and runs it: on Celery beat and a worker in production, on
a thread of the web process in the embedded default.

A job must be idempotent: running it twice, or once more after a failure, changes nothing the first run did not.
It returns a small dict of what it did (shown to administrators) or raises to fail, and is then retried with a
growing delay.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone


@dataclass(frozen=True)
class Job:
    key: str
    title: str  # for administrators, in Chinese
    run: Callable[[], dict | None]
    every: dt.timedelta | None = None
    daily_at: dt.time | None = None  # local time
    timeout: dt.timedelta = dt.timedelta(hours=1)  # after this long a run that never finished may be run again
    results: tuple[tuple[str, str], ...] = ()  # (key of the run's result, its name for administrators)

    def describe_result(self, result: dict) -> list[tuple[str, object]]:
        """A run's result as administrators read it: each figure under its name."""
        names = dict(self.results)
        return [(names.get(key, key), value) for key, value in result.items()]

    @property
    def period(self) -> dt.timedelta:
        return self.every or dt.timedelta(days=1)

    def next_after(self, moment: dt.datetime) -> dt.datetime:
        """The first scheduled time after `moment`."""
        if self.every:
            return moment + self.every
        local = timezone.localtime(moment)
        candidate = local.replace(hour=self.daily_at.hour, minute=self.daily_at.minute, second=0, microsecond=0)
        return candidate if candidate > local else candidate + dt.timedelta(days=1)

    def retry_after(self, failures: int) -> dt.timedelta:
        """The delay before retrying after `failures` failures in a row: a minute, doubling, at most the period."""
        return min(dt.timedelta(minutes=2 ** min(failures - 1, 20)), self.period)

    def describe(self) -> str:
        if self.every:
            seconds = int(self.every.total_seconds())
            if seconds < 60:
                return "每次调度（约每分钟）"  # due at every tick of the scheduler
            minutes = seconds // 60
            return f"每 {minutes // 60} 小时" if minutes % 60 == 0 else f"每 {minutes} 分钟"
        return f"每天 {self.daily_at:%H:%M}"


JOBS: dict[str, Job] = {}


def job(
    key: str,
    title: str,
    *,
    every: dt.timedelta | None = None,
    daily_at: dt.time | None = None,
    timeout: dt.timedelta = dt.timedelta(hours=1),
    results: dict[str, str] | None = None,
):
    """Declare the decorated function a scheduled job: `every` an interval, or `daily_at` a local time; `results`
    names, in Chinese, each figure of the dict the job returns."""
    if (every is None) == (daily_at is None):
        raise ValueError(f"job {key!r} needs either every= or daily_at=")

    def register(run: Callable[[], dict | None]):
        if key in JOBS:
            raise ValueError(f"job {key!r} is declared twice")
        JOBS[key] = Job(key, title, run, every, daily_at, timeout, tuple((results or {}).items()))
        return run

    return register
