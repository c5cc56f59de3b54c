from django.db import migrations


def install(apps, schema_editor):
    """The built-in call-back questionnaire on databases installed before it existed."""
    from minping.evaluations.instruments import BUILTINS

    Instrument = apps.get_model("evaluations", "Instrument")
    InstrumentVersion = apps.get_model("evaluations", "InstrumentVersion")
    if not Instrument.objects.filter(builtin_key="problem_callback", region__isnull=True).exists():
        spec = BUILTINS["problem_callback"]
        instrument = Instrument.objects.create(name=spec["name"], description=spec["description"], builtin_key="problem_callback")
        InstrumentVersion.objects.create(instrument=instrument, number=1, definition=spec["definition"], is_frozen=True)


class Migration(migrations.Migration):
    dependencies = [("grid", "0002_categories"), ("evaluations", "0007_shuffle_pool")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
