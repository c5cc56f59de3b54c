"""Small-group protection holds in every output: a hidden cell's answers change nothing anyone can see.

The campaign has residents (20 ballots over two channels) and enterprises (3 ballots, a hidden cell). Every
output is taken, the enterprises' counts are then turned upside down (as if the three had answered the other
way), and every output is taken again: console pages, the projector, the public notice, the API, the workbook,
the circular, the signed PDF and the review flags must be the same, byte for byte where they can be.
"""

import io
import re

from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from minping.evaluations import actions
from minping.evaluations.actions import casting
from minping.results import flags, reports
from minping.results.actions import close_campaign, publish, store_flags
from minping.results.models import Notice, ReviewFlag, Tally
from tests.base import BaseTestCase, api_key
from tests.evaluating import full_answers, make_campaign

VOLATILE = [
    re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"'),
    re.compile(rb"/(CreationDate|ModDate) \([^)]*\)"),
    re.compile(rb"/ID\s*\[[^\]]*\]"),
]


def steady(body: bytes) -> bytes:
    for pattern in VOLATILE:
        body = pattern.sub(b"", body)
    return body


class HiddenCellTest(BaseTestCase):
    def setUp(self):
        campaign, residents, qr_pairs = make_campaign(self, open_it=False, codes=10, channels=("qr", "online"))
        actions.set_group_weight(actor=self.organiser_a, group=residents, weight="0.6")
        online = actions.issue_codes(actor=self.organiser_a, campaign=campaign, group=residents, count=10, channel="online")
        self.enterprises = actions.add_group(actor=self.organiser_a, campaign=campaign, name="企业", kind="enterprises", weight=0.4)
        few = actions.issue_codes(actor=self.organiser_a, campaign=campaign, group=self.enterprises, count=3, channel="qr")
        campaign = actions.open_campaign(actor=self.organiser_a, campaign=campaign)
        for token, _short in qr_pairs + online:
            casting.cast_ballot(campaign=campaign, code=token, answers=full_answers(campaign))
        for token, _short in few:
            casting.cast_ballot(campaign=campaign, code=token, answers=full_answers(campaign, choice="dissatisfied", overall="incompetent"))
        self.campaign = close_campaign(actor=self.organiser_a, campaign=campaign)
        self.notice = publish(actor=self.organiser_a, campaign=self.campaign)
        self.subject = self.campaign.subjects.get()
        self.key = api_key(user=self.organiser_a, name="报表")

    def outputs(self) -> dict:
        store_flags(self.campaign, flags.BallotPatterns(self.campaign))
        self.client.force_login(self.organiser_a)
        pk, subject = self.campaign.pk, self.subject.pk
        found = {"flags": sorted((f.kind, f.subject_id, str(f.evidence)) for f in ReviewFlag.objects.filter(campaign=self.campaign))}
        pages = {
            "overview": reverse("results:overview", args=[pk]),
            "subject": reverse("results:subject", args=[pk, subject]),
            "projector": reverse("results:projector", args=[pk]),
            "notice": reverse("notice:detail", args=[pk]),
        }
        for name, url in pages.items():
            response = self.client.get(url)
            self.assertEqual(response.status_code, 200, name)
            found[name] = steady(response.content)
        auth = {"Authorization": f"Bearer {self.key}"}
        for name, url in {
            "api": f"/api/campaigns/{pk}/results",
            "api subject": f"/api/campaigns/{pk}/results/subjects/{subject}",
            "api follow-up": f"/api/campaigns/{pk}/follow-up",
            "api public": f"/api/results/{pk}",
        }.items():
            response = self.client.get(url, headers=auth)
            self.assertEqual(response.status_code, 200, name)
            found[name] = response.json()
        for kind in ("xlsx", "docx", "pdf"):
            response = self.client.get(reverse("results:report", args=[pk, kind]))
            self.assertEqual(response.status_code, 200, kind)
            found[kind] = steady(b"".join(response.streaming_content) if response.streaming else response.content)
        found["xlsx"] = [row for ws in load_workbook(io.BytesIO(found["xlsx"])) for row in ws.iter_rows(values_only=True)]
        document = Document(io.BytesIO(found["docx"]))
        found["docx"] = [p.text for p in document.paragraphs] + [c.text for t in document.tables for r in t.rows for c in r.cells]
        return found

    def turn_the_hidden_cell_around(self) -> None:
        """Give the enterprises' ballots the opposite answers, counts unchanged."""
        questions = {q["key"]: q for q in self.campaign.definition["subject_questions"]}
        for row in Tally.objects.filter(campaign=self.campaign, group=self.enterprises).exclude(question=""):
            options = [o["key"] for o in questions[row.question].get("options", [])]
            if row.option in options:
                row.option = options[len(options) - 1 - options.index(row.option)]
            row.total = row.total // 2 if row.total else row.total
            row.squares = row.squares // 4 if row.squares else row.squares
            row.save()

    def hidden_counts(self) -> list:
        return sorted(
            Tally.objects.filter(campaign=self.campaign, group=self.enterprises)
            .exclude(question="")
            .values_list("subject_id", "channel", "question", "option", "n", "total")
        )

    def test_a_hidden_cells_answers_reach_no_output(self):
        before = self.outputs()
        self.assertIn("<5", str(before["api subject"]))  # the cell is hidden indeed
        self.assertIn(b"&lt;5", before["overview"] + before["subject"])
        counts = self.hidden_counts()
        self.turn_the_hidden_cell_around()
        self.assertNotEqual(self.hidden_counts(), counts)  # the turn really changed what the hidden cell holds
        after = self.outputs()
        for name in before:
            with self.subTest(output=name):
                self.assertEqual(before[name], after[name])

    def test_the_circular_counts_the_returned_ballots(self):
        _type, body = reports.docx(self.campaign)
        text = "".join(p.text for p in Document(io.BytesIO(body)).paragraphs)
        self.assertIn("收回测评票23张", text)
        self.assertEqual(Notice.objects.filter(campaign=self.campaign).count(), 1)


