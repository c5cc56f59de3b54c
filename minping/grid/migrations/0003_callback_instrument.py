from django.db import migrations


def install(apps, schema_editor):
    """The built-in call-back questionnaire on databases installed before it existed."""
    from minping.evaluations.actions import install_builtins

    install_builtins(apps.get_model("evaluations", "Instrument"), apps.get_model("evaluations", "InstrumentVersion"), ["problem_callback"])


class Migration(migrations.Migration):
    dependencies = [("grid", "0002_categories"), ("evaluations", "0007_shuffle_pool")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
