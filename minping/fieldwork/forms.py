"""Field work's writes as its pages post them: one form per write, each handing its values to one action.

A form (`lib/forms.StepForm`, with `org/forms.ScopedStepForm`'s lookups) declares the fields its write reads and
looks up what a field names (a region, one cadre or several, a contact, a registry record) within what the
person may see; the action checks the rest (lengths, dates, the rules of the write) and refuses in Chinese.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q

from minping.accounts.scoping import scope
from minping.fieldwork import actions
from minping.fieldwork.models import Contact, ContactKind, FollowUp, Project, Topic
from minping.grid.models import Category
from minping.lib.formdata import posted_id
from minping.lib.forms import chosen, posted, typed
from minping.org.forms import ScopedStepForm
from minping.org.models import Cadre, Enterprise, Household, Region


def named_record(user, kind: ContactKind, entered: str):
    """The registry record a contact of `kind` names, looked up by what the user entered."""
    entered = entered.strip()
    source = kind.source
    if source == ContactKind.Source.PERSON:
        return None
    if not entered:
        raise ValidationError({"record": f"请填写{kind.name}的名称"})
    if source == ContactKind.Source.COMMUNITY:
        found = scope(Region.objects.filter(name=entered, level__in=["community", "grid"]), user)
    elif source == ContactKind.Source.ENTERPRISE:
        found = scope(Enterprise.objects.filter(Q(name=entered) | Q(credit_code=entered.upper())), user)
    elif source == ContactKind.Source.CADRE:
        found = scope(Cadre.objects.filter(name=entered), user)
    else:
        found = scope(Household.objects.filter(code=entered), user)
    found = list(found[:2])
    if not found:
        raise ValidationError({"record": f"名册中找不到“{entered}”"})
    if len(found) > 1:
        raise ValidationError({"record": f"名册中有不止一个“{entered}”"})
    return found[0]


class EntryForm(ScopedStepForm):
    """A work-log entry from the cadre's page: one of the cadre's contacts, with photos."""

    action = staticmethod(actions.record_entry)
    contact = posted()
    on = typed()
    form = typed()
    discussed = typed()
    problems = typed()
    suggestions = typed()
    late_reason = typed()
    raiser_contact = typed()
    id = forms.CharField(required=False, max_length=64)

    def clean(self):
        data = super().clean()
        data["contact"] = chosen(Contact.objects.filter(cadre_id=self.user.cadre_id), data.get("contact"), "contact", "请选择您的联系点")
        data["client_id"] = data.pop("id") or None
        data["files"] = self.files.getlist("photos")
        return data


class ReviewEntryForm(ScopedStepForm):
    action = staticmethod(actions.review_entry)
    comment = typed()


class EditEntryForm(ScopedStepForm):
    action = staticmethod(actions.edit_entry)
    reason = typed()
    form = typed()
    discussed = typed()
    problems = typed()
    suggestions = typed()


class EntryItemForm(ScopedStepForm):
    """An item the cadre follows from an entry; raised by the contact unless another person is named."""

    action = staticmethod(actions.add_item)
    kind = typed()
    text = typed()
    raised_by = typed()
    raiser_contact = typed()

    def clean(self):
        data = super().clean()
        entry = self.given["entry"]
        data["raised_by"] = data["raised_by"] or entry.contact.name
        data.update(cadre=entry.cadre, region=entry.contact.region, raiser_kind=actions.raiser_kind_of(entry.contact))
        return data


class ContactForm(ScopedStepForm):
    """A contact point of a cadre: its kind, the registry record it names (or a person's name), a note."""

    action = staticmethod(actions.add_contact)
    kind = posted()
    record = typed()
    name = typed()
    note = typed()

    def clean(self):
        data = super().clean()
        data["kind"] = chosen(ContactKind.objects, data.get("kind"), "kind", "请选择联系点类别")
        data["record"] = named_record(self.user, data["kind"], data.get("record", ""))
        return data


class EndContactForm(ScopedStepForm):
    """The end of one of `cadre`'s contact points."""

    action = staticmethod(actions.end_contact)
    contact = posted()

    def __init__(self, data, *, user, cadre):
        super().__init__(data, user=user)
        self.cadre = cadre

    def clean(self):
        data = super().clean()
        data["contact"] = chosen(Contact.objects.filter(cadre=self.cadre), data.get("contact"), "contact", "请选择联系点")
        return data


class ProposeForm(ScopedStepForm):
    action = staticmethod(actions.propose_solution)
    solution = typed()


class ActForm(ScopedStepForm):
    action = staticmethod(actions.act_on_item)
    note = typed()


class ForwardForm(ScopedStepForm):
    """An item handed to the grid's dispatch: an active category (None is refused by the action) and an address."""

    action = staticmethod(actions.forward_item)
    category = posted()
    address = typed()

    def clean(self):
        data = super().clean()
        data["category"] = Category.objects.filter(pk=posted_id(data.get("category")) or 0, is_active=True).first()
        return data


class CloseItemForm(ScopedStepForm):
    action = staticmethod(actions.close_item)
    outcome = typed()


class TellForm(ScopedStepForm):
    action = staticmethod(actions.tell_raiser)
    how = typed()


ITEM_STEPS = {"propose": ProposeForm, "act": ActForm, "forward": ForwardForm, "close": CloseItemForm, "tell": TellForm}


class ScheduleForm(ScopedStepForm):
    """A reception-day schedule: where, which day of the month, how many cadres a day, for how many months."""

    action = staticmethod(actions.create_schedule)
    region_fields, cadres_fields = ("region",), ("cadres",)
    region = posted()
    place = typed()
    day = typed()
    per_session = typed()
    months = typed()
    cadres = typed()
    defaults = {"per_session": 2, "months": 12}


class RotaForm(ScopedStepForm):
    action = staticmethod(actions.set_rota)
    cadres_fields = ("cadres",)
    cadres = typed()


class SessionRecordForm(ScopedStepForm):
    """What a reception day heard: visitors, notes, and the items raised, one per line for each kind, all raised
    by the person named and followed by the cadre chosen."""

    action = staticmethod(actions.record_session)
    visitors = typed()
    notes = typed()
    raised_by = typed()
    raiser_contact = typed()
    cadre = posted()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in FollowUp.Kind.values:
            self.fields[kind] = typed()

    def clean(self):
        data = super().clean()
        raiser = {"raised_by": data.pop("raised_by"), "raiser_contact": data.pop("raiser_contact"), "cadre": posted_id(data.pop("cadre"))}
        data["items"] = [
            {"kind": kind, "text": line, **raiser}
            for kind in FollowUp.Kind.values
            for line in actions.split_lines(data.pop(kind), kind, "事项")
        ]
        return data


class MeetingForm(ScopedStepForm):
    """A meeting (research, a seminar, a hearing) in a region, convened by one cadre, perhaps for a topic."""

    action = staticmethod(actions.record_meeting)
    region_fields, cadre_fields = ("region",), ("convener",)
    region = posted()
    topic = posted()
    kind = typed()
    title = typed()
    held_on = typed()
    convener = typed()
    participants = typed()
    documents = typed()
    suggestions = typed()
    notes = typed()

    def clean(self):
        data = super().clean()
        data["topic"] = scope(Topic.objects.all(), self.user).filter(pk=posted_id(data.get("topic")) or 0).first()
        return data


class TopicForm(ScopedStepForm):
    action = staticmethod(actions.create_topic)
    region_fields, cadre_fields, cadres_fields = ("region",), ("owner",), ("team",)
    region = posted()
    title = typed()
    owner = typed()
    team = typed()
    deliverables = typed()
    starts_on = typed()
    due_on = typed()


class ConcludeTopicForm(ScopedStepForm):
    action = staticmethod(actions.conclude_topic)
    conclusion = typed()
    on = typed()
    defaults = {"on": None}


class ProjectForm(ScopedStepForm):
    action = staticmethod(actions.create_project)
    region_fields = ("region",)
    region = posted()
    name = typed()
    description = typed()


class PairingForm(ScopedStepForm):
    """A 蹲点 pairing: a cadre under a senior on a project, with the cadence each month and week."""

    action = staticmethod(actions.create_pairing)
    cadre_fields = ("cadre", "senior")
    project = posted()
    cadre = typed()
    senior = typed()
    starts_on = typed()
    ends_on = typed()
    site_days_a_week = typed()
    exchanges_a_month = typed()
    reports_a_month = typed()
    defaults = {"site_days_a_week": "1", "exchanges_a_month": "1", "reports_a_month": "1"}

    def clean(self):
        data = super().clean()
        data["project"] = chosen(scope(Project.objects.select_related("region"), self.user), data.get("project"), "project", "请选择项目")
        return data


class ActivityForm(ScopedStepForm):
    action = staticmethod(actions.record_activity)
    kind = typed()
    on = typed()
    title = typed()
    text = typed()
