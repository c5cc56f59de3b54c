"""Demo campaigns, their ballots cast through the same code path as real voters' (issue_codes, cast_ballot).

- seed 001 (吉州): 光明社区's yearly evaluation with three instruments (community work, party secretary,
  college-graduate officials), 60 residents each, closed; the first two published on the notice page;
- seed 000 (鄞州 "三考"): residents' representatives of a village examine its first secretary and officers, closed;
- one open campaign whose slips the demo writes to the data directory so a visitor can vote, with phone codes
  for the interviewer's telephone interviews.
"""

import io
import random

from minping.evaluations import actions, printing
from minping.evaluations.actions import casting
from minping.evaluations.models import Instrument
from minping.org.models import Cadre, Region
from minping.results.actions import close_campaign, publish

WEIGHTS = {
    "scale": [("satisfied", 80), ("fairly", 14), ("dissatisfied", 3), ("unknown", 3)],
    "grade": [("excellent", 62), ("competent", 31), ("basic", 5), ("incompetent", 2)],
    "yesno": [("yes", 78), ("no", 16), ("unknown", 6)],
}
SUGGESTIONS = [
    "希望多组织老年人活动",
    "小区停车难，请协调解决",
    "垃圾分类宣传再加强",
    "夜间路灯有几处不亮",
    "感谢网格员经常上门",
    "希望增加便民服务时间",
    "楼道堆物请督促清理",
    "社区干部工作认真负责",
]


LARGE = 30  # subjects of the big open campaign


def _answers(rng: random.Random, campaign) -> dict:
    subjects = {}
    for subject in campaign.subjects.all():
        if rng.random() < 0.03:
            subjects[str(subject.pk)] = {"unknown": True}
            continue
        section = {}
        for question in campaign.definition["subject_questions"]:
            kind = question["type"]
            if kind == "score":
                section[question["key"]] = rng.randint(70, 100)
            else:
                options, weights = zip(*WEIGHTS.get(kind, [(o["key"], 1) for o in question["options"]]))
                section[question["key"]] = rng.choices(options, weights)[0]
        subjects[str(subject.pk)] = section
    general = {"suggestion": rng.choice(SUGGESTIONS)} if rng.random() < 0.3 else {}
    return {"subjects": subjects, "general": general}


def _run(actor, rng, *, name, region, instrument_key, subjects, voters, close=True, channels=("qr", "paper"), slips=0):
    instrument = Instrument.objects.get(builtin_key=instrument_key, region__isnull=True)
    campaign = actions.create_campaign(actor=actor, name=name, region=region, instrument=instrument, channels=list(channels), quorum=50)
    actions.add_subjects(actor=actor, campaign=campaign, subjects=subjects)
    group = campaign.groups.get()
    pairs = actions.issue_codes(actor=actor, campaign=campaign, group=group, count=slips or voters + 5, channel="qr")
    campaign = actions.open_campaign(actor=actor, campaign=campaign)
    if not close:
        return campaign, pairs
    for token, _short in pairs[:voters]:
        casting.cast_ballot(campaign=campaign, code=token, answers=_answers(rng, campaign), channel="qr")
    return close_campaign(actor=actor, campaign=campaign), pairs


def seed_campaigns(*, actor, district: Region) -> dict:
    actions.install_builtin_instruments()
    rng = random.Random(2012)
    community = Region.objects.get(parent__parent=district, name="光明社区")
    secretary = Cadre.objects.filter(region=community, posts__category="secretary", posts__ended_on__isnull=True).first()
    graduates = list(Cadre.objects.within(community.parent).filter(posts__category="graduate_official", posts__ended_on__isnull=True)[:3])
    year = "2026年度"
    for key, subjects, title in [
        ("community_work", [community], f"光明社区{year}社区工作群众评议"),
        ("party_secretary", [secretary], f"光明社区{year}党组织书记群众测评"),
        ("graduate_official", graduates, f"{community.parent.name}{year}选聘生群众测评"),
    ]:
        campaign, _pairs = _run(actor, rng, name=title, region=community.parent, instrument_key=key, subjects=subjects, voters=60)
        if key != "graduate_official":  # left closed, for a visitor to publish
            publish(actor=actor, campaign=campaign)
    village = Region.objects.filter(parent__parent=district, name__endswith="村").order_by("pk").first()
    officers = list(
        Cadre.objects.filter(
            region=village, posts__ended_on__isnull=True, posts__category__in=["first_secretary", "secretary", "director"]
        ).distinct()
    )
    _run(actor, rng, name=f"{village.name}“三考”群众考干部", region=village, instrument_key="sankao_grounded", subjects=officers, voters=55)
    street = community.parent
    open_campaign, pairs = _run(
        actor,
        rng,
        name=f"{street.name}驻村干部满意度测评（进行中）",
        region=district,
        instrument_key="village_cadre",
        voters=0,
        close=False,
        slips=60,
        channels=("qr", "phone"),
        subjects=list(Cadre.objects.within(district).filter(posts__category="village_based", posts__ended_on__isnull=True)[:4]),
    )
    phone = actions.issue_codes(actor=actor, campaign=open_campaign, group=open_campaign.groups.get(), count=20, channel="phone")
    # A big meeting's ballot: the district's thirty department heads rated on one phone, one page per person.
    heads = list(
        Cadre.objects.within(district).filter(posts__ended_on__isnull=True, posts__unit__isnull=False).distinct().order_by("pk")[:LARGE]
    )
    large, large_pairs = _run(
        actor,
        rng,
        name=f"{district.name}{year}部门负责人满意度测评（{len(heads)}人，进行中）",
        region=district,
        instrument_key="party_secretary",
        voters=0,
        close=False,
        slips=60,
        channels=("qr",),
        subjects=heads,
    )
    return {
        "open": open_campaign,
        "slips": {open_campaign.name: pairs, large.name: large_pairs},
        "codes": [short for _token, short in pairs],
        "large_codes": [short for _token, short in large_pairs],
        "phone_codes": [short for _t, short in phone],
    }


def slips(vote_url: str, campaigns: dict) -> bytes:
    """The QR slips of the demo's open campaigns, pointing at the address the demo is served on."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for name, pairs in campaigns.items():
        writer.append(io.BytesIO(printing.slips_pdf(campaign_name=name, group_name="群众", vote_url=vote_url, pairs=pairs)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
