"""Casework (issue 15): the exporter's declaration at submission (SPEC § 4 v2 Submit), its first wording seeded as
data; agencies' approve_with_conditions and the conditions they ask for."""

import datetime

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

DECLARATION_SOURCE = (
    "Wording drafted for this portal, after the applicant's certification on Form BIS-748P (15 CFR § 748.6: the "
    "applicant certifies that the application is correct and complete); not itself a regulatory text."
)
DECLARATION_TEXT = (
    "I declare that the information in this application and its attachments is true and complete to the best of my "
    "knowledge, and that I am authorised to make this declaration on behalf of my organisation."
)


def seed(apps, schema_editor):
    apps.get_model("licensing", "DeclarationText").objects.create(
        version=1, text=DECLARATION_TEXT, effective_from=datetime.date(2025, 1, 1), source=DECLARATION_SOURCE
    )


class Migration(migrations.Migration):
    dependencies = [
        ("licensing", "0013_letters"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="DeclarationText",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("version", models.PositiveSmallIntegerField(unique=True)),
                ("text", models.TextField()),
                ("effective_from", models.DateField()),
                ("source", models.TextField(blank=True, help_text="Where the wording comes from.")),
            ],
            options={
                "ordering": ["-effective_from", "-version"],
            },
        ),
        migrations.AddField(
            model_name="recommendationentry",
            name="conditions",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name="referral",
            name="conditions",
            field=models.JSONField(
                blank=True, default=list, help_text="Conditions the agency asks for (offered to the approver)."
            ),
        ),
        migrations.AlterField(
            model_name="application",
            name="recommendation",
            field=models.CharField(
                blank=True,
                choices=[
                    ("approve", "Approve"),
                    ("approve_with_conditions", "Approve with conditions"),
                    ("deny", "Deny"),
                ],
                max_length=24,
            ),
        ),
        migrations.AlterField(
            model_name="recommendationentry",
            name="recommendation",
            field=models.CharField(
                choices=[
                    ("approve", "Approve"),
                    ("approve_with_conditions", "Approve with conditions"),
                    ("deny", "Deny"),
                ],
                max_length=24,
            ),
        ),
        migrations.AlterField(
            model_name="referral",
            name="recommendation",
            field=models.CharField(
                blank=True,
                choices=[
                    ("approve", "Approve"),
                    ("approve_with_conditions", "Approve with conditions"),
                    ("deny", "Deny"),
                ],
                max_length=24,
            ),
        ),
        migrations.CreateModel(
            name="Declaration",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("declared_at", models.DateTimeField()),
                (
                    "application",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="declaration",
                        to="licensing.application",
                    ),
                ),
                (
                    "declared_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
                (
                    "text",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="licensing.declarationtext"
                    ),
                ),
            ],
        ),
        # Reversing drops the tables, rows and all: deleting the rows first would leave PostgreSQL's deferred FK
        # triggers pending on the DROP TABLE ("cannot DROP TABLE … because it has pending trigger events").
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
