"""The grid's writes as every adapter receives them: one form per write, shared by the HTML pages, the field page's
endpoints (JSON or multipart) and Open311, so that each is parsed by the same rules and refused with the same
words."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from minping.accounts.models import User
from minping.grid import actions
from minping.grid.models import Category, Problem, Site, Visit
from minping.lib.dates import typed_date
from minping.lib.formdata import posted_id
from minping.lib.forms import StepForm, chosen, posted, shared_fields, typed
from minping.org.forms import ScopedStepForm, account
from minping.org.models import Household, Region, Unit


@shared_fields  # no instance changes its fields
class VisitForm(forms.Form):
    """One visit to a household or to a legal person or site: from the due list's form or the field page's queue.
    The date defaults to today; a new address (only if it changed) and the address the phone showed beside it."""

    id = forms.CharField(required=False, max_length=64)
    household = forms.CharField(required=False, max_length=20)
    site = forms.CharField(required=False, max_length=20)
    visited_on = forms.CharField(required=False, max_length=20)
    kind = forms.CharField(required=False, max_length=20)
    notes = forms.CharField(required=False)
    address = forms.CharField(required=False)
    address_seen = forms.CharField(required=False)

    def clean(self):
        data = super().clean()
        data["visited_on"] = typed_date(data.get("visited_on"), "visited_on", "走访日期", default=timezone.localdate())
        data["kind"] = data.get("kind") or Visit.Kind.ROUTINE
        data["household"], data["site"] = posted_id(data.get("household") or ""), posted_id(data.get("site") or "")
        if data["household"] is None and data["site"] is None:
            raise ValidationError({"household": "请选择走访的住户或场所"})
        data["address"], data["address_seen"] = data.get("address") or None, data.get("address_seen") or None
        return data

    def record(self):
        """The household or site visited, or None when there is no such record. A household is read from the
        registry only when its address is to change: the common visit is one statement."""
        data = self.cleaned_data
        if data["site"] is not None:
            return Site.objects.filter(pk=data["site"]).first()
        if data["household"] and not data["address"]:
            return Household(pk=data["household"])
        return Household.objects.filter(pk=data["household"]).first()

    def save(self, *, actor, record) -> tuple[Visit, bool]:
        data = self.cleaned_data
        fields = {
            "actor": actor,
            "visited_on": data["visited_on"],
            "kind": data["kind"],
            "notes": data["notes"],
            "address": data["address"],
            "address_seen": data["address_seen"],
            "client_id": data["id"] or None,
        }
        if isinstance(record, Site):
            return actions.record_site_visit(site=record, **fields)
        return actions.record_visit(household=record, **fields)


class ProblemForm(forms.Form):
    """One problem reported: from the report page, the field page's queue, or a civic app through Open311. The
    region must be one the reporter may report in (`regions`), the category an active one."""

    id = forms.CharField(required=False, max_length=64)
    region = forms.CharField(required=False, max_length=20)
    category = forms.CharField(required=False, max_length=20)
    address = forms.CharField(required=False)
    description = forms.CharField(required=False)
    lat = forms.CharField(required=False, max_length=40)
    lon = forms.CharField(required=False, max_length=40)

    def __init__(self, data, *, regions, files=()):
        super().__init__(data)
        self.regions, self.files = {r.pk: r for r in regions}, [f for f in files if f]

    def clean(self):
        data = super().clean()
        data["region"] = self.regions.get(posted_id(data.get("region") or ""))
        data["category"] = Category.objects.filter(pk=posted_id(data.get("category") or ""), is_active=True).first()
        if data["region"] is None or data["category"] is None:
            raise ValidationError({"region": "请选择您负责的网格和事件类别"})
        return data

    def save(self, *, actor, **options):
        data = self.cleaned_data
        return actions.report_problem(
            actor=actor,
            category=data["category"],
            region=data["region"],
            address=data["address"],
            description=data["description"],
            lat=data["lat"] or None,
            lon=data["lon"] or None,
            files=self.files,
            client_id=data["id"] or None,
            **options,
        )


# The grid's other writes, each posted by one console or handler page ---------------------------------------------


def _date(data: dict, *fields) -> None:
    for field in fields:
        data[field] = typed_date(data.get(field), field)


class SiteForm(StepForm):
    """A legal person or site (单位、场所) added to a grid from its due list."""

    action = staticmethod(actions.add_site)
    name = typed()
    kind = typed()
    address = typed()


class DispatchForm(StepForm):
    action = staticmethod(actions.dispatch_problem)
    unit = posted()
    note = typed()

    def clean(self):
        data = super().clean()
        data["unit"] = chosen(Unit.objects, data.get("unit"), "unit", "请选择承办部门")
        return data


class ReceiveForm(StepForm):
    action = staticmethod(actions.receive_problem)


class HandleForm(StepForm):
    action = staticmethod(actions.start_handling)
    note = typed()


class ReturnForm(StepForm):
    action = staticmethod(actions.return_problem)
    reason = typed()


class ResolveForm(StepForm):
    """The handler's result, with the photos that prove it (required by some categories)."""

    action = staticmethod(actions.resolve_problem)
    note = typed()

    def clean(self):
        data = super().clean()
        data["files"] = self.files.getlist("files")
        return data


class ConfirmForm(StepForm):
    action = staticmethod(actions.confirm_fix)


