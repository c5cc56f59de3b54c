"""The assessment's pages: the schemes of the user's region (and a new one from a template), a scheme with its
editor, inputs, runs, appeals and follow-ups; a run's cohort page (the proposal, calibration, publication and
the Excel and Word files); a result's explanation; a rater's sheets; a cadre's own results and appeals; and a
cadre's record (实绩档案) over the years, with its Word and PDF files."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import F, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from minping.accounts.models import User
from minping.accounts.scoping import accounts_in_scope, console_required, get_for_user, scope
from minping.assessment import actions, engine, exports, forms, record, schemes, sources
from minping.assessment.models import Adjustment, Appeal, FollowUp, Measure, Rating, Result, Run, Scheme
from minping.evaluations import lifecycle
from minping.evaluations.models import Campaign
from minping.lib.downloads import attachment
from minping.lib.feedback import attempting
from minping.lib.formdata import posted_id
from minping.org.models import Cadre, Region


def _regions(user):
    regions = Region.objects.filter(level__in=["city", "district", "street"]).order_by("path")
    return regions if user.is_system_admin else regions.within(user.region) if user.region_id else regions.none()


@console_required
@require_http_methods(["GET", "POST"])
def index(request):
    status = 200
    if request.method == "POST":
        with attempting(request, PermissionDenied) as outcome:
            region = get_for_user(request.user, Region.objects, pk=posted_id(request.POST.get("region", "")) or 0)
            scheme = forms.NewSchemeForm(request.POST, user=request.user, region=region).save()
            messages.success(request, _("The scheme was made from its template: set its campaigns and weights, then run it."))
            return redirect("assessment:scheme", scheme.pk)
        status = outcome.status
    context = {
        "schemes": scope(Scheme.objects.select_related("region", "published_run"), request.user)[:500],
        "templates": [(key, t["name"], t["text"]) for key, t in schemes.TEMPLATES.items()],
        "regions": _regions(request.user)[:500],
        "year": timezone.localdate().year,
    }
    return render(request, "assessment/index.html", context, status=status)


def _people(user):
    """The active accounts of the user's region (every account for a system administrator)."""
    return accounts_in_scope(User.objects.filter(is_active=True).order_by("role", "username"), user)


def _scheme(request, pk) -> Scheme:
    return get_for_user(request.user, Scheme.objects.select_related("region"), pk=pk)


@console_required
@require_http_methods(["GET", "POST"])
def scheme_page(request, pk):
    scheme = _scheme(request, pk)
    status = 200
    if request.method == "POST":
        step = request.POST.get("step")
        with attempting(request, PermissionDenied) as outcome:
            if step == "edit":
                definition = forms.definition_from_post(scheme.definition, request.POST)
                actions.save_definition(
                    actor=request.user, scheme=scheme, definition=definition, appeal_days=request.POST.get("appeal_days")
                )
                messages.success(request, _("The scheme was saved."))
            elif step == "raters":
                chosen = _people(request.user).filter(pk__in=[i for i in map(posted_id, request.POST.getlist("raters")) if i])
                actions.set_raters(actor=request.user, scheme=scheme, raters=chosen)
                messages.success(request, _("The raters were saved."))
            elif step == "run":
                run = forms.RunForm(request.POST, user=request.user, scheme=scheme).save()
                messages.success(request, _("Computed: run %(n)s.") % {"n": run.number})
                return redirect("assessment:run", run.pk)
            else:
                raise Http404
            return redirect("assessment:scheme", scheme.pk)
        status = outcome.status
        scheme.refresh_from_db()
    return render(request, "assessment/scheme.html", _scheme_context(request.user, scheme), status=status)


def _scheme_context(user, scheme: Scheme) -> dict:
    campaigns = (
        Campaign.objects.filter(status__in=lifecycle.STEPS["show_public"].states)
        .filter(Q(region__path__startswith=scheme.region.path) | Q(region__in=scheme.region.ancestors()))
        .order_by("-pk")
    )
    context = {
        "scheme": scheme,
        "definition": scheme.definition,
        "kinds": schemes.KINDS,
        "figures": schemes.FIGURES,
        "conversions": schemes.CONVERSIONS,
        "rates": schemes.DISPATCH_RATES,
        "fieldwork_figures": schemes.FIELDWORK_FIGURES,
        "missing_rules": schemes.MISSING,
        "post_rules": schemes.POST_RULES,
        "campaigns": campaigns[:200],
        "incompetent": next((v["share"] for v in scheme.definition.get("vetoes") or [] if v["kind"] == "incompetent"), ""),
        "grade_rows": [*scheme.definition["grades"], {"label": "", "min": ""}],
        "runs": scheme.runs.select_related("ran_by").order_by("-number")[:50],
        "raters": scheme.raters.all(),
        "candidates": _people(user).filter(role__in=["organiser", "office", "cadre"]).select_related("cadre")[:300],
        "appeals": Appeal.objects.filter(result__run__scheme=scheme).select_related("result", "filed_by__cadre", "rerun"),
        "follow_ups": FollowUp.objects.filter(result__run__scheme=scheme).select_related("result"),
        "may_edit": scheme.status != Scheme.Status.PUBLISHED,
        "components": [
            {**c, "kind_label": schemes.KINDS[c["kind"]], "table_text": "\n".join(f"{a:g} {p:g}" for a, p in c.get("table", []))}
            for c in scheme.definition["components"]
        ],
    }
    return context


