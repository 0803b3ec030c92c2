from django.db import migrations

from portal import db_triggers

AGENCIES = [
    ("commerce", "Department of Commerce (BIS)"),
    ("defense", "Department of Defense"),
    ("state", "Department of State"),
    ("energy", "Department of Energy"),
]


def add_agencies(apps, schema_editor):
    Agency = apps.get_model("portal", "Agency")
    for code, name in AGENCIES:
        Agency.objects.update_or_create(code=code, defaults={"name": name})


def install_trigger(apps, schema_editor):
    db_triggers.install(schema_editor, db_triggers.AUDIT_TABLE)


def uninstall_trigger(apps, schema_editor):
    db_triggers.uninstall(schema_editor, db_triggers.AUDIT_TABLE)


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]

    operations = [
        migrations.RunPython(add_agencies, migrations.RunPython.noop),
        migrations.RunPython(install_trigger, uninstall_trigger),
    ]
