"""The shuffle pool: cast ballots reach the ballot table in random order, never in the order they were cast.

A ballot is taken (its code used, its receipt issued) into the pool in the cast's own transaction, so nothing
accepted can be lost. When a cast brings the pool to a multiple of FLOOR of at least 2 × FLOOR ballots, a random
selection of all but FLOOR of them is moved to the ballot table in one transaction, in random order; at close
every pooled ballot moves.

So in the ballot table each row shares its position, and its transaction id, with at least FLOOR - 1 others
(on average about twice as many: a ballot stays in the pool for a random number of moves), and the order of
rows within a move is drawn from a strong random source (the operating system's; on PostgreSQL, the database's
pg_strong_random through gen_random_uuid). docs/threat-model.md states what
remains: the pool itself, between a cast and the move that takes its ballot out.
"""

import secrets

from django.db import connection, transaction

from minping.evaluations.models import Ballot, Campaign, PooledBallot

FLOOR = 5
LOCK_SPACE = 0x6D70  # the first key of the advisory lock a campaign's pool is moved under ("mp")

COLUMNS = ("id", "campaign_id", "group_id", "channel", "cast_on", "answers", "tracker", "digest", "void_reason")


def pooled(campaign: Campaign) -> int:
    return PooledBallot.objects.filter(campaign=campaign).count()


def cast_count(campaign: Campaign) -> int:
    """Every ballot cast in the campaign, moved or still pooled."""
    return campaign.ballots.count() + pooled(campaign)


def settle(campaign_id: int, pool_size: int) -> int:
    """Called after a cast that left `pool_size` ballots in the pool: move all but FLOOR of them once there are
    twice as many. Only a cast that brings the pool to a multiple of FLOOR tries, so that under many concurrent
    casts about one in FLOOR pays for a move; on PostgreSQL, of casts trying at once one moves and the others go
    on, and the move is one statement (`evaluations_settle_pool`, migration 0009) drawing its order from the
    database's strong random source. The number of ballots moved."""
    if pool_size < 2 * FLOOR or pool_size % FLOOR:
        return 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT evaluations_settle_pool(%s, %s, %s)", [campaign_id, LOCK_SPACE, FLOOR])
            return cursor.fetchone()[0]
    with transaction.atomic():
        ids = list(PooledBallot.objects.filter(campaign_id=campaign_id).values_list("id", flat=True))
        if len(ids) < 2 * FLOOR:
            return 0
        return _move(secrets.SystemRandom().sample(ids, len(ids) - FLOOR))


def drain(campaign: Campaign) -> int:
    """Move every pooled ballot of the campaign (at close, in the closing transaction, which holds the campaign
    so that no cast can join the pool meanwhile)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_SPACE, campaign.pk])
        return _move(list(PooledBallot.objects.filter(campaign=campaign).values_list("id", flat=True)))


def _move(ids: list) -> int:
    """Move the pooled ballots `ids` to the ballot table in an order drawn from the OS random source. On
    PostgreSQL one statement in a function owned by the database's owner (migration 0008), the answers never
    leaving the database: the site's role may not change or delete a pooled ballot, nor insert a ballot, itself.
    Elsewhere through the ORM."""
    secrets.SystemRandom().shuffle(ids)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT evaluations_move_pooled(%s::uuid[])", [ids])
            return cursor.fetchone()[0]
    rows = {row[0]: row for row in PooledBallot.objects.filter(pk__in=ids).values_list(*COLUMNS)}
    Ballot.objects.bulk_create([Ballot(**dict(zip(COLUMNS, rows[pk], strict=True))) for pk in ids if pk in rows])
    PooledBallot.objects.filter(pk__in=list(rows)).delete()
    return len(rows)
