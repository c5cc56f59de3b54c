"""The public board (公开栏): anyone, on a phone, sees a region's published commitments of a month and their
progress, each item's history (revisions and updates with their evidence), and can print the A3 poster; the
duty reports and answered questions of a campaign, with a form for residents' questions."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from minping.commitments import actions, exports, periods
from minping.commitments.models import CommitmentForm, DutyReport, Item, Question, duty_page_shown
from minping.evaluations.models import Campaign
from minping.lib import throttle
from minping.lib.downloads import attachment
from minping.lib.formdata import posted_id
from minping.org.models import Region

FORMS_PER_PAGE = 30
QUESTION_LIMIT = 5  # questions per campaign per client address per window; other clients are not held back
QUESTION_WINDOW = 3600
ASKABLE = [Campaign.Status.DRAFT, Campaign.Status.OPEN]


def _month(value):
    try:
        return periods.parse_month(value)
    except ValidationError:
        raise Http404 from None


def index(request):
    regions = Region.objects.filter(level__in=["district", "street"]).order_by("path")[:500]
    return render(
        request, "commitments/board_index.html", {"regions": regions, "month": periods.month_of(timezone.localdate()).strftime("%Y-%m")}
    )


def _published(region, month):
    return (
        CommitmentForm.objects.published()
        .within(region)
        .filter(month=month)
        .select_related("cadre", "unit", "collective", "sequence", "region")
        .order_by("region__path", "pk")
    )


def board(request, region_pk, month):
    region = get_object_or_404(Region, pk=region_pk)
    month = _month(month)
    page = Paginator(_published(region, month), FORMS_PER_PAGE).get_page(request.GET.get("page"))
    forms = list(page.object_list)
    items = Item.objects.filter(form__in=forms).order_by("form_id", "position", "pk")
    by_form = {}
    for item in items:
        by_form.setdefault(item.form_id, []).append(item)
    rows = [(form, by_form.get(form.pk, [])) for form in forms]
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    context = {
        "region": region,
        "month": month,
        "month_label": periods.label(month),
        "page": page,
        "rows": rows,
        "month_value": month.strftime("%Y-%m"),
        "previous": previous.strftime("%Y-%m"),
        "next": periods.next_month(month).strftime("%Y-%m"),
    }
    return render(request, "commitments/board.html", context)


def poster(request, region_pk, month):
    region = get_object_or_404(Region, pk=region_pk)
    month = _month(month)
    forms = list(_published(region, month).prefetch_related("items")[:400])
    board_url = request.build_absolute_uri(reverse("board:board", args=[region.pk, month.strftime("%Y-%m")]))
    return attachment(exports.poster(region, month, forms, board_url), f"{region.name}{periods.label(month)}公开承诺栏.pdf")


def item(request, pk):
    item = get_object_or_404(
        Item.objects.published().select_related("form__region", "form__cadre", "form__unit", "form__collective"), pk=pk
    )
    updates = item.updates.prefetch_related(Prefetch("evidence")).order_by("added_at", "pk")
    return render(
        request,
        "commitments/board_item.html",
        {
            "item": item,
            "form": item.form,
            "revisions": item.revisions.all(),
            "updates": updates,
            "reviews": item.reviews.all(),
            "month_label": periods.label(item.form.month),
        },
    )


@require_http_methods(["GET", "POST"])
def duty(request, campaign_pk):
    """A campaign's duty reports and answered questions; residents ask their questions here before the meeting."""
    campaign = get_object_or_404(Campaign.objects.select_related("region"), pk=campaign_pk)
    subjects = list(campaign.subjects.exclude(kind="commitment"))
    if not duty_page_shown(campaign):
        raise Http404  # a campaign in preparation is public once a duty report is written
    errors, status = [], 200
    if request.method == "POST":
        client = request.META.get("REMOTE_ADDR", "")
        subject = next((s for s in subjects if s.pk == posted_id(request.POST.get("subject"))), None)
        if throttle.count(f"question:{campaign.pk}:{client}", QUESTION_WINDOW) > QUESTION_LIMIT:
            errors, status = ["提问过于频繁，请一小时后再试"], 429
        elif subject is None:
            errors, status = ["请选择向谁提问"], 400
        else:
            try:
                actions.ask_question(subject=subject, text=request.POST.get("text", ""), asker=request.POST.get("asker", ""))
                return redirect(f"{request.path}?asked=1")
            except ValidationError as exc:
                errors, status = exc.messages, 400
    reports = {r.subject_id: r for r in DutyReport.objects.filter(campaign=campaign).select_related("evidence")}
    answered = Question.objects.filter(campaign=campaign).exclude(answer="")
    by_subject = {}
    for question in answered:
        by_subject.setdefault(question.subject_id, []).append(question)
    rows = [(s, reports.get(s.pk), by_subject.get(s.pk, [])) for s in subjects]
    context = {
        "campaign": campaign,
        "rows": rows,
        "subjects": subjects,
        "errors": errors,
        "asked": request.GET.get("asked"),
        "open": campaign.status in ASKABLE,
    }
    return render(request, "commitments/duty_public.html", context, status=status)
