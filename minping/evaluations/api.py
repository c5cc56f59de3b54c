"""JSON endpoints of campaigns (organisers, with an API key) and of voting (anyone holding a code)."""

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import PermissionDenied
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from minping.accounts.scoping import get_for_user
from minping.evaluations import actions, lifecycle
from minping.evaluations.access import campaign_for_manager
from minping.evaluations.actions import casting
from minping.evaluations.actions.casting import CastError, campaign_for_code
from minping.evaluations.codes import normalise_tracker
from minping.evaluations.models import Campaign, Instrument
from minping.evaluations.turnout import turnout
from minping.evaluations.voting import count_guess, is_guessing
from minping.lib.apierrors import ApiError
from minping.lib.ids import Count, Id
from minping.org.models import Region

organiser_router = Router(tags=["campaigns"])
voter_router = Router(tags=["voting"])


class GroupIn(Schema):
    name: str
    kind: str = "custom"
    weight: float = 1
    quorum: Count | None = None


class CampaignIn(Schema):
    name: str
    instrument: Id
    region: Id
    channels: list[str]
    quorum: Count = 50
    groups: list[GroupIn] = []
    starts_at: datetime | None = None
    ends_at: datetime | None = None


class CampaignOut(Schema):
    id: int
    name: str
    status: str
    region: int
    channels: list[str]
    quorum: int
    head_at_open: str
    head_at_close: str
    groups: list[dict]
    subjects: list[dict]


def campaign_out(campaign: Campaign) -> dict:
    return {
        "id": campaign.pk,
        "name": campaign.name,
        "status": campaign.status,
        "region": campaign.region_id,
        "channels": campaign.channels,
        "quorum": campaign.quorum,
        "head_at_open": campaign.head_at_open,
        "head_at_close": campaign.head_at_close,
        "groups": [
            {"id": g.pk, "name": g.name, "kind": g.kind, "weight": float(g.weight), "quorum": g.effective_quorum}
            for g in campaign.groups.all()
        ],
        "subjects": [{"id": s.pk, "kind": s.kind, "label": s.label, "detail": s.detail} for s in campaign.subjects.all()],
    }


@organiser_router.post("", response={201: CampaignOut, 404: ApiError})
def create_campaign(request, body: CampaignIn):
    """Create a draft campaign from an instrument (a built-in template or one of your region's)."""
    user = request.auth
    if not user.can_use_console:
        raise PermissionDenied
    region = get_for_user(user, Region.objects, pk=body.region)
    instrument = Instrument.objects.filter(pk=body.instrument).first()
    if instrument is None or not (instrument.is_template or user.is_system_admin or instrument.region.is_within(user.region)):
        raise HttpError(404, "no such instrument")
    campaign = actions.create_campaign(
        actor=user,
        name=body.name,
        region=region,
        instrument=instrument,
        channels=body.channels,
        quorum=body.quorum,
        groups=[g.dict() for g in body.groups] or None,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
    )
    return Status(201, campaign_out(campaign))


@organiser_router.get("/{id:pk}", response=CampaignOut)
def get_campaign(request, pk: int):
    return campaign_out(campaign_for_manager(request.auth, pk))


class SubjectRef(Schema):
    kind: str = Field(max_length=40)
    id: Id


class SubjectsIn(Schema):
    cadres: list[Id] = []
    units: list[Id] = []
    regions: list[Id] = []
    items: list[SubjectRef] = []  # records of any registered subject kind


@organiser_router.post("/{id:pk}/subjects", response=CampaignOut)
def add_subjects(request, pk: int, body: SubjectsIn):
    campaign = campaign_for_manager(request.auth, pk)
    wanted = {"cadre": body.cadres, "unit": body.units, "region": body.regions}
    for item in body.items:
        wanted.setdefault(item.kind, []).append(item.id)
    chosen = actions.subject_records(campaign, wanted)
    if len(chosen) != sum(len(set(ids)) for ids in wanted.values()):
        raise HttpError(404, "a subject is unknown or outside the campaign's region")
    actions.add_subjects(actor=request.auth, campaign=campaign, subjects=chosen)
    return campaign_out(campaign)


class CodesIn(Schema):
    group: Id
    count: Count
    channel: str = "qr"


class CodesOut(Schema):
    batch_size: int
    codes: list[dict]


@organiser_router.post("/{id:pk}/codes", response={201: CodesOut})
def issue_codes(request, pk: int, body: CodesIn):
    """Create codes. The response is the only place they appear in clear: store or print them now."""
    campaign = campaign_for_manager(request.auth, pk)
    group = campaign.groups.filter(pk=body.group).first()
    if group is None:
        raise HttpError(404, "no such evaluator group in this campaign")
    pairs = actions.issue_codes(actor=request.auth, campaign=campaign, group=group, count=body.count, channel=body.channel)
    return Status(201, {"batch_size": len(pairs), "codes": [{"token": t, "short": s} for t, s in pairs]})


