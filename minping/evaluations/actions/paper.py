"""Paper ballots keyed twice: a ballot counts once two different clerks have entered the same sheet alike.

Entries hold the sheet's code digest and its answers only while keying is under way; they are deleted when the
ballot is counted, so afterwards nothing links the sheet's code to its answers (the paper itself stays sealed
with the organisers, as paper ballots always have).
"""

from dataclasses import dataclass

from django.db import transaction

from minping.accounts.scoping import ensure_region_in_scope
from minping.evaluations import codes as code_rules
from minping.evaluations.actions.casting import CastError, cast_ballot, checked_answers, find_code
from minping.evaluations.models import Campaign, Code, PaperEntry

REASONS = ["字迹无法辨认", "选项超过规定数量", "空白票", "其他"]


@dataclass
class EntryOutcome:
    state: str  # "waiting" for a second clerk, "mismatch" with another entry, "counted"
    tracker: str = ""


def enter_paper_ballot(*, actor, campaign: Campaign, short_code: str, answers, void_reason: str = "") -> EntryOutcome:
    ensure_region_in_scope(actor, campaign.region)
    code = find_code(campaign, short_code)
    if code.batch.channel != "paper":
        raise CastError("channel", "这个测评码不是纸质票上的测评码", status=409)
    if void_reason and void_reason not in REASONS:
        raise CastError("void_reason", "请选择废票原因", status=422)
    stored = checked_answers(campaign, answers, allow_void=True, void_reason=void_reason)
    digest = code_rules.digest("short", code_rules.normalise_short(short_code))
    with transaction.atomic():
        # Two clerks keying the same sheet at once take turns on its code's row, so the second sees the first's
        # entry: otherwise each would see no other entry, and both would wait for the other.
        Code.objects.select_for_update().filter(pk=code.pk).first()
        PaperEntry.objects.update_or_create(
            campaign=campaign,
            short_digest=digest,
            clerk=actor,
            defaults={"answers": stored, "void_reason": void_reason},
        )
        others = list(PaperEntry.objects.select_for_update().filter(short_digest=digest).exclude(clerk=actor))
        if not others:
            return EntryOutcome("waiting")
        if not any(o.answers == stored and o.void_reason == void_reason for o in others):
            return EntryOutcome("mismatch")
        receipt = cast_ballot(campaign=campaign, code=short_code, answers=answers, channel="paper", void_reason=void_reason)
        PaperEntry.objects.filter(short_digest=digest).delete()
    return EntryOutcome("counted", receipt.tracker)


def pending(campaign: Campaign) -> dict:
    """How many sheets wait for a second entry, and how many disagree (counts only: entries stay unshown)."""
    by_code: dict[str, list] = {}
    for digest, answers, reason in PaperEntry.objects.filter(campaign=campaign).values_list("short_digest", "answers", "void_reason"):
        by_code.setdefault(digest, []).append((answers, reason))
    waiting = sum(1 for entries in by_code.values() if len(entries) == 1)
    return {"waiting": waiting, "mismatch": len(by_code) - waiting}
