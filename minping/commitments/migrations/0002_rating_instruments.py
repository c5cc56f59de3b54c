from django.db import migrations


def install(apps, schema_editor):
    """The built-in questionnaires of commitments (评诺 and 双评) on databases installed before they existed."""
    from minping.evaluations.actions import install_builtins

    install_builtins(
        apps.get_model("evaluations", "Instrument"),
        apps.get_model("evaluations", "InstrumentVersion"),
        ["commitment_rating", "mutual_pledge"],
    )


class Migration(migrations.Migration):
    dependencies = [("commitments", "0001_initial"), ("evaluations", "0007_shuffle_pool")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
