import datetime as dt
import hashlib
import threading
import unittest
import uuid

from django.db import connection
from django.test import TransactionTestCase, skipUnlessDBFeature
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from minping.evaluations import actions
from minping.evaluations.actions import casting
from minping.evaluations.actions.casting import CastError
from minping.evaluations.ballots import ballot_digest, canonical, verify_ballot_box
from minping.evaluations.models import Ballot, Campaign, Code, PooledBallot, Submission
from minping.results.actions import close_campaign
from tests.base import BaseTestCase
from tests.evaluating import ballots_cast, full_answers, make_campaign, only_ballot


class CastBallotTest(BaseTestCase):
    def setUp(self):
        self.campaign, self.group, self.pairs = make_campaign(self)

    def cast(self, code=None, answers=None, key="", channel="qr"):
        return casting.cast_ballot(
            campaign=self.campaign,
            code=code or self.pairs[0][0],
            answers=answers or full_answers(self.campaign),
            channel=channel,
            idempotency_key=key,
        )

    def test_a_qr_token_or_the_short_code_casts_one_ballot(self):
        self.cast(code=self.pairs[0][0])
        self.cast(code=self.pairs[1][1].lower()[:4] + "-" + self.pairs[1][1][4:])
        self.assertEqual(len(ballots_cast()), 2)
        self.assertEqual(Code.objects.filter(status="used").count(), 2)

    @unittest.skipUnless(connection.vendor == "postgresql", "PostgreSQL's planner")
    def test_the_cast_finds_its_code_by_the_digest_before_any_statistics_exist(self):
        """Codes issued just before a meeting have no statistics yet. Where the campaign's codes could be
        scanned instead of the digest looked up, a ballot would cost a scan of every code of the campaign."""
        for _batch in range(8):  # a meeting's worth of codes, none analysed yet
            actions.issue_codes(actor=self.organiser_a, campaign=self.campaign, group=self.group, count=actions.MAX_BATCH, channel="qr")
        presented = casting.campaign_for_code(self.pairs[0][0]).presented
        params = {
            "campaign": self.campaign.pk,
            "code": presented.digest,
            "group": presented.group_id,
            "id": uuid.uuid4(),
            "channel": "qr",
            "cast_on": dt.date.today(),
            "answers": "{}",
            "tracker": "T",
            "digest": "",
            "void": "",
            "key": "",
            "binding": "",
            "payload": "",
            "sealed": "",
        }
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + casting.CAST_SQL.format(field=presented.field), params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        self.assertIn("code_token_digest_key", plan)
        self.assertNotIn("code_campaign_group", plan)

    def test_an_opened_campaign_is_read_once_then_each_code_costs_one_query(self):
        casting.campaign_for_code(self.pairs[0][0])
        for token, _short in self.pairs[1:3]:
            with self.assertNumQueries(1):
                self.assertEqual(casting.campaign_for_code(token).pk, self.campaign.pk)

    def test_a_ballot_holds_no_link_to_its_code_or_a_time_of_day(self):
        self.cast()
        ballot = only_ballot()
        fields = {f.name for f in Ballot._meta.get_fields()}
        self.assertEqual(fields, {"id", "campaign", "group", "channel", "cast_on", "answers", "tracker", "digest", "void_reason"})
        self.assertEqual(ballot.id.version, 4)

    def test_a_used_code_is_refused(self):
        self.cast()
        with self.assertRaises(CastError) as raised:
            self.cast()
        self.assertEqual((raised.exception.reason, raised.exception.status), ("used_code", 409))

    def test_the_same_submission_again_gets_the_same_receipt(self):
        first = self.cast(key="k1")
        again = self.cast(key="k1")
        self.assertEqual((again.tracker, again.repeated), (first.tracker, True))
        self.assertEqual(len(ballots_cast()), 1)

    def test_the_same_key_with_other_answers_is_refused(self):
        self.cast(key="k1")
        with self.assertRaises(CastError) as raised:
            self.cast(key="k1", answers=full_answers(self.campaign, choice="dissatisfied"))
        self.assertEqual((raised.exception.reason, raised.exception.status), ("idempotency_conflict", 422))

    def test_unknown_voided_foreign_and_mistyped_codes_are_refused(self):
        actions.void_codes(actor=self.organiser_a, campaign=self.campaign, short_codes=[self.pairs[2][1]])
        other, _group, other_pairs = make_campaign(self)
        cases = {
            "unknown_code": "0" * 32,
            "voided_code": self.pairs[2][0],
            "foreign_code": other_pairs[0][0],
            "malformed_code": "ABCD-EFGH-JK",
        }
        for reason, code in cases.items():
            with self.subTest(reason=reason), self.assertRaises(CastError) as raised:
                self.cast(code=code)
            self.assertEqual(raised.exception.reason, reason)
        self.assertEqual(len(ballots_cast()), 0)

    def test_a_single_mistyped_character_is_caught_by_the_check_character(self):
        short = self.pairs[0][1]
        wrong = ("1" if short[3] != "1" else "2").join([short[:3], short[4:]])
        with self.assertRaises(CastError) as raised:
            self.cast(code=wrong)
        self.assertEqual(raised.exception.reason, "malformed_code")

    def test_bad_answers_are_refused_and_the_code_is_not_consumed(self):
        subject = str(self.campaign.subjects.get().pk)
        good = full_answers(self.campaign)["subjects"][subject]
        bad_values = [0, 6, -1, 2.5, "5", None, 2**63, "５", True, ["satisfied"], "very"]
        for value in bad_values:
            with self.subTest(value=value), self.assertRaises(CastError) as raised:
                self.cast(answers={"subjects": {subject: {**good, "de": value}}})
            self.assertEqual(raised.exception.status, 422)
        for answers in (
            {"subjects": {}},
            {"subjects": {subject: good, "999999": good}},
            "x",
            {"subjects": []},
            {"subjects": {subject: {**good, "nope": "satisfied"}}},
        ):
            with self.subTest(answers=answers), self.assertRaises(CastError):
                self.cast(answers=answers)
        self.assertEqual(Code.objects.filter(status="used").count(), 0)

    def test_text_the_database_cannot_store_is_refused(self):
        subject = str(self.campaign.subjects.get().pk)
        for text in ("多来\x00走走", "多来\ud800走走"):
            with self.subTest(text=text), self.assertRaises(CastError) as raised:
                self.cast(answers=full_answers(self.campaign, suggestion=text))
            self.assertEqual(raised.exception.problems[0]["field"], "general.suggestion")
            void = {"subjects": {subject: {"void": text}}}
            with self.subTest(void=text), self.assertRaises(CastError) as raised:
                self.cast(code=self.pairs[1][0], answers=void, channel="paper")
            self.assertEqual(raised.exception.problems[0]["field"], f"subjects.{subject}.void")
        self.assertEqual(Code.objects.filter(status="used").count(), 0)

    def test_a_subject_may_be_marked_unknown(self):
        subject = str(self.campaign.subjects.get().pk)
        self.cast(answers={"subjects": {subject: {"unknown": True}}})
        self.assertEqual(only_ballot().answers["s"], {subject: {"unknown": True}})

    def test_casting_before_opening_or_after_closing_is_refused(self):
        draft, _g, pairs = make_campaign(self, open_it=False)
        with self.assertRaises(CastError) as raised:
            casting.cast_ballot(campaign=draft, code=pairs[0][0], answers=full_answers(draft), channel="qr")
        self.assertEqual(raised.exception.reason, "not_open")
        close_campaign(actor=self.organiser_a, campaign=self.campaign)
        with self.assertRaises(CastError) as raised:
            self.cast()
        self.assertEqual(raised.exception.reason, "closed")

    def test_the_voting_window_is_enforced(self):
        import datetime as dt

        from django.utils import timezone

        now = timezone.now()
        for starts, ends, reason in [(now + dt.timedelta(hours=1), None, "not_open"), (None, now, "closed")]:
            Campaign.objects.filter(pk=self.campaign.pk).update(starts_at=starts, ends_at=ends)
            with self.subTest(reason=reason), self.assertRaises(CastError) as raised:
                self.cast()
            self.assertEqual(raised.exception.reason, reason)
        self.assertEqual(len(ballots_cast()), 0)

    def test_a_window_that_ends_before_it_starts_is_refused(self):
        from django.core.exceptions import ValidationError
        from django.utils import timezone

        now = timezone.now()
        with self.assertRaises(ValidationError):
            actions.create_campaign(
                actor=self.organiser_a,
                name="x",
                region=self.community_a,
                channels=["qr"],
                instrument=self.campaign.instrument_version.instrument,
                starts_at=now,
                ends_at=now,
            )

    def test_the_ballot_box_verifies_after_close_and_detects_tampering(self):
        for token, _short in self.pairs[:3]:
            self.cast(code=token)
        campaign = close_campaign(actor=self.organiser_a, campaign=self.campaign)
        self.assertEqual(verify_ballot_box(campaign), [])
        ballot = Ballot.objects.first()
        ballot.answers["g"] = {"suggestion": "篡改"}
        ballot.save()
        self.assertTrue(any("does not match" in p for p in verify_ballot_box(campaign)))

    def test_submissions_store_only_digests(self):
        self.cast(key="my-secret-key")
        self.assertNotIn("my-secret-key", str(list(Submission.objects.values())))

    def test_a_submission_row_cannot_be_matched_to_its_ballot_without_the_key(self):
        receipt = self.cast(key="k1")
        ballot = only_ballot()
        row = Submission.objects.values().get()
        self.assertNotEqual(row["payload_digest"], hashlib.sha256(canonical(ballot.answers)).hexdigest())
        self.assertNotIn(receipt.tracker, str(row))
        self.assertNotIn(receipt.tracker.replace("-", ""), str(row))

    def test_a_key_used_with_another_code_is_refused_whatever_the_answers(self):
        """Casting code A with key K, then code B with K: B's voter is not told a vote counted, B stays unused,
        and the refusal is the same whether B's answers match A's or not."""
        self.cast(code=self.pairs[0][0], key="K")
        for answers in (full_answers(self.campaign), full_answers(self.campaign, choice="dissatisfied")):
            with self.subTest(answers=answers), self.assertRaises(CastError) as raised:
                self.cast(code=self.pairs[1][0], key="K", answers=answers)
            self.assertEqual((raised.exception.reason, raised.exception.status), ("submission_reused", 409))
        self.assertEqual(Code.objects.filter(status="used").count(), 1)
        self.cast(code=self.pairs[1][0], key="K2")  # with a key of its own, B votes
        self.assertEqual(len(ballots_cast()), 2)

    def test_the_pool_moves_all_but_five_once_it_holds_ten_and_everything_at_close(self):
        pairs = actions.issue_codes(actor=self.organiser_a, campaign=self.campaign, group=self.group, count=20, channel="qr")
        counts = []
        for token, _short in pairs[:12]:
            self.cast(code=token)
            counts.append((Ballot.objects.count(), PooledBallot.objects.count()))
        self.assertEqual(counts[8], (0, 9))
        self.assertEqual(counts[9], (5, 5))
        self.assertEqual(counts[11], (5, 7))
        close_campaign(actor=self.organiser_a, campaign=self.campaign)
        self.assertEqual((Ballot.objects.count(), PooledBallot.objects.count()), (12, 0))
        self.assertEqual(verify_ballot_box(Campaign.objects.get(pk=self.campaign.pk)), [])

    def test_an_open_campaigns_pooled_ballots_verify_and_reconcile(self):
        for token, _short in self.pairs[:3]:
            self.cast(code=token)
        self.assertEqual(verify_ballot_box(self.campaign), [])
        PooledBallot.objects.filter(pk=PooledBallot.objects.first().pk).update(answers={"s": {}, "g": {}})
        self.assertTrue(any("does not match" in p for p in verify_ballot_box(self.campaign)))


