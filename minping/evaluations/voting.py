"""The voter's pages: enter or scan a code, fill in, review, submit, keep the receipt; the public ballot box.

Every page here is sent with Referrer-Policy: no-referrer and Cache-Control: no-store. Codes travel only in
POST bodies, in the URL fragment of the QR code (never sent to the server) and in a signed cookie on /v/ while
the ballot is filled in, so they cannot reach access logs. No session is created and the server stores nothing
about the voter.
"""

import re
import secrets
from functools import wraps

from django.core import signing
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect, QueryDict
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods

from minping.evaluations import lifecycle, panels
from minping.evaluations.actions import casting
from minping.evaluations.actions.casting import CastError, campaign_for_code
from minping.evaluations.codes import normalise_tracker
from minping.evaluations.forms import BallotFields, errors_by_field
from minping.evaluations.instruments import AnswerError, BallotChecker
from minping.evaluations.models import Ballot, Campaign
from minping.lib import throttle
from minping.lib.memo import Expiring

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


USED_CODE_NEXT = (
    "如果是您本人投的票：您的选票已经收到，请保留回执上的查验码，结果发布后可在公开票箱中查验。"
    "如果您没有投过票：请找发给您测评码的工作人员，说明这个码已被使用；工作人员可以作废它并补发新码。"
)


def _start(request, error: str = "", status: int = 200, typed: str = "", box=None):
    """The code form; after a refusal, what was typed stays in the box (to be checked digit by digit) and a used
    code says what to do next, with the public ballot box once it is shown."""
    if not (error or typed or box is not None):
        return _same_for_every_voter(request, "evaluations/vote_start.html", (), {})
    context = {"error": error, "typed": typed, "used": box is not None, "next_step": USED_CODE_NEXT, "box": box or None}
    return render(request, "evaluations/vote_start.html", context, status=status)


_pages = Expiring(casting.OPEN_CAMPAIGN_SECONDS, size=400)
_MARK = re.compile("\x1fmp:(\\w+)\x1f")


def _same_for_every_voter(request, template: str, key: tuple, context: dict, **fills: str) -> HttpResponse:
    """`template` rendered once per `key` and language, with a mark where the CSRF token and each of `fills` go,
    which are put in, escaped, for each request: a meeting's voters load pages that differ only in those. Kept
    for casting.OPEN_CAMPAIGN_SECONDS, as the ballot's notes are. Only for pages that show nothing else of the
    request: no error, no draft, no account."""
    key = (template, get_language(), *key)
    page = _pages.get(key)
    if page is None:
        marks = {name: f"\x1fmp:{name}\x1f" for name in ("csrf_token", *fills)}
        pieces = _MARK.split(render_to_string(template, {**context, **marks}, request))
        # The page as UTF-8 between the marks, and the name of each mark: a ballot page is over 100 KB, which a
        # request would otherwise search for each mark and encode anew.
        page = [piece.encode() for piece in pieces[::2]], pieces[1::2]
        _pages.put(key, page)
    texts, names = page
    body = [texts[0]]
    for name, text in zip(names, texts[1:]):
        value = get_token(request) if name == "csrf_token" else fills[name]  # no CSRF cookie for a page without a form
        body += (escape(value).encode(), text)
    return HttpResponse(b"".join(body))


def _ballot_context(campaign: Campaign, code: str, data=None) -> dict:
    subjects = casting.campaign_subjects(campaign)
    context = {
        "campaign": campaign,
        "subjects": subjects,
        "definition": campaign.definition,
        "code": code,
        "submission": (data or {}).get("submission") or secrets.token_urlsafe(16),
        "data": data,
        "errors": {},
        "notes": lambda: _ballot_notes(campaign),  # read only by the ballot page
    }
    if data is None and campaign.head_at_open:
        context["questions_html"] = _blank_questions(casting.opened_key(campaign), get_language(), context)
    return context


