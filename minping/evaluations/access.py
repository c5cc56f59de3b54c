"""Who may see and change a campaign. Organisers and offices manage campaigns of their subtree; an office may
also watch the turnout of a campaign run above it that evaluates people or places of its subtree (a street's
campaign rating a community's cadres, seen by the community); a cadre may watch the turnout of a campaign that
evaluates them, and nothing else."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from minping.accounts.models import User
from minping.accounts.scoping import get_for_user
from minping.evaluations.models import Campaign, Subject


def campaign_for_manager(user, pk) -> Campaign:
    if not user.can_use_console:
        raise PermissionDenied
    return get_for_user(user, Campaign.objects.select_related("region", "instrument_version__instrument"), pk=pk)


def concerning(user):
    """Campaigns run outside the user's subtree that evaluate subjects inside it."""
    if user.is_system_admin or user.region_id is None:
        return Campaign.objects.none()
    inside = Subject.objects.filter(region__path__startswith=user.region.path).values("campaign_id")
    return Campaign.objects.filter(pk__in=inside).exclude(region__path__startswith=user.region.path)


def campaign_for_turnout(user, pk) -> Campaign:
    if user.can_use_console:
        try:
            return campaign_for_manager(user, pk)
        except Http404:
            campaign = concerning(user).filter(pk=pk).first()
            if campaign is None:
                raise
            return campaign
    if user.is_authenticated and user.role == User.Role.CADRE and user.cadre_id:
        campaign = Campaign.objects.filter(pk=pk, subjects__kind="cadre", subjects__ref=user.cadre_id).first()
        if campaign:
            return campaign
        raise Http404
    raise PermissionDenied
