from django.db import migrations


def install(apps, schema_editor):
    from minping.fieldwork.actions import install_contact_kinds

    install_contact_kinds(apps.get_model("fieldwork", "ContactKind"))


class Migration(migrations.Migration):
    dependencies = [("fieldwork", "0001_initial")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
