"""Casting a ballot: the code presented is looked up (one query, nothing consumed), the campaign must be
accepting, and the ballot is taken into the shuffle pool with its code used and its receipt issued in one
transaction, on PostgreSQL in one statement. A retried submission gets the same receipt. Every channel ends here:
the voter's pages and API, paper ballots keyed twice, telephone interviews."""

import contextlib
import copy
import functools
import hashlib
import hmac
import uuid
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from minping.evaluations import codes as code_rules
from minping.evaluations.actions import shuffle
from minping.evaluations.ballots import (
    ballot_digest,
    canonical,
    content_digest,
)
from minping.evaluations.instruments import AnswerError, BallotChecker
from minping.evaluations.models import (
    Ballot,
    Campaign,
    Code,
    PooledBallot,
    Subject,
    Submission,
)
from minping.lib.memo import Expiring


@dataclass
class Receipt:
    tracker: str
    repeated: bool = False  # the same submission had arrived before


class CastError(Exception):
    """A ballot that cannot be taken: `reason` is a stable identifier, `message` is for the voter."""

    def __init__(self, reason: str, message: str, status: int = 400, problems: list | None = None):
        super().__init__(message)
        self.reason, self.message, self.status, self.problems = reason, message, status, problems or []


OPEN_CAMPAIGN_SECONDS = 30
_open_campaigns = Expiring(OPEN_CAMPAIGN_SECONDS, size=1000)


def opened_key(campaign: Campaign) -> tuple:
    """What identifies an opened campaign's frozen configuration, for the caches of it."""
    return campaign.pk, campaign.head_at_open, campaign.opened_at


@dataclass(frozen=True)
class Presented:
    """A code as found when it was presented: which digest matched, and the code's state at that moment."""

    field: str
    digest: str
    status: str
    group_id: int
    channel: str


def campaign_for_code(presented: str) -> Campaign:
    """The campaign a presented code belongs to, or CastError; the code's state is in `campaign.presented`.
    Nothing is consumed. One query.

    Opened campaigns are kept in memory for a few seconds: their questions and subjects are frozen, and their
    status is read again, under lock, when a ballot is cast."""
    try:
        field, value = code_rules.lookup_digests(presented or "")
    except code_rules.CodeFormatError as exc:
        raise CastError("malformed_code", str(exc)) from None
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT c.campaign_id, p.head_at_open, p.status, c.status, c.group_id, b.channel, p.starts_at, p.ends_at, "
            f"p.opened_at "
            f"FROM evaluations_code c "
            f"JOIN evaluations_campaign p ON p.id = c.campaign_id JOIN evaluations_codebatch b ON b.id = c.batch_id "
            f"WHERE c.{field} = %s",
            [value],
        )
        row = cursor.fetchone()
    if row is None:
        raise CastError("unknown_code", "测评码不存在，请核对", status=404)
    # Keyed by the genesis hash, which commits to the whole configuration, and the moment of opening (a row id
    # can be used again after a deletion on SQLite), both as this statement reads them (SQLite gives the moment
    # as text, the ORM a datetime); status and window are always read fresh.
    key = (row[0], row[1], row[8])
    cached = _open_campaigns.get(key)
    if cached is not None:
        campaign = copy.copy(cached)
        campaign.status, campaign.starts_at, campaign.ends_at = row[2], row[6], row[7]
    else:
        campaign = Campaign.objects.select_related("instrument_version").get(pk=row[0])
        if campaign.head_at_open:
            _open_campaigns.put(key, campaign)
        campaign = copy.copy(campaign)
    campaign.presented = Presented(field, value, row[3], row[4], row[5])
    return campaign


def ensure_usable(campaign: Campaign) -> None:
    """CastError unless the code `campaign_for_code` found is still unused and voting is open."""
    _ensure_unused(campaign.presented.status)
    ensure_accepting(campaign)


def ensure_not_phone(campaign: Campaign) -> None:
    """CastError for a code issued for telephone interviews, presented on the public voting page or API: it is
    keyed by an interviewer during the call, never by the voter."""
    if campaign.presented.channel == Campaign.Channel.PHONE:
        raise CastError("phone_code", "这是电话督评专用的测评码，由督评员来电时代为录入，不能在此投票", status=409)


def _ensure_unused(status: str) -> None:
    if status == Code.Status.USED:
        raise CastError("used_code", "这个测评码已经投过票", status=409)
    if status == Code.Status.VOIDED:
        raise CastError("voided_code", "这个测评码已作废", status=410)


