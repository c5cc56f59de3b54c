from django import forms
from django.utils.translation import gettext_lazy as _

from minping.org.models import Region


class RegionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    level = forms.ChoiceField(label=_("Level"), choices=Region.Level.choices)
    code = forms.CharField(label=_("Division code"), max_length=20, required=False)


class RenameRegionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    code = forms.CharField(label=_("Division code"), max_length=20, required=False)


