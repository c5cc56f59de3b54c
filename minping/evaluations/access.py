"""Who may see and change a campaign. Organisers and offices manage campaigns of their subtree; a cadre may
watch the turnout of a campaign that evaluates them, and nothing else."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from minping.accounts.models import User
from minping.accounts.scoping import get_for_user
from minping.evaluations.models import Campaign


def campaign_for_manager(user, pk) -> Campaign:
    if not user.can_use_console:
        raise PermissionDenied
    return get_for_user(user, Campaign.objects.select_related("region", "instrument_version__instrument"), pk=pk)


def campaign_for_turnout(user, pk) -> Campaign:
    if user.can_use_console:
        return campaign_for_manager(user, pk)
    if user.is_authenticated and user.role == User.Role.CADRE and user.cadre_id:
        campaign = Campaign.objects.filter(pk=pk, subjects__kind="cadre", subjects__ref=user.cadre_id).first()
        if campaign:
            return campaign
        raise Http404
    raise PermissionDenied