def _columns(run: Run) -> list[dict]:
    return run.definition["components"]


@console_required
@require_http_methods(["GET", "POST"])
def run_page(request, pk):
    run = get_for_user(request.user, Run.objects.select_related("scheme__region", "ran_by"), pk=pk)
    scheme = run.scheme
    status = 200
    if request.method == "POST":
        with attempting(request, PermissionDenied) as outcome:
            if request.POST.get("step") != "publish":
                raise Http404
            actions.publish(actor=request.user, scheme=scheme)
            messages.success(request, _("The results were published; the appeal window is open."))
            return redirect("assessment:run", run.pk)
        status = outcome.status
    fmt = request.GET.get("format")
    if fmt == "xlsx":
        return attachment(exports.cohort_workbook(run), f"{scheme.year}年{scheme.name}考核结果.xlsx")
    if fmt == "docx":
        return attachment(exports.cohort_notice(run), f"{scheme.year}年{scheme.name}考核结果通报.docx")
    results = list(run.results.all())
    latest = actions.latest_run(scheme)
    context = {
        "run": run,
        "scheme": scheme,
        "columns": _columns(run),
        "rows": [(r, [next(p for p in r.parts if p["key"] == c["key"]) for c in _columns(run)]) for r in results],
        "counts": exports.grade_counts(run, results),
        "rolls": exports.rolls(run, results),
        "latest": latest.pk == run.pk,
        "published": scheme.published_run_id == run.pk,
        "reproduces": engine.recompute(run.definition, run.inputs)
        == [(r.ref, r.score, r.proposed, r.rank) for r in sorted(results, key=_input_order(run))],
        "explain": exports.method_lines(run.definition),
    }
    return render(request, "assessment/run.html", context, status=status)


def _input_order(run: Run):
    order = {m["ref"]: i for i, m in enumerate(run.inputs["members"])}
    return lambda r: order.get(r.ref, 0)


