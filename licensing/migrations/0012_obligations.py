"""What a licence owes after it is issued (SPEC § 2 "Obligation", § 4 "Obligations"): obligations, what the
exporter submitted against each (the record a document will attach to), the proposals to suspend a licence with an
obligation overdue past the policy's grace days, and a shipment's invoice value (what a revenue share is reckoned
on). Schema only: obligations arise as licences are issued and shipments reported."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("licensing", "0011_documents"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Obligation",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("report", "Periodic report"),
                            ("revenue_share", "Revenue share or duty"),
                            ("shipment_evidence", "Shipment evidence"),
                            ("investment_milestone", "Investment milestone"),
                        ],
                        max_length=20,
                    ),
                ),
                (
                    "basis",
                    models.CharField(
                        blank=True,
                        choices=[("revenue_share", "Share of the related revenue"), ("duty", "Duty on the chips")],
                        help_text="What a revenue share is owed on.",
                        max_length=16,
                    ),
                ),
                ("percent", models.DecimalField(blank=True, decimal_places=2, max_digits=5, null=True)),
                (
                    "amount_usd",
                    models.DecimalField(
                        blank=True, decimal_places=2, help_text="Empty when not monetary.", max_digits=16, null=True
                    ),
                ),
                ("due_on", models.DateField()),
                ("period_start", models.DateField(blank=True, help_text="The period a report covers.", null=True)),
                ("period_end", models.DateField(blank=True, null=True)),
                ("description", models.TextField()),
                (
                    "source",
                    models.CharField(blank=True, help_text="The terms or programme that imposes it.", max_length=200),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("open", "Open"),
                            ("submitted", "Submitted"),
                            ("accepted", "Accepted"),
                            ("rejected", "Rejected"),
                        ],
                        default="open",
                        max_length=10,
                    ),
                ),
                ("decided_at", models.DateTimeField(blank=True, null=True)),
                (
                    "decision_reason",
                    models.TextField(blank=True, help_text="Why it was rejected (or notes on acceptance)."),
                ),
                ("created_at", models.DateTimeField()),
            ],
            options={
                "ordering": ["due_on", "id"],
                "permissions": [
                    (
                        "submit_obligation",
                        "Can submit reports, evidence and payments for their organisation's licences",
                    ),
                    ("review_obligation", "Can accept or reject what an exporter submitted against an obligation"),
                ],
            },
        ),
        migrations.CreateModel(
            name="ObligationSubmission",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("submitted_at", models.DateTimeField()),
                ("text", models.TextField(blank=True)),
                ("reference", models.CharField(blank=True, max_length=200)),
                ("amount_paid_usd", models.DecimalField(blank=True, decimal_places=2, max_digits=16, null=True)),
            ],
            options={
                "ordering": ["obligation", "submitted_at", "id"],
            },
        ),
        migrations.CreateModel(
            name="SuspensionProposal",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("open", "Open"),
                            ("confirmed", "Confirmed (licence suspended)"),
                            ("dismissed", "Dismissed"),
                        ],
                        default="open",
                        max_length=10,
                    ),
                ),
                ("raised_at", models.DateTimeField()),
                ("decided_at", models.DateTimeField(blank=True, null=True)),
                ("reason", models.TextField(blank=True)),
            ],
            options={
                "verbose_name": "overdue obligation",
                "verbose_name_plural": "overdue obligations",
                "ordering": ["raised_at", "id"],
            },
        ),
        migrations.AddField(
            model_name="shipment",
            name="invoice_value_usd",
            field=models.DecimalField(
                blank=True, decimal_places=2, help_text="What a revenue share is reckoned on.", max_digits=16, null=True
            ),
        ),
        migrations.AddConstraint(
            model_name="shipment",
            constraint=models.CheckConstraint(
                condition=models.Q(("invoice_value_usd__isnull", True), ("invoice_value_usd__gte", 0), _connector="OR"),
                name="shipment_invoice_not_negative",
            ),
        ),
        migrations.AddField(
            model_name="obligation",
            name="decided_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="obligation",
            name="licence",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="obligation_set", to="licensing.licence"
            ),
        ),
        migrations.AddField(
            model_name="obligation",
            name="shipment",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="obligations",
                to="licensing.shipment",
            ),
        ),
        migrations.AddField(
            model_name="obligationsubmission",
            name="obligation",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="submissions", to="licensing.obligation"
            ),
        ),
        migrations.AddField(
            model_name="obligationsubmission",
            name="submitted_by",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
            ),
        ),
        migrations.AddField(
            model_name="suspensionproposal",
            name="decided_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="suspensionproposal",
            name="licence",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="suspension_proposals", to="licensing.licence"
            ),
        ),
        migrations.AddField(
            model_name="suspensionproposal",
            name="obligation",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="suspension_proposals",
                to="licensing.obligation",
            ),
        ),
        migrations.AddIndex(
            model_name="obligation",
            index=models.Index(fields=["licence", "due_on"], name="obligation_licence_due_idx"),
        ),
        migrations.AddIndex(
            model_name="obligation",
            index=models.Index(fields=["status", "due_on"], name="obligation_status_due_idx"),
        ),
        migrations.AddConstraint(
            model_name="obligation",
            constraint=models.CheckConstraint(
                condition=models.Q(("amount_usd__isnull", True), ("amount_usd__gte", 0), _connector="OR"),
                name="obligation_amount_not_negative",
            ),
        ),
        migrations.AddConstraint(
            model_name="obligation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("kind", "revenue_share"), _negated=True),
                    models.Q(models.Q(("basis", ""), _negated=True), ("amount_usd__isnull", False)),
                    _connector="OR",
                ),
                name="obligation_revenue_share_has_basis",
                violation_error_message="A revenue share states its basis and the amount owed.",
            ),
        ),
        migrations.AddConstraint(
            model_name="obligationsubmission",
            constraint=models.CheckConstraint(
                condition=models.Q(("amount_paid_usd__isnull", True), ("amount_paid_usd__gt", 0), _connector="OR"),
                name="submission_paid_not_negative",
            ),
        ),
        migrations.AddConstraint(
            model_name="suspensionproposal",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "open")),
                fields=("licence",),
                name="one_open_suspension_proposal_per_licence",
            ),
        ),
        migrations.AddConstraint(
            model_name="suspensionproposal",
            constraint=models.UniqueConstraint(fields=("obligation",), name="one_suspension_proposal_per_obligation"),
        ),
    ]
