"""Forms of the commitment pages; the rules themselves live in actions (so the API and the pages refuse alike)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from minping.commitments.models import Item
from minping.org.forms import RegionChoiceField
from minping.org.models import Region


def regions_for(user, *levels):
    regions = Region.objects.filter(level__in=levels or ("district", "street", "community")).order_by("path")
    return regions if user.is_system_admin else regions.within(user.region)


class ItemForm(forms.Form):
    category = forms.ChoiceField(label=_("category"), choices=Item.Category.choices)
    content = forms.CharField(label=_("commitment"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    target = forms.CharField(label=_("measurable target"), max_length=300)
    deadline = forms.DateField(label=_("deadline"), widget=forms.DateInput(attrs={"type": "date"}))
    project = forms.CharField(label=_("key project"), max_length=200, required=False)
    place = RegionChoiceField(label=_("linked region"), queryset=Region.objects.none(), required=False)
    reason = forms.CharField(label=_("reason for the change"), max_length=300, required=False)

    def __init__(self, *args, form=None, **kwargs):
        super().__init__(*args, **kwargs)
        base = form.region.parent or form.region
        self.fields["place"].queryset = Region.objects.within(base).order_by("path")
        if form.status not in {"approved", "published"}:
            del self.fields["reason"]
