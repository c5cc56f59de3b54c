"""Subject kinds: what a campaign can evaluate. A module registers a kind for its records (org's cadres, units and
regions below; a commitment item, a department or a grid from the modules built on evaluations), saying how to
find its records and how one is described on a ballot: its label, detail, peer category and region. A campaign's
`Subject` row keeps the kind, the record's id and that description, so evaluations never imports the module that
owns the record, and every ballot, count and page works the same for any kind.

A module above evaluations registers its kinds in its AppConfig.ready().
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _

from minping.org.models import Cadre, Region, Unit


@dataclass(frozen=True)
class Description:
    label: str
    detail: str
    category: str
    region: Region  # where the record belongs: a campaign can evaluate it if this lies inside the campaign's region


@dataclass(frozen=True)
class SubjectKind:
    key: str  # stored on Subject.kind; at most 40 characters
    label: str
    model: type[Model]
    describe: Callable[[Model], Description]
    candidates: Callable[[Region], QuerySet]  # records a campaign of this region may evaluate, for pickers

    def records(self, region: Region, ids) -> QuerySet:
        """The records of `ids` that a campaign of `region` may evaluate."""
        return self.candidates(region).filter(pk__in=ids)


KINDS: dict[str, SubjectKind] = {}


def register(kind: SubjectKind) -> SubjectKind:
    if kind.key in KINDS and KINDS[kind.key] != kind:
        raise ValueError(f"subject kind {kind.key!r} is registered twice")
    if len(kind.key) > 40:
        raise ValueError(f"subject kind {kind.key!r} is longer than 40 characters")
    KINDS[kind.key] = kind
    return kind


def get_kind(key: str) -> SubjectKind:
    """The registered kind, or ValidationError naming it: a kind no module registered cannot be evaluated."""
    try:
        return KINDS[key]
    except (KeyError, TypeError):
        raise ValidationError({"kind": f"未登记的测评对象类型：{key}"}) from None


def kind_of(record: Model) -> SubjectKind:
    for kind in KINDS.values():
        if isinstance(record, kind.model):
            return kind
    raise ValidationError({"kind": f"未登记的测评对象类型：{record._meta.verbose_name}"})


def _describe_cadre(cadre: Cadre) -> Description:
    post = cadre.posts.current().select_related("unit", "region").first()
    return Description(str(cadre), f"{post.place}{post.title}" if post else "", post.get_category_display() if post else "", cadre.region)


def _describe_unit(unit: Unit) -> Description:
    return Description(str(unit), unit.get_kind_display(), unit.get_kind_display(), unit.region)


def _describe_region(region: Region) -> Description:
    return Description(str(region), region.get_level_display(), region.get_level_display(), region)


register(
    SubjectKind(
        "cadre",
        _("Cadre"),
        Cadre,
        _describe_cadre,
        lambda region: Cadre.objects.within(region).filter(posts__ended_on__isnull=True).distinct(),
    )
)
register(SubjectKind("unit", _("Unit"), Unit, _describe_unit, lambda region: Unit.objects.within(region)))
register(SubjectKind("region", _("Region"), Region, _describe_region, lambda region: Region.objects.within(region).exclude(level="grid")))
