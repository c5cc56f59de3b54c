"""Subjects of any registered kind: the cadre, unit and region foreign keys become one (kind, ref) pair, and
`region` holds the region every kind's subject belongs to (a cadre's or unit's own region, a region itself).
Ids, labels, details, categories and positions are kept, so counts, results and genesis hashes are unchanged."""

from django.db import migrations, models
from django.db.models import F, OuterRef, Subquery


def _settle(schema_editor):
    """Run the foreign-key checks the updates deferred, so the same transaction may then alter the table."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def to_refs(apps, schema_editor):
    Subject = apps.get_model("evaluations", "Subject")
    Cadre, Unit = apps.get_model("org", "Cadre"), apps.get_model("org", "Unit")
    Subject.objects.filter(kind="region").update(ref=F("region_id"))
    Subject.objects.filter(kind="cadre").update(
        ref=F("cadre_id"), region_id=Subquery(Cadre.objects.filter(pk=OuterRef("cadre_id")).values("region_id"))
    )
    Subject.objects.filter(kind="unit").update(
        ref=F("unit_id"), region_id=Subquery(Unit.objects.filter(pk=OuterRef("unit_id")).values("region_id"))
    )
    _settle(schema_editor)


def to_foreign_keys(apps, schema_editor):
    Subject = apps.get_model("evaluations", "Subject")
    Subject.objects.filter(kind="cadre").update(cadre_id=F("ref"), region_id=None)
    Subject.objects.filter(kind="unit").update(unit_id=F("ref"), region_id=None)
    if Subject.objects.exclude(kind__in=["cadre", "unit", "region"]).exists():
        raise RuntimeError("subjects of kinds other than cadre, unit and region cannot go back to foreign keys")
    _settle(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("evaluations", "0005_fewer_indexes"),
        ("org", "0001_initial"),
    ]

    operations = [
        migrations.AddField(model_name="subject", name="ref", field=models.BigIntegerField(null=True)),
        migrations.AlterField(model_name="subject", name="kind", field=models.CharField(max_length=40)),
        migrations.RunPython(to_refs, to_foreign_keys),
        migrations.RemoveField(model_name="subject", name="cadre"),
        migrations.RemoveField(model_name="subject", name="unit"),
        migrations.AlterField(model_name="subject", name="ref", field=models.BigIntegerField()),
        migrations.AddConstraint(
            model_name="subject",
            constraint=models.UniqueConstraint(fields=("campaign", "kind", "ref"), name="subject_once_per_campaign"),
        ),
        migrations.AddIndex(model_name="subject", index=models.Index(fields=["kind", "ref"], name="subject_record")),
    ]
