import uuid

import django.db.models.deletion
from django.db import migrations, models


def forget_submissions(apps, schema_editor):
    """Earlier rows kept the tracker and an unkeyed digest of the answers, which match a row to its ballot.
    They only serve retries of ballots in flight, so they go rather than being converted."""
    apps.get_model("evaluations", "Submission").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0006_subject_kinds")]

    operations = [
        migrations.RunPython(forget_submissions, migrations.RunPython.noop, elidable=True),
        migrations.RemoveField(model_name="submission", name="tracker"),
        migrations.AddField(
            model_name="submission", name="binding", field=models.CharField(default="", max_length=64), preserve_default=False
        ),
        migrations.AddField(
            model_name="submission", name="sealed", field=models.CharField(default="", max_length=64), preserve_default=False
        ),
        migrations.CreateModel(
            name="PooledBallot",
            fields=[
                ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                (
                    "channel",
                    models.CharField(
                        choices=[
                            ("qr", "QR slip at a meeting"),
                            ("paper", "Paper ballot"),
                            ("online", "Online, code sent to a registered person"),
                            ("phone", "Telephone interview"),
                        ],
                        max_length=8,
                    ),
                ),
                ("cast_on", models.DateField()),
                ("answers", models.JSONField()),
                ("tracker", models.CharField(max_length=16)),
                ("digest", models.CharField(max_length=64)),
                ("void_reason", models.CharField(blank=True, max_length=200)),
                (
                    "campaign",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="pooled_ballots",
                        to="evaluations.campaign",
                    ),
                ),
                (
                    "group",
                    models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="evaluations.evaluatorgroup"),
                ),
            ],
            options={"constraints": [models.UniqueConstraint(fields=("campaign", "tracker"), name="pooled_ballot_unique_tracker")]},
        ),
    ]
