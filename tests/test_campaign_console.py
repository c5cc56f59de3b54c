import threading

from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test import TransactionTestCase, override_settings, skipUnlessDBFeature
from django.urls import reverse

from minping.audit.models import AuditEvent
from minping.evaluations import actions
from minping.evaluations.actions import casting
from minping.evaluations.models import (
    Campaign,
    Code,
    CodeBatch,
    Instrument,
    PaperEntry,
)
from minping.results.actions import close_campaign
from tests.base import BaseTestCase, at_once
from tests.evaluating import ballots_cast, full_answers, make_campaign, only_ballot
from tests.gateway import Gateway


class CampaignConsoleTest(BaseTestCase):
    def setUp(self):
        self.client.force_login(self.organiser_a)

    def test_an_organiser_builds_and_opens_a_campaign_from_a_template(self):
        instrument = Instrument.objects.get(builtin_key="community_work")
        response = self.client.post(
            reverse("evaluations:campaign-create"),
            {
                "name": "光明社区工作评议",
                "instrument": instrument.pk,
                "region": self.street_a.pk,
                "channels": ["qr", "paper"],
                "quorum": 50,
            },
        )
        campaign = Campaign.objects.get(name="光明社区工作评议")
        self.assertRedirects(response, reverse("evaluations:campaign-detail", args=[campaign.pk]))
        self.client.post(reverse("evaluations:subjects-add", args=[campaign.pk]), {"region": [self.community_a.pk]})
        self.assertEqual(campaign.subjects.get().label, "光明社区")
        pdf = self.client.post(
            reverse("evaluations:codes-issue", args=[campaign.pk]), {"group": campaign.groups.get().pk, "channel": "qr", "count": 12}
        )
        self.assertEqual((pdf["Content-Type"], pdf.content[:4]), ("application/pdf", b"%PDF"))
        self.assertEqual(Code.objects.filter(campaign=campaign).count(), 12)
        self.client.post(reverse("evaluations:transition", args=[campaign.pk, "open"]))
        campaign.refresh_from_db()
        self.assertEqual(campaign.status, "open")
        self.assertTrue(campaign.instrument_version.is_frozen)
        self.assertTrue(AuditEvent.objects.filter(action="campaign.open", data__head=campaign.head_at_open).exists())
        page = self.client.get(reverse("evaluations:campaign-detail", args=[campaign.pk]))
        self.assertContains(page, "光明社区")

    def test_subjects_and_groups_cannot_change_after_opening(self):
        campaign, group, _pairs = make_campaign(self)
        self.client.post(reverse("evaluations:subjects-add", args=[campaign.pk]), {"cadre": [self.cadre_a.pk]})
        self.client.post(reverse("evaluations:group-add", args=[campaign.pk]), {"name": "企业", "kind": "enterprises", "weight": "0.3"})
        self.assertEqual((campaign.subjects.count(), campaign.groups.count()), (1, 1))
        with self.assertRaisesMessage(ValidationError, "测评活动已开始"):
            actions.add_group(actor=self.organiser_a, campaign=campaign, name="企业")

    def test_another_districts_organiser_gets_404(self):
        campaign, _group, _pairs = make_campaign(self)
        self.client.force_login(self.organiser_b)
        for name in ("campaign-detail", "turnout", "projector", "paper-entry", "letters"):
            with self.subTest(page=name):
                self.assertEqual(self.client.get(reverse(f"evaluations:{name}", args=[campaign.pk])).status_code, 404)
        self.assertEqual(self.client.post(reverse("evaluations:transition", args=[campaign.pk, "close"])).status_code, 404)
        self.assertEqual(self.client.post(reverse("evaluations:codes-issue", args=[campaign.pk]), {}).status_code, 404)
        self.assertNotContains(self.client.get(reverse("evaluations:campaign-list")), campaign.name)

    def test_a_cadre_sees_the_turnout_of_their_own_campaign_and_nothing_else(self):
        campaign, _group, pairs = make_campaign(self)
        subject = campaign.subjects.get()
        casting.cast_ballot(campaign=campaign, code=pairs[0][0], answers={"subjects": {str(subject.pk): {"unknown": True}}}, channel="qr")
        self.client.force_login(self.cadre_user)
        page = self.client.get(reverse("evaluations:turnout", args=[campaign.pk]))
        # While voting is open, codes only: a subject's valid count lagging the used codes would show the 不认识.
        self.assertContains(page, "<td>1</td>", html=False)
        self.assertNotContains(page, subject.label)
        self.assertNotContains(page, "satisfied")
        self.assertNotContains(self.client.get(reverse("evaluations:projector", args=[campaign.pk])), subject.label)
        close_campaign(actor=self.organiser_a, campaign=campaign)
        page = self.client.get(reverse("evaluations:turnout", args=[campaign.pk]))
        self.assertContains(page, subject.label)
        self.assertContains(page, "0 / 3")
        self.assertEqual(self.client.get(reverse("evaluations:campaign-detail", args=[campaign.pk])).status_code, 403)
        self.assertEqual(self.client.get(reverse("evaluations:campaign-list")).status_code, 403)
        self.client.force_login(self.grid_worker)
        self.assertEqual(self.client.get(reverse("evaluations:turnout", args=[campaign.pk])).status_code, 403)

    def test_the_projector_refreshes_while_open(self):
        campaign, _group, _pairs = make_campaign(self)
        page = self.client.get(reverse("evaluations:projector", args=[campaign.pk]))
        self.assertContains(page, 'hx-trigger="every 2s"')
        self.assertContains(page, "<td>0<small>/5</small></td>", html=False)  # codes used of those issued
        self.assertNotContains(page, "王书记")  # no per-subject count until voting ends

    def test_the_projector_turns_into_the_results_at_close_for_organisers_only(self):
        campaign, _group, _pairs = make_campaign(self)
        close_campaign(actor=self.organiser_a, campaign=campaign)
        url = reverse("evaluations:projector", args=[campaign.pk])
        poll = self.client.get(url, headers={"HX-Request": "true"})
        self.assertEqual(poll["HX-Redirect"], reverse("results:projector", args=[campaign.pk]))
        self.assertRedirects(self.client.get(url), reverse("results:projector", args=[campaign.pk]))
        self.client.force_login(self.cadre_user)
        self.assertEqual(self.client.get(url).status_code, 200)  # a cadre keeps the turnout; results are not theirs

    def test_voiding_a_lost_slip_makes_it_unusable(self):
        campaign, _group, pairs = make_campaign(self)
        self.client.post(reverse("evaluations:codes-void", args=[campaign.pk]), {"codes": pairs[0][1]})
        self.assertEqual(Code.objects.filter(status="voided").count(), 1)


