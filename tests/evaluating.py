"""A small campaign for the evaluation tests: two cadres of 光明社区 rated by residents."""

from minping.evaluations import actions
from minping.evaluations.actions import casting
from minping.evaluations.models import Instrument


def make_campaign(test, *, instrument_key="party_secretary", channels=("qr", "paper", "online"), open_it=True, codes=5):
    actions.install_builtin_instruments()  # a TransactionTestCase's flush removes what migrations installed
    instrument = Instrument.objects.get(builtin_key=instrument_key, region__isnull=True)
    campaign = actions.create_campaign(
        actor=test.organiser_a, name="光明社区书记测评", region=test.community_a, instrument=instrument, channels=list(channels), quorum=3
    )
    actions.add_subjects(actor=test.organiser_a, campaign=campaign, subjects=[test.cadre_a])
    group = campaign.groups.get()
    pairs = actions.issue_codes(actor=test.organiser_a, campaign=campaign, group=group, count=codes, channel=channels[0])
    if open_it:
        campaign = actions.open_campaign(actor=test.organiser_a, campaign=campaign)
    return campaign, group, pairs


def full_answers(campaign, choice="satisfied", overall="excellent", suggestion=""):
    subjects = {}
    for subject in campaign.subjects.all():
        section = {q["key"]: choice for q in campaign.definition["subject_questions"]}
        for q in campaign.definition["subject_questions"]:
            if q["type"] == "grade":
                section[q["key"]] = overall
            elif q["type"] == "score":
                section[q["key"]] = 90
            elif q["type"] == "yesno":
                section[q["key"]] = "yes"
        subjects[str(subject.pk)] = section
    return {"subjects": subjects, "general": {"suggestion": suggestion} if suggestion else {}}


def answers_for(campaign, overall: str = "excellent", each: str = "satisfied", suggestion: str = "", unknown=()):
    """One ballot's answers: every scale question `each`, every grade question `overall`; subjects whose pk is in
    `unknown` marked 不认识."""
    subjects = {}
    for subject in campaign.subjects.all():
        if subject.pk in unknown:
            subjects[str(subject.pk)] = {"unknown": True}
            continue
        section = {}
        for q in campaign.definition["subject_questions"]:
            section[q["key"]] = {"grade": overall, "scale": each, "yesno": "yes", "score": 90}.get(q["type"], each)
        subjects[str(subject.pk)] = section
    return {"subjects": subjects, "general": {"suggestion": suggestion} if suggestion else {}}


def cast_all(campaign, pairs, answers_list, channel="qr"):

    for (token, _short), answers in zip(pairs, answers_list, strict=False):
        casting.cast_ballot(campaign=campaign, code=token, answers=answers, channel=channel)


def campaign_people(test) -> None:
    """What make_campaign needs, for a TransactionTestCase without BaseTestCase's personas: 甲区 > 光明社区, its
    organiser and one cadre."""
    from minping.accounts.models import User
    from minping.lib.identity import id_digest, mask_id
    from minping.org.models import Cadre
    from tests.base import id_number, make_region

    test.district_a = make_region("甲区", "district")
    test.community_a = make_region("光明社区", "community", make_region("一街道", "street", test.district_a))
    test.organiser_a = User.objects.create_user("org", password="x", role=User.Role.ORGANISER, region=test.district_a)
    number = id_number(905)
    test.cadre_a = Cadre.objects.create(
        name="王书记", id_digest=id_digest(number), id_masked=mask_id(number), gender="M", birth_year=1980, region=test.community_a
    )


def ballots_cast(**filters) -> list:
    """Every ballot cast (filtered as Ballot.objects.filter would), whether still in the campaign's shuffle pool
    or already moved to the ballot table."""
    from minping.evaluations.models import Ballot, PooledBallot

    return [*Ballot.objects.filter(**filters), *PooledBallot.objects.filter(**filters)]


def only_ballot(**filters):
    """The one ballot cast (see ballots_cast); fails the test if there is not exactly one."""
    found = ballots_cast(**filters)
    assert len(found) == 1, f"{len(found)} ballots cast, not 1"
    return found[0]
