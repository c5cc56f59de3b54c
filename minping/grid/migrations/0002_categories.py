from django.db import migrations


def install(apps, schema_editor):
    from minping.grid.actions import install_categories

    install_categories(apps.get_model("grid", "Category"))


class Migration(migrations.Migration):
    dependencies = [("grid", "0001_initial")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
