"""Open311 GeoReport v2 for problem reports, so civic-reporting apps can submit and follow problems.

    GET  /open311/v2/services.{json|xml}                  the categories, open to all
    GET  /open311/v2/services/{service_code}.{json|xml}   a category's definition (no extra attributes)
    POST /open311/v2/requests.{json|xml}                  report a problem (api_key required), photos as `media`
    GET  /open311/v2/requests.{json|xml}                  problems by id, service, date and status
    GET  /open311/v2/requests/{id}.{json|xml}             one problem

`jurisdiction_id` is a district's division code; it may be left out when the installation serves one district.
A request is placed by `address_id` when it names a household (its grid, its address), else in the
jurisdiction, where the category's route or the triage queue takes it. Reads follow the web's rules. Without a
key (standard clients send theirs only when posting) a read answers what the public may see: the status, the
service, the area (the grid or community, never the address or the coordinates), the department and the dates;
no description, no reporter, no notes meant for staff. With a key it answers what the key's owner may open on
the web (`Problem.objects.visible_to`), no more. A `media` file is checked and kept like any evidence upload, or
the request is refused. Errors come as the standard list of {code, description}. Times are ISO 8601 with their
offset.
"""

import datetime as dt
import json
import xml.etree.ElementTree as ET

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt

from minping.accounts.apikeys import user_for_key
from minping.grid.forms import ProblemForm
from minping.grid.models import Category, Problem
from minping.lib.feedback import form_refusal, refusal_text
from minping.lib.formdata import posted_id
from minping.org.models import Household, Region

FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
CLOSED = {Problem.Status.RESOLVED, Problem.Status.CONFIRMED, Problem.Status.MERGED}
MAX_RESULTS = 1000
DEFAULT_DAYS = 90


class Open311Error(Exception):
    def __init__(self, code: int, description: str):
        super().__init__(description)
        self.code, self.description = code, description


def _render(fmt: str, root: str, item: str, rows: list[dict], status: int = 200) -> HttpResponse:
    if fmt == "json":
        return HttpResponse(json.dumps(rows, ensure_ascii=False), content_type=FORMATS["json"], status=status)
    top = ET.Element(root)
    for row in rows:
        element = ET.SubElement(top, item)
        for key, value in row.items():
            child = ET.SubElement(element, key)
            if isinstance(value, list):
                child.text = ",".join(str(v) for v in value)
            elif isinstance(value, bool):
                child.text = "true" if value else "false"
            elif value is not None:
                child.text = str(value)
    body = b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(top, encoding="utf-8")
    return HttpResponse(body, content_type=FORMATS["xml"], status=status)


def _error(fmt: str, code: int, description: str) -> HttpResponse:
    return _render(fmt if fmt in FORMATS else "xml", "errors", "error", [{"code": code, "description": description}], status=code)


def endpoint(view):
    """Check the format, turn refusals into the standard error list."""

    def wrapper(request, fmt, *args, **kwargs):
        if fmt not in FORMATS:
            return _error("xml", 404, f"format not supported: {fmt}")
        try:
            return view(request, fmt, *args, **kwargs)
        except Open311Error as exc:
            return _error(fmt, exc.code, exc.description)
        except PermissionDenied as exc:
            return _error(fmt, 403, str(exc) or "forbidden")
        except ValidationError as exc:
            return _error(fmt, 400, refusal_text(exc))

    wrapper.__name__ = view.__name__
    return csrf_exempt(wrapper)


def _jurisdiction(request) -> Region:
    code = (request.GET.get("jurisdiction_id") or request.POST.get("jurisdiction_id") or "").strip()
    districts = Region.objects.filter(level=Region.Level.DISTRICT)
    if not code:
        if districts.count() == 1:
            return districts.get()
        raise Open311Error(400, "jurisdiction_id is required: this server serves several districts")
    region = districts.filter(code=code).first()
    if region is None:
        raise Open311Error(404, f"jurisdiction_id not found: {code}")
    return region


def _user(request):
    key = request.GET.get("api_key") or request.POST.get("api_key") or ""
    user = user_for_key(key) if key else None
    if user is None:
        raise Open311Error(403, "a valid api_key is required")
    return user


def _readable(request, jurisdiction) -> tuple:
    """The problems a read may return and how to show them: the key owner's, in full; without a key, every
    problem of the jurisdiction as the public may see it. A key that is given must be valid."""
    if request.GET.get("api_key"):
        user = _user(request)
        return Problem.objects.within(jurisdiction).visible_to(user), _request_row
    return Problem.objects.within(jurisdiction).select_related("region"), _public_row


def _service(category: Category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description or category.name,
        "metadata": False,
        "type": "realtime",
        "keywords": "",
        "group": "网格事件",
    }


@endpoint
def services(request, fmt):
    _jurisdiction(request)
    return _render(fmt, "services", "service", [_service(c) for c in Category.objects.filter(is_active=True)])


@endpoint
def service_definition(request, fmt, code):
    _jurisdiction(request)
    category = Category.objects.filter(code=code, is_active=True).first()
    if category is None:
        raise Open311Error(404, f"service_code not found: {code}")
    body = {"service_code": category.code, "attributes": []}
    if fmt == "json":
        return HttpResponse(json.dumps(body), content_type=FORMATS["json"])
    top = ET.Element("service_definition")
    ET.SubElement(top, "service_code").text = category.code
    ET.SubElement(top, "attributes")
    return HttpResponse(b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(top, encoding="utf-8"), content_type=FORMATS["xml"])