def find_code(campaign: Campaign, presented: str) -> Code:
    """The campaign's usable code for `presented`, or CastError. Reading only: nothing is consumed."""
    try:
        field, value = code_rules.lookup_digests(presented or "")
    except code_rules.CodeFormatError as exc:
        raise CastError("malformed_code", str(exc)) from None
    code = Code.objects.filter(**{field: value}).first()
    if code is None:
        raise CastError("unknown_code", "测评码不存在，请核对", status=404)
    if code.campaign_id != campaign.pk:
        raise CastError("foreign_code", "这个测评码不属于本次测评", status=404)
    _ensure_unused(code.status)
    return code


def ensure_accepting(campaign: Campaign) -> None:
    now = timezone.now()
    if campaign.status == Campaign.Status.DRAFT or (campaign.starts_at and now < campaign.starts_at):
        raise CastError("not_open", "测评尚未开始", status=409)
    if campaign.status != Campaign.Status.OPEN or (campaign.ends_at and now >= campaign.ends_at):
        raise CastError("closed", "测评已经结束", status=409)


def cast_ballot(
    *, campaign: Campaign, code: str, answers, channel: str | None = None, idempotency_key: str = "", void_reason: str = ""
) -> Receipt:
    """Consume the code and take the ballot into the campaign's shuffle pool in one transaction; `channel`
    defaults to the code's batch's. The receipt is issued at once; the ballot reaches the ballot table later, in
    random order among others (evaluations/actions/shuffle.py).

    A repeated submission (same idempotency key, same code) gets the first one's receipt; the same key with other
    answers, or with another code, is refused. This is the hot path of a meeting, so it runs a fixed handful of
    plain SQL statements.
    """
    try:
        field, code_digest = code_rules.lookup_digests(code or "")
    except code_rules.CodeFormatError as exc:
        raise CastError("malformed_code", str(exc)) from None
    stored = checked_answers(campaign, answers, allow_void=channel == "paper", void_reason=void_reason)
    stored_json = canonical(stored)  # encoded once: for the payload digest, the ballot digest and the INSERT
    submission = SubmissionKey(campaign.pk, idempotency_key, code_digest, stored_json) if idempotency_key else None
    presented = getattr(campaign, "presented", None)
    if presented and presented.digest == code_digest and connection.vendor == "postgresql":
        receipt = _cast_in_one_statement(campaign, presented, stored_json, channel, submission, void_reason)
        if receipt is not None:
            return receipt
        # Nothing was stored: the campaign is not open, or the code was used meanwhile (perhaps by a twin of this
        # very submission). The general path below names the reason, or answers with the twin's receipt.
    try:
        with transaction.atomic():
            ensure_accepting(_locked_state(campaign))
            used = _use_code(campaign, field, code_digest)
            if used is None:
                # Already used: by an earlier or concurrent twin of this submission, whose receipt is ours.
                if submission and (repeated := _repeated(submission)):
                    return repeated
                find_code(campaign, code)  # names the reason: unknown, foreign, used or voided
                raise CastError("used_code", "这个测评码已经投过票", status=409)
            group_id, batch_channel = used
            channel = _cast_channel(campaign, channel, batch_channel)
            ballot = PooledBallot(
                campaign=campaign,
                group_id=group_id,
                channel=channel,
                answers=stored,
                cast_on=timezone.localdate(),
                tracker=_unused_tracker(campaign),
                void_reason=void_reason,
            )
            ballot.digest = ballot_digest(ballot, stored_json)
            pool_size = _pool_ballot(ballot, stored_json, submission)
    except IntegrityError:
        # The idempotency key was taken by another submission in the meantime: answer as for a repeat.
        if submission and (repeated := _repeated(submission)):
            return repeated
        raise
    shuffle.settle(campaign.pk, pool_size)
    return Receipt(ballot.tracker)


class SubmissionKey:
    """What is stored of an idempotency key, all of it keyed by the key itself, which is not stored: a row
    cannot be matched to a code, a ballot or its answers without it."""

    def __init__(self, campaign_id: int, key: str, code_digest: str, stored_json: bytes):
        self.key = key.encode()
        self.digest = hashlib.sha256(b"submission:%d:" % campaign_id + self.key).hexdigest()
        self.binding = self._keyed(b"code", code_digest.encode())
        self.payload = self._keyed(b"payload", stored_json)

    def _keyed(self, purpose: bytes, value: bytes) -> str:
        return hmac.new(self.key, purpose + b":" + value, hashlib.sha256).hexdigest()

    def seal(self, tracker: str) -> str:
        return bytes(a ^ b for a, b in zip(tracker.encode(), self._pad(), strict=False)).hex()

    def unseal(self, sealed: str) -> str:
        return bytes(a ^ b for a, b in zip(bytes.fromhex(sealed), self._pad(), strict=False)).decode()

    def _pad(self) -> bytes:
        return hmac.new(self.key, b"tracker", hashlib.sha256).digest()