class ReopenForm(StepForm):
    action = staticmethod(actions.reopen_problem)
    reason = typed()


class MergeForm(StepForm):
    """A duplicate merged into another problem the person can see."""

    action = staticmethod(actions.merge_problem)
    into = posted()

    def clean(self):
        data = super().clean()
        data["into"] = chosen(Problem.objects.visible_to(self.user), data.get("into"), "into", "请填写要合并到的事件编号")
        return data


PROBLEM_STEPS = {
    "dispatch": DispatchForm,
    "receive": ReceiveForm,
    "handle": HandleForm,
    "return": ReturnForm,
    "resolve": ResolveForm,
    "confirm": ConfirmForm,
    "reopen": ReopenForm,
    "merge": MergeForm,
}


class RouteForm(ScopedStepForm):
    """A routing rule (派单规则): problems of a category in a region go to a unit."""

    action = staticmethod(actions.save_route)
    region_fields = ("region",)
    region = posted()
    category = posted()
    unit = posted()

    def clean(self):
        data = super().clean()
        data["category"] = chosen(Category.objects, data.get("category"), "category", "请选择事件类别")
        data["unit"] = chosen(Unit.objects, data.get("unit"), "unit", "请选择承办部门")
        return data


class CallbacksForm(ScopedStepForm):
    """A call-back campaign (回访) for the problems of a region closed between two dates."""

    action = staticmethod(actions.open_callbacks)
    region_fields = ("region",)
    region = posted()
    start = typed()
    end = typed()

    def clean(self):
        data = super().clean()
        _date(data, "start", "end")
        return data


class TaskForm(ScopedStepForm):
    """A street's task (攻坚任务) with its target and period."""

    action = staticmethod(actions.create_task)
    region_fields = ("region",)
    region = posted()
    name = typed()
    target = typed()
    baseline = typed()
    starts_on = typed()
    ends_on = typed()
    defaults = {"baseline": "0"}

    def clean(self):
        data = super().clean()
        _date(data, "starts_on", "ends_on")
        return data


class SecondmentForm(StepForm):
    """A person seconded to a task (抽调) for a period, named by account."""

    action = staticmethod(actions.second_cadre)
    username = typed()
    starts_on = typed()
    ends_on = typed()

    def clean(self):
        data = super().clean()
        data["cadre"] = account(data)
        _date(data, "starts_on", "ends_on")
        return data


class TaskProgressForm(StepForm):
    action = staticmethod(actions.report_task_progress)
    percent = typed()
    note = typed()


class TeamForm(ScopedStepForm):
    """A grid team (网格组团) of a community: some of its grids and the accounts that serve them."""

    action = staticmethod(actions.create_team)
    region_fields = ("region",)
    region = posted()
    name = typed()
    members = typed()

    def clean(self):
        data = super().clean()
        data["community"] = data.pop("region")
        chosen = [posted_id(v) for v in self.data.getlist("grids")]
        data["grids"] = Region.objects.filter(parent=data["community"], level="grid", pk__in=chosen)
        names = [n.strip() for n in data["members"].replace("，", ",").split(",") if n.strip()]
        data["members"] = list(User.objects.filter(username__in=names))
        missing = set(names) - {m.username for m in data["members"]}
        if missing:
            raise ValidationError({"members": "有的账号不存在：" + "、".join(sorted(missing))})
        return data


class AssignmentForm(ScopedStepForm):
    """A worker (by account) put on a grid for a period: a grid worker, or a cadre taking it over (我当网格员) with
    the visits expected of them."""

    action = staticmethod(actions.assign_worker)
    region_fields = ("grid",)
    grid = posted()
    username = typed()
    starts_on = typed()
    ends_on = typed()
    secondment = typed()
    target_visits = typed()

    def clean(self):
        data = super().clean()
        data["worker"] = account(data)
        data["starts_on"] = typed_date(data.get("starts_on"), "starts_on")
        data["ends_on"] = typed_date(data.get("ends_on"), "ends_on") if data.get("ends_on") else None
        data["secondment"] = data.get("secondment") == "1"
        target = data.get("target_visits", "").strip()
        if target and not (target.isascii() and target.isdigit()):
            raise ValidationError({"target_visits": "目标走访户次应为整数"})
        data["target_visits"] = int(target) if target else None
        return data


class EndAssignmentForm(StepForm):
    action = staticmethod(actions.end_assignment)
    ends_on = typed()

    def clean(self):
        data = super().clean()
        data["ends_on"] = typed_date(data.get("ends_on"), "ends_on")
        return data


class MoveWorkerForm(ScopedStepForm):
    action = staticmethod(actions.move_worker)
    region_fields = ("grid",)
    grid = posted()
    on = typed()

    def clean(self):
        data = super().clean()
        data["on"] = typed_date(data.get("on"), "on")
        return data


class TeamMemberForm(StepForm):
    """A member added to or removed from a grid team (`team` is given)."""

    username = typed()

    def __init__(self, data, *, user, team, leaving: bool):
        super().__init__(data, user=user, team=team)
        self.action = actions.remove_team_member if leaving else actions.add_team_member

    def clean(self):
        data = super().clean()
        data["member"] = account(data)
        return data

    def save(self, **more):
        return self.action(actor=self.user, **self.values(), **self.given)
