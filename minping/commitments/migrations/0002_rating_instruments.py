from django.db import migrations


def install(apps, schema_editor):
    """The built-in questionnaires of commitments (评诺 and 双评) on databases installed before they existed."""
    from minping.evaluations.instruments import BUILTINS

    Instrument = apps.get_model("evaluations", "Instrument")
    InstrumentVersion = apps.get_model("evaluations", "InstrumentVersion")
    for key in ("commitment_rating", "mutual_pledge"):
        if Instrument.objects.filter(builtin_key=key, region__isnull=True).exists():
            continue
        spec = BUILTINS[key]
        instrument = Instrument.objects.create(name=spec["name"], description=spec["description"], builtin_key=key)
        InstrumentVersion.objects.create(instrument=instrument, number=1, definition=spec["definition"], is_frozen=True)


class Migration(migrations.Migration):
    dependencies = [("commitments", "0001_initial"), ("evaluations", "0007_shuffle_pool")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