@skipUnlessDBFeature("has_select_for_update")
class ConcurrentCastTest(TransactionTestCase):
    """Twenty simultaneous submissions of one code store exactly one ballot (PostgreSQL row locks)."""

    def setUp(self):
        from tests.base import BaseTestCase

        BaseTestCase.setUpTestData.__func__(self)
        self.campaign, self.group, self.pairs = make_campaign(self)

    def test_twenty_concurrent_submissions_of_one_code_store_one_ballot(self):
        self.twenty_at_once(lambda code: self.campaign)

    def test_twenty_concurrent_submissions_through_the_voters_path_store_one_ballot(self):
        # As the voter pages and the API do it: the code looked up first, then cast (on PostgreSQL, the
        # single-statement path).
        self.twenty_at_once(casting.campaign_for_code)

    def twenty_at_once(self, campaign_for):
        outcomes = []
        barrier = threading.Barrier(20)

        def submit(n):
            try:
                campaign = campaign_for(self.pairs[0][0])
                barrier.wait()
                receipt = casting.cast_ballot(
                    campaign=campaign,
                    code=self.pairs[0][0],
                    channel="qr",
                    answers=full_answers(self.campaign),
                    idempotency_key=f"key{n % 2}",
                )
                outcomes.append(("ok", receipt.tracker))
            except CastError as exc:
                outcomes.append((exc.reason, None))
            finally:
                connection.close()

        threads = [threading.Thread(target=submit, args=(n,)) for n in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(len(ballots_cast()), 1)
        trackers = {t for result, t in outcomes if result == "ok"}
        self.assertEqual(len(trackers), 1)
        self.assertEqual(len(outcomes), 20)
        # The twins of the winning key get its receipt; the other key finds the code used.
        self.assertEqual(sorted({result for result, _t in outcomes}), ["ok", "used_code"])


class BallotsCommandTest(BaseTestCase):
    def test_ballots_cast_by_the_one_statement_path_verify(self):
        """Casting a code as voters do (found first, then cast in one statement on PostgreSQL) stores ballots whose
        digests `ballots verify` recomputes from their content."""
        from io import StringIO

        from django.core.management import call_command

        campaign, _group, pairs = make_campaign(self)
        with CaptureQueriesContext(connection) as queries:
            for token, _short in pairs[:3]:
                found = casting.campaign_for_code(token)
                casting.cast_ballot(campaign=found, code=token, answers=full_answers(campaign), idempotency_key=token)
        if connection.vendor == "postgresql":
            self.assertEqual(sum("WITH p AS" in q["sql"] for q in queries), 3)  # the one-statement path was taken
        close_campaign(actor=self.organiser_a, campaign=campaign)
        out = StringIO()
        call_command("ballots", "verify", str(campaign.pk), stdout=out)
        self.assertIn("3 ballots reconcile", out.getvalue())

    def test_verify_and_reconcile_report_an_intact_box_and_a_broken_one(self):
        from io import StringIO

        from django.core.management import CommandError, call_command

        campaign, _group, pairs = make_campaign(self)
        for token, _short in pairs[:2]:
            casting.cast_ballot(campaign=campaign, code=token, answers=full_answers(campaign), channel="qr")
        close_campaign(actor=self.organiser_a, campaign=campaign)
        out = StringIO()
        call_command("ballots", "verify", str(campaign.pk), stdout=out)
        self.assertIn("2 ballots reconcile", out.getvalue())
        call_command("ballots", "reconcile", stdout=StringIO())
        spare = Code.objects.filter(campaign=campaign, status="issued").first()
        Code.objects.filter(pk=spare.pk).update(status="used")  # a code marked used without a ballot
        with self.assertRaisesMessage(CommandError, "does not reconcile"):
            call_command("ballots", "reconcile", stdout=StringIO(), stderr=StringIO())


def test_the_spliced_ballot_digest_equals_the_plain_one():
    answers = st.recursive(
        st.one_of(st.text(max_size=5), st.integers(), st.booleans()),
        lambda inner: st.dictionaries(st.text(max_size=5), inner, max_size=4),
        max_leaves=12,
    )

    @given(answers, st.text(max_size=10))
    def check(content, void):
        ballot = Ballot(
            id=uuid.uuid4(),
            campaign_id=3,
            group_id=4,
            channel="qr",
            cast_on=dt.date(2026, 11, 23),
            answers={"s": content, "g": {}},
            tracker="ABCDE-FGHJK",
            void_reason=void,
        )
        assert ballot_digest(ballot, canonical(ballot.answers)) == ballot_digest(ballot)
        plain = canonical(
            {
                "campaign": 3,
                "group": 4,
                "channel": "qr",
                "cast_on": "2026-11-23",
                "tracker": "ABCDE-FGHJK",
                "answers": ballot.answers,
                "void": void,
            }
        )
        assert ballot_digest(ballot) == hashlib.sha256(plain).hexdigest()

    check()
