"""Field-work figures as JSON (API key), for the composite assessment and the district's own reports: the
region's summary and each cadre's figures for a period, with the definitions."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from ninja import Query, Router, Schema

from minping.accounts.scoping import get_for_user
from minping.fieldwork import figures
from minping.lib.apierrors import ApiError
from minping.lib.ids import ID_DIGITS
from minping.org.models import Region

router = Router(tags=["fieldwork"])
PAGE_SIZE = 500


class CadreFigures(Schema):
    id: int
    name: str
    region: str
    figures: dict[str, int | float | None]


class FiguresOut(Schema):
    region: int
    start: dt.date
    end: dt.date
    definitions: dict[str, str]
    summary: dict[str, int]
    cadres: list[CadreFigures]
    page: int
    pages: int


@router.get("/figures", response={200: FiguresOut, 403: ApiError, 404: ApiError, 422: ApiError})
def figures_out(
    request, start: dt.date, end: dt.date, region: int = Query(..., ge=1, le=10**ID_DIGITS - 1), page: int = Query(1, ge=1, le=10**6)
):
    """The figures of `region`'s subtree from `start` to `end` (both included, at most three years): seed 004's
    summary, and the cadres' figures, 500 a page ("cadence" and "checked" are shares from 0 to 1, or null without a pairing or an entry checked).
    For the keys of console users, as the figures page is on the web: any other key gets 403."""
    if not request.auth.can_use_console:
        raise PermissionDenied("field-work figures are for console users")
    place = get_for_user(request.auth, Region.objects, pk=region)
    if end < start or (end - start).days > 366 * 3:
        raise ValidationError({"end": "结束日期应在开始日期之后，且期间不超过三年"})
    cadres = Paginator(figures.cadres_of(place).select_related("region").order_by("region__path", "name"), PAGE_SIZE)
    chosen = cadres.get_page(page)
    values = figures.cadre_figures([c.pk for c in chosen], start, end)
    return {
        "region": place.pk,
        "start": start,
        "end": end,
        "definitions": figures.DEFINITIONS,
        "summary": figures.summary(place, start, end),
        "cadres": [{"id": c.pk, "name": c.name, "region": c.region.name, "figures": values[c.pk]} for c in chosen],
        "page": chosen.number,
        "pages": cadres.num_pages,
    }
