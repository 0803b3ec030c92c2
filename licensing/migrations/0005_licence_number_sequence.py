"""Licence numbers from a PostgreSQL sequence, so concurrent approvals never queue on one counter row."""

from django.db import migrations

SEQUENCE = "licensing_licence_number_seq"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    NumberSequence = apps.get_model("licensing", "NumberSequence")
    taken = sum(NumberSequence.objects.filter(name__startswith="licence").values_list("value", flat=True))
    schema_editor.execute(f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE} START WITH {taken + 1}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP SEQUENCE IF EXISTS {SEQUENCE}")


class Migration(migrations.Migration):
    dependencies = [("licensing", "0004_staff_queue_indexes")]

    operations = [migrations.RunPython(create, drop)]
