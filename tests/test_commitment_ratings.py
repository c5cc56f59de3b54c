"""Residents rating commitments through the ballots machinery, as anonymously as any ballot."""

import json

from django.core.exceptions import ValidationError
from django.db import connection

from minping.commitments import actions, scoring
from minping.commitments.models import (
    CommitmentForm,
    Item,
    Progress,
    Score,
)
from minping.evaluations import actions as evaluations
from minping.evaluations.actions import casting
from minping.evaluations.models import Ballot, Instrument
from tests.base import BaseTestCase
from tests.committing import item_data, published_form, rate, this_month


class RatingTest(BaseTestCase):
    def setUp(self):
        evaluations.install_builtin_instruments()

    def test_only_published_items_can_be_rated(self):
        with self.assertRaisesMessage(ValidationError, "还没有公开的承诺"):
            actions.open_rating(actor=self.organiser_a, region=self.community_a, month=this_month())
        form = actions.start_form(actor=self.cadre_user, owner=self.cadre_a, month=this_month())
        item = actions.save_item(actor=self.cadre_user, form=form, data=item_data(form.month))
        campaign = evaluations.create_campaign(
            actor=self.organiser_a,
            name="评诺",
            region=self.community_a,
            instrument=Instrument.objects.get(builtin_key="commitment_rating"),
            channels=["qr"],
        )
        with self.assertRaisesMessage(ValidationError, "尚未公开，不能评议"):
            evaluations.add_subjects(actor=self.organiser_a, campaign=campaign, subjects=[item])
        self.assertEqual(evaluations.subject_records(campaign, {"commitment": [item.pk]}), [])

    def test_ratings_count_like_ballots_with_small_groups_hidden(self):
        form = published_form(self, items=2)
        first, second = form.items.all()
        campaign = actions.open_rating(actor=self.organiser_a, region=self.community_a, month=form.month, quorum=5)
        subjects = {s.ref: s.pk for s in campaign.subjects.all()}
        # the first item: 6 ballots, 5 satisfied; the second: 4 answers and 2 who do not know it (below five)
        choices = [{subjects[first.pk]: "satisfied", subjects[second.pk]: "satisfied"} for _ in range(4)]
        choices += [
            {subjects[first.pk]: "satisfied", subjects[second.pk]: "unknown_person"},
            {subjects[first.pk]: "dissatisfied", subjects[second.pk]: "unknown_person"},
        ]
        rate(self, campaign, choices)
        ratings = scoring.item_ratings([first, second])
        self.assertAlmostEqual(ratings[first.pk], 500 / 6)
        self.assertNotIn(second.pk, ratings)  # four valid answers: not shown, not used

    def test_a_rating_is_as_anonymous_as_a_ballot(self):
        form = published_form(self, items=1)
        item = form.items.get()
        campaign = actions.open_rating(actor=self.organiser_a, region=self.community_a, month=form.month, quorum=5)
        subject = campaign.subjects.get()
        pairs = evaluations.issue_codes(actor=self.organiser_a, campaign=campaign, group=campaign.groups.get(), count=6, channel="qr")
        campaign = evaluations.open_campaign(actor=self.organiser_a, campaign=campaign)
        receipts = [
            casting.cast_ballot(
                campaign=campaign, code=token, answers={"subjects": {str(subject.pk): {"kept": "satisfied"}}, "general": {}}, channel="qr"
            )
            for token, _short in pairs
        ]
        # Nothing of commitments changed, and no commitments table holds a code, a tracker or a ballot's id.
        self.assertEqual(Item.objects.get(pk=item.pk).progress, 0)
        values = [pair[0] for pair in pairs] + [pair[1] for pair in pairs] + [r.tracker for r in receipts]
        with connection.cursor() as cursor:
            tables = [t for t in connection.introspection.table_names(cursor) if t.startswith("commitments_")]
            for table in tables:
                cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
                text = json.dumps(cursor.fetchall(), default=str)
                for value in values:
                    self.assertNotIn(value, text, table)
        columns = {f.name for model in (Item, Progress, CommitmentForm, Score) for f in model._meta.get_fields()}
        self.assertFalse(columns & {"code", "ballot", "tracker", "token", "voter", "ip"})
        # The rating is a ballot like any other: the campaign's rows say nothing of who cast it.
        self.assertEqual(campaign.subjects.get().kind, "commitment")
        ballot_fields = {f.name for f in Ballot._meta.get_fields()}
        self.assertFalse(ballot_fields & {"code", "user", "ip", "created_at", "cast_at"})

    def test_a_rating_ballot_lists_at_most_a_hundred_items(self):
        month = this_month()
        form = actions.start_form(actor=self.cadre_user, owner=self.cadre_a, month=month)
        Item.objects.bulk_create(Item(form=form, position=n, content=f"承诺{n}", target="目标", deadline=month) for n in range(101))
        CommitmentForm.objects.filter(pk=form.pk).update(status="published")
        with self.assertRaisesMessage(ValidationError, "一张评议票最多 100 项"):
            actions.open_rating(actor=self.organiser_a, region=self.community_a, month=month)
