"""The voter's pages: enter or scan a code, fill in, review, submit, keep the receipt; the public ballot box.

Every page here is sent with Referrer-Policy: no-referrer and Cache-Control: no-store. Codes travel only in
POST bodies or in the URL fragment of the QR code (never sent to the server), so they cannot reach access logs.
No session is created and nothing about the voter is stored.
"""

import secrets
from functools import wraps

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods

from minping.evaluations import actions, lifecycle
from minping.evaluations.actions import CastError, campaign_for_code
from minping.evaluations.codes import normalise_tracker
from minping.evaluations.forms import errors_by_field, hidden_fields, payload_from_post
from minping.evaluations.instruments import AnswerError, clean_answers
from minping.evaluations.models import Ballot, Campaign
from minping.lib import throttle

GUESS_LIMIT = 60  # failed look-ups of well-formed codes per client per window (the client as lib/clientaddr.py finds it)
GUESS_WINDOW = 600


def voter_page(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "no-referrer"
        response["Cache-Control"] = "no-store"
        response["X-Robots-Tag"] = "noindex"
        return response

    return wrapper


def _guess_key(request) -> str:
    return f"code-guess:{request.META.get('REMOTE_ADDR', '')}"


def is_guessing(request) -> bool:
    return throttle.counted(_guess_key(request)) >= GUESS_LIMIT


def count_guess(request) -> None:
    """Count a well-formed code that does not exist. Typos fail the check character first and are not counted,
    so a meeting room behind one address is not locked out by its own mistakes."""
    throttle.count(_guess_key(request), GUESS_WINDOW)


def _start(request, error: str = "", status: int = 200):
    return render(request, "evaluations/vote_start.html", {"error": error}, status=status)


def _ballot_context(campaign: Campaign, code: str, data=None) -> dict:
    subjects = actions.campaign_subjects(campaign)
    context = {
        "campaign": campaign,
        "subjects": subjects,
        "definition": campaign.definition,
        "code": code,
        "submission": (data or {}).get("submission") or secrets.token_urlsafe(16),
        "data": data,
        "errors": {},
    }
    if data is None and campaign.head_at_open:
        context["questions_html"] = _blank_questions(actions.opened_key(campaign), get_language(), context)
    return context


_blank_forms: dict[tuple, str] = {}


def _blank_questions(opened: tuple, language: str, context: dict) -> str:
    """The empty questions of an opened campaign, rendered once per language: they are frozen, and a meeting
    loads them hundreds of times in a minute."""
    key = (*opened, language)
    if key not in _blank_forms:
        if len(_blank_forms) > 200:
            _blank_forms.clear()
        _blank_forms[key] = mark_safe(render_to_string("evaluations/_ballot_questions.html", context))  # noqa: S308
    return _blank_forms[key]


@voter_page
@require_http_methods(["GET", "POST"])
def start(request):
    """GET: the code form (and the QR hand-off script). POST: look the code up and show the ballot."""
    if request.method == "GET":
        return _start(request)
    if is_guessing(request):
        return _start(request, "尝试次数过多，请稍后再试或向工作人员求助", status=429)
    code = request.POST.get("code", "")[:64]
    try:
        campaign = campaign_for_code(code)
        actions.ensure_not_phone(campaign)
        actions.ensure_usable(campaign)
    except CastError as exc:
        if exc.reason == "unknown_code":
            count_guess(request)
        return _start(request, exc.message, status=exc.status)
    return render(request, "evaluations/vote_ballot.html", _ballot_context(campaign, code))


@voter_page
@require_http_methods(["POST"])
def ballot(request):
    """Review (step=review) or submit (step=submit) a filled-in ballot."""
    code = request.POST.get("code", "")[:64]
    try:
        campaign = campaign_for_code(code)
        actions.ensure_not_phone(campaign)
    except CastError as exc:
        return _start(request, exc.message, status=exc.status)
    context = _ballot_context(campaign, code, request.POST)
    payload = payload_from_post(campaign.definition, context["subjects"], request.POST)
    step = request.POST.get("step")
    if step == "edit":
        return render(request, "evaluations/vote_ballot.html", context)
    if step == "submit":  # cast_ballot checks the answers itself
        try:
            receipt = actions.cast_ballot(campaign=campaign, code=code, answers=payload,
                                          idempotency_key=request.POST.get("submission", "")[:64])  # fmt: skip
        except CastError as exc:
            if exc.reason == "invalid_answers":
                context["errors"] = errors_by_field(exc.problems)
                return render(request, "evaluations/vote_ballot.html", context, status=422)
            return _start(request, exc.message, status=exc.status)
        return render(request, "evaluations/vote_receipt.html", {"campaign": campaign, "receipt": receipt})
    try:
        stored = clean_answers(campaign.definition, [s.pk for s in context["subjects"]], payload)
    except AnswerError as exc:
        context["errors"] = errors_by_field(exc.problems)
        return render(request, "evaluations/vote_ballot.html", context, status=422)
    context.update(review=_review(campaign, context["subjects"], stored),
                   hidden=hidden_fields(campaign.definition, context["subjects"], request.POST))  # fmt: skip
    return render(request, "evaluations/vote_review.html", context)


def _review(campaign: Campaign, subjects, stored: dict) -> dict:
    labels = {}
    for question in campaign.definition["subject_questions"] + campaign.definition.get("general_questions", []):
        options = {o["key"]: o["label"] for o in question.get("options", [])}
        labels[question["key"]] = (question["label"], options)

    def show(key, value):
        label, options = labels[key]
        if isinstance(value, list):
            return label, "、".join(options.get(v, v) for v in value)
        return label, options.get(value, value) if isinstance(value, str) else value

    rows = []
    for subject in subjects:
        section = stored["s"][str(subject.pk)]
        answers = [] if section.get("unknown") else [show(k, v) for k, v in section.items()]
        rows.append({"subject": subject, "unknown": section.get("unknown", False), "answers": answers})
    return {"rows": rows, "general": [show(k, v) for k, v in stored["g"].items()]}


@voter_page
@require_http_methods(["GET", "POST"])
def box(request, pk):
    """The public ballot box of a closed campaign: every receipt tracker, and the chain heads.
    A voter's look-up is a POST, so which tracker an address asked about never reaches an access log."""
    campaign = get_object_or_404(Campaign, pk=pk)
    if not lifecycle.allows(campaign, "show_ballot_box"):
        raise Http404
    tracker = normalise_tracker(request.POST.get("tracker", ""))
    found = None
    if tracker:
        found = Ballot.objects.filter(campaign=campaign, tracker=tracker).exists()
    trackers = Ballot.objects.filter(campaign=campaign).order_by("tracker").values_list("tracker", flat=True)
    page = Paginator(trackers, 200).get_page(request.GET.get("page"))
    return render(request, "evaluations/box.html", {"campaign": campaign, "page": page, "tracker": tracker,
                                                    "found": found, "count": trackers.count()})  # fmt: skip


