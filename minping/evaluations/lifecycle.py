"""What may be done to a campaign in which state: the one table that actions, HTML views and the JSON API ask,
in the spirit of Helios' lifecycle-aware decorators (`election_admin(frozen=True)`).

Each step names the states it is allowed in and the refusal a user reads otherwise. `lock` takes a campaign's
row for a step; the one sequence every change of state runs (lock, check, the caller's work, status, save,
audit) is `evaluations.actions.advance_campaign`.
"""

from typing import NamedTuple

from django.core.exceptions import ValidationError

from minping.evaluations.models import Campaign

S = Campaign.Status


class CampaignStep(NamedTuple):
    states: frozenset
    refusal: str
    refusal_in: dict = {}  # a refusal that says more in some states


STEPS = {
    "edit": CampaignStep(frozenset({S.DRAFT}), "测评活动已开始，测评表、对象和评价群体不能再修改"),
    "choose_denominator": CampaignStep(frozenset({S.DRAFT}), "测评开始后不能再改变比率的分母口径"),
    "open": CampaignStep(frozenset({S.DRAFT}), "只有草稿状态的测评活动可以开始"),
    "set_window": CampaignStep(frozenset({S.DRAFT, S.OPEN}), "测评已结束，投票时间不能再改"),
    "issue_codes": CampaignStep(frozenset({S.DRAFT, S.OPEN}), "测评活动已结束，不能再发放测评码"),
    "send_codes": CampaignStep(frozenset({S.OPEN}), "测评开始后才能向名册发送测评码"),
    "enter_ballots": CampaignStep(frozenset({S.OPEN}), "测评不在进行中，不能录入选票"),
    "write_report": CampaignStep(frozenset({S.DRAFT, S.OPEN}), "测评已结束，述职报告不能再修改"),
    "ask": CampaignStep(frozenset({S.DRAFT, S.OPEN}), "测评已结束，不再收集群众提问"),
    "vote": CampaignStep(frozenset({S.OPEN}), "测评不在投票阶段"),
    "close": CampaignStep(frozenset({S.OPEN}), "只有进行中的测评活动可以结束"),
    "show_ballot_box": CampaignStep(frozenset({S.PUBLISHED, S.ARCHIVED}), "结果发布后才公开票箱"),
    "read_results": CampaignStep(frozenset({S.CLOSED, S.PUBLISHED, S.ARCHIVED}), "测评结束后才有结果"),
    "set_rules": CampaignStep(frozenset({S.DRAFT, S.OPEN, S.CLOSED}), "结果已发布，跟进规则不能再修改"),
    "publish": CampaignStep(frozenset({S.CLOSED}), "测评结束后才能发布结果", {S.PUBLISHED: "结果已经发布过", S.ARCHIVED: "结果已经发布过"}),
    "archive": CampaignStep(frozenset({S.PUBLISHED}), "只有已发布的测评活动可以归档"),
    "show_public": CampaignStep(frozenset({S.PUBLISHED, S.ARCHIVED}), "结果尚未发布"),
}


def allows(campaign: Campaign, step: str) -> bool:
    return campaign.status in STEPS[step].states


def allowing(step: str):
    """The campaigns whose state allows `step`."""
    return Campaign.objects.filter(status__in=STEPS[step].states)


def ensure(campaign: Campaign, step: str) -> None:
    """ValidationError with the step's refusal unless the campaign's state allows it."""
    if not allows(campaign, step):
        rule = STEPS[step]
        raise ValidationError(rule.refusal_in.get(campaign.status, rule.refusal))


def lock(campaign_id: int, step: str) -> Campaign:
    """The campaign's row, locked to the end of the transaction and checked for `step`: an edit either lands
    before a change of state or is refused after it."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
    ensure(campaign, step)
    return campaign