# Both statements that use a code (this one and USE_CODE_SQL) compare its campaign and group with IS NOT DISTINCT
# FROM, which no index serves, so that the digest's unique index is the only way to the code. With `=`, codes
# issued minutes before a meeting, which have no statistics yet, can look as cheap to reach through (campaign,
# group), and every ballot then scans the campaign's codes: the cast benchmark fell from about 550 ballots a second
# to under 200 whenever that plan was chosen. A tracker already moved to the ballot table is not given again.
CAST_SQL = """
WITH p AS (
    SELECT id FROM evaluations_campaign
    WHERE id = %(campaign)s AND status = 'open' AND (starts_at IS NULL OR starts_at <= now())
      AND (ends_at IS NULL OR ends_at > now())
    FOR KEY SHARE
), u AS (
    UPDATE evaluations_code SET status = 'used'
    WHERE {field} = %(code)s AND campaign_id IS NOT DISTINCT FROM (SELECT id FROM p)
      AND group_id IS NOT DISTINCT FROM %(group)s AND status = 'issued'
      AND NOT EXISTS (SELECT 1 FROM evaluations_ballot WHERE campaign_id = %(campaign)s AND tracker = %(tracker)s)
    RETURNING id
), b AS (
    INSERT INTO evaluations_pooledballot (id, campaign_id, group_id, channel, cast_on, answers, tracker, digest,
                                          void_reason)
    SELECT %(id)s, %(campaign)s, %(group)s, %(channel)s, %(cast_on)s, %(answers)s, %(tracker)s, %(digest)s, %(void)s
    FROM u RETURNING id
), s AS (
    INSERT INTO evaluations_submission (key_digest, campaign_id, binding, payload_digest, sealed)
    SELECT %(key)s::varchar, %(campaign)s, %(binding)s, %(payload)s, %(sealed)s FROM b WHERE %(key)s::varchar <> ''
)
SELECT (SELECT count(*) FROM b), (SELECT count(*) FROM evaluations_pooledballot WHERE campaign_id = %(campaign)s)
"""


def _cast_in_one_statement(
    campaign, presented: Presented, stored_json: bytes, channel, submission: SubmissionKey | None, void_reason: str
) -> Receipt | None:
    """PostgreSQL: check the campaign is open (holding its row against closing), use the code, pool the ballot
    and store the idempotency record in one statement, which is one transaction and one round trip. None when
    nothing was stored; an IntegrityError (a tracker or idempotency key taken) leaves nothing stored either."""
    channel = _cast_channel(campaign, channel, presented.channel)
    cast_on, tracker = timezone.localdate(), new_tracker()
    digest = content_digest(
        stored_json, campaign=campaign.pk, group=presented.group_id, channel=channel, cast_on=cast_on, tracker=tracker, void=void_reason
    )
    params = {
        "campaign": campaign.pk,
        "code": presented.digest,
        "group": presented.group_id,
        "id": uuid.uuid4(),
        "channel": channel,
        "cast_on": cast_on,
        "answers": stored_json.decode(),
        "tracker": tracker,
        "digest": digest,
        "void": void_reason,
        "key": submission.digest if submission else "",
        "binding": submission and submission.binding,
        "payload": submission and submission.payload,
        "sealed": submission and submission.seal(tracker),
    }
    sql = CAST_SQL.format(field=presented.field)
    try:
        with transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext():
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                stored_count, pool_before = cursor.fetchone()
    except IntegrityError:
        return None
    if not stored_count:
        return None
    shuffle.settle(campaign.pk, pool_before + 1)  # the statement's count does not see its own insert
    return Receipt(tracker)


def _cast_channel(campaign: Campaign, channel: str | None, batch_channel: str) -> str:
    """The channel a ballot is cast on: its code's, which the caller may name but not change."""
    channel = channel or batch_channel
    if channel not in campaign.channels or channel != batch_channel:
        raise CastError("channel", "这个测评码不能用于该投票方式", status=409)
    return channel


USE_CODE_SQL = (  # the code is reached by its digest alone, as in CAST_SQL ({same}: SQLite before 3.39 lacks the words)
    "UPDATE evaluations_code SET status = 'used' WHERE {field} = %s AND campaign_id {same} %s "
    "AND status = 'issued' "
    "RETURNING group_id, (SELECT b.channel FROM evaluations_codebatch b WHERE b.id = evaluations_code.batch_id)"
)


def _use_code(campaign: Campaign, field: str, code_digest: str) -> tuple[int, str] | None:
    """Mark an issued code of the campaign used; its (group, channel), or None if no such issued code."""
    with connection.cursor() as cursor:
        same = "IS NOT DISTINCT FROM" if connection.vendor == "postgresql" else "IS"
        cursor.execute(USE_CODE_SQL.format(field=field, same=same), [code_digest, campaign.pk])
        return cursor.fetchone()


