"""Who is expected to file a month's commitment form, and who has not: every cadre with an account and a current
post. The month page lists those missing and the reminder job writes to them, from this one definition."""

import datetime as dt

from minping.commitments.models import CommitmentForm
from minping.org.models import Cadre


def expected_cadres(region=None):
    """Cadres expected to file: with an account to file from and a post they hold now (of `region`'s subtree)."""
    cadres = Cadre.objects.filter(account__isnull=False, posts__ended_on__isnull=True).distinct()
    return cadres.within(region) if region is not None else cadres


def missing_filers(month: dt.date, region=None):
    """Expected cadres without a form for `month`, by region and name."""
    have = CommitmentForm.objects.filter(month=month, cadre__isnull=False).values("cadre_id")
    return expected_cadres(region).exclude(pk__in=have).select_related("region").order_by("region__path", "name")