_blank_forms: dict[tuple, str] = {}
_notes = Expiring(casting.OPEN_CAMPAIGN_SECONDS, size=200)


def _ballot_notes(campaign: Campaign) -> list:
    """What other apps show above the questions (panels.BALLOT_NOTES). An opened campaign's are kept per language
    for casting.OPEN_CAMPAIGN_SECONDS: a meeting loads the ballot page hundreds of times a minute, and a note
    written meanwhile (a duty report) appears within that time."""
    if not campaign.head_at_open:
        return [note(campaign) for note in panels.BALLOT_NOTES]
    key = (*casting.opened_key(campaign), get_language())
    notes = _notes.get(key)
    if notes is None:
        notes = [note(campaign) for note in panels.BALLOT_NOTES]
        _notes.put(key, notes)
    return notes


def _blank_questions(opened: tuple, language: str, context: dict) -> str:
    """The empty questions of an opened campaign, rendered once per language: they are frozen, and a meeting
    loads them hundreds of times in a minute."""
    key = (*opened, language)
    if key not in _blank_forms:
        if len(_blank_forms) > 200:
            _blank_forms.clear()
        _blank_forms[key] = mark_safe(render_to_string("evaluations/_ballot_questions.html", context))  # noqa: S308
    return _blank_forms[key]


# Post, redirect, get: every page of a vote is reached by GET, so going back never asks to send a form again.
# What a page needs between steps travels in signed cookies, limited to /v/, never in a URL: the code (until the
# ballot is cast), the filled-in answers (between the form and the review) and the receipt (after casting).
# They are signed, not encrypted: they stay with the voter's own browser, as the pages showing them do.
COOKIE_PATH = "/v/"
CODE_COOKIE, DRAFT_COOKIE, RECEIPT_COOKIE = "mp_vote", "mp_draft", "mp_receipt"
COOKIE_SECONDS = 3 * 3600
MAX_COOKIE = 3800  # bytes; a browser drops a cookie over 4 KB, so a larger draft is shown without a redirect


def _sign(name: str, value) -> str:
    return signing.dumps(value, salt=f"minping.vote.{name}", compress=True)


def _set(response, request, name: str, value, signed: str | None = None) -> None:
    """Keep `value` (or its `signed` form, when the caller has made it already) in the cookie `name`."""
    response.set_cookie(
        name,
        signed or _sign(name, value),
        max_age=COOKIE_SECONDS,
        path=COOKIE_PATH,
        secure=request.is_secure(),
        httponly=True,
        samesite="Strict",
    )


def _form(pairs) -> QueryDict:
    """(name, value) pairs as the form data they came from."""
    data = QueryDict(mutable=True)
    for name, value in pairs:
        data.appendlist(name, value)
    return data


def _get(request, name: str):
    try:
        return signing.loads(request.COOKIES.get(name, ""), salt=f"minping.vote.{name}", max_age=COOKIE_SECONDS)
    except signing.BadSignature:
        return None


def _forget(request, response, *names: str) -> None:
    """Delete those of the cookies `names` that the browser sent."""
    for name in names:
        if name in request.COOKIES:
            response.delete_cookie(name, path=COOKIE_PATH, samesite="Strict")


def _see_other(to: str, query: str = "") -> HttpResponseRedirect:
    response = HttpResponseRedirect(reverse(to) + query)
    response.status_code = 303
    return response


@voter_page
@require_http_methods(["GET", "POST"])
def start(request):
    """GET: the code form (and the QR hand-off script). POST: look the code up, keep it and go to the ballot."""
    if request.method == "GET":
        return _start(request)
    if is_guessing(request):
        return _start(request, "尝试次数过多，请稍后再试或向工作人员求助", status=429)
    code = request.POST.get("code", "")[:64]
    campaign = None
    try:
        campaign = campaign_for_code(code)
        casting.ensure_not_phone(campaign)
        casting.ensure_usable(campaign)
    except CastError as exc:
        if exc.reason == "unknown_code":
            count_guess(request)
        box = None
        if exc.reason == "used_code":
            box = campaign.pk if lifecycle.allows(campaign, "show_ballot_box") else False
        return _start(request, exc.message, status=exc.status, typed=code, box=box)
    response = _see_other("vote:ballot")
    _set(response, request, CODE_COOKIE, code)
    _forget(request, response, DRAFT_COOKIE)
    return response