def _unused_tracker(campaign: Campaign) -> str:
    while Ballot.objects.filter(campaign=campaign, tracker=(tracker := new_tracker())).exists():
        pass
    return tracker


def _pool_ballot(ballot: PooledBallot, answers_json: bytes, submission: SubmissionKey | None) -> int:
    """Insert the ballot into the pool (and the idempotency record); the pool's size after it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO evaluations_pooledballot (id, campaign_id, group_id, channel, cast_on, answers, tracker, "
            "digest, void_reason) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [
                ballot.id.hex if connection.vendor == "sqlite" else ballot.id,
                ballot.campaign_id,
                ballot.group_id,
                ballot.channel,
                ballot.cast_on,
                answers_json.decode(),
                ballot.tracker,
                ballot.digest,
                ballot.void_reason,
            ],
        )
        if submission:
            cursor.execute(
                "INSERT INTO evaluations_submission (key_digest, campaign_id, binding, payload_digest, sealed) VALUES (%s, %s, %s, %s, %s)",
                [submission.digest, ballot.campaign_id, submission.binding, submission.payload, submission.seal(ballot.tracker)],
            )
        cursor.execute("SELECT count(*) FROM evaluations_pooledballot WHERE campaign_id = %s", [ballot.campaign_id])
        return cursor.fetchone()[0]


@functools.lru_cache(maxsize=256)
def _frozen_subjects(key: tuple) -> tuple[Subject, ...]:
    """Subjects of an opened campaign never change (its genesis hash commits to them), so they are read once."""
    return tuple(Subject.objects.filter(campaign_id=key[0]))


def campaign_subjects(campaign: Campaign) -> list[Subject]:
    """The campaign's subjects in ballot order; read once per process for an opened campaign."""
    if campaign.head_at_open:
        return list(_frozen_subjects(opened_key(campaign)))
    return list(campaign.subjects.all())


_prepared = Expiring(3600, size=512)


def prepared(campaign: Campaign, make):
    """`make(definition, subject_ids)`: something worked out from a campaign's questions and subjects, such as its
    answer checker or its form's field names. Made once per process for an opened campaign, whose questions and
    subjects are frozen; anew for one still in draft."""
    key = (make, *opened_key(campaign)) if campaign.head_at_open else None
    value = _prepared.get(key) if key else None
    if value is None:
        value = make(campaign.definition, [subject.pk for subject in campaign_subjects(campaign)])
        if key:
            _prepared.put(key, value)
    return value


def checked_answers(campaign: Campaign, answers, *, allow_void: bool = False, void_reason: str = "") -> dict:
    """The stored form of a ballot's answers, or CastError(422). A ballot void as a whole keeps no answers."""
    if void_reason:
        return {"s": {}, "g": {}}
    try:
        return prepared(campaign, BallotChecker).clean(answers, allow_void=allow_void)
    except AnswerError as exc:
        raise CastError("invalid_answers", "有题目未答或答案无效", status=422, problems=exc.problems) from None


def _locked_state(campaign: Campaign) -> Campaign:
    """The campaign's current state, held until this transaction ends so that closing waits for ballots in
    flight (and they for it): no ballot lands after the chain head is computed. FOR KEY SHARE lets casts run
    side by side. SQLite transactions are IMMEDIATE, which serialises them anyway."""
    if connection.vendor != "postgresql":
        campaign.refresh_from_db(fields=["status", "starts_at", "ends_at"])
        return campaign
    with connection.cursor() as cursor:
        cursor.execute("SELECT status, starts_at, ends_at FROM evaluations_campaign WHERE id = %s FOR KEY SHARE", [campaign.pk])
        campaign.status, campaign.starts_at, campaign.ends_at = cursor.fetchone()
    return campaign


def _repeated(submission: SubmissionKey) -> Receipt | None:
    earlier = Submission.objects.filter(key_digest=submission.digest).first()
    if earlier is None:
        return None
    if not hmac.compare_digest(earlier.binding, submission.binding):
        # Said before anything about the answers is compared, so another code's holder learns nothing of them.
        raise CastError("submission_reused", "这份选票的提交编号已被另一个测评码使用，请重新输入测评码打开选票", status=409)
    if not hmac.compare_digest(earlier.payload_digest, submission.payload):
        raise CastError("idempotency_conflict", "同一次提交的内容不一致", status=422)
    return Receipt(submission.unseal(earlier.sealed), repeated=True)


def new_tracker() -> str:
    body = code_rules.random_chars(10)
    return f"{body[:5]}-{body[5:]}"
