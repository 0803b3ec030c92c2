"""The two-person regime switch (SPEC § 4 v2) and backdated agreement transitions (SPEC § 5.1 "Backdating").

Policies get a status (proposed → approved | withdrawn); the rows already on record were in force, so they migrate
as approved, from the instant they took effect (proposed for that instant too). `grace_days` (SPEC § 4 v2
obligations: "grace days (policy parameter, default 30)") is a policy parameter from now on; rows on record take
the spec's default of 30. An agreement's status history keeps the instant a change took effect (`at`, which may
now lie in the past) and, separately, when it was recorded: for the history on record the two are the same.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.db.models import F


def existing_policies_approved(apps, schema_editor):
    Policy = apps.get_model("agreements", "Policy")
    Policy.objects.update(status="approved", proposed_from=F("effective_from"), approved_at=F("created_at"))


def existing_changes_recorded_when_effective(apps, schema_editor):
    AgreementStatusChange = apps.get_model("agreements", "AgreementStatusChange")
    AgreementStatusChange.objects.update(recorded_at=F("at"))


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0008_party_register"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="policy",
            options={
                "ordering": ["-created_at", "-id"],
                "permissions": [("switch_policy", "Can switch the export-control regime")],
                "verbose_name_plural": "policies",
            },
        ),
        migrations.AddField(
            model_name="agreementstatuschange",
            name="recorded_at",
            field=models.DateTimeField(default=django.utils.timezone.now, help_text="When the change was recorded."),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="policy",
            name="approved_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="policy",
            name="approved_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="policy",
            name="grace_days",
            field=models.PositiveIntegerField(
                default=30, help_text="Days an obligation may be overdue before its licence takes no new shipments."
            ),
        ),
        migrations.AddField(
            model_name="policy",
            name="proposed_from",
            field=models.DateTimeField(
                blank=True, help_text="The instant the proposal asked for (empty: from its approval).", null=True
            ),
        ),
        migrations.AddField(
            model_name="policy",
            name="status",
            field=models.CharField(
                choices=[("proposed", "Proposed"), ("approved", "Approved"), ("withdrawn", "Withdrawn")],
                default="proposed",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="policy",
            name="withdrawn_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="policy",
            name="withdrawn_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="agreementstatuschange",
            name="at",
            field=models.DateTimeField(help_text="When the change took effect (may lie before it was recorded)."),
        ),
        migrations.AlterField(
            model_name="policy",
            name="effective_from",
            field=models.DateTimeField(
                blank=True,
                help_text="In force from: set at approval (the proposed instant, or the approval if that had passed).",
                null=True,
            ),
        ),
        migrations.AlterField(
            model_name="policy",
            name="set_by",
            field=models.ForeignKey(
                blank=True,
                help_text="Who proposed it.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(existing_policies_approved, migrations.RunPython.noop),
        migrations.RunPython(existing_changes_recorded_when_effective, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="policy",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "approved"), _negated=True), ("effective_from__isnull", False), _connector="OR"
                ),
                name="policy_approved_has_instant",
            ),
        ),
        migrations.AddConstraint(
            model_name="policy",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "approved")),
                fields=("effective_from",),
                name="one_approved_policy_per_instant",
            ),
        ),
    ]
