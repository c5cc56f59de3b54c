"""The grid's writes as every adapter receives them: one form per write, shared by the HTML pages, the field page's
endpoints (JSON or multipart) and Open311, so that each is parsed by the same rules and refused with the same
words."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from minping.grid import actions
from minping.grid.models import Category, Site, Visit
from minping.lib.dates import typed_date
from minping.lib.formdata import posted_id
from minping.org.models import Household


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
