"""The grid worker's field page, which works where the signal does not: an installable page (manifest and
service worker) that keeps the worker's households and the categories on the phone, queues visits and problem
reports made offline under ids made on the phone, and sends them when the connection returns. The endpoints
below answer in JSON; sending a record again finds it (never stored twice), and a household changed by someone
else meanwhile comes back as a conflict the page shows the worker."""

import functools
import json
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from minping.grid import actions
from minping.grid.forms import ProblemForm, VisitForm
from minping.grid.models import Category, Site, Visit
from minping.lib.feedback import form_refusal, refusal_text
from minping.org.models import Household

WORKER = Path(__file__).resolve().parent.parent / "static" / "minping" / "field-sw.js"
MAX_HOUSEHOLDS = 5000


LOGIN_EXPIRED = "登录已过期，请重新登录；记录仍保存在手机上，登录后会自动发送"


def login_required_json(view):
    """An endpoint the page's queue posts to answers 401 in JSON when the login has lapsed, never a redirect to
    the login page, which a script following it would read as an answer."""

    @functools.wraps(view)
    def checked(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return JsonResponse({"error": "login_required", "message": LOGIN_EXPIRED}, status=401)
        return view(request, *args, **kwargs)

    return checked


def _answer(record, code: int, **fields) -> JsonResponse:
    """An answer about one queued record, naming it by the id the phone gave it: only such an answer takes the
    record off the phone's queue."""
    return JsonResponse({"record": record, **fields}, status=code)


def _refusal(exc, record, code: int | None = None) -> JsonResponse:
    """A refused record: 403 for a permission, 409 for an id already used with other content, else 400."""
    if code is None:
        code = 403 if isinstance(exc, PermissionDenied) else 409 if "id" in getattr(exc, "error_dict", {}) else 400
    return _answer(record, code, error="refused", message=refusal_text(exc))


@login_required
@require_GET
def page(request):
    if not actions.grids_of(request.user).exists():
        raise PermissionDenied
    return render(request, "grid/field.html", {})


@require_GET
def service_worker(request):
    """The service worker, served under /grid/ so that its scope covers the field page."""
    response = FileResponse(open(WORKER, "rb"), content_type="text/javascript")
    response["Cache-Control"] = "no-cache"
    return response


@login_required_json
@require_GET
def data(request):
    grids = list(actions.grids_of(request.user))
    if not grids:
        raise Http404
    households = Household.objects.filter(region__in=grids).select_related("visit_state").order_by("region_id", "code")[:MAX_HOUSEHOLDS]
    today = timezone.localdate()
    body = {
        "user": request.user.username,
        "csrf": get_token(request),  # the token of this login: a login in another tab changes it
        "today": today.isoformat(),
        "grids": [{"id": g.pk, "name": g.name} for g in grids],
        "households": [
            {
                "id": h.pk,
                "code": h.code,
                "address": h.address,
                "grid": h.region_id,
                "last": h.visit_state.last_visited_on.isoformat() if hasattr(h, "visit_state") else None,
            }
            for h in households
        ],
        "sites": [
            {
                "id": s.pk,
                "name": s.name,
                "address": s.address,
                "grid": s.grid_id,
                "last": s.last_visited_on and s.last_visited_on.isoformat(),
            }
            for s in Site.objects.filter(grid__in=grids).order_by("grid_id", "name")[:MAX_HOUSEHOLDS]
        ],
        "categories": [{"id": c.pk, "name": c.name} for c in Category.objects.filter(is_active=True)],
        "kinds": [{"id": k, "name": str(label)} for k, label in Visit.Kind.choices],
    }
    return JsonResponse(body)


@login_required_json
@require_POST
def visit(request):
    try:
        body = json.loads(request.body or b"{}")
        if not isinstance(body, dict):
            raise ValueError
    except ValueError:
        return JsonResponse({"error": "bad_json", "message": "请求内容不是有效的 JSON"}, status=400)
    record_id = body.get("id") if isinstance(body.get("id"), str) else None
    form = VisitForm({key: "" if value is None else value for key, value in body.items()})
    if not form.is_valid():
        return _refusal(form_refusal(form), record_id, 400)
    record = form.record()
    if record is None:
        return _answer(record_id, 404, error="not_found", message="没有这个场所" if form.cleaned_data["site"] is not None else "没有这一户")
    try:
        stored, created = form.save(actor=request.user, record=record)
    except (ValidationError, PermissionDenied) as exc:
        return _refusal(exc, record_id)
    return _answer(record_id, 201 if created else 200, id=str(stored.pk), stored=created, conflict=stored.changes.get("address_conflict"))


@login_required_json
@require_POST
def problem(request):
    record_id = request.POST.get("id")
    form = ProblemForm(request.POST, regions=actions.grids_of(request.user), files=request.FILES.getlist("photos"))
    if not form.is_valid():
        return _refusal(form_refusal(form), record_id, 400)
    try:
        stored, created = form.save(actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        return _refusal(exc, record_id)
    return _answer(record_id, 201 if created else 200, id=stored.pk, stored=created, status=stored.get_status_display())
