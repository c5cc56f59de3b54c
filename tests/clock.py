"""A pinned clock for tests whose subject depends on the calendar: `timezone.now()` (and so `timezone.localdate()`)
answers the pinned day at 10:00 in the site's time zone, and so does every model field whose default is
`timezone.now` or `timezone.localdate` (a row created meanwhile is dated that day too).

    with pinned(dt.date(2026, 8, 10)): ...                       # a block
    class GridTestCase(PinnedClock, BaseTestCase): pinned_day = dt.date(2026, 11, 18)   # a whole test case
"""

import contextlib
import datetime as dt
from unittest import mock

from django.apps import apps
from django.utils import timezone

REAL_NOW, REAL_LOCALDATE = timezone.now, timezone.localdate


def _dated_fields() -> list:
    return [
        field
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if field.default is REAL_NOW or field.default is REAL_LOCALDATE
    ]


def _set_default(field, default) -> None:
    field.default = default
    field.__dict__.pop("_get_default", None)  # Django caches the default's callable on the field


@contextlib.contextmanager
def pinned(day: dt.date, hour: int = 10):
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
    fields = _dated_fields()
    originals = [field.default for field in fields]
    with mock.patch("django.utils.timezone.now", return_value=moment):
        for field, original in zip(fields, originals, strict=True):
            _set_default(field, (lambda: moment) if original is REAL_NOW else (lambda: timezone.localdate(moment)))
        try:
            yield moment
        finally:
            for field, original in zip(fields, originals, strict=True):
                _set_default(field, original)


class PinnedClock:
    """A test case whose every test, and its class's data, sees `pinned_day` as today. Mixed in before the
    TestCase class."""

    pinned_day: dt.date

    @classmethod
    def setUpClass(cls):
        cls._pinned = pinned(cls.pinned_day)
        cls._pinned.__enter__()
        try:
            super().setUpClass()
        except Exception:
            cls._pinned.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            cls._pinned.__exit__(None, None, None)