class PaperEntryTest(BaseTestCase):
    def setUp(self):
        self.campaign, self.group, _ = make_campaign(self, channels=("paper", "qr"))
        self.pairs = actions.issue_codes(actor=self.organiser_a, campaign=self.campaign, group=self.group, count=2, channel="paper")
        self.subject = self.campaign.subjects.get()

    def key(self, user, overall="competent", **extra):
        self.client.force_login(user)
        data = {
            "code": self.pairs[0][1],
            **{f"s{self.subject.pk}__{q}": "satisfied" for q in ("de", "neng", "qin", "ji", "lian")},
            f"s{self.subject.pk}__overall": overall,
            **extra,
        }
        return self.client.post(reverse("evaluations:paper-entry", args=[self.campaign.pk]), data)

    def test_a_sheet_counts_when_two_clerks_agree_and_entries_are_then_deleted(self):
        self.key(self.organiser_a)
        self.assertEqual(len(ballots_cast()), 0)
        self.key(self.office_a)
        ballot = only_ballot()
        self.assertEqual(ballot.channel, "paper")
        self.assertFalse(PaperEntry.objects.exists())

    def test_a_mismatch_waits_for_a_resolving_keying(self):
        self.key(self.organiser_a, overall="competent")
        self.key(self.office_a, overall="excellent")
        self.assertEqual(len(ballots_cast()), 0)
        self.key(self.admin, overall="excellent")
        self.assertEqual(only_ballot().answers["s"][str(self.subject.pk)]["overall"], "excellent")

    def test_invalid_sections_and_whole_invalid_ballots_are_recorded_with_a_reason(self):
        self.key(self.organiser_a, **{f"s{self.subject.pk}__void": "选项超过规定数量"})
        self.key(self.office_a, **{f"s{self.subject.pk}__void": "选项超过规定数量"})
        self.assertEqual(only_ballot().answers["s"][str(self.subject.pk)], {"void": "选项超过规定数量"})
        self.client.force_login(self.organiser_a)
        for user in (self.organiser_a, self.office_a):
            self.client.force_login(user)
            self.client.post(
                reverse("evaluations:paper-entry", args=[self.campaign.pk]), {"code": self.pairs[1][1], "void_reason": "空白票"}
            )
        self.assertEqual([b for b in ballots_cast() if b.void_reason][0].void_reason, "空白票")

    def test_a_qr_slip_code_is_not_accepted_as_a_paper_sheet(self):
        slip = actions.issue_codes(actor=self.organiser_a, campaign=self.campaign, group=self.group, count=1, channel="qr")
        self.client.force_login(self.organiser_a)
        response = self.client.post(reverse("evaluations:paper-entry", args=[self.campaign.pk]), {"code": slip[0][1]})
        self.assertEqual(response.status_code, 409)


