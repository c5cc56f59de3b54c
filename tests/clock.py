"""A pinned clock: `with pinned(dt.date(2026, 8, 10)):` makes `timezone.now()` (and so `timezone.localdate()`)
answer that day at 10:00 in the site's time zone, for tests whose subject depends on the calendar."""

import contextlib
import datetime as dt
from unittest import mock

from django.utils import timezone


@contextlib.contextmanager
def pinned(day: dt.date, hour: int = 10):
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield moment
