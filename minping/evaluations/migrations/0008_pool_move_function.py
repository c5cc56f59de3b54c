"""The shuffle pool's move as a function owned by the database's owner (SECURITY DEFINER): on PostgreSQL the
site's role moves pooled ballots only through it, unchanged, and may not UPDATE or DELETE a pooled ballot nor
INSERT into the ballot table itself (`minping dbroles`)."""

from django.db import migrations

COLUMNS = "id, campaign_id, group_id, channel, cast_on, answers, tracker, digest, void_reason"

CREATE = f"""
CREATE OR REPLACE FUNCTION evaluations_move_pooled(ids uuid[]) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    moved integer;
BEGIN
    WITH gone AS (
        DELETE FROM evaluations_pooledballot WHERE id = ANY(ids) RETURNING {COLUMNS}
    )
    INSERT INTO evaluations_ballot ({COLUMNS})
    SELECT {COLUMNS} FROM gone ORDER BY array_position(ids, gone.id);
    GET DIAGNOSTICS moved = ROW_COUNT;
    RETURN moved;
END
$$;
REVOKE ALL ON FUNCTION evaluations_move_pooled(uuid[]) FROM PUBLIC;
"""
DROP = "DROP FUNCTION IF EXISTS evaluations_move_pooled(uuid[]);"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0007_shuffle_pool")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
