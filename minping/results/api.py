"""Results as JSON: published results for anyone; everything of a closed campaign, the follow-up list and the
publishing action for its organisers (API key). Small-group protection applies as on the pages: a hidden count
is the string "<5"."""

from typing import Any

from ninja import Router, Schema, Status
from ninja.errors import HttpError

from minping.evaluations import lifecycle
from minping.evaluations.access import campaign_for_manager
from minping.evaluations.api import CampaignOut, campaign_out
from minping.evaluations.models import Campaign
from minping.lib.apierrors import ApiError
from minping.lib.ids import Count
from minping.results import actions, present
from minping.results.figures import rank_in_category, subject_figures

public_router = Router(tags=["results"])
organiser_router = Router(tags=["results"])


class RankingRow(Schema):
    id: int
    label: str
    detail: str
    category: str
    valid: int | str
    quorum_met: bool
    headline: float | None
    rank: int | None
    figures: dict[str, dict[str, float]]


class FollowUpRow(Schema):
    id: int
    label: str
    category: str
    headline: float | None
    rules: list[str]


class ResultsOut(Schema):
    campaign: int
    name: str
    status: str
    head_at_close: str
    headline: str
    denominator: str
    rules: list[str]
    ranking: list[RankingRow]


class SubjectOut(Schema):
    id: int
    label: str
    detail: str
    category: str
    quorum_met: bool
    valid: int | str
    headline: float | None
    rank: int | None
    cells: list[dict[str, Any]]
    questions: list[dict[str, Any]]


class RulesIn(Schema):
    rules: list[dict[str, Any]]
    notice_days: Count | None = None


class NoticeOut(Schema):
    campaign: int
    published_at: str
    objections_until: str


def results_out(campaign: Campaign) -> dict:
    view = present.campaign_view(campaign)
    return {
        "campaign": campaign.pk,
        "name": campaign.name,
        "status": campaign.status,
        "head_at_close": campaign.head_at_close,
        "headline": view["headline"],
        "denominator": view["denominator"],
        "rules": view["rules"],
        "ranking": view["ranking"],
    }


def _closed(request, pk: int) -> Campaign:
    campaign = campaign_for_manager(request.auth, pk)
    if not lifecycle.allows(campaign, "read_results"):
        raise HttpError(409, "results exist only after voting has closed")
    return campaign


@public_router.get("/{id:pk}", response=ResultsOut)
def published_results(request, pk: int):
    """Published results of a campaign (公示), for anyone."""
    campaign = lifecycle.allowing("show_public").filter(pk=pk).select_related("instrument_version").first()
    if campaign is None:
        raise HttpError(404, "no published results for this campaign")
    return results_out(campaign)


@organiser_router.get("/{id:pk}/results", response={200: ResultsOut, 409: ApiError})
def campaign_results(request, pk: int):
    return results_out(_closed(request, pk))


@organiser_router.get("/{id:pk}/results/subjects/{id:subject}", response={200: SubjectOut, 409: ApiError})
def subject_results(request, pk: int, subject: int):
    campaign = _closed(request, pk)
    found = campaign.subjects.filter(pk=subject).first()
    if found is None:
        raise HttpError(404, "no such subject in this campaign")
    figures = subject_figures(campaign, [found])[0]
    rank_in_category(campaign, figures)
    return present.subject_view(campaign, figures)


@organiser_router.get("/{id:pk}/follow-up", response={200: list[FollowUpRow], 409: ApiError})
def follow_up(request, pk: int):
    """Subjects a follow-up rule fires on (诫勉谈话 candidates), with the rules that fired."""
    return present.campaign_view(_closed(request, pk))["follow_up"]


@organiser_router.post("/{id:pk}/close", response=CampaignOut)
def close_campaign(request, pk: int):
    return campaign_out(actions.close_campaign(actor=request.auth, campaign=campaign_for_manager(request.auth, pk)))


@organiser_router.put("/{id:pk}/result-rules", response={200: ResultsOut, 409: ApiError})
def set_rules(request, pk: int, body: RulesIn):
    campaign = _closed(request, pk)
    actions.set_policy(actor=request.auth, campaign=campaign, rules=body.rules, notice_days=body.notice_days)
    return results_out(campaign)


@organiser_router.post("/{id:pk}/publish", response={201: NoticeOut})
def publish(request, pk: int):
    notice = actions.publish(actor=request.auth, campaign=campaign_for_manager(request.auth, pk))
    return Status(
        201, {"campaign": pk, "published_at": notice.published_at.isoformat(), "objections_until": notice.objections_until.isoformat()}
    )
