"""Results pages: the organiser's results, the on-the-spot announcement, the public notice (公示) and its
objections, and the report downloads. All of them read counts through present.py; none reads a ballot."""

from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from minping.accounts.models import User
from minping.accounts.scoping import console_required
from minping.audit import anchors
from minping.evaluations import lifecycle
from minping.evaluations.access import campaign_for_manager
from minping.evaluations.models import Campaign, Subject
from minping.lib import charts, throttle
from minping.lib.downloads import attachment
from minping.lib.feedback import attempt, form_refused
from minping.lib.formdata import posted_id
from minping.results import actions, flags, present, reports
from minping.results import figures as fig
from minping.results.figures import (
    DEFINITIONS,
    METRICS,
    SCORE_LABEL,
    SCORED_TYPES,
    policy_for,
    rank_in_category,
    subject_figures,
)
from minping.results.models import Notice, Objection
from minping.results.rules import OP_LABELS

PUBLIC = lifecycle.STEPS["show_public"].states


def closed_campaign(user, pk) -> Campaign:
    campaign = campaign_for_manager(user, pk)
    if not lifecycle.allows(campaign, "read_results"):
        raise ResultsNotReady
    return campaign


class ResultsNotReady(Exception):
    """A results page asked for before voting closed."""


def _guarded(view):
    """Before close there are no results to show: back to the campaign with a message saying so."""

    @wraps(view)
    def wrapped(request, pk, *args, **kwargs):
        try:
            return view(request, pk, *args, **kwargs)
        except ResultsNotReady:
            messages.error(request, _("Results are shown only after voting has closed."))
            return redirect("evaluations:campaign-detail", pk=pk)

    return wrapped


class RuleForm(forms.Form):
    """One follow-up rule as an organiser states it: a threshold on a question's figure (rates in per cent), or
    the bottom places of each peer category. The rules already in force are kept unless ticked for removal."""

    question = forms.ChoiceField(label=gettext_lazy("Question"), required=False)
    metric = forms.ChoiceField(label=gettext_lazy("Figure"), required=False)
    op = forms.ChoiceField(label=gettext_lazy("Comparison"), choices=[(k, v) for k, v in OP_LABELS.items()], required=False)
    value = forms.FloatField(label=gettext_lazy("Threshold (per cent for rates, points for 满意度)"), required=False)
    bottom = forms.IntegerField(label=gettext_lazy("Or: the last places of each category"), min_value=1, max_value=100, required=False)
    notice_days = forms.IntegerField(label=gettext_lazy("Public notice period (days)"), min_value=1, max_value=60)

    def __init__(self, campaign, *args, **kwargs):
        super().__init__(*args, **kwargs)
        questions = [q for q in campaign.definition["subject_questions"] if q["type"] in SCORED_TYPES]
        self.fields["question"].choices = [(q["key"], q["label"]) for q in questions]
        self.fields["metric"].choices = [("score", SCORE_LABEL)] + [(m, label) for m, (label, _t, _o) in METRICS.items()]

    def rules(self, current: list[dict], removed: list[str]) -> list[dict]:
        rules = [rule for index, rule in enumerate(current) if str(index) not in removed]
        data = self.cleaned_data
        if data.get("value") is not None and data.get("question") and data.get("metric"):
            value = data["value"] if data["metric"] == "score" else round(data["value"] / 100, 6)
            rules.append({"question": data["question"], "metric": data["metric"], "op": data["op"], "value": value})
        if data.get("bottom"):
            rules.append({"bottom": data["bottom"]})
        return rules


def with_charts(campaign: Campaign, view: dict) -> dict:
    options = {q["key"]: q.get("options", []) for q in campaign.definition["subject_questions"]}
    for question in view["questions"]:
        if question["cells"] and options[question["key"]]:
            question["chart"] = charts.distribution(question["cells"], options[question["key"]], question["label"])
    view["gauge"] = charts.gauge(view["headline"], present.headline_label(campaign))
    return view


@console_required
@_guarded
def overview(request, pk):
    campaign = closed_campaign(request.user, pk)
    view = present.campaign_view(campaign)
    policy = policy_for(campaign)
    notice = Notice.objects.filter(campaign=campaign).first()
    context = {
        "campaign": campaign,
        "view": view,
        "policy": policy,
        "notice": notice,
        "chart": charts.ranking(view["ranking"], campaign.name),
        "flags": [(f, flags.sentence(f, campaign.definition)) for f in campaign.review_flags.select_related("subject")],
        "objections": notice.objections.select_related("subject") if notice else [],
        "rule_form": RuleForm(campaign, initial={"notice_days": policy.notice_days, "op": "<"}),
        "definitions": DEFINITIONS,
        "texts": present.texts_view(campaign),
    }
    return render(request, "results/overview.html", context)