class RosterTest(BaseTestCase):
    def setUp(self):
        self.client.force_login(self.organiser_a)
        self.campaign, self.group, _ = make_campaign(self, channels=("online",), codes=1)

    def post(self, sender):
        return self.client.post(
            reverse("evaluations:letters", args=[self.campaign.pk]),
            {"group": self.group.pk, "kind": "residents", "region": self.grid_a.pk, "sender": sender},
        )

    def test_letters_give_each_resident_of_the_roster_one_code(self):
        response = self.post("letter")
        self.assertEqual(response.content[:4], b"%PDF")
        batch = CodeBatch.objects.get(roster__kind="residents")
        self.assertEqual((batch.size, batch.channel), (1, "online"))
        again = self.post("letter")
        self.assertEqual(again.status_code, 302)
        self.assertEqual(CodeBatch.objects.filter(roster__kind="residents").count(), 1)

    def test_text_messages_go_through_the_configured_gateway(self):
        with Gateway() as received:
            self.post("sms")
        self.assertEqual(len(received), 1)
        message = received[0]
        self.assertEqual(message["phone"], "13800001234")
        self.assertIn("测评码", message["text"])
        self.assertEqual(CodeBatch.objects.get(roster__kind="residents").channel, "online")
        from minping.notifications.models import SentMessage

        logged = SentMessage.objects.get()  # notify logs to whom it went, never the text with its code
        self.assertEqual((logged.channel, logged.address, logged.status, logged.sent_by), ("sms", "13800001234", "sent", self.organiser_a))
        code = message["text"].split("测评码 ")[1][:13]
        self.assertFalse(any(code in str(value) for value in SentMessage.objects.values_list()[0]))

    def test_a_gateway_that_refuses_is_logged_as_failed_and_the_codes_stay_issued(self):
        from minping.notifications.models import SentMessage

        with override_settings(SMS_GATEWAY_URL="http://127.0.0.1:9/send"):  # nothing listens there
            response = self.post("sms")
        self.assertEqual(SentMessage.objects.get().status, "failed")
        self.assertIn("1 条未能发出", [str(m) for m in get_messages(response.wsgi_request)][-1])
        self.assertEqual(Code.objects.filter(batch__roster__kind="residents", status="issued").count(), 1)


class VotingWindowTest(BaseTestCase):
    def test_the_window_is_set_in_draft_and_only_its_end_moved_while_open(self):
        import datetime as dt

        from django.utils import timezone

        campaign, _group, _pairs = make_campaign(self, open_it=False)
        self.client.force_login(self.organiser_a)
        url = reverse("evaluations:window", args=[campaign.pk])
        self.client.post(url, {"starts_at": "2026-01-01 09:00", "ends_at": "2026-01-01 08:00"})
        campaign.refresh_from_db()
        self.assertIsNone(campaign.ends_at)  # an end before the start is refused
        self.client.post(url, {"starts_at": "", "ends_at": ""})
        campaign = actions.open_campaign(actor=self.organiser_a, campaign=campaign)
        later = timezone.localtime() + dt.timedelta(hours=2)
        self.client.post(url, {"ends_at": later.strftime("%Y-%m-%d %H:%M")})
        campaign.refresh_from_db()
        self.assertEqual(timezone.localtime(campaign.ends_at).strftime("%H:%M"), later.strftime("%H:%M"))
        with self.assertRaisesMessage(ValidationError, "截止时间应晚于现在"):
            actions.set_window(actor=self.organiser_a, campaign=campaign, starts_at=None, ends_at=timezone.now() - dt.timedelta(minutes=1))
        with self.assertRaisesMessage(ValidationError, "开始时间不能再改"):
            actions.set_window(actor=self.organiser_a, campaign=campaign, starts_at=timezone.now(), ends_at=None)
        self.assertTrue(AuditEvent.objects.filter(action="campaign.window").exists())
        self.client.force_login(self.organiser_b)
        self.assertEqual(self.client.post(url, {"ends_at": ""}).status_code, 404)

    def test_a_window_outside_this_century_is_refused_and_the_campaign_still_opens(self):
        # Stored, 0001-01-01 08:00 in Beijing would be 1 BC in UTC, which no page could read back.
        campaign, _group, _pairs = make_campaign(self, open_it=False)
        self.client.force_login(self.organiser_a)
        url = reverse("evaluations:window", args=[campaign.pk])
        for field, value in (("starts_at", "0001-01-01 08:00"), ("ends_at", "9999-12-31 23:59"), ("ends_at", "1999-12-31 23:59")):
            self.client.post(url, {"starts_at": "", "ends_at": "", field: value})
            campaign.refresh_from_db()
            self.assertEqual((campaign.starts_at, campaign.ends_at), (None, None))
        self.assertEqual(self.client.get(reverse("evaluations:campaign-detail", args=[campaign.pk])).status_code, 200)


