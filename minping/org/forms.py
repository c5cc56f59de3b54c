from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from minping.accounts.models import User
from minping.accounts.scoping import scope
from minping.lib.forms import StepForm, chosen
from minping.org.models import Cadre, Region


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


def account(data: dict, field: str = "username"):
    """The active account whose name was typed in `field` (taken out of `data`); a refusal naming it else."""
    name = data.pop(field, "").strip()
    user = User.objects.filter(username=name, is_active=True).select_related("region", "cadre").first()
    if user is None:
        raise ValidationError({field: f"找不到账号“{name}”"})
    return user


class ScopedStepForm(StepForm):
    """A write whose fields name regions or cadres, each looked up within what the poster manages: fields listed
    in `region_fields` name a region by id, `cadre_fields` one cadre by name, `cadres_fields` cadres by name
    (separated by commas or 、)."""

    region_fields: tuple = ()
    cadre_fields: tuple = ()
    cadres_fields: tuple = ()

    def clean(self):
        data = super().clean()
        for field in self.region_fields:
            data[field] = chosen(scope(Region.objects, self.user), data.get(field), field, "请选择区域")
        for field in self.cadres_fields:
            data[field] = named_cadres(self.user, data.get(field, ""), field)
        for field in self.cadre_fields:
            cadres = named_cadres(self.user, data.get(field, ""), field)
            if len(cadres) != 1:
                raise ValidationError({field: "请填写一位干部的姓名"})
            data[field] = cadres[0]
        return data


def named_cadres(user, typed: str, field: str) -> list[Cadre]:
    """Cadres named in `typed` (separated by commas or 、), each found once among the cadres the user manages."""
    names = [n.strip() for n in typed.replace("，", ",").replace("、", ",").split(",") if n.strip()]
    found = []
    for name in dict.fromkeys(names):
        matches = list(scope(Cadre.objects.filter(name=name), user).select_related("region")[:2])
        if not matches:
            raise ValidationError({field: f"找不到干部“{name}”"})
        if len(matches) > 1:
            raise ValidationError({field: f"有不止一位名叫“{name}”的干部，请在名册中核对"})
        found.append(matches[0])
    return found
