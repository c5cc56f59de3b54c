"""The organisation registry: regions, units, cadres and their posts, enterprises, households, residents."""

import secrets
import string

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

PATH_ALPHABET = string.digits + string.ascii_lowercase
PATH_SEGMENT = 6


def new_path_segment() -> str:
    return "".join(secrets.choice(PATH_ALPHABET) for _ in range(PATH_SEGMENT)) + "/"


class ScopedQuerySet(models.QuerySet):
    """Rows that belong to a region; `within(region)` keeps those of the region's subtree."""

    region_path = "region__path"

    def within(self, region):
        return self.filter(**{f"{self.region_path}__startswith": region.path})


class RegionQuerySet(ScopedQuerySet):
    region_path = "path"

    def roots(self):
        return self.filter(parent__isnull=True)


class Region(models.Model):
    """A node of the region tree. `path` is the materialised path of random segments, one per ancestor,
    so a subtree is one indexed prefix scan (`path LIKE 'ab12cd/ef34gh/%'`)."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        CITY = "city", _("City")
        DISTRICT = "district", _("District / county")
        STREET = "street", _("Street / town")
        COMMUNITY = "community", _("Community / village")
        GRID = "grid", _("Grid")

    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    code = models.CharField(_("division code"), max_length=20, blank=True)
    parent = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="children")
    path = models.CharField(max_length=255, unique=True)
    depth = models.PositiveSmallIntegerField(default=0)

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="region_unique_name_in_parent")]
        indexes = [models.Index(fields=["path"], name="region_path_prefix", opclasses=["varchar_pattern_ops"])]

    def __str__(self) -> str:
        return self.name

    def is_within(self, other: "Region") -> bool:
        return self.path.startswith(other.path)

    def ancestors(self):
        prefixes = [self.path[: i + PATH_SEGMENT + 1] for i in range(0, len(self.path) - 1, PATH_SEGMENT + 1)]
        return Region.objects.filter(path__in=prefixes[:-1]).order_by("depth")

    def descendants(self):
        return Region.objects.filter(path__startswith=self.path).exclude(pk=self.pk)

    def name_path(self) -> str:
        return "/".join([*(a.name for a in self.ancestors()), self.name])


class Unit(models.Model):
    """A department, station or resident unit that can be evaluated or receive problems."""

    class Kind(models.TextChoices):
        DEPARTMENT = "department", _("Department")
        STATION = "station", _("Station")
        RESIDENT_UNIT = "resident_unit", _("Resident unit")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    region = models.ForeignKey(Region, models.PROTECT, related_name="units", verbose_name=_("region"))
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="unit_unique_name_in_region")]

    def __str__(self) -> str:
        return self.name


class PersonalData(models.Model):
    """ID numbers are kept as a keyed digest (to match on import) and a masked form (to show); never whole."""

    name = models.CharField(_("name"), max_length=50)
    id_digest = models.CharField(max_length=64)
    id_masked = models.CharField(_("ID number"), max_length=18)
    gender = models.CharField(_("gender"), max_length=1, choices=[("M", _("Male")), ("F", _("Female"))])
    birth_year = models.PositiveSmallIntegerField(_("birth year"))
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    class Meta:
        abstract = True
        # Constraints and indexes, not unique=/db_index=: on PostgreSQL those add a second, pattern index
        # to every text column, and each index costs time on a million-row import.
        constraints = [models.UniqueConstraint(fields=["id_digest"], name="%(app_label)s_%(class)s_id_digest_key")]
        indexes = [models.Index(fields=["name"], name="%(app_label)s_%(class)s_name", opclasses=["varchar_pattern_ops"])]

    def __str__(self) -> str:
        return self.name


class Cadre(PersonalData):
    """An official who can be evaluated. `region` is the office that keeps their record."""

    region = models.ForeignKey(Region, models.PROTECT, related_name="cadres", verbose_name=_("region"))

    objects = ScopedQuerySet.as_manager()

    class Meta(PersonalData.Meta):
        ordering = ["name"]
        verbose_name = _("cadre")
        verbose_name_plural = _("cadres")


class PostQuerySet(ScopedQuerySet):
    region_path = "cadre__region__path"

    def current(self):
        return self.filter(ended_on__isnull=True)


class Post(models.Model):
    """A post a cadre holds or held, in a unit or in a region (e.g. 社区书记 of a community)."""

    class Category(models.TextChoices):
        FIRST_SECRETARY = "first_secretary", _("First secretary")
        SECRETARY = "secretary", _("Party secretary")
        DIRECTOR = "director", _("Director")
        SECTION_CHIEF = "section_chief", _("Section chief")
        VILLAGE_BASED = "village_based", _("Village-based cadre")
        GRADUATE_OFFICIAL = "graduate_official", _("College-graduate official")
        MEMBER = "member", _("Committee member")
        OTHER = "other", _("Other")

    cadre = models.ForeignKey(Cadre, models.CASCADE, related_name="posts")
    unit = models.ForeignKey(Unit, models.PROTECT, null=True, blank=True, related_name="posts")
    region = models.ForeignKey(Region, models.PROTECT, null=True, blank=True, related_name="posts")
    title = models.CharField(_("post title"), max_length=100)
    category = models.CharField(_("post category"), max_length=20, choices=Category.choices)
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on"]
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        constraints = [
            models.CheckConstraint(
                condition=Q(unit__isnull=False, region__isnull=True) | Q(unit__isnull=True, region__isnull=False),
                name="post_in_unit_or_region",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.place} {self.title}"

    @property
    def place(self):
        return self.unit or self.region


class Enterprise(models.Model):
    name = models.CharField(_("name"), max_length=200)
    credit_code = models.CharField(_("unified social credit code"), max_length=18)
    region = models.ForeignKey(Region, models.PROTECT, related_name="enterprises", verbose_name=_("region"))
    contact_phone = models.CharField(_("phone"), max_length=20, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        constraints = [models.UniqueConstraint(fields=["credit_code"], name="enterprise_credit_code_key")]

    def __str__(self) -> str:
        return self.name


class Household(models.Model):
    code = models.CharField(_("household number"), max_length=40)
    address = models.CharField(_("address"), max_length=200)
    region = models.ForeignKey(Region, models.PROTECT, related_name="households", verbose_name=_("region"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("household")
        verbose_name_plural = _("households")
        constraints = [models.UniqueConstraint(fields=["code"], name="household_code_key")]

    def __str__(self) -> str:
        return self.code


class Resident(PersonalData):
    address = models.CharField(_("address"), max_length=200, blank=True)
    region = models.ForeignKey(Region, models.PROTECT, related_name="residents", verbose_name=_("region"))
    household = models.ForeignKey(Household, models.SET_NULL, null=True, blank=True, related_name="residents", verbose_name=_("household"))

    objects = ScopedQuerySet.as_manager()

    class Meta(PersonalData.Meta):
        ordering = ["id"]
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
