"""Anchors of the audit chain: the head leaves the database (anchor file, witness, printed notices) and `audit
verify` names a cut tail or a rewound and rewritten head that the chain alone would not show."""

import json
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from io import BytesIO, StringIO
from pathlib import Path

from django.core.management import CommandError, call_command
from django.test import override_settings

from minping.audit import anchors
from minping.audit.actions import record_event, verify_chain
from minping.audit.models import AuditHead
from minping.lib.schedule import JOBS
from tests.base import BaseTestCase
from tests.test_audit import tamper


def cut_tail(keep: int) -> None:
    """What the database's owner could do: remove the entries after `keep` and set the head back to it."""
    from minping.audit.models import AuditEvent

    last_hash = AuditEvent.objects.get(seq=keep).hash
    tamper("DELETE FROM audit_auditevent WHERE seq > %s", [keep])
    AuditHead.objects.filter(pk=1).update(last_seq=keep, last_hash=last_hash)


def anchor_file_of(test) -> Path:
    """A scratch anchor file for the test, in place of the installation's."""
    path = Path(tempfile.mkdtemp()) / "anchors.txt"
    override = override_settings(AUDIT_ANCHOR_FILE=path)
    override.enable()
    test.addCleanup(override.disable)
    return path


class AnchorTest(BaseTestCase):
    def setUp(self):
        self.file = anchor_file_of(self)
        for n in range(5):
            record_event(actor=self.organiser_a, action="test.event", obj=self.community_a, data={"n": n})

    def verify(self, *args):
        out = StringIO()
        call_command("audit", "verify", *args, stdout=out)
        return out.getvalue()

    def test_the_head_is_written_once_per_change(self):
        self.assertEqual(str(anchors.write_anchor()), f"#5 {AuditHead.objects.get().last_hash}")
        anchors.write_anchor()
        self.assertEqual(len(self.file.read_text().splitlines()), 1)
        record_event(actor=None, action="test.more")
        anchors.write_anchor()
        self.assertEqual([a.seq for a in anchors.read_file(self.file)], [5, 6])
        self.assertIn("2 anchors match", self.verify())

    def test_a_cut_tail_passes_the_chain_but_not_its_anchor(self):
        anchors.write_anchor()
        cut_tail(3)
        self.assertEqual(verify_chain()[2], "")  # the chain alone looks whole
        with self.assertRaisesMessage(CommandError, "第 5 条已不在日志中"):
            self.verify()

    def test_a_rewritten_tail_is_named_from_the_last_matching_anchor(self):
        anchors.write_anchor()
        early = anchors.current()
        record_event(actor=None, action="test.six")
        anchors.write_anchor()
        cut_tail(5)
        record_event(actor=None, action="test.forged")  # a different sixth entry, chained properly
        self.assertEqual(verify_chain()[2], "")
        with self.assertRaisesMessage(CommandError, "第 6 条与锚点记录的哈希不同"):
            self.verify()
        self.assertEqual(anchors.check([early]), [])

    def test_an_anchor_typed_from_a_printed_notice_is_checked(self):
        head = anchors.current()
        self.assertIn("1 anchors match", self.verify("--anchor", f"{head.seq}:{head.hash}"))
        with self.assertRaisesMessage(CommandError, "第 5 条与锚点记录的哈希不同"):
            self.verify("--anchor", f"5:{'0' * 64}")
        with self.assertRaisesMessage(CommandError, "not SEQ:HASH"):
            self.verify("--anchor", "5:abc")

    def test_another_copy_of_the_anchor_file_is_checked(self):
        anchors.write_anchor()
        copy = self.file.with_name("copy.txt")
        copy.write_text(self.file.read_text())
        self.file.unlink()  # the owner removed the local file too
        cut_tail(2)
        with self.assertRaisesMessage(CommandError, "日志在第 2 条之后被截断"):
            self.verify("--anchors", str(copy))

    def test_the_nightly_jobs_anchor_send_to_the_witness_and_check(self):
        received = []

        class Witness(BaseHTTPRequestHandler):
            def do_POST(self):
                received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        server = HTTPServer(("127.0.0.1", 0), Witness)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.shutdown)
        with override_settings(AUDIT_WITNESS_URL=f"http://127.0.0.1:{server.server_port}/anchors"):
            self.assertEqual(JOBS["audit.anchor_head"].run(), {"seq": 5, "witness": True})
        self.assertEqual((received[0]["seq"], received[0]["hash"]), (5, AuditHead.objects.get().last_hash))
        self.assertEqual(JOBS["audit.verify_chain"].run(), {"checked": 5})
        cut_tail(4)
        with self.assertRaisesMessage(Exception, "操作日志与锚点不符"):
            JOBS["audit.verify_chain"].run()


class PrintedAnchorTest(BaseTestCase):
    def test_the_notice_the_circular_and_the_signed_sheet_carry_the_head(self):
        from docx import Document

        from minping.evaluations.actions import casting
        from minping.results import reports
        from minping.results.actions import close_campaign, publish
        from tests.evaluating import full_answers, make_campaign

        campaign, _group, pairs = make_campaign(self, codes=6)
        for token, _short in pairs:
            casting.cast_ballot(campaign=campaign, code=token, answers=full_answers(campaign))
        campaign = close_campaign(actor=self.organiser_a, campaign=campaign)
        publish(actor=self.organiser_a, campaign=campaign)
        head = anchors.current()
        printed = f"{head.seq}:{head.hash}"
        self.assertContains(self.client.get(f"/notice/{campaign.pk}/"), printed)
        _type, word = reports.make("docx", campaign)
        self.assertIn(printed, "\n".join(p.text for p in Document(BytesIO(word)).paragraphs))
        _type, pdf = reports.make("pdf", campaign)
        self.assertTrue(pdf.startswith(b"%PDF"))
        self.assertEqual(anchors.current(), head)  # making reports writes nothing to the log


class AnchorEveryMinuteTest(BaseTestCase):
    """The head is anchored at every tick of the scheduler when it moved, so a cut back past the last minute's
    entries shows; a new install is anchored at its first tick, not its first night."""

    def setUp(self):
        self.file = anchor_file_of(self)

    def test_the_anchor_job_is_due_at_every_tick(self):
        from django.conf import settings

        self.assertLessEqual(JOBS["audit.anchor_head"].period.total_seconds(), settings.JOBS_TICK_SECONDS)

    def test_a_cut_back_to_the_previous_minutes_anchor_is_named(self):
        for n in range(3):
            record_event(actor=self.organiser_a, action="test.event", data={"n": n})
        self.assertEqual(JOBS["audit.anchor_head"].run()["seq"], 3)  # the first tick of a new install
        self.assertEqual(JOBS["audit.anchor_head"].run(), {"anchored": 0})  # nothing moved, nothing written
        for n in range(3):
            record_event(actor=self.organiser_a, action="test.event", data={"n": n + 3})
        self.assertEqual(JOBS["audit.anchor_head"].run()["seq"], 6)  # a minute later
        cut_tail(3)  # back to the previous anchor: a minute of history removed
        self.assertEqual(verify_chain()[2], "")
        with self.assertRaisesMessage(CommandError, "第 6 条已不在日志中"):
            call_command("audit", "verify", stdout=StringIO())