@voter_page
@require_http_methods(["GET", "POST"])
def ballot(request):
    """GET: the ballot of the kept code, filled in as far as the voter got. POST: check the answers (step=review),
    go back to them (step=edit) or cast the ballot (step=submit)."""
    if request.method == "GET":
        return _ballot_page(request)
    if is_guessing(request):
        return _start(request, "尝试次数过多，请稍后再试或向工作人员求助", status=429)
    code = request.POST.get("code", "")[:64]
    step = request.POST.get("step")
    try:
        campaign = campaign_for_code(code)
        casting.ensure_not_phone(campaign)
        if step != "submit":  # a submission sent again after it was taken gets its receipt from cast_ballot
            casting.ensure_usable(campaign)
    except CastError as exc:
        return _refuse_posted_code(request, exc)
    context = _ballot_context(campaign, code, request.POST)
    fields = casting.prepared(campaign, BallotFields)
    if step == "submit":  # cast_ballot checks the answers itself
        payload = fields.payload(request.POST)
        try:
            receipt = casting.cast_ballot(
                campaign=campaign, code=code, answers=payload, idempotency_key=request.POST.get("submission", "")[:64]
            )
        except CastError as exc:
            if exc.reason == "invalid_answers":
                return _back_to_ballot(request, context, fields.hidden(request.POST), errors_by_field(exc.problems))
            return _refuse_posted_code(request, exc)
        response = _see_other("vote:receipt")
        _set(response, request, RECEIPT_COOKIE, {"campaign": campaign.pk, "name": campaign.name, "tracker": receipt.tracker})
        _forget(request, response, CODE_COOKIE, DRAFT_COOKIE)
        return response
    draft = fields.hidden(request.POST)
    if step == "edit":
        return _back_to_ballot(request, context, draft, {})
    problems = _problems(campaign, request.POST)
    if problems:
        return _back_to_ballot(request, context, draft, problems)
    return _keep_draft(request, "vote:review", context, draft, "evaluations/vote_review.html")


POSTED_CODE_REFUSED = "这个测评码不能用于投票。请回到首页重新输入测评码，页面会说明原因；如有疑问请向工作人员求助。"


def _refuse_posted_code(request, exc: CastError):
    """A ballot posted with a code that cannot vote gets one answer, whatever the reason (unknown, used, voided,
    closed, for the phone), so that the form is no finer an oracle than the code page; an unknown code counts
    towards the same throttle. The code page says why when the voter enters the code there."""
    if exc.reason in {"unknown_code", "foreign_code", "malformed_code"}:
        count_guess(request)
    return _start(request, POSTED_CODE_REFUSED, status=403)


def _cleaned(campaign: Campaign, data) -> dict:
    """The stored form of the answers in posted form data, or AnswerError."""
    return casting.prepared(campaign, BallotChecker).clean(casting.prepared(campaign, BallotFields).payload(data))


def _problems(campaign: Campaign, data) -> dict:
    try:
        _cleaned(campaign, data)
    except AnswerError as exc:
        return errors_by_field(exc.problems)
    return {}


def _back_to_ballot(request, context: dict, draft: list, errors: dict):
    """The ballot again, filled in as posted; with `errors`, the problems marked (the page checks the draft)."""
    context["errors"] = errors
    return _keep_draft(
        request,
        "vote:ballot",
        context,
        draft,
        "evaluations/vote_ballot.html",
        status=422 if errors else 200,
        query="?checked=1" if errors else "",
    )


