"""Run background work: on Celery when a broker is configured, else in a thread of this process."""

import logging
import threading

from django.conf import settings
from django.db import connections, transaction

log = logging.getLogger(__name__)


def enqueue(task, *args) -> None:
    """Start `task(*args)` once the current transaction commits."""
    runner = settings.TASK_RUNNER
    if runner == "celery":
        transaction.on_commit(lambda: task.delay(*args))
    elif runner == "inline":
        transaction.on_commit(lambda: task(*args))
    else:
        transaction.on_commit(lambda: threading.Thread(target=_run, args=(task, args), daemon=True).start())


def _run(task, args) -> None:
    try:
        task(*args)
    except Exception:
        log.exception("background task %s failed", task.name)
    finally:
        connections.close_all()  # the thread ends; its connections would otherwise linger