def _when(moment) -> str | None:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def _request_row(problem: Problem) -> dict:
    closed = problem.status in CLOSED
    updated = max(filter(None, [problem.created_at, problem.dispatched_at, problem.received_at, problem.resolved_at, problem.closed_at]))
    return {
        "service_request_id": str(problem.pk),
        "status": "closed" if closed else "open",
        "status_notes": problem.get_status_display(),
        "service_name": problem.category.name,
        "service_code": problem.category.code,
        "description": problem.description,
        "agency_responsible": problem.unit.name if problem.unit_id else "",
        "service_notice": "",
        "requested_datetime": _when(problem.created_at),
        "updated_datetime": _when(updated),
        "expected_datetime": _when(problem.resolve_by),
        "address": problem.address,
        "address_id": "",
        "zipcode": "",
        "lat": None if problem.lat is None else str(problem.lat),
        "long": None if problem.lon is None else str(problem.lon),
        "media_url": "",
    }


def _public_row(problem: Problem) -> dict:
    """What anyone may read of a problem: no description, reporter, address, coordinates or staff notes."""
    row = _request_row(problem)
    row.update({"description": "", "address": problem.region.name, "lat": None, "long": None, "media_url": ""})
    return row


@endpoint
def requests_view(request, fmt):
    if request.method == "POST":
        return _create(request, fmt)
    if request.method != "GET":
        raise Open311Error(405, "method not allowed")
    jurisdiction = _jurisdiction(request)
    rows, shown = _readable(request, jurisdiction)
    rows = rows.select_related("category", "unit")
    ids = [v for v in request.GET.get("service_request_id", "").split(",") if v.strip()]
    if ids:
        numbers = [posted_id(v.strip()) for v in ids]
        if None in numbers:
            raise Open311Error(400, "service_request_id must be numbers separated by commas")
        rows = rows.filter(pk__in=numbers)
    else:
        codes = [v.strip() for v in request.GET.get("service_code", "").split(",") if v.strip()]
        if codes:
            rows = rows.filter(category__code__in=codes)
        start, end = _moment(request, "start_date"), _moment(request, "end_date")
        if start and end and start > end:
            raise Open311Error(400, "start_date is after end_date")
        end = end or timezone.now()
        rows = rows.filter(created_at__gte=start or end - dt.timedelta(days=DEFAULT_DAYS), created_at__lte=end)
        statuses = {v.strip() for v in request.GET.get("status", "").split(",") if v.strip()}
        if statuses - {"open", "closed"}:
            raise Open311Error(400, "status must be open, closed or both")
        if statuses == {"open"}:
            rows = rows.exclude(status__in=CLOSED)
        elif statuses == {"closed"}:
            rows = rows.filter(status__in=CLOSED)
    return _render(fmt, "service_requests", "request", [shown(p) for p in rows.order_by("-created_at")[:MAX_RESULTS]])


def _moment(request, name: str):
    value = request.GET.get(name)
    if not value:
        return None
    moment = parse_datetime(value.replace(" ", "+"))
    if moment is None or timezone.is_naive(moment):
        raise Open311Error(400, f"{name} must be an ISO 8601 date and time with its offset, e.g. 2026-11-30T08:00:00+08:00")
    return moment


@endpoint
def request_detail(request, fmt, pk):
    jurisdiction = _jurisdiction(request)
    rows, shown = _readable(request, jurisdiction)
    problem = rows.select_related("category", "unit").filter(pk=pk).first()
    if problem is None:
        raise Open311Error(404, f"service_request_id not found: {pk}")
    return _render(fmt, "service_requests", "request", [shown(problem)])


def _create(request, fmt):
    jurisdiction = _jurisdiction(request)
    user = _user(request)
    data = request.POST
    code = (data.get("service_code") or "").strip()
    if not code:
        raise Open311Error(400, "service_code is required")
    category = Category.objects.filter(code=code, is_active=True).first()
    if category is None:
        raise Open311Error(404, f"service_code not found: {code}")
    lat, lon = data.get("lat", "").strip(), (data.get("long") or data.get("lon") or "").strip()
    address, address_id = (data.get("address_string") or "").strip(), (data.get("address_id") or "").strip()
    if bool(lat) != bool(lon):
        raise Open311Error(400, "lat and long must be given together")
    if not (lat or address or address_id):
        raise Open311Error(400, "a location is required: lat and long, address_string or address_id")
    region = jurisdiction
    if address_id:
        household = Household.objects.within(jurisdiction).filter(code=address_id).select_related("region").first()
        if household is None:
            raise Open311Error(404, f"address_id not found: {address_id}")
        region, address = household.region, address or household.address
    description = (data.get("description") or "").strip() or category.name
    contact = " ".join(
        v for v in (data.get("first_name", ""), data.get("last_name", ""), data.get("phone", ""), data.get("email", "")) if v.strip()
    )
    form = ProblemForm(
        {
            "region": region.pk,
            "category": category.pk,
            "address": address or f"{lat},{lon}",
            "description": description,
            "lat": lat,
            "lon": lon,
        },
        regions=[region],
        files=request.FILES.getlist("media"),
    )
    if not form.is_valid():
        raise form_refusal(form)
    problem, _created = form.save(actor=user, for_resident=True, contact=contact[:100])
    notice = "已派至" + problem.unit.name if problem.unit_id else "已受理，等待分派"
    return _render(
        fmt, "service_requests", "request", [{"service_request_id": str(problem.pk), "service_notice": notice, "account_id": None}]
    )
