"""The commitment pages: a staff member's own forms, a form and its items, the approvers' month page, samples,
ratings, quarter assessments, sequences, pledges, duty reports and questions; the public board is in board.py."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from minping.accounts.scoping import console_required, get_for_user, scope
from minping.commitments import actions, exports, filing, forms, periods, scoring
from minping.commitments.forms import ItemForm, regions_for
from minping.commitments.models import (
    Assessment,
    Check,
    CommitmentForm,
    DutyReport,
    Item,
    Pledge,
    SampleAudit,
    Score,
    Sequence,
)
from minping.evaluations import lifecycle
from minping.evaluations.models import Campaign, Subject
from minping.lib.downloads import attachment
from minping.lib.feedback import attempting, form_refused
from minping.lib.formdata import posted_id
from minping.org.models import Region, Unit
from minping.results.figures import headline_questions, subject_figures

PAGE_SIZE = 50
MISSING_SHOWN = 300  # names of those who have not filed, listed on the month page
STEP_DONE = {
    "submit": gettext_lazy("Submitted for approval."),
    "approve": gettext_lazy("Approved."),
    "return": gettext_lazy("Returned with your reason."),
    "publish": gettext_lazy("Posted on the public board."),
    "confirm": gettext_lazy("Awards confirmed."),
    "close-early": gettext_lazy("The quarter is closed early; its awards may now be confirmed."),
    "reopen": gettext_lazy("The quarter is reopened; the confirmed version is kept on record."),
}
Status = CommitmentForm.Status


def _month(request, default: dt.date | None = None) -> dt.date:
    value = request.GET.get("month") or request.POST.get("month")
    if not value:
        return default or periods.month_of(timezone.localdate())
    try:
        return periods.parse_month(value)
    except ValidationError:
        raise Http404 from None


def _owner_of(user):
    return user.cadre if user.cadre_id else user.unit if user.unit_id else None


# A staff member's own forms ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def mine(request):
    owner = _owner_of(request.user)
    if owner is None:
        if request.user.can_use_console:
            return redirect("commitments:month")
        raise PermissionDenied
    today = timezone.localdate()
    this, following = periods.month_of(today), periods.next_month(periods.month_of(today))
    status = 200
    if request.method == "POST":
        with attempting(request) as outcome:
            form = forms.StartForm(request.POST, user=request.user, owner=owner).save()
            return redirect("commitments:form", form.pk)
        status = outcome.status
    own = CommitmentForm.objects.filter(**{"cadre" if request.user.cadre_id else "unit": owner}).annotate(n=Count("items"))
    due = (
        Item.objects.filter(form__in=own, form__status=Status.PUBLISHED, outcome=Item.Outcome.OPEN)
        .select_related("form")
        .order_by("deadline")[:20]
    )
    startable = [m for m in (this, following) if periods.opens_on(m) <= today and not own.filter(month=m).exists()]
    return render(
        request,
        "commitments/mine.html",
        {"owner": owner, "forms": own[:24], "due": due, "startable": [(m.strftime("%Y-%m"), periods.label(m)) for m in startable]},
        status=status,
    )


def _form_for(user, pk) -> CommitmentForm:
    form = get_object_or_404(CommitmentForm.objects.select_related("region", "cadre", "unit", "collective", "sequence"), pk=pk)
    if actions.may_file(user, form.owner) or actions.may_approve(user, form):
        return form
    raise Http404


@login_required
def form_detail(request, pk):
    return _form_page(request, _form_for(request.user, pk))


def _form_page(request, form: CommitmentForm, new_item: ItemForm | None = None, status: int = 200):
    """A form with its items; `new_item` is a refused new item, shown again with everything typed into it."""
    items = list(form.items.prefetch_related("revisions", "updates__evidence").select_related("place"))
    may_file = actions.may_file(request.user, form.owner)
    context = {
        "form": form,
        "items": items,
        "may_file": may_file,
        "may_approve": actions.may_approve(request.user, form),
        "editable": may_file and form.status in actions.EDITABLE,
        "new_item": new_item or (ItemForm(form=form) if may_file else None),
        "month_label": periods.label(form.month),
        "outcomes": Item.Outcome.choices,
        "verdicts": [c for c in Item.Verification.choices if c[0]],
        "sequences": Sequence.objects.filter(pk__in=_sequences_for(form)) if may_file else [],
    }
    return render(request, "commitments/form.html", context, status=status)


def _sequences_for(form: CommitmentForm):
    return [s.pk for s in Sequence.objects.all() if form.region.is_within(s.region)]


@login_required
@require_POST
def form_step(request, pk):
    """Submit, approve, return, publish a form or choose its sequence."""
    form = _form_for(request.user, pk)
    step = request.POST.get("step")
    with attempting(request):
        if step == "sequence":
            forms.SequenceChoiceForm(request.POST, user=request.user, form=form, choices=_sequences_for(form)).save()
        elif step in forms.FORM_STEPS:
            forms.FORM_STEPS[step](request.POST, user=request.user, form=form).save()
            messages.success(request, STEP_DONE[step])
        else:
            raise ValidationError("未知的操作")
    return redirect("commitments:form", form.pk)


@login_required
@require_http_methods(["POST"])
def item_add(request, pk):
    form = _form_for(request.user, pk)
    posted = ItemForm(request.POST, form=form)
    if not posted.is_valid():
        form_refused(request, posted)
        return _form_page(request, form, posted, status=400)
    with attempting(request) as outcome:
        actions.save_item(actor=request.user, form=form, data=posted.cleaned_data)
    if outcome.refused:
        return _form_page(request, form, posted, status=400)
    return redirect("commitments:form", form.pk)


def _item_for(user, pk) -> Item:
    item = get_object_or_404(Item.objects.select_related("form__region", "form__cadre", "form__unit", "form__collective"), pk=pk)
    _form_for(user, item.form_id)
    return item


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request, pk):
    item = _item_for(request.user, pk)
    form = item.form
    if not actions.may_file(request.user, form.owner):
        raise Http404
    if request.method == "POST" and request.POST.get("step") == "remove":
        with attempting(request):
            actions.remove_item(actor=request.user, item=item)
            return redirect("commitments:form", form.pk)
    if request.method == "POST" and request.POST.get("step") != "remove":
        posted = ItemForm(request.POST, form=form)
        if posted.is_valid():
            with attempting(request):
                actions.save_item(
                    actor=request.user, form=form, data=posted.cleaned_data, item=item, reason=posted.cleaned_data.get("reason", "")
                )
                return redirect("commitments:form", form.pk)
        else:
            form_refused(request, posted)
        editor = posted
    else:
        editor = ItemForm(
            form=form,
            initial={
                "category": item.category,
                "content": item.content,
                "target": item.target,
                "deadline": item.deadline,
                "project": item.project,
                "place": item.place_id,
            },
        )
    return render(
        request,
        "commitments/item_edit.html",
        {"item": item, "form": form, "editor": editor},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def item_progress(request, pk):
    item = _item_for(request.user, pk)
    with attempting(request):
        forms.ProgressForm(request.POST, request.FILES, user=request.user, item=item).save()
        messages.success(request, _("Progress recorded."))
    return redirect(f"{reverse('commitments:form', args=[item.form_id])}#item-{item.pk}")


@console_required
@require_POST
def item_review(request, pk):
    item = _item_for(request.user, pk)
    with attempting(request, PermissionDenied):
        forms.ReviewOutcomeForm(request.POST, user=request.user, item=item).save()
        messages.success(request, _("Verdict recorded."))
    return redirect(f"{reverse('commitments:form', args=[item.form_id])}#item-{item.pk}")


# The approvers' pages ------------------------------------------------------------------------------------------


@console_required
@require_http_methods(["GET", "POST"])
def month(request):
    """The month's forms of the user's region: what waits for approval, what is posted, exports and tools."""
    chosen = _month(request)
    filed = scope(CommitmentForm.objects.filter(month=chosen), request.user).select_related(
        "region", "cadre", "unit", "collective", "sequence"
    )
    if request.method == "POST":
        with attempting(request, PermissionDenied):
            count = actions.publish_forms(actor=request.user, forms=filed.filter(status=Status.APPROVED))
            messages.success(request, _("%(n)s forms posted on the public board.") % {"n": count})
        return redirect(f"{request.path}?month={chosen:%Y-%m}")
    status = request.GET.get("status")
    shown = filed.filter(status=status) if status in Status.values else filed
    counts = dict(filed.values_list("status").annotate(n=Count("pk")))
    page = Paginator(shown.annotate(n=Count("items")).order_by("status", "region__path", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "month": chosen,
        "month_value": chosen.strftime("%Y-%m"),
        "month_label": periods.label(chosen),
        "page": page,
        "counts": [(value, label, counts.get(value, 0)) for value, label in Status.choices],
        "status": status,
        "regions": regions_for(request.user),
        "samples": scope(SampleAudit.objects.filter(month=chosen), request.user)[:20],
        "sequences": scope(Sequence.objects.all(), request.user),
        "previous": (chosen - dt.timedelta(days=1)).replace(day=1).strftime("%Y-%m"),
        "next": periods.next_month(chosen).strftime("%Y-%m"),
        "board_region": request.user.region,
    }
    missing = filing.missing_filers(chosen, request.user.region)
    context["missing"], context["expected"] = missing[:MISSING_SHOWN], filing.expected_cadres(request.user.region).count()
    context["missing_count"] = missing.count()
    return render(request, "commitments/month.html", context)


@console_required
def month_export(request):
    chosen = _month(request)
    region = get_for_user(request.user, Region.objects, pk=posted_id(request.GET.get("region")) or request.user.region_id or 0)
    kind = request.GET.get("format")
    if kind == "xlsx":
        return attachment(exports.month_workbook(region, chosen), f"{region.name}{periods.label(chosen)}公开承诺.xlsx")
    if kind == "docx":
        return attachment(exports.month_document(region, chosen), f"{region.name}{periods.label(chosen)}公开承诺.docx")
    raise Http404


@console_required
@require_POST
def sample_draw(request):
    chosen = _month(request)
    with attempting(request):
        sample = forms.SampleForm(request.POST, user=request.user, month=chosen).save()
        return redirect("commitments:sample", sample.pk)
    return redirect(reverse_month(chosen))


def reverse_month(month: dt.date) -> str:
    return f"{reverse('commitments:month')}?month={month:%Y-%m}"


@console_required
@require_http_methods(["GET", "POST"])
def sample(request, pk):
    sample = get_for_user(request.user, SampleAudit.objects.select_related("region"), pk=pk)
    if request.method == "POST":
        with attempting(request):
            forms.CheckForm(request.POST, user=request.user, sample=sample).save()
            messages.success(request, _("Verdict recorded."))
        return redirect("commitments:sample", sample.pk)
    checks = sample.checks.select_related("item__form__cadre", "item__form__unit", "item__form__collective", "checked_by")
    return render(
        request,
        "commitments/sample.html",
        {
            "sample": sample,
            "checks": checks,
            "month_label": periods.label(sample.month),
            "verdicts": [c for c in Check.Verdict.choices if c[0]],
        },
    )


@console_required
@require_POST
def rating_open(request):
    chosen = _month(request)
    with attempting(request):
        campaign = forms.RatingForm(request.POST, user=request.user, month=chosen).save()
        messages.success(request, _("The rating campaign is ready: issue codes and open voting here."))
        return redirect("evaluations:campaign-detail", campaign.pk)
    return redirect(reverse_month(chosen))


@console_required
@require_http_methods(["GET", "POST"])
def sequences(request):
    if request.method == "POST":
        with attempting(request):
            forms.SequenceForm(request.POST, user=request.user).save()
            messages.success(request, _("Saved."))
            return redirect("commitments:sequences")
    return render(
        request,
        "commitments/sequences.html",
        {
            "sequences": scope(Sequence.objects.select_related("region"), request.user),
            "regions": regions_for(request.user, "district", "street"),
        },
    )


# Quarter assessments ---------------------------------------------------------------------------------------------


@console_required
@require_http_methods(["GET", "POST"])
def quarters(request):
    if request.method == "POST":
        with attempting(request):
            assessment = forms.QuarterForm(request.POST, user=request.user).save()
            return redirect("commitments:quarter", assessment.pk)
    today = timezone.localdate()
    context = {
        "assessments": scope(Assessment.objects.select_related("region"), request.user)[:40],
        "regions": regions_for(request.user, "district", "street"),
        "year": today.year,
        "quarter": periods.quarter_of(today)[1],
        "weights": [(k, label, scoring.DEFAULT_WEIGHTS[k]) for k, label in scoring.WEIGHT_LABELS.items()],
        "formula": scoring.formula_text(scoring.DEFAULT_WEIGHTS),
        "fulfilment_rule": scoring.FULFILMENT_RULE,
    }
    return render(request, "commitments/quarters.html", context)


@console_required
@require_http_methods(["GET", "POST"])
def quarter(request, pk):
    assessment = get_for_user(request.user, Assessment.objects.select_related("region"), pk=pk)
    if request.method == "POST":
        with attempting(request, PermissionDenied):
            step = request.POST.get("step")
            if step in forms.QUARTER_STEPS:
                forms.QUARTER_STEPS[step](request.POST, user=request.user, assessment=assessment).save()
                messages.success(request, STEP_DONE[step])
            else:
                forms.AwardForm(request.POST, user=request.user, assessment=assessment).save()
        return redirect("commitments:quarter", assessment.pk)
    if request.GET.get("format") == "xlsx":
        return attachment(exports.quarter_workbook(assessment), f"{assessment.region.name}{assessment}承诺考评.xlsx")
    if request.GET.get("format") == "docx":
        return attachment(exports.quarter_document(assessment), f"{assessment.region.name}{assessment}承诺考评.docx")
    context = {
        "assessment": assessment,
        "scores": assessment.scores.select_related("sequence"),
        "awards": Score.Award.choices,
        "formula": scoring.formula_text(assessment.weights),
        "fulfilment_rule": scoring.FULFILMENT_RULE,
        "labels": scoring.COLUMN_LABELS,
        "definitions": scoring.DEFINITIONS,
        "proposed": assessment.status == Assessment.Status.PROPOSED,
        "ended": scoring.quarter_ended(assessment),
        "may_confirm": actions.may_confirm_awards(request.user),
        "versions": assessment.versions.select_related("confirmed_by", "reopened_by"),
    }
    return render(request, "commitments/quarter.html", context)


# 双诺双述双评 ---------------------------------------------------------------------------------------------------------


@console_required
@require_http_methods(["GET", "POST"])
def pledges(request):
    if request.method == "POST":
        with attempting(request):
            if request.POST.get("step") == "evaluate":
                of_unit, _of_community = forms.PledgeEvaluationForm(request.POST, user=request.user).save()
                messages.success(request, _("The two campaigns of the mutual evaluation are ready."))
                return redirect("evaluations:campaign-detail", of_unit.pk)
            forms.PledgeForm(request.POST, request.FILES, user=request.user).save()
            messages.success(request, _("Signed. Both sides now fill in their commitment forms."))
            return redirect("commitments:pledges")
    rows = list(
        scope(Pledge.objects.select_related("community", "unit", "community_form", "unit_form", "of_unit", "of_community"), request.user)[
            :100
        ]
    )
    for pledge in rows:
        pledge.of_unit_figure = _headline(pledge.of_unit, "unit", pledge.unit_id)
        pledge.of_community_figure = _headline(pledge.of_community, "region", pledge.community_id)
    context = {
        "pledges": rows,
        "communities": regions_for(request.user, "community"),
        "units": scope(Unit.objects.filter(kind=Unit.Kind.RESIDENT_UNIT), request.user)[:500],
        "today": timezone.localdate(),
    }
    return render(request, "commitments/pledges.html", context)


def _headline(campaign, kind: str, ref: int):
    """The 满意度 a side of a pledge received, once its campaign has closed (None before, or when not shown)."""
    if campaign is None or not lifecycle.allows(campaign, "read_results"):
        return None
    subject = campaign.subjects.filter(kind=kind, ref=ref).first()
    return subject_figures(campaign, [subject], questions=headline_questions(campaign))[0].headline if subject else None


# Duty reports and questions ----------------------------------------------------------------------------------------


def _subject_for(user, pk) -> Subject:
    subject = get_object_or_404(Subject.objects.select_related("campaign__region", "region"), pk=pk)
    if not actions.may_report(user, subject):
        raise Http404
    return subject


@login_required
def duty_list(request):
    """The campaigns' subjects the user reports for (their own) or organises (console), with report and questions."""
    user = request.user
    subjects = Subject.objects.filter(campaign__status__in=[Campaign.Status.DRAFT, Campaign.Status.OPEN])
    if user.can_use_console:
        subjects = subjects.filter(campaign__in=scope(Campaign.objects.all(), user))
    else:
        own = Q(kind="cadre", ref=user.cadre_id) if user.cadre_id else Q(kind="unit", ref=user.unit_id) if user.unit_id else None
        if own is None:
            raise PermissionDenied
        subjects = subjects.filter(own)
    subjects = (
        subjects.exclude(kind="commitment")
        .select_related("campaign", "duty_report")
        .annotate(waiting=Count("questions", filter=Q(questions__answer="")))
        .order_by("-campaign_id", "position")[:200]
    )
    return render(request, "commitments/duty_list.html", {"subjects": subjects})


@login_required
@require_http_methods(["GET", "POST"])
def duty_subject(request, pk):
    subject = _subject_for(request.user, pk)
    if request.method == "POST":
        with attempting(request):
            step = forms.DUTY_STEPS.get(request.POST.get("step"), forms.DutyReportForm)
            step(request.POST, request.FILES, user=request.user, subject=subject).save()
            messages.success(request, _("Saved."))
            return redirect("commitments:duty-subject", subject.pk)
    report = DutyReport.objects.filter(subject=subject).select_related("evidence").first()
    return render(
        request,
        "commitments/duty_subject.html",
        {"subject": subject, "report": report, "questions": subject.questions.all(), "console": request.user.can_use_console},
    )