class SmallChannelShareTest(BaseTestCase):
    """A shown cell's share from one channel is a small group of its own when it holds fewer than five answers:
    the review flags' per-channel figures leave it out."""

    def flags_with(self, online_choice: str) -> list:
        campaign, residents, qr_pairs = make_campaign(self, open_it=False, codes=17, channels=("qr", "online"))
        actions.set_group_weight(actor=self.organiser_a, group=residents, weight="0.5")
        enterprises = actions.add_group(actor=self.organiser_a, campaign=campaign, name="企业", kind="enterprises", weight=0.5)
        residents_online = actions.issue_codes(actor=self.organiser_a, campaign=campaign, group=residents, count=3, channel="online")
        enterprises_online = actions.issue_codes(actor=self.organiser_a, campaign=campaign, group=enterprises, count=10, channel="online")
        campaign = actions.open_campaign(actor=self.organiser_a, campaign=campaign)
        for token, _short in qr_pairs + enterprises_online:
            casting.cast_ballot(campaign=campaign, code=token, answers=full_answers(campaign))
        for token, _short in residents_online:  # three residents online: a shown cell's small share
            casting.cast_ballot(
                campaign=campaign,
                code=token,
                answers=full_answers(
                    campaign, choice=online_choice, overall="incompetent" if online_choice == "dissatisfied" else "excellent"
                ),
            )
        campaign = close_campaign(actor=self.organiser_a, campaign=campaign)
        return sorted(str(f.evidence) for f in ReviewFlag.objects.filter(campaign=campaign, kind=ReviewFlag.Kind.CHANNEL_GAP))

    def test_a_small_channel_share_changes_no_channel_figure(self):
        """The residents' own shown figures change with their three online answers, as they should; the
        per-channel figures must not, or they would tell how those three answered."""
        self.assertEqual(self.flags_with("dissatisfied"), self.flags_with("satisfied"))
