from io import StringIO

from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from minping.audit.actions import record_event, verify_chain
from minping.audit.models import AuditEvent
from tests.base import BaseTestCase


def tamper(sql: str, params) -> None:
    """Change a stored event behind the application's back, as an intruder with database access would."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")  # user triggers off for this session
            cursor.execute(sql, params)
            cursor.execute("SET session_replication_role = DEFAULT")
        else:
            cursor.execute("DROP TRIGGER audit_event_no_update")
            cursor.execute(sql, params)


class AuditChainTest(BaseTestCase):
    def setUp(self):
        for n in range(3):
            record_event(actor=self.organiser_a, action="test.event", obj=self.community_a, data={"n": n})

    def test_each_event_links_to_the_previous_one(self):
        events = list(AuditEvent.objects.order_by("seq"))
        self.assertEqual([e.seq for e in events], [1, 2, 3])
        for before, after in zip(events, events[1:]):
            self.assertEqual(after.prev_hash, before.hash)

    def test_verify_passes_on_an_intact_chain(self):
        out = StringIO()
        call_command("audit", "verify", stdout=out)
        self.assertIn("intact: 3 entries", out.getvalue())

    def test_verify_names_the_first_altered_entry(self):
        tamper("UPDATE audit_auditevent SET data = %s WHERE seq = 2", ['{"n": 99}'])
        with self.assertRaisesMessage(CommandError, "entry #2"):
            call_command("audit", "verify")

    def test_verify_notices_a_deleted_entry(self):
        tamper("DELETE FROM audit_auditevent WHERE seq = %s", [2])
        checked, broken, reason = verify_chain()
        self.assertEqual((checked, broken.seq), (1, 3))
        self.assertIn("#2 is missing", reason)

    def test_verify_notices_a_truncated_tail(self):
        tamper("DELETE FROM audit_auditevent WHERE seq = %s", [3])
        _checked, broken, reason = verify_chain()
        self.assertIsNone(broken)
        self.assertIn("head records #3", reason)

    def test_the_database_refuses_to_update_an_event(self):
        with self.assertRaises(DatabaseError), transaction.atomic():
            AuditEvent.objects.filter(seq=1).update(action="forged")
