"""The pool's periodic move as one statement: the casting request that brings the pool to a multiple of the
floor calls `evaluations_settle_pool`, which takes the campaign's pool lock if free, draws all but the floor of the
pooled ballots in an order from PostgreSQL's strong random source (gen_random_uuid, pg_strong_random) and moves
them through `evaluations_move_pooled`. One round trip instead of five (begin, lock, read the ids, move, commit),
and the ids never leave the database. It runs with its caller's rights: the site's role may read the pool and
call the move, nothing more."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION evaluations_settle_pool(campaign integer, lock_space integer, keep integer) RETURNS integer
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    ids uuid[];
BEGIN
    IF NOT pg_try_advisory_xact_lock(lock_space, campaign) THEN
        RETURN 0;
    END IF;
    ids := ARRAY(SELECT id FROM evaluations_pooledballot WHERE campaign_id = campaign ORDER BY gen_random_uuid());
    IF cardinality(ids) < 2 * keep THEN
        RETURN 0;
    END IF;
    RETURN evaluations_move_pooled(ids[keep + 1:]);
END
$$;
REVOKE ALL ON FUNCTION evaluations_settle_pool(integer, integer, integer) FROM PUBLIC;
"""
DROP = "DROP FUNCTION IF EXISTS evaluations_settle_pool(integer, integer, integer);"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0008_pool_move_function")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