@console_required
@_guarded
def subject_detail(request, pk, subject_pk):
    campaign = closed_campaign(request.user, pk)
    subject = get_object_or_404(campaign.subjects, pk=subject_pk)
    points = present.trend_points(request.user, subject)
    return _subject_page(request, campaign, subject, trend=charts.trend(points, subject.label) if len(points) > 1 else None)


def _subject_page(request, campaign: Campaign, subject: Subject, **extra):
    """One subject's results: figures, charts, rank in its category, suggestions, definitions."""
    figures = subject_figures(campaign, [subject])[0]
    rank_in_category(campaign, figures)
    context = {
        "campaign": campaign,
        "view": with_charts(campaign, present.subject_view(campaign, figures)),
        "policy": policy_for(campaign),
        "texts": present.texts_view(campaign, subject),
        "definitions": DEFINITIONS,
        **extra,
    }
    return render(request, "results/subject.html", context)


PROJECTOR_ROWS = 10  # subjects per screen, legible from the back of a room
PROJECTOR_SECONDS = 15  # how long each screen stays before the next


PROJECTOR_COLUMNS = 6  # rates beside the headline: what a hall reads from its back row at 1920 × 1080


def projector_columns(campaign) -> list[tuple[str, str, str]]:
    """(question, metric, heading) of the rates the projector shows beside the headline: every rate of the
    headline question when there is one, else the first rate of each scored question (at most PROJECTOR_COLUMNS),
    headed by the question's short name (what comes before its explanation in brackets)."""
    questions = {q["key"]: q for q in campaign.definition["subject_questions"]}
    keys = fig.headline_questions(campaign)
    if len(keys) == 1:
        return [(keys[0], metric, fig.METRICS[metric][0]) for metric in fig.metrics_for(questions[keys[0]])][:PROJECTOR_COLUMNS]
    columns = []
    for key in keys[:PROJECTOR_COLUMNS]:
        metrics = fig.metrics_for(questions[key])
        if metrics:
            short = questions[key]["label"].split("（")[0].split("(")[0]
            columns.append((key, metrics[0], f"{short}{fig.METRICS[metrics[0]][0]}"))
    return columns


