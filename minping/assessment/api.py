"""The composite assessment as JSON (API key of a console user): the schemes of the key's region, a scheme's runs,
and a run's results with each member's contributions. Every answer is scoped as the pages are: a scheme outside
the key's region is 404, a key of another role 403."""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from ninja import Query, Router, Schema

from minping.accounts.scoping import get_for_user, scope
from minping.assessment.models import Run, Scheme
from minping.lib.apierrors import ApiError
from minping.lib.ids import Id

router = Router(tags=["assessment"])
PAGE_SIZE = 500


class AssessmentScheme(Schema):
    id: int
    name: str
    year: int
    region: int
    cohort: str
    status: str
    published_run: int | None
    appeal_ends: dt.datetime | None
    definition: dict


class AssessmentRun(Schema):
    id: int
    number: int
    ran_at: dt.datetime
    reason: str
    published: bool
    notes: list[str]


class AssessmentResult(Schema):
    ref: int
    label: str
    detail: str
    category: str
    score: float | None
    rank: int | None
    proposed: str
    grade: str
    override_reason: str
    adjustment: float
    parts: list[dict]
    reasons: list[str]
    follow_ups: list[dict]


class AssessmentResults(Schema):
    run: AssessmentRun
    results: list[AssessmentResult]
    page: int
    pages: int


def _console(request):
    if not request.auth.can_use_console:
        raise PermissionDenied("the composite assessment is for console users")
    return request.auth


def _scheme(scheme: Scheme) -> dict:
    return {
        "id": scheme.pk,
        "name": scheme.name,
        "year": scheme.year,
        "region": scheme.region_id,
        "cohort": scheme.cohort,
        "status": scheme.status,
        "published_run": scheme.published_run_id,
        "appeal_ends": scheme.appeal_ends,
        "definition": scheme.definition,
    }


def _run(run: Run) -> dict:
    return {
        "id": run.pk,
        "number": run.number,
        "ran_at": run.ran_at,
        "reason": run.reason,
        "published": run.scheme.published_run_id == run.pk,
        "notes": run.notes,
    }


@router.get("/schemes", response={200: list[AssessmentScheme], 403: ApiError})
def schemes(request, year: int | None = Query(None, ge=2000, le=2100)):
    """The schemes of the key's region (of one year if given), the latest year first."""
    found = scope(Scheme.objects.all(), _console(request))
    if year is not None:
        found = found.filter(year=year)
    return [_scheme(s) for s in found[:1000]]


@router.get("/schemes/{id:scheme}/runs", response={200: list[AssessmentRun], 403: ApiError, 404: ApiError, 422: ApiError})
def runs(request, scheme: Id):
    """A scheme's runs, the latest first; `published` marks the one whose grades stand."""
    found = get_for_user(_console(request), Scheme.objects, pk=scheme)
    return [_run(r) for r in found.runs.select_related("scheme").order_by("-number")]


@router.get("/runs/{id:run}", response={200: AssessmentResults, 403: ApiError, 404: ApiError, 422: ApiError})
def results(request, run: Id, page: int = Query(1, ge=1, le=10**6)):
    """A run's results, 500 a page, in the cohort's order (category, rank): each member's score, its parts (value,
    points, contribution, or why it has no data), bonus and penalty, the grade proposed and given (with the
    override's reason), and the follow-ups proposed."""
    found = get_for_user(_console(request), Run.objects.select_related("scheme"), pk=run)
    pages = Paginator(found.results.all(), PAGE_SIZE)
    chosen = pages.get_page(page)
    rows = [
        {
            "ref": r.ref,
            "label": r.label,
            "detail": r.detail,
            "category": r.category,
            "score": r.score,
            "rank": r.rank,
            "proposed": r.proposed,
            "grade": r.grade,
            "override_reason": r.override_reason,
            "adjustment": r.adjustment,
            "parts": r.parts,
            "reasons": r.reasons,
            "follow_ups": r.follow_ups,
        }
        for r in chosen
    ]
    return {"run": _run(found), "results": rows, "page": chosen.number, "pages": pages.num_pages}
