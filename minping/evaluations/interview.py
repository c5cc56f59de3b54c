"""Telephone interviews (电话督评): an interviewer calls a resident, reads the ballot out, and keys the answers
under one of the phone codes the organisers printed for them. The ballot is cast like any other, on the phone
channel; nothing records which interviewer keyed which ballot, and no page shows a ballot once it is cast."""

import secrets
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from minping.accounts.models import User
from minping.evaluations import lifecycle
from minping.evaluations.actions import casting
from minping.evaluations.actions.casting import CastError, campaign_for_code
from minping.evaluations.forms import errors_by_field, payload_from_post
from minping.evaluations.voting import voter_page

ROLES = {User.Role.INTERVIEWER, User.Role.ORGANISER, User.Role.OFFICE, User.Role.ADMIN}
_ENTERED = []


def on_entry(hook) -> None:
    """Register `hook(user=, campaign=, answers=)`, called after an interviewer's ballot is cast: a module above
    (phone surveys) counts per interviewer what quality control needs, never which ballot it was."""
    _ENTERED.append(hook)


def interviewer_required(view):
    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if request.user.role not in ROLES or (request.user.region_id is None and not request.user.is_system_admin):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _campaigns(user):
    campaigns = lifecycle.allowing("vote")
    if not user.is_system_admin:
        campaigns = campaigns.within(user.region)
    return campaigns.select_related("region", "instrument_version")


@interviewer_required
def campaign_list(request):
    campaigns = [c for c in _campaigns(request.user) if "phone" in c.channels]
    return render(request, "evaluations/interview_list.html", {"campaigns": campaigns})


@voter_page
@interviewer_required
@require_http_methods(["GET", "POST"])
def interview(request, pk):
    campaign = _campaigns(request.user).filter(pk=pk).first()
    if campaign is None or "phone" not in campaign.channels:
        raise Http404
    subjects = casting.campaign_subjects(campaign)
    context = {
        "campaign": campaign,
        "subjects": subjects,
        "definition": campaign.definition,
        "errors": {},
        "data": None,
        "code": "",
        "submission": secrets.token_urlsafe(16),
        "tracker": None,
        "message": "",
    }
    status = 200
    if request.method == "POST":
        code = request.POST.get("code", "")[:64]
        payload = payload_from_post(campaign.definition, subjects, request.POST)
        try:
            found = campaign_for_code(code)
            if found.pk != campaign.pk:
                raise CastError("foreign_code", "这个测评码不属于本次测评", status=404)
            receipt = casting.cast_ballot(
                campaign=found, code=code, answers=payload, channel="phone", idempotency_key=request.POST.get("submission", "")[:64]
            )
            context["tracker"] = receipt.tracker  # read out to the resident; the form is blank for the next call
            for hook in _ENTERED:
                hook(user=request.user, campaign=found, answers=payload)
        except CastError as exc:
            status = exc.status
            context.update(
                data=request.POST,
                code=code,
                submission=request.POST.get("submission", ""),
                message=exc.message,
                errors=errors_by_field(exc.problems),
            )
    return render(request, "evaluations/interview.html", context, status=status)