@console_required
@_guarded
def projector(request, pk):
    """当场公布 right after close: the ranking as a table in large type, every subject with its headline and the
    headline question's rates, ten to a screen; the screens follow one another by themselves."""
    campaign = closed_campaign(request.user, pk)
    view = present.campaign_view(campaign)
    rows = view["ranking"]
    pages = max(1, -(-len(rows) // PROJECTOR_ROWS))
    number = min(max(posted_id(request.GET.get("page")) or 1, 1), pages)
    shown = rows[(number - 1) * PROJECTOR_ROWS : number * PROJECTOR_ROWS]
    for position, row in enumerate(shown):
        row["new_category"] = position == 0 or row["category"] != shown[position - 1]["category"]
    columns = projector_columns(campaign)
    for row in shown:
        row["rates"] = [row["figures"].get(key, {}).get(metric) for key, metric, _label in columns]
    context = {
        "campaign": campaign,
        "rows": shown,
        "view": view,
        "headline": present.headline_label(campaign),
        "columns": [label for _k, _m, label in columns],
        "page": number,
        "pages": pages,
        "next_page": number % pages + 1,
        "seconds": PROJECTOR_SECONDS,
    }
    return render(request, "results/projector.html", context)


@console_required
@require_POST
@_guarded
def policy(request, pk):
    campaign = closed_campaign(request.user, pk)
    form = RuleForm(campaign, request.POST)
    if not form.is_valid():
        form_refused(request, form)
    else:
        rules = form.rules(policy_for(campaign).rules, request.POST.getlist("remove"))
        attempt(request, actions.set_policy, done=_("Saved."), campaign=campaign, rules=rules, notice_days=form.cleaned_data["notice_days"])
    return redirect("results:overview", pk=campaign.pk)


@console_required
@require_POST
def denominator(request, pk):
    campaign = campaign_for_manager(request.user, pk)
    attempt(request, actions.set_policy, done=_("Saved."), campaign=campaign, denominator=request.POST.get("denominator", ""))
    return redirect("evaluations:campaign-detail", pk=campaign.pk)


TRANSITIONS = {
    "close": (actions.close_campaign, gettext_lazy("Voting is closed and the ballots are counted: the results are below, not yet public.")),
    "publish": (
        actions.publish,
        gettext_lazy("The results are published on the public notice page; objections are open until the date shown."),
    ),
    "archive": (actions.archive, gettext_lazy("The campaign is archived; its results stay public.")),
}


@console_required
@require_POST
def transition(request, pk, action):
    campaign = campaign_for_manager(request.user, pk)
    step, done = TRANSITIONS.get(action, (None, ""))
    if step is None:
        raise Http404
    attempt(request, step, done=str(done), campaign=campaign)
    campaign.refresh_from_db(fields=["status"])
    if lifecycle.allows(campaign, "read_results"):
        return redirect("results:overview", pk=campaign.pk)
    return redirect("evaluations:campaign-detail", pk=pk)


@console_required
@require_POST
def answer(request, pk, objection_pk):
    campaign = closed_campaign(request.user, pk)
    objection = get_object_or_404(Objection, pk=objection_pk, notice__campaign=campaign)
    attempt(request, actions.answer_objection, done=_("Answer saved."), objection=objection, answer=request.POST.get("answer", ""))
    return redirect("results:overview", pk=campaign.pk)


@console_required
@_guarded
def report(request, pk, kind):
    campaign = closed_campaign(request.user, pk)
    if kind not in reports.MAKERS:
        raise Http404
    content_type, body = reports.make(kind, campaign)
    return attachment(body, f"{campaign.name}测评结果-{campaign.pk}.{kind}", content_type)


# The public notice (公示): no login.


def notice_list(request):
    notices = (
        Notice.objects.filter(campaign__status__in=PUBLIC, objections_until__gt=timezone.now())
        .select_related("campaign__region")
        .order_by("-published_at")[:100]
    )
    return render(request, "results/notice_list.html", {"notices": notices})


OBJECTION_LIMIT = 5  # objections to one notice per client address per window; others are not held back
OBJECTION_WINDOW = 3600


@require_http_methods(["GET", "POST"])
def notice(request, pk):
    notice = get_object_or_404(
        Notice.objects.select_related("campaign__region", "campaign__instrument_version"), campaign_id=pk, campaign__status__in=PUBLIC
    )
    campaign = notice.campaign
    errors, sent, status = [], False, 200
    client = request.META.get("REMOTE_ADDR", "")
    if request.method == "POST" and throttle.count(f"objection:{campaign.pk}:{client}", OBJECTION_WINDOW) > OBJECTION_LIMIT:
        errors, status = ["提交过于频繁，请一小时后再试"], 429
    elif request.method == "POST":
        subject_id = posted_id(request.POST.get("subject"))
        subject = campaign.subjects.filter(pk=subject_id).first() if subject_id else None
        try:
            actions.object_to(notice=notice, text=request.POST.get("text", ""), contact=request.POST.get("contact", ""), subject=subject)
            sent = True
        except ValidationError as exc:
            errors, status = exc.messages, 400
    view = present.campaign_view(campaign)
    context = {
        "audit_anchor": anchors.current(),
        "campaign": campaign,
        "notice": notice,
        "view": view,
        "errors": errors,
        "sent": sent,
        "open": timezone.now() < notice.objections_until,
        "chart": charts.ranking(view["ranking"], campaign.name),
        "subjects": campaign.subjects.all(),
        "answered": notice.objections.exclude(answer="").select_related("subject"),
        "definitions": DEFINITIONS,
    }
    return render(request, "results/notice.html", context, status=status)


# A cadre's own evaluations (self-service): campaigns that evaluate them, and their published results.


def _own_subjects(user):
    if not (user.is_authenticated and user.role == User.Role.CADRE and user.cadre_id):
        raise PermissionDenied
    return Subject.objects.filter(kind="cadre", ref=user.cadre_id).select_related("campaign__region").order_by("-campaign_id")


@login_required
def mine(request):
    subjects = list(_own_subjects(request.user))
    return render(request, "results/mine.html", {"subjects": subjects})


@login_required
def mine_subject(request, subject_pk):
    subject = get_object_or_404(_own_subjects(request.user).filter(campaign__status__in=PUBLIC), pk=subject_pk)
    campaign = Campaign.objects.select_related("instrument_version", "region").get(pk=subject.campaign_id)
    return _subject_page(request, campaign, subject, own=True)
