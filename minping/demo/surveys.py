"""A phone survey in the demo district (电话督评): the first street's adults with phones asked about its
communities' party secretaries, stratified by community and drawn for ±10 points, the demo's interviewer and the office
named to call, a printed phone code sheet per community, and a first morning of calls on record; and a sample
audit of the year's resolved problems, half of it checked on the ground.

Written through the survey's actions, as an organiser and interviewers would."""

import datetime as dt
import random

from django.core.exceptions import ValidationError
from django.utils import timezone

from minping.evaluations import actions as evaluations
from minping.evaluations.models import Instrument
from minping.org.models import Cadre, Region
from minping.sampling import actions
from minping.sampling.models import Case


def seed_surveys(*, district: Region, organiser, office, interviewer) -> dict:
    rng = random.Random(2029)
    street = district.children.order_by("pk").first()
    cadres = list(
        Cadre.objects.within(street).filter(posts__category="secretary", posts__ended_on__isnull=True).distinct().order_by("pk")[:3]
    )
    campaign = evaluations.create_campaign(
        actor=organiser,
        name=f"{street.name}社区书记满意度电话督评",
        region=street,
        instrument=Instrument.objects.get(builtin_key="party_secretary", region__isnull=True),
        channels=["phone"],
        quorum=5,
    )
    evaluations.add_subjects(actor=organiser, campaign=campaign, subjects=cadres)
    survey = actions.create_survey(
        actor=organiser,
        campaign=campaign,
        region=street,
        name="",
        strata_level="community",
        margin="0.1",
        response="0.6",
        exclusion_days="90",
    )
    campaign = evaluations.open_campaign(actor=organiser, campaign=campaign)
    actions.set_interviewers(actor=organiser, survey=survey, interviewers=[interviewer, office])
    sheets = {}
    for group in survey.groups.values():
        group_row = campaign.groups.get(pk=group)
        sheets[group_row.name] = [
            short for _t, short in evaluations.issue_codes(actor=organiser, campaign=campaign, group=group_row, count=10, channel="phone")
        ]
    for person in (interviewer, office):
        for _ in range(6):
            case = actions.next_case(actor=person, survey=survey)
            if case is None:
                break
            actions.record_outcome(
                actor=person, case=case, outcome=rng.choice(["no_answer", "busy", "refusal", "callback", "wrong_number"])
            )
    today = timezone.localdate()
    try:
        audit = actions.draw_audit(actor=organiser, kind="problems", region=district, start=dt.date(today.year, 1, 1), end=today, size="10")
    except ValidationError:  # a district without resolved problems this year has nothing to audit
        audit = None
    if audit is not None:
        for item in list(audit.items.order_by("pk"))[:5]:
            verdict = rng.choice(["confirmed", "confirmed", "confirmed", "partly"])
            actions.record_verdict(actor=organiser, item=item, verdict=verdict, note="" if verdict == "confirmed" else "现场只整改了一半")
    return {"survey": survey, "sheets": sheets, "waiting": Case.objects.filter(survey=survey, released=True, final=False).count()}
