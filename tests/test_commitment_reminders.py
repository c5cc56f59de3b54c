"""Text-message reminders before a month opens and before it closes, sent once."""

from minping.commitments import jobs, periods
from minping.commitments.models import (
    Reminder,
)
from minping.org.models import Cadre
from tests.base import BaseTestCase
from tests.committing import this_month
from tests.gateway import Gateway


class ReminderTest(BaseTestCase):
    def test_reminders_go_out_once_through_notify(self):
        Cadre.objects.filter(pk=self.cadre_a.pk).update(phone="13900001111")
        month = this_month()
        opening_day = periods.opens_on(periods.next_month(month))
        from unittest import mock

        with Gateway() as received, mock.patch("django.utils.timezone.localdate", return_value=opening_day):
            first = jobs.remind()
            again = jobs.remind()
        self.assertEqual(first["sent"], 1)
        self.assertEqual(again, {"sent": 0, "skipped": 0, "failed": 0})
        self.assertEqual(len(received), 1)
        self.assertIn("工作承诺表已开放填报", received[0]["text"])
        self.assertEqual(Reminder.objects.get().kind, "opens")

    def test_without_a_gateway_nothing_is_claimed(self):
        self.assertEqual(jobs.remind(), {"sent": 0, "skipped": 0, "failed": 0})
        self.assertFalse(Reminder.objects.exists())