@organiser_router.post("/{id:pk}/open", response=CampaignOut)
def open_campaign(request, pk: int):
    return campaign_out(actions.open_campaign(actor=request.auth, campaign=campaign_for_manager(request.auth, pk)))


@organiser_router.get("/{id:pk}/turnout")
def get_turnout(request, pk: int):
    """Counts only: codes issued and used per group; once voting has ended, ballots, valid ballots per subject
    and group, and whether each subject's quorum is met (`counted` says which). While voting is open `ballots`
    and `quorum_met` are null and `subjects` is empty: counts that change with each ballot would show how it
    was filled in."""
    data = turnout(campaign_for_manager(request.auth, pk))
    return {
        "counted": data["counted"],
        "issued": data["issued"],
        "used": data["used"],
        "ballots": data["ballots"],
        "groups": [
            {
                "id": g["group"].pk,
                "name": g["group"].name,
                "issued": g["issued"],
                "used": g["used"],
                "voided": g["voided"],
                "quorum": g["quorum"],
                "invalid_ballots": g.get("void"),
            }
            for g in data["groups"]
        ],
        "subjects": [
            {
                "id": r["subject"].pk,
                "label": r["subject"].label,
                "quorum_met": r["met"],
                "valid": {str(c["group"].pk): c["valid"] for c in r["cells"]},
            }
            for r in data["subjects"]
        ],
    }


class CodeIn(Schema):
    code: str


class CastIn(Schema):
    code: str
    answers: dict[str, Any]
    idempotency_key: str = ""


class TrackerIn(Schema):
    campaign: Id
    tracker: str


def _same_origin(request) -> None:
    """Browsers name the page a request comes from; a ballot may only come from a page of this site."""
    origin = request.headers.get("Origin")
    if origin and urlsplit(origin).netloc != request.get_host():
        raise HttpError(403, "cross-site request refused")


def _fail(request, exc: CastError):
    if exc.reason == "unknown_code":
        count_guess(request)
    return Status(exc.status, {"error": exc.reason, "message": exc.message, "problems": exc.problems})


@voter_router.post(
    "/ballot", response={200: dict, 400: ApiError, 403: ApiError, 404: ApiError, 409: ApiError, 410: ApiError, 429: ApiError}
)
def ballot_form(request, body: CodeIn):
    """The ballot a code opens: campaign, subjects and questions. The code goes in the body, never in a URL."""
    _same_origin(request)
    if is_guessing(request):
        return Status(429, {"error": "too_many_attempts", "message": "尝试次数过多，请稍后再试"})
    try:
        campaign = campaign_for_code(body.code)
        casting.ensure_not_phone(campaign)
        casting.ensure_usable(campaign)
    except CastError as exc:
        return _fail(request, exc)
    return Status(
        200,
        {
            "campaign": {"id": campaign.pk, "name": campaign.name},
            "subjects": [{"id": s.pk, "label": s.label, "detail": s.detail} for s in campaign.subjects.all()],
            "subject_questions": campaign.definition["subject_questions"],
            "general_questions": campaign.definition.get("general_questions", []),
        },
    )


@voter_router.post(
    "/cast",
    response={
        201: dict,
        200: dict,
        400: ApiError,
        403: ApiError,
        404: ApiError,
        409: ApiError,
        410: ApiError,
        422: ApiError,
        429: ApiError,
    },
)
def cast(request, body: CastIn):
    """Cast a ballot. Send the same idempotency key again (body or Idempotency-Key header) to get the same receipt."""
    _same_origin(request)
    if is_guessing(request):
        return Status(429, {"error": "too_many_attempts", "message": "尝试次数过多，请稍后再试"})
    key = (body.idempotency_key or request.headers.get("Idempotency-Key", ""))[:128]
    try:
        campaign = campaign_for_code(body.code)
        casting.ensure_not_phone(campaign)
        receipt = casting.cast_ballot(campaign=campaign, code=body.code, answers=body.answers, idempotency_key=key)
    except CastError as exc:
        return _fail(request, exc)
    return Status(200 if receipt.repeated else 201, {"tracker": receipt.tracker, "repeated": receipt.repeated})


@voter_router.post("/tracker", response={200: dict, 404: ApiError})
def tracker(request, body: TrackerIn):
    """Whether a receipt tracker is in the ballot box of a campaign whose results are published; the tracker may be
    typed in any form a person would type it (spaces, no hyphen, lower case, full-width)."""
    campaign = Campaign.objects.filter(pk=body.campaign).first()
    if campaign is None or not lifecycle.allows(campaign, "show_ballot_box"):
        return Status(404, {"error": "not_found", "message": "测评不存在或结果尚未发布"})
    tracker = normalise_tracker(body.tracker)
    included = campaign.ballots.filter(tracker=tracker).exists()
    return Status(200, {"tracker": tracker, "included": included, "head_at_close": campaign.head_at_close})
