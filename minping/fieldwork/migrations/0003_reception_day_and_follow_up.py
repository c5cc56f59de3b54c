"""Session becomes ReceptionDay and Item becomes FollowUp, names that do not collide with accounts.Session and
commitments.Item. Their tables keep their names: nothing is copied or rebuilt."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("fieldwork", "0002_contact_kinds"), ("org", "0001_initial"), ("grid", "0005_visit_no_redundant_indexes")]

    operations = [
        migrations.AlterModelTable(name="session", table="fieldwork_session"),
        migrations.RenameModel(old_name="Session", new_name="ReceptionDay"),
        migrations.AlterModelTable(name="item", table="fieldwork_item"),
        migrations.RenameModel(old_name="Item", new_name="FollowUp"),
    ]