@skipUnlessDBFeature("has_select_for_update")
class EditWhileOpeningTest(TransactionTestCase):
    """An edit of a draft that arrives while the campaign is opening waits for the opening, then is refused: the
    genesis hash commits to every subject and group the campaign has."""

    def setUp(self):
        BaseTestCase.setUpTestData.__func__(self)
        self.campaign, self.group, _pairs = make_campaign(self, open_it=False)

    def test_edits_wait_for_the_opening_then_are_refused(self):
        edits = {
            "add a subject": lambda: actions.add_subjects(
                actor=self.organiser_a, campaign=self.campaign, subjects=[self.cadre_a.posts.first().region]
            ),
            "add a group": lambda: actions.add_group(actor=self.organiser_a, campaign=self.campaign, name="企业代表"),
            "remove a subject": lambda: actions.remove_subject(actor=self.organiser_a, subject=self.campaign.subjects.first()),
            "change a weight": lambda: actions.set_group_weight(actor=self.organiser_a, group=self.group, weight="1"),
        }
        for label, edit in edits.items():
            with self.subTest(edit=label):
                Campaign.objects.filter(pk=self.campaign.pk).update(status="draft", head_at_open="")
                before = (self.campaign.subjects.count(), self.campaign.groups.count())
                self.assertEqual(self.race(edit), "refused")
                self.assertEqual((self.campaign.subjects.count(), self.campaign.groups.count()), before)

    def race(self, edit) -> str:
        """Run `edit` while another transaction holds the campaign's row to open it; what became of the edit."""
        outcome = []
        locked, done = threading.Event(), threading.Event()

        def opening():
            with transaction.atomic():
                Campaign.objects.select_for_update().get(pk=self.campaign.pk)
                locked.set()
                done.wait(0.5)  # the edit comes in now, and must wait
                Campaign.objects.filter(pk=self.campaign.pk).update(status="open")
            connection.close()

        def editing():
            locked.wait()
            try:
                edit()
                outcome.append("edited")
            except ValidationError:
                outcome.append("refused")
            finally:
                done.set()
                connection.close()

        threads = [threading.Thread(target=opening), threading.Thread(target=editing)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return outcome[0]


@skipUnlessDBFeature("has_select_for_update")
class ConcurrentPaperEntryTest(TransactionTestCase):
    def setUp(self):
        BaseTestCase.setUpTestData.__func__(self)
        self.campaign, self.group, _ = make_campaign(self, channels=("paper",))

    def test_two_clerks_keying_one_sheet_at_once_count_it_once(self):
        from minping.evaluations.actions.paper import enter_paper_ballot

        for attempt in range(5):
            short = actions.issue_codes(actor=self.organiser_a, campaign=self.campaign, group=self.group, count=1, channel="paper")[0][1]
            keyings = [
                lambda clerk=clerk, short=short: enter_paper_ballot(
                    actor=clerk, campaign=self.campaign, short_code=short, answers=full_answers(self.campaign)
                )
                for clerk in (self.organiser_a, self.office_a)
            ]
            outcomes = [result.state for result in at_once(*keyings)]
            with self.subTest(attempt=attempt):
                self.assertEqual(sorted(outcomes), ["counted", "waiting"])
        self.assertEqual(len(ballots_cast(campaign=self.campaign)), 5)
        self.assertFalse(PaperEntry.objects.exists())
