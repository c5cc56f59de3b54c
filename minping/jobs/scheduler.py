"""The embedded default's scheduler: a thread of the web process that ticks every MINPING_JOBS_TICK_SECONDS.
Several web processes may each run one; a job's lease lets only one of them run it at a time."""

import logging
import threading

from django.conf import settings
from django.db import connections

from minping.jobs.runner import tick

log = logging.getLogger(__name__)


class Scheduler:
    def __init__(self, interval: float | None = None):
        self.interval = settings.JOBS_TICK_SECONDS if interval is None else interval
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="minping-scheduler", daemon=True)

    def start(self) -> "Scheduler":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join()

    def _loop(self) -> None:
        while not self.stopping.wait(self.interval):
            try:
                tick()
            except Exception:
                log.exception("the scheduler's tick failed")
            finally:
                connections.close_all()


_running: Scheduler | None = None
_lock = threading.Lock()


def start_in_process() -> Scheduler:
    """This process's scheduler, started on the first call."""
    global _running
    with _lock:
        if _running is None:
            _running = Scheduler().start()
    return _running
