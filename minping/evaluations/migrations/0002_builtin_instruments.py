from django.db import migrations


def install(apps, schema_editor):
    from minping.evaluations.actions import install_builtins

    install_builtins(apps.get_model("evaluations", "Instrument"), apps.get_model("evaluations", "InstrumentVersion"))


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0001_initial")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