def _keep_draft(request, to: str, context: dict, draft: list, template: str, status: int = 200, query: str = ""):
    """Redirect to the page `to`, which shows the draft kept in a cookie; a draft too large for a cookie (long free
    text) is shown here instead, as the answer to the post."""
    kept = {"draft": draft, "submission": context["submission"]}
    signed = _sign(DRAFT_COOKIE, kept)
    if len(signed) > MAX_COOKIE:
        if template.endswith("vote_review.html"):
            _add_review(context, _form(draft))
        return render(request, template, context, status=status)
    response = _see_other(to, query)
    _set(response, request, DRAFT_COOKIE, kept, signed)
    return response


def _kept(request) -> tuple[Campaign, str, QueryDict | None] | None:
    """The kept code's campaign, the code, and the kept draft as form data (with its submission key), if any."""
    code = _get(request, CODE_COOKIE)
    if not code:
        return None
    try:
        campaign = campaign_for_code(code)
    except CastError:
        return None
    kept = _get(request, DRAFT_COOKIE) or {}
    data = _form(kept.get("draft", []))
    if kept.get("submission"):
        data["submission"] = kept["submission"]
    return campaign, code, (data if kept else None)


def _ballot_page(request):
    found = _kept(request)
    if found is None:
        return _after_casting(request) or redirect("vote:start")
    campaign, code, data = found
    try:
        casting.ensure_usable(campaign)
    except CastError as exc:
        return _after_casting(request) or _start(request, exc.message, status=exc.status)
    context = _ballot_context(campaign, code, data)
    if data is None and campaign.head_at_open:
        fills = {"code": code, "submission": context.pop("submission")}
        return _same_for_every_voter(request, "evaluations/vote_ballot.html", casting.opened_key(campaign), context, **fills)
    if data is not None and "checked" in request.GET:
        context["errors"] = _problems(campaign, data)
    return render(request, "evaluations/vote_ballot.html", context, status=422 if context["errors"] else 200)


@voter_page
@require_http_methods(["GET"])
def review(request):
    """The voter's answers to check before casting, from the kept draft."""
    found = _kept(request)
    if found is None or found[2] is None:
        return _after_casting(request) or redirect("vote:ballot")
    campaign, code, data = found
    context = _ballot_context(campaign, code, data)
    try:
        _add_review(context, data)
    except AnswerError:
        return redirect(reverse("vote:ballot") + "?checked=1")
    return render(request, "evaluations/vote_review.html", context)


def _add_review(context: dict, data: QueryDict) -> None:
    """The checked answers of `data` for the review page, and the fields that carry them on to submission;
    AnswerError if they do not pass."""
    campaign, subjects = context["campaign"], context["subjects"]
    stored = _cleaned(campaign, data)
    context.update(review=_review(campaign, subjects, stored), hidden=casting.prepared(campaign, BallotFields).hidden(data))


def _after_casting(request):
    """Back on a page of a vote already cast: its receipt, if this browser holds one."""
    if _get(request, RECEIPT_COOKIE):
        return redirect("vote:receipt")
    return None


@voter_page
@require_http_methods(["GET"])
def receipt(request):
    """The receipt of the ballot this browser cast last; the campaign's name comes in the signed cookie with it."""
    kept = _get(request, RECEIPT_COOKIE)
    name = kept.get("name") if kept else None
    if kept and name is None:  # a receipt cookie set before names were kept in it
        name = Campaign.objects.filter(pk=kept["campaign"]).values_list("name", flat=True).first()
    if name is None:
        return redirect("vote:start")
    context = {"campaign": {"name": name}}
    return _same_for_every_voter(request, "evaluations/vote_receipt.html", (name,), context, tracker=kept["tracker"])


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
    return render(
        request, "evaluations/box.html", {"campaign": campaign, "page": page, "tracker": tracker, "found": found, "count": trackers.count()}
    )
