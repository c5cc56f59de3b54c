"""Rolling ballots up into counts, and checking counts against ballots.

`count_ballots` is the one definition of what a ballot adds to which count; `stored_rows` gives the rows stored when a
campaign closes and `verify` compares a fresh recount with what is stored.
"""

import secrets
from collections import Counter, defaultdict

from django.db.models import Count

from minping.evaluations.models import Ballot, Campaign, Code
from minping.results.masking import mask
from minping.results.models import Tally, TextAnswer

Key = tuple[int | None, int, str, str, str]  # subject, group, channel, question, option


class Counts:
    def __init__(self):
        self.n: Counter[Key] = Counter()
        self.total: Counter[Key] = Counter()
        self.squares: Counter[Key] = Counter()
        self.texts: list[tuple[int | None, int, str, str]] = []


def _section(counts: Counts, subject: int | None, group: int, channel: str, questions: list[dict], answers: dict):
    for question in questions:
        value = answers.get(question["key"])
        if value is None:
            continue
        key, kind = question["key"], question["type"]
        if kind == "multi":
            counts.n[(subject, group, channel, key, "")] += 1
            for option in value:
                counts.n[(subject, group, channel, key, option)] += 1
        elif kind == "score":
            counts.n[(subject, group, channel, key, "")] += 1
            counts.total[(subject, group, channel, key, "")] += value
            counts.squares[(subject, group, channel, key, "")] += value * value
        elif kind == "text":
            if value:
                counts.n[(subject, group, channel, key, "")] += 1
                counts.texts.append((subject, group, key, value))
        else:
            counts.n[(subject, group, channel, key, value)] += 1


def count_ballots(definition: dict, rows, observe=None) -> Counts:
    """rows: (group id, channel, answers, void reason) of every ballot of one campaign. `observe(group, answers)`,
    if given, sees every ballot that is not void as a whole, in the same pass."""
    counts = Counts()
    subject_questions = definition["subject_questions"]
    general_questions = definition.get("general_questions", [])
    for group, channel, answers, void_reason in rows:
        counts.n[(None, group, channel, "", "ballots")] += 1
        if void_reason:
            counts.n[(None, group, channel, "", "void_ballots")] += 1
            continue
        if observe is not None:
            observe(group, answers)
        for subject_key, section in answers["s"].items():
            subject = int(subject_key)
            if section.get("unknown"):
                counts.n[(subject, group, channel, "", "unknown")] += 1
            elif "void" in section:
                counts.n[(subject, group, channel, "", "void")] += 1
            else:
                counts.n[(subject, group, channel, "", "valid")] += 1
                _section(counts, subject, group, channel, subject_questions, section)
        _section(counts, None, group, channel, general_questions, answers.get("g", {}))
    return counts


def _ballot_rows(campaign: Campaign):
    return Ballot.objects.filter(campaign=campaign).values_list("group_id", "channel", "answers", "void_reason").iterator(chunk_size=500)


def recount(campaign: Campaign, observe=None) -> Counts:
    """The counts of a campaign's ballots, and of its codes per group: "codes" handed out and still valid
    (issued or used) and "voided" ones, under channel ""."""
    counts = count_ballots(campaign.definition, _ballot_rows(campaign), observe)
    for group, status, n in Code.objects.filter(campaign=campaign).values_list("group_id", "status").annotate(n=Count("id")):
        counts.n[(None, group, "", "", "voided" if status == Code.Status.VOIDED else "codes")] += n
    return counts


def stored_rows(campaign: Campaign, observe=None) -> tuple[list[Tally], list[TextAnswer]]:
    """The count rows and the masked free text to store for a closed campaign (unsaved, the text in random
    order); `observe` is passed to count_ballots. `results.actions.close_campaign` writes them."""
    counts = recount(campaign, observe)
    names = tuple(campaign.subjects.filter(kind="cadre").values_list("label", flat=True))
    rows = [
        Tally(
            campaign=campaign,
            subject_id=key[0],
            group_id=key[1],
            channel=key[2],
            question=key[3],
            option=key[4],
            n=n,
            total=counts.total.get(key, 0),
            squares=counts.squares.get(key, 0),
        )
        for key, n in counts.n.items()
    ]
    texts = [TextAnswer(campaign=campaign, subject_id=s, group_id=g, question=q, text=mask(t, names)) for s, g, q, t in counts.texts]
    secrets.SystemRandom().shuffle(texts)  # stored order says nothing about the order of the ballots
    return rows, texts


def verify(campaign: Campaign) -> list[str]:
    """Every difference between the stored counts and a recount of the ballots; empty when they agree."""
    counts = recount(campaign)
    stored: dict[Key, tuple[int, int, int]] = {}
    for row in Tally.objects.filter(campaign=campaign).values_list(
        "subject_id", "group_id", "channel", "question", "option", "n", "total", "squares"
    ):
        stored[row[:5]] = row[5:]
    problems = []
    for key in sorted(set(stored) | set(counts.n), key=str):
        expected = (counts.n.get(key, 0), counts.total.get(key, 0), counts.squares.get(key, 0))
        found = stored.get(key, (0, 0, 0))
        if expected != found:
            subject, group, channel, question, option = key
            problems.append(
                f"subject={subject} group={group} channel={channel} question={question or '-'} "
                f"option={option or '-'}: stored {found}, ballots give {expected}"
            )
    texts = defaultdict(int)
    for subject, group, question, _text in counts.texts:
        texts[(subject, group, question)] += 1
    for row in TextAnswer.objects.filter(campaign=campaign).values_list("subject_id", "group_id", "question"):
        texts[row] -= 1
    problems += [f"free text subject={k[0]} group={k[1]} question={k[2]}: {-v:+d} stored vs ballots" for k, v in texts.items() if v]
    return problems
