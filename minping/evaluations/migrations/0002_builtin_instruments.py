from django.db import migrations


def install(apps, schema_editor):
    from minping.evaluations.instruments import BUILTINS

    Instrument = apps.get_model("evaluations", "Instrument")
    InstrumentVersion = apps.get_model("evaluations", "InstrumentVersion")
    for key, spec in BUILTINS.items():
        if Instrument.objects.filter(builtin_key=key, region__isnull=True).exists():
            continue
        instrument = Instrument.objects.create(name=spec["name"], description=spec["description"], builtin_key=key)
        InstrumentVersion.objects.create(instrument=instrument, number=1, definition=spec["definition"], is_frozen=True)


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0001_initial")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
