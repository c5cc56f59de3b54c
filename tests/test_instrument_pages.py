from django.urls import reverse

from minping.evaluations import actions
from minping.evaluations.models import Instrument
from tests.base import BaseTestCase


class InstrumentPagesTest(BaseTestCase):
    def setUp(self):
        actions.install_builtin_instruments()
        self.template = Instrument.objects.get(builtin_key="community_work", region__isnull=True)
        self.client.force_login(self.organiser_a)

    def copy(self) -> Instrument:
        response = self.client.post(reverse("evaluations:instrument-copy", args=[self.template.pk]))
        copied = Instrument.objects.get(copied_from=self.template, region=self.district_a)
        self.assertRedirects(response, reverse("evaluations:instrument-edit", args=[copied.pk]))
        return copied

    def edit(self, instrument, **extra):
        data = {f"subject_questions__{q['key']}__label": q["label"] for q in instrument.latest().definition["subject_questions"]}
        data.update({f"subject_questions__{q['key']}__required": "1" for q in instrument.latest().definition["subject_questions"]})
        data.update(extra)
        return self.client.post(reverse("evaluations:instrument-edit", args=[instrument.pk]), data)

    def test_a_copy_is_reworded_extended_and_trimmed(self):
        copied = self.copy()
        self.edit(
            copied,
            subject_questions__culture__remove="1",
            subject_questions__service__label="便民服务",
            subject_questions__new_label="物业管理",
            subject_questions__new_type="scale",
        )
        questions = copied.latest().definition["subject_questions"]
        labels = [q["label"] for q in questions]
        self.assertIn("便民服务", labels)
        self.assertNotIn("文化", labels)
        self.assertEqual((questions[-1]["key"], questions[-1]["label"], len(questions[-1]["options"])), ("q1", "物业管理", 4))
        self.assertEqual(copied.versions.count(), 1)

    def test_editing_an_instrument_in_use_makes_a_new_version(self):
        copied = self.copy()
        campaign = actions.create_campaign(actor=self.organiser_a, name="c", region=self.community_a, instrument=copied, channels=["qr"])
        actions.add_subjects(actor=self.organiser_a, campaign=campaign, subjects=[self.community_a])
        actions.open_campaign(actor=self.organiser_a, campaign=campaign)
        self.edit(copied, subject_questions__overall__label="总体满意度")
        self.assertEqual(copied.versions.count(), 2)
        campaign.refresh_from_db()
        self.assertEqual(campaign.instrument_version.number, 1)

    def test_templates_and_other_districts_instruments_cannot_be_edited(self):
        copied = self.copy()
        self.assertEqual(self.client.get(reverse("evaluations:instrument-edit", args=[self.template.pk])).status_code, 404)
        self.client.force_login(self.organiser_b)
        self.assertEqual(self.client.get(reverse("evaluations:instrument-edit", args=[copied.pk])).status_code, 404)
        self.assertEqual(self.edit(copied, subject_questions__overall__label="x").status_code, 404)

    def test_an_instrument_left_without_subject_questions_is_refused(self):
        copied = self.copy()
        removals = {f"subject_questions__{q['key']}__remove": "1" for q in copied.latest().definition["subject_questions"]}
        self.edit(copied, **removals)
        self.assertEqual(len(copied.latest().definition["subject_questions"]), 6)

    def test_options_are_reworded_rescored_removed_added_and_choice_questions_added(self):
        copied = self.copy()
        self.edit(
            copied,
            **{
                "subject_questions__overall__opt__fairly__label": "比较满意",
                "subject_questions__overall__opt__fairly__score": "70",
                "subject_questions__overall__opt__fairly__favourable": "1",
                "subject_questions__overall__opt__satisfied__label": "满意",
                "subject_questions__overall__opt__satisfied__score": "100",
                "subject_questions__overall__opt__satisfied__favourable": "1",
                "subject_questions__overall__opt__dissatisfied__label": "不满意",
                "subject_questions__overall__opt__dissatisfied__score": "0",
                "subject_questions__overall__opt__unknown__remove": "1",
                "subject_questions__overall__newopt_label": "一般",
                "subject_questions__overall__newopt_score": "60",
                "general_questions__new_label": "您最关心的问题",
                "general_questions__new_type": "multi",
                "general_questions__new_options": "停车\n环境卫生\n治安",
                "general_questions__suggestion__label": "意见建议",
            },
        )
        definition = copied.latest().definition
        overall = next(q for q in definition["subject_questions"] if q["key"] == "overall")
        self.assertEqual(
            [(o["label"], o["score"]) for o in overall["options"]], [("满意", 100), ("比较满意", 70), ("不满意", 0), ("一般", 60)]
        )
        self.assertEqual([o.get("favourable") for o in overall["options"]], [True, True, False, None])
        multi = definition["general_questions"][-1]
        self.assertEqual(
            (multi["type"], [o["label"] for o in multi["options"]], multi["max_choices"]), ("multi", ["停车", "环境卫生", "治安"], 3)
        )

    def test_a_score_that_is_not_a_number_is_refused_with_a_message(self):
        copied = self.copy()
        page = self.edit(copied, subject_questions__overall__opt__fairly__score="八十")
        self.assertContains(page, "不是数字")
        self.assertEqual(copied.latest().definition["subject_questions"][-1]["options"][1]["score"], 80)
