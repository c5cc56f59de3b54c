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


class RegionChoiceField(forms.ModelChoiceField):
    """Regions by their place in the tree ("一街道/光明社区/第1网格"), since names repeat across streets, in a list
    the console lets people search (data-searchable). The queryset must be ordered by path, so that a region's
    ancestors within it come first."""

    widget = forms.Select(attrs={"data-searchable": "", "data-search-placeholder": _("Type a name to filter")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._names: dict[str, str] = {}

    def label_from_instance(self, region: Region) -> str:
        parent = next((self._names[p] for p in _prefixes(region.path) if p in self._names), "")
        self._names[region.path] = f"{parent}/{region.name}" if parent else region.name
        return self._names[region.path]


def _prefixes(path: str):
    """The paths of a region's ancestors, nearest first."""
    cut = path.rstrip("/").rfind("/")
    while cut > 0:
        yield path[: cut + 1]
        cut = path.rfind("/", 0, cut)
