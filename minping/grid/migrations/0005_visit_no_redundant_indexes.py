"""A visit's grid and household have no index of their own: visit_grid_day and visit_household_day lead with them.
Only the two indexes are dropped; the foreign keys stay as they are (no re-check of every visit)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("grid", "0004_visits_to_sites"),
        ("org", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="visit",
                    name="grid",
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="org.region"),
                ),
                migrations.AlterField(
                    model_name="visit",
                    name="household",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="visits",
                        to="org.household",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "grid_visit_grid_id_2f04ecfd"',
                    'CREATE INDEX IF NOT EXISTS "grid_visit_grid_id_2f04ecfd" ON "grid_visit" ("grid_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "grid_visit_household_id_d5f3096e"',
                    'CREATE INDEX IF NOT EXISTS "grid_visit_household_id_d5f3096e" ON "grid_visit" ("household_id")',
                ),
            ],
        ),
    ]
