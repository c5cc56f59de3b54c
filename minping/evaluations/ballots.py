"""Ballot digests and the ballot box's hash chain.

A ballot's digest is the SHA-256 of its canonical content. The chain starts at the campaign's genesis (a hash of
its frozen configuration, shown when it opens) and folds in the digests of all ballots in digest order, which
commits to every ballot without revealing the order in which they were cast. Its end is shown at close.
"""

import hashlib
import json
from itertools import chain

from minping.evaluations.models import Ballot, Campaign


def canonical(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def ballot_digest(ballot: Ballot, answers_json: bytes | None = None) -> str:
    """SHA-256 of the ballot's canonical content. `answers_json`, when given, is canonical(ballot.answers)
    already encoded."""
    answers = canonical(ballot.answers) if answers_json is None else answers_json
    return content_digest(
        answers,
        campaign=ballot.campaign_id,
        group=ballot.group_id,
        channel=ballot.channel,
        cast_on=ballot.cast_on,
        tracker=ballot.tracker,
        void=ballot.void_reason,
    )


def content_digest(answers_json: bytes, *, campaign, group, channel, cast_on, tracker, void) -> str:
    """`ballot_digest` of a ballot not made into a model instance (the cast's hot path). "answers" sorts first
    among the keys, so the encoded answers are spliced in rather than encoded again."""
    rest = canonical(
        {"campaign": campaign, "group": group, "channel": channel, "cast_on": cast_on.isoformat(), "tracker": tracker, "void": void}
    )
    return hashlib.sha256(b'{"answers":' + answers_json + b"," + rest[1:]).hexdigest()


def genesis(campaign: Campaign) -> str:
    return hashlib.sha256(
        canonical(
            {
                "campaign": campaign.pk,
                "name": campaign.name,
                "definition": campaign.definition,
                "subjects": [[s.pk, s.label] for s in campaign.subjects.order_by("pk")],
                "groups": [[g.pk, g.name, str(g.weight)] for g in campaign.groups.order_by("pk")],
            }
        )
    ).hexdigest()


def chain_head(campaign: Campaign, digests=None) -> str:
    head = genesis(campaign)
    if digests is None:
        digests = campaign.ballots.order_by("digest").values_list("digest", flat=True).iterator(chunk_size=5000)
    for digest in digests:
        head = hashlib.sha256(f"{head}{digest}".encode()).hexdigest()
    return head


def verify_ballot_box(campaign: Campaign) -> list[str]:
    """Everything wrong with the campaign's ballot box, the shuffle pool's ballots included; an empty list when
    it is intact."""
    problems = []
    digests = []
    for ballot in chain(campaign.ballots.all().iterator(chunk_size=2000), campaign.pooled_ballots.all()):
        if ballot_digest(ballot) != ballot.digest:
            problems.append(f"ballot {ballot.tracker}: its content does not match its digest")
        digests.append(ballot.digest)
    digests.sort()
    if campaign.head_at_open and genesis(campaign) != campaign.head_at_open:
        problems.append("the campaign's configuration differs from the one committed to at opening")
    if campaign.head_at_close:
        head = chain_head(campaign, digests)
        if head != campaign.head_at_close:
            problems.append(f"the chain head is {head}, but {campaign.head_at_close} was published at close")
    used = campaign.codes.filter(status="used").count()
    issued = campaign.codes.count()
    if len(digests) != used:
        problems.append(f"{len(digests)} ballots but {used} used codes")
    if used > issued:
        problems.append(f"{used} used codes exceed the {issued} issued")
    return problems
