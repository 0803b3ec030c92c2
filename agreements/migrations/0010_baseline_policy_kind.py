"""The baseline regime as a third policy kind (SPEC § 2 Policy, § 3.3; DOMAIN.md § 1): the advanced-computing
controls that applied after BIS announced on 2025-05-13 that it would not enforce the tiered rule. Choices only:
no row changes, and the tiered policy on record stays in force until a switch is proposed and approved."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("agreements", "0009_policy_status")]

    operations = [
        migrations.AlterField(
            model_name="policy",
            name="kind",
            field=models.CharField(
                choices=[
                    ("tiered", "Tiered (AI Diffusion rule)"),
                    ("baseline", "Baseline (Country Groups, case by case)"),
                    ("global", "Global (government-to-government agreements)"),
                ],
                max_length=10,
            ),
        ),
    ]
