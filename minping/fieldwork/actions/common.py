"""Helpers the field-work actions share: counts and lines typed in forms, who supervises whom."""

from django.core.exceptions import PermissionDenied, ValidationError

from minping.fieldwork.models import (
    Entry,
    FollowUp,
)
from minping.lib.text import checked_text
from minping.org.models import Cadre, Region

MAX_PHOTOS = 5
S = FollowUp.Status


def checked_count(value, field: str, what: str, limit: int = 100000) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        number = -1
    if not 0 <= number <= limit:
        raise ValidationError({field: f"{what}应为 0 到 {limit} 的整数"})
    return number


def split_lines(text: str, field: str, what: str) -> list[str]:
    """The non-empty lines of a text box, each an item, without the bullets people type before them."""
    text = checked_text(text, field, 2000, what, required=False)
    return [line.strip(" \t-•·、") for line in text.splitlines() if line.strip(" \t-•·、")]


def may_supervise(user, cadre: Cadre) -> bool:
    """Console users whose region holds the cadre's record read, comment on and manage the cadre's field work; a
    cadre never supervises themselves."""
    if not user.can_use_console or user.cadre_id == cadre.pk:
        return False
    return user.is_system_admin or cadre.region.is_within(user.region)


def may_open_entry(user, entry: Entry) -> bool:
    """A work-log entry is open to its cadre and to those who supervise the cadre, on the web and as files."""
    return user.is_authenticated and (user.cadre_id == entry.cadre_id or may_supervise(user, entry.cadre))


def ensure_supervises(user, cadre: Cadre) -> None:
    if not may_supervise(user, cadre):
        raise PermissionDenied(f"{cadre.name}不在您的管辖范围内")


def district_of(region: Region) -> Region:
    """The district (or county) a region lies in; the region itself above that level."""
    if region.level == Region.Level.DISTRICT:
        return region
    return region.ancestors().filter(level=Region.Level.DISTRICT).first() or region


def ensure_same_district(cadres, region: Region, field: str) -> None:
    district = district_of(region)
    outside = [c.name for c in cadres if not c.region.is_within(district)]
    if outside:
        raise ValidationError({field: f"{'、'.join(outside)}不是{district.name}的干部"})
