"""Phone survey pages: the surveys of the user's region and a new one drawn for a campaign; a survey's design,
outcome rates, results, interviewers' quality and back-checks; an interviewer's call page (the next number, masked
until it is dialled, the spoken script and the outcome buttons); and sample audits of resolved problems and work
logs with their verdicts."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from minping.accounts.models import User
from minping.accounts.scoping import accounts_in_scope, console_required, get_for_user, scope
from minping.evaluations import lifecycle
from minping.evaluations.models import Campaign
from minping.lib.feedback import attempting
from minping.lib.formdata import posted_id
from minping.lib.identity import mask_phone
from minping.org.models import Region
from minping.sampling import actions, figures
from minping.sampling.models import Audit, AuditItem, Case, Survey


def _phone_campaigns(user):
    found = scope(lifecycle.allowing("edit").select_related("region"), user)
    return [c for c in found if "phone" in c.channels]


@console_required
@require_http_methods(["GET", "POST"])
def index(request):
    status = 200
    if request.method == "POST":
        post = request.POST
        with attempting(request, PermissionDenied) as outcome:
            campaign = get_for_user(request.user, Campaign.objects, pk=posted_id(post.get("campaign", "")) or 0)
            region = get_for_user(request.user, Region.objects, pk=posted_id(post.get("region", "")) or 0)
            survey = actions.create_survey(
                actor=request.user,
                campaign=campaign,
                region=region,
                name=post.get("name", ""),
                strata_level=post.get("strata_level", ""),
                margin=post.get("margin", ""),
                confidence=post.get("confidence", "0.95"),
                response=post.get("response", "1"),
                allocation=post.get("allocation", ""),
                exclusion_days=post.get("exclusion_days", "90"),
                max_attempts=post.get("max_attempts", "4"),
                by_sex=bool(post.get("by_sex")),
                by_age=bool(post.get("by_age")),
            )
            messages.success(request, _("The sample was drawn: name the interviewers, then they can call."))
            return redirect("sampling:survey", survey.pk)
        status = outcome.status
    context = {
        "surveys": scope(Survey.objects.select_related("campaign", "region"), request.user)[:200],
        "campaigns": _phone_campaigns(request.user),
        "regions": scope(Region.objects.filter(level__in=["district", "street", "community"]), request.user)[:500],
        "levels": actions.LEVELS,
        "allocations": Survey.Allocation.choices,
    }
    return render(request, "sampling/index.html", context, status=status)


@console_required
@require_http_methods(["GET", "POST"])
def survey_page(request, pk):
    survey = get_for_user(request.user, Survey.objects.select_related("campaign", "region"), pk=pk)
    status = 200
    if request.method == "POST":
        with attempting(request, PermissionDenied) as outcome:
            if request.POST.get("step") == "interviewers":
                people = User.objects.filter(pk__in=[i for i in map(posted_id, request.POST.getlist("interviewers")) if i])
                actions.set_interviewers(actor=request.user, survey=survey, interviewers=accounts_in_scope(people, request.user))
            elif request.POST.get("step") == "close":
                actions.close_survey(actor=request.user, survey=survey)
            elif request.POST.get("step") == "back-check":
                case = get_object_or_404(Case, pk=posted_id(request.POST.get("case", "")) or 0, survey=survey)
                actions.back_check(actor=request.user, case=case, answer=request.POST.get("answer", ""))
            else:
                raise Http404
            messages.success(request, _("Saved."))
            return redirect("sampling:survey", survey.pk)
        status = outcome.status
    context = {
        "survey": survey,
        "design": figures.design(survey),
        "rates": figures.rates(survey),
        "estimates": figures.estimates(survey),
        "quality": figures.quality(survey),
        "channels": dict(Campaign.Channel.choices),
        "interviewers": survey.interviewers.all(),
        "candidates": accounts_in_scope(User.objects.filter(role__in=["interviewer", "office"], is_active=True), request.user),
        "checks": [(c, mask_phone(c.resident.phone)) for c in figures.back_check_sample(survey)],
    }
    return render(request, "sampling/survey.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def call(request, pk):
    """An interviewer's page: the number they hold (or the next), masked until they dial it."""
    survey = get_object_or_404(Survey.objects.select_related("campaign"), pk=pk)
    if not survey.interviewers.filter(pk=request.user.pk).exists():
        raise Http404
    status, dialled = 200, None
    if request.method == "POST":
        step = request.POST.get("step")
        with attempting(request, PermissionDenied) as outcome:
            case = get_object_or_404(Case, pk=posted_id(request.POST.get("case", "")) or 0, survey=survey)
            if step == "dial":
                dialled = actions.reveal_number(actor=request.user, case=case)
            else:
                actions.record_outcome(actor=request.user, case=case, outcome=request.POST.get("outcome", ""))
                messages.success(request, _("Outcome recorded."))
                return redirect("sampling:call", survey.pk)
        status = outcome.status
    case = None
    with attempting(request, PermissionDenied) as closed:
        case = actions.next_case(actor=request.user, survey=survey)
    context = {
        "survey": survey,
        "case": case,
        "closed": closed.refused,
        "masked": mask_phone(case.resident.phone) if case else "",
        "dialled": dialled if case and dialled else None,
        "questions": survey.campaign.definition["subject_questions"],
        "outcomes": Case.Outcome.choices,
    }
    return render(request, "sampling/call.html", context, status=status)


@console_required
@require_http_methods(["GET", "POST"])
def audits(request):
    status = 200
    if request.method == "POST":
        post = request.POST
        with attempting(request, PermissionDenied) as outcome:
            region = get_for_user(request.user, Region.objects, pk=posted_id(post.get("region", "")) or 0)
            audit = actions.draw_audit(
                actor=request.user,
                kind=post.get("kind", ""),
                region=region,
                start=post.get("start"),
                end=post.get("end"),
                size=post.get("size", ""),
            )
            messages.success(request, _("The sample was drawn: check each record on the ground and record what was found."))
            return redirect("sampling:audit", audit.pk)
        status = outcome.status
    context = {
        "audits": scope(Audit.objects.select_related("region", "drawn_by__cadre"), request.user)[:200],
        "kinds": Audit.Kind.choices,
        "regions": scope(Region.objects.filter(level__in=["district", "street", "community"]), request.user)[:500],
    }
    return render(request, "sampling/audits.html", context, status=status)


@console_required
@require_http_methods(["GET", "POST"])
def audit_page(request, pk):
    audit = get_for_user(request.user, Audit.objects.select_related("region"), pk=pk)
    status = 200
    if request.method == "POST":
        item = get_object_or_404(AuditItem, pk=posted_id(request.POST.get("item", "")) or 0, audit=audit)
        with attempting(request, PermissionDenied) as outcome:
            actions.record_verdict(
                actor=request.user, item=item, verdict=request.POST.get("verdict", ""), note=request.POST.get("note", "")
            )
            messages.success(request, _("Saved."))
            return redirect("sampling:audit", audit.pk)
        status = outcome.status
    context = {"audit": audit, "items": audit.items.select_related("checked_by__cadre"), "verdicts": AuditItem.Verdict.choices[1:]}
    return render(request, "sampling/audit.html", context, status=status)
