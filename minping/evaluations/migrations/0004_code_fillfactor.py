from django.db import migrations


def set_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE evaluations_code SET (fillfactor = 70)")


def reset_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE evaluations_code RESET (fillfactor)")


class Migration(migrations.Migration):
    """Codes are written once and updated once (issued → used). Free room on each page lets PostgreSQL do that
    update in place without touching the indexes."""

    dependencies = [("evaluations", "0003_code_index_without_status")]
    operations = [migrations.RunPython(set_fillfactor, reset_fillfactor)]
