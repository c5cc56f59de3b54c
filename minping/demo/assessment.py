"""Two years of the composite assessment in the demo district: the street's party secretaries assessed with the
德能勤绩廉 template (superiors' sheets, a yearly mass evaluation, field-work cadence), each year with its own
published evaluation.

- 2025: run, one grade calibrated with its reason, published; 光明社区's secretary (the demo's cadre login)
  appealed, a rater's sheet was corrected under the appeal, and the rerun was published; the follow-up talk for
  the last of the ranking is recorded as held.
- 2026: run with a calibration on record, waiting for the organiser to publish it.

Everything is written through the assessment's actions, so runs, overrides and appeals are audited as they would
be; only the 2025 campaign is dated back to its year.
"""

import datetime as dt
import random

from django.utils import timezone

from minping.assessment import actions, sources
from minping.assessment.models import FollowUp
from minping.demo.campaigns import _run
from minping.evaluations.models import Campaign
from minping.org.models import Cadre, Region
from minping.results.actions import publish as publish_campaign


def _campaign(organiser, rng, street: Region, secretaries: list, year: int) -> Campaign:
    campaign, _pairs = _run(
        organiser,
        rng,
        name=f"{street.name}{year}年度党组织书记群众测评",
        region=street,
        instrument_key="party_secretary",
        subjects=secretaries,
        voters=60,
    )
    publish_campaign(actor=organiser, campaign=campaign)
    if year < timezone.localdate().year:
        closed = timezone.make_aware(dt.datetime(year, 12, 20, 16))
        Campaign.objects.filter(pk=campaign.pk).update(opened_at=closed - dt.timedelta(hours=2), closed_at=closed)
    return campaign


def _scheme(organiser, street, year: int, campaign: Campaign, rng, raters):
    scheme = actions.create_scheme(actor=organiser, region=street, template="secretary_year", year=year, name="党组织书记年度考核")
    definition = scheme.definition
    next(c for c in definition["components"] if c["kind"] == "mass")["campaigns"] = [campaign.pk]
    scheme = actions.save_definition(actor=organiser, scheme=scheme, definition=definition)
    actions.set_raters(actor=organiser, scheme=scheme, raters=raters)
    criteria = next(c for c in definition["components"] if c["kind"] == "superior")["criteria"]
    members = [m["ref"] for m in sources.members(scheme)]
    for rater in raters:
        for ref in members:
            actions.rate(actor=rater, scheme=scheme, member=ref, scores={c["key"]: rng.randint(78, 98) for c in criteria})
    return scheme, members


def seed_assessment(*, district: Region, organiser, office, cadre_user) -> dict:
    rng = random.Random(2027)
    community = Region.objects.get(parent__parent=district, name="光明社区")
    street = community.parent
    secretaries = list(
        Cadre.objects.within(street)
        .filter(posts__category__in=["secretary", "first_secretary"], posts__ended_on__isnull=True)
        .distinct()
        .order_by("pk")
    )
    raters = [organiser, office]
    this_year = timezone.localdate().year
    found = {}
    for year in (this_year - 1, this_year):
        campaign = _campaign(organiser, rng, street, secretaries, year)
        scheme, members = _scheme(organiser, street, year, campaign, rng, raters)
        actions.add_adjustment(
            actor=organiser,
            scheme=scheme,
            member=members[1],
            points="2",
            reason="获评市级优秀党组织书记",
            evidence=f"市委组织部通报〔{year}〕8号",
        )
        run = actions.run_scheme(actor=organiser, scheme=scheme)
        second = run.results.order_by("rank", "label")[1]
        actions.override(
            actor=organiser,
            result=second,
            grade="优秀" if second.grade != "优秀" else "称职",
            reason="考核委员会审定：全年牵头完成老旧小区改造，群众评价突出"
            if second.grade != "优秀"
            else "考核委员会审定：年内信访积案未化解",
        )
        found[year] = scheme
        if year == this_year:
            continue
        actions.publish(actor=organiser, scheme=scheme)
        mine = run.results.get(cadre=cadre_user.cadre)
        appeal = actions.file_appeal(actor=cadre_user, result=mine, text="“勤”一项的评分未计入本人全年驻社区天数，请予复核。")
        actions.rate(
            actor=office, scheme=scheme, member=mine.ref, scores={c["key"]: 96 for c in scheme.definition["components"][0]["criteria"]}
        )
        actions.decide_appeal(
            actor=organiser, appeal=appeal, decision="经复核，街道评分人补充了驻社区记录，更正评分后重新计算。", changed=True
        )
        for item in FollowUp.objects.filter(result__run__scheme=scheme):
            actions.schedule_follow_up(
                actor=organiser,
                follow_up=item,
                due_on=dt.date(this_year, 1, 15),
                done_on=dt.date(this_year, 1, 15),
                note="街道党工委书记谈话，本人表态整改",
            )
    return found
