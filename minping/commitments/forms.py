"""Forms of the commitment pages, one per write; the rules themselves live in actions (so every page refuses alike)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from minping.accounts.scoping import scope
from minping.commitments import actions, periods, scoring
from minping.commitments.models import Check, Item, Question, Score, Sequence
from minping.lib.dates import typed_date
from minping.lib.formdata import posted_id
from minping.lib.forms import StepForm, chosen, posted, typed
from minping.org.forms import RegionChoiceField, ScopedStepForm
from minping.org.models import Region, Unit


def regions_for(user, *levels):
    regions = Region.objects.filter(level__in=levels or ("district", "street", "community")).order_by("path")
    return regions if user.is_system_admin else regions.within(user.region)


class ItemForm(forms.Form):
    category = forms.ChoiceField(label=_("category"), choices=Item.Category.choices)
    content = forms.CharField(label=_("commitment"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    target = forms.CharField(label=_("measurable target"), max_length=300)
    deadline = forms.DateField(label=_("deadline"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    project = forms.CharField(label=_("key project"), max_length=200, required=False)
    place = RegionChoiceField(label=_("linked region"), queryset=Region.objects.none(), required=False)
    reason = forms.CharField(label=_("reason for the change"), max_length=300, required=False)

    def __init__(self, *args, form=None, **kwargs):
        super().__init__(*args, **kwargs)
        base = form.region.parent or form.region
        self.fields["place"].queryset = Region.objects.within(base).order_by("path")
        if form.status not in {"approved", "published"}:
            del self.fields["reason"]


# One form per write of the other commitment pages, each feeding one action ---------------------------------------


def _month(data: dict, field: str = "month") -> None:
    data[field] = periods.parse_month(data.get(field))


def _sequence(user, value):
    """A sequence the person manages, or None (the action says when one is needed)."""
    return scope(Sequence.objects, user).filter(pk=posted_id(value or "") or 0).first()


class StartForm(StepForm):
    """A staff member's form for a month, started from their page (`owner` is given)."""

    action = staticmethod(actions.start_form)
    month = typed()

    def clean(self):
        data = super().clean()
        _month(data)
        return data


class SubmitForm(StepForm):
    action = staticmethod(actions.submit_form)


class ApproveForm(StepForm):
    action = staticmethod(actions.approve_form)


class ReturnForm(StepForm):
    action = staticmethod(actions.return_form)
    reason = typed()


class PublishForm(StepForm):
    """One form posted on the public board (the action publishes a list)."""

    action = staticmethod(actions.publish_forms)

    def save(self, **more):
        return actions.publish_forms(actor=self.user, forms=[self.given["form"]])


class SequenceChoiceForm(StepForm):
    """The sequence (序列) a form is ranked in, among those its region uses (`choices` is given)."""

    action = staticmethod(actions.set_sequence)
    sequence = posted()

    def __init__(self, data, *, user, form, choices):
        super().__init__(data, user=user, form=form)
        self.choices = choices

    def clean(self):
        data = super().clean()
        data["sequence"] = Sequence.objects.filter(pk=posted_id(data.get("sequence") or "") or 0, pk__in=self.choices).first()
        return data


FORM_STEPS = {"submit": SubmitForm, "approve": ApproveForm, "return": ReturnForm, "publish": PublishForm}


class ProgressForm(StepForm):
    """Progress on an item: a percentage, a note, the outcome claimed (open unless chosen), evidence files."""

    action = staticmethod(actions.add_progress)
    percent = typed()
    text = typed()
    outcome = typed()
    reason = typed()
    defaults = {"outcome": Item.Outcome.OPEN}

    def clean(self):
        data = super().clean()
        data["files"] = self.files.getlist("files")
        return data


class ReviewOutcomeForm(StepForm):
    action = staticmethod(actions.review_outcome)
    verdict = typed()
    note = typed()


class SampleForm(ScopedStepForm):
    """A random sample of a month's items (`month` is given) drawn for checking on the ground (抽样督评)."""

    action = staticmethod(actions.draw_sample)
    region_fields = ("region",)
    region = posted()
    size = typed()


class CheckForm(StepForm):
    """A verdict on one checked item of a sample (`sample` is given and not passed on)."""

    action = staticmethod(actions.record_check)
    check = posted()
    verdict = typed()
    note = typed()

    def __init__(self, data, *, user, sample):
        super().__init__(data, user=user)
        self.sample = sample

    def clean(self):
        data = super().clean()
        data["check"] = chosen(Check.objects.filter(sample=self.sample), data.get("check"), "check", "请选择要核实的承诺")
        return data