@console_required
@require_http_methods(["GET", "POST"])
def result_page(request, pk):
    result = get_for_user(request.user, Result.objects.select_related("run__scheme__region", "overridden_by"), pk=pk)
    status = 200
    if request.method == "POST":
        with attempting(request, PermissionDenied) as outcome:
            forms.OverrideForm(request.POST, user=request.user, result=result).save()
            messages.success(request, _("The grade was set, with its reason on record."))
            return redirect("assessment:result", result.pk)
        status = outcome.status
    scheme = result.run.scheme
    member = next((m for m in result.run.inputs["members"] if m["ref"] == result.ref), {"adjustments": []})
    context = {
        "result": result,
        "run": result.run,
        "scheme": scheme,
        "adjustments": member["adjustments"],
        "grades": [g["label"] for g in result.run.definition["grades"]],
        "may_override": actions.latest_run(scheme).pk == result.run_id and scheme.published_run_id != result.run_id,
        "appeals": Appeal.objects.filter(result__run__scheme=scheme, result__ref=result.ref).select_related("result__run", "rerun"),
        "earlier": Result.objects.filter(run__scheme=scheme, ref=result.ref)
        .exclude(pk=result.pk)
        .select_related("run")
        .order_by("-run__number"),
        "weight_sum": sum(p["weight"] for p in result.parts if p["points"] is not None and p["weight"] > 0),
    }
    return render(request, "assessment/result.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def ratings(request, pk):
    """A rater's sheets: the scheme's members with a field per criterion (and the organiser's view of who rated)."""
    scheme = get_object_or_404(Scheme.objects.select_related("region"), pk=pk)
    is_rater = scheme.raters.filter(pk=request.user.pk).exists()
    if not is_rater:
        scheme = _scheme(request, pk) if request.user.can_use_console else None
        if scheme is None:
            raise PermissionDenied
    status = 200
    if request.method == "POST":
        with attempting(request, PermissionDenied) as outcome:
            forms.RateForm(request.POST, user=request.user, scheme=scheme).save()
            messages.success(request, _("The sheet was saved."))
            return redirect("assessment:ratings", scheme.pk)
        status = outcome.status
    component = next((c for c in scheme.definition["components"] if c["kind"] == "superior"), None)
    mine = {r.ref: r.scores for r in Rating.objects.filter(scheme=scheme, rater=request.user)}
    counts = {}
    for rating in Rating.objects.filter(scheme=scheme).values_list("ref", flat=True):
        counts[rating] = counts.get(rating, 0) + 1
    context = {
        "scheme": scheme,
        "component": component,
        "is_rater": is_rater,
        "members": [(m, mine.get(m["ref"], {}), counts.get(m["ref"], 0)) for m in sources.members(scheme)] if component else [],
        "raters": scheme.raters.count(),
    }
    return render(request, "assessment/ratings.html", context, status=status)


@console_required
@require_http_methods(["GET", "POST"])
def inputs(request, pk):
    """Bonus and penalty items with their evidence, and the custom indicators' actuals."""
    scheme = _scheme(request, pk)
    status = 200
    if request.method == "POST":
        with attempting(request, PermissionDenied) as outcome:
            if request.POST.get("step") == "measure":
                forms.MeasureForm(request.POST, user=request.user, scheme=scheme).save()
            else:
                forms.AdjustmentForm(request.POST, request.FILES, user=request.user, scheme=scheme).save()
            messages.success(request, _("Saved."))
            return redirect("assessment:inputs", scheme.pk)
        status = outcome.status
    cohort = sources.members(scheme)
    labels = {m["ref"]: m["label"] for m in cohort}
    kpis = [c for c in scheme.definition["components"] if c["kind"] == "kpi"]
    context = {
        "scheme": scheme,
        "members": cohort,
        "adjustments": [
            (a, labels.get(a.ref, a.ref)) for a in Adjustment.objects.filter(scheme=scheme).select_related("created_by__cadre", "file")
        ],
        "kpis": kpis,
        "measures": [(m, labels.get(m.ref, m.ref)) for m in Measure.objects.filter(scheme=scheme).order_by("component", "ref")],
    }
    return render(request, "assessment/inputs.html", context, status=status)


@console_required
@require_http_methods(["POST"])
def decide(request, pk):
    appeal = get_for_user(request.user, Appeal.objects.select_related("result__run__scheme"), pk=pk)
    with attempting(request, PermissionDenied):
        forms.DecideForm(request.POST, user=request.user, appeal=appeal).save()
        messages.success(request, _("The appeal was decided."))
    return redirect(f"{reverse('assessment:scheme', args=[appeal.result.run.scheme_id])}#appeals")


@console_required
@require_http_methods(["POST"])
def follow_up(request, pk):
    item = get_for_user(request.user, FollowUp.objects.select_related("result__run__scheme"), pk=pk)
    with attempting(request, PermissionDenied):
        forms.FollowUpForm(request.POST, user=request.user, follow_up=item).save()
        messages.success(request, _("The follow-up was recorded."))
    return redirect(f"{reverse('assessment:scheme', args=[item.result.run.scheme_id])}#follow-ups")


@login_required
@require_http_methods(["GET", "POST"])
def mine(request):
    """A cadre's published results, with the appeal form while the window is open."""
    user = request.user
    if user.cadre_id is None:
        raise Http404
    status = 200
    if request.method == "POST":
        result = get_object_or_404(Result, pk=posted_id(request.POST.get("result", "")) or 0, cadre_id=user.cadre_id)
        with attempting(request, PermissionDenied) as outcome:
            forms.AppealForm(request.POST, user=user, result=result).save()
            messages.success(request, _("Your appeal was filed; the organisation department reviews it."))
            return redirect("assessment:mine")
        status = outcome.status
    published = Result.objects.filter(cadre_id=user.cadre_id, run__scheme__published_run_id=F("run_id")).select_related("run__scheme")
    now = timezone.now()
    rows = [
        (
            r,
            r.run.scheme.appeal_ends and now <= r.run.scheme.appeal_ends,
            Appeal.objects.filter(result__run__scheme=r.run.scheme, result__ref=r.ref),
        )
        for r in published
    ]
    return render(request, "assessment/mine.html", {"rows": rows, "cadre": user.cadre}, status=status)


@login_required
def cadre_record(request, pk):
    """A cadre's record (实绩档案), for the organisation department and the cadre."""
    user = request.user
    if user.cadre_id == pk:
        cadre = get_object_or_404(Cadre, pk=pk)
    elif user.can_use_console:
        cadre = get_for_user(user, Cadre.objects, pk=pk)
    else:
        raise Http404
    years = record.cadre_record(cadre)
    fmt = request.GET.get("format")
    if fmt == "docx":
        return attachment(exports.record_docx(cadre, years), f"{cadre.name}实绩档案.docx")
    if fmt == "pdf":
        return attachment(exports.record_pdf(cadre, years), f"{cadre.name}实绩档案.pdf")
    return render(request, "assessment/record.html", {"cadre": cadre, "years": years, "chart": record.chart(cadre, years)})