class RatingForm(ScopedStepForm):
    """A month's rating campaign (评诺, `month` is given) for a region's published items, perhaps for one sequence."""

    action = staticmethod(actions.open_rating)
    region_fields = ("region",)
    region = posted()
    sequence = posted()
    quorum = typed()
    defaults = {"quorum": 10}

    def clean(self):
        data = super().clean()
        data["sequence"] = _sequence(self.user, data.get("sequence"))
        return data


class SequenceForm(ScopedStepForm):
    """A sequence (序列) and its award quotas, new or changed."""

    action = staticmethod(actions.save_sequence)
    region_fields = ("region",)
    region = posted()
    name = typed()
    sequence = posted()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in actions.QUOTA_FIELDS:
            self.fields[field] = typed()

    def clean(self):
        data = super().clean()
        data["quotas"] = {field: data.pop(field) for field in actions.QUOTA_FIELDS}
        data["sequence"] = _sequence(self.user, data.get("sequence"))
        return data


class QuarterForm(ScopedStepForm):
    """A quarter's assessment of a region, with the weights of its formula."""

    action = staticmethod(actions.assess_quarter)
    region_fields = ("region",)
    region = posted()
    year = posted()
    quarter = posted()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in scoring.WEIGHT_LABELS:
            self.fields[field] = typed()

    def clean(self):
        data = super().clean()
        data["year"], data["quarter"] = posted_id(data["year"]) or 0, posted_id(data["quarter"]) or 0
        data["weights"] = {field: data.pop(field) for field in scoring.WEIGHT_LABELS}
        return data


class CloseEarlyForm(StepForm):
    action = staticmethod(actions.close_quarter_early)
    reason = typed()


class ReopenQuarterForm(StepForm):
    action = staticmethod(actions.reopen_quarter)
    reason = typed()


class ConfirmAwardsForm(StepForm):
    action = staticmethod(actions.confirm_awards)


class AwardForm(StepForm):
    """One person's award in a proposed quarter (`assessment` is given and not passed on)."""

    action = staticmethod(actions.set_award)
    score = posted()
    award = typed()

    def __init__(self, data, *, user, assessment):
        super().__init__(data, user=user)
        self.assessment = assessment

    def clean(self):
        data = super().clean()
        data["score"] = chosen(Score.objects.filter(assessment=self.assessment), data.get("score"), "score", "请选择人员")
        return data


QUARTER_STEPS = {"confirm": ConfirmAwardsForm, "close-early": CloseEarlyForm, "reopen": ReopenQuarterForm}


class PledgeEvaluationForm(ScopedStepForm):
    """The year's mutual evaluation (双评) of a community and its units."""

    action = staticmethod(actions.evaluate_pledges)
    region_fields = ("community",)
    community = posted()
    year = posted()

    def clean(self):
        data = super().clean()
        data["year"] = posted_id(data["year"]) or 0
        return data


class PledgeForm(ScopedStepForm):
    """A pledge (双诺) signed by a community and a unit stationed there, with the agreement's scan."""

    action = staticmethod(actions.sign_pledge)
    region_fields = ("community",)
    community = posted()
    unit = posted()
    signed_on = typed()

    def clean(self):
        data = super().clean()
        units = scope(Unit.objects, self.user) if self.user.region_id else Unit.objects.all()
        data["unit"] = chosen(units, data.get("unit"), "unit", "请选择驻区单位")
        data["signed_on"] = typed_date(data.get("signed_on"), "signed_on", "签订日期")
        data["agreement"] = self.files.get("agreement")
        return data


class AnswerForm(StepForm):
    """An answer to a resident's question to a subject (`subject` is given and not passed on)."""

    action = staticmethod(actions.answer_question)
    question = posted()
    answer = typed()

    def __init__(self, data, files=None, *, user, subject):
        super().__init__(data, files, user=user)
        self.subject = subject

    def clean(self):
        data = super().clean()
        data["question"] = chosen(Question.objects.filter(subject=self.subject), data.get("question"), "question", "请选择问题")
        return data


class MeetingQuestionForm(StepForm):
    """A question asked at the meeting, keyed by the office."""

    action = staticmethod(actions.ask_question)
    text = typed()
    asker = typed()

    def save(self, **more):
        return actions.ask_question(actor=self.user, **self.values(), **self.given, at_meeting=True)


class DutyReportForm(StepForm):
    action = staticmethod(actions.write_duty_report)
    text = typed()

    def clean(self):
        data = super().clean()
        data["upload"] = self.files.get("file")
        return data


DUTY_STEPS = {"answer": AnswerForm, "meeting": MeetingQuestionForm}
