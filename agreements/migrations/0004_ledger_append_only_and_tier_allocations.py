from django.db import migrations

from portal import db_triggers


def install_trigger(apps, schema_editor):
    db_triggers.install(schema_editor, db_triggers.LEDGER_TABLE)


def uninstall_trigger(apps, schema_editor):
    db_triggers.uninstall(schema_editor, db_triggers.LEDGER_TABLE)


def tier_allocations(apps, schema_editor):
    """A Tier 2 allocation for every country that is Tier 2 at some time in the initial policy's period."""
    Policy = apps.get_model("agreements", "Policy")
    TierMembership = apps.get_model("agreements", "TierMembership")
    Allotment = apps.get_model("agreements", "Allotment")
    policy = Policy.objects.order_by("effective_from").first()
    codes = (
        TierMembership.objects.filter(tier=2, effective_from__lte=policy.tier2_period_end)
        .values_list("country_id", flat=True)
        .distinct()
    )
    Allotment.objects.bulk_create(
        [
            Allotment(
                country_id=code,
                source="tier_allocation",
                period_start=policy.tier2_period_start,
                period_end=policy.tier2_period_end,
                capacity_tpp=policy.tier2_allocation_tpp,
            )
            for code in codes
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0003_agreements_terms_allotments"),
        ("portal", "0002_agencies_and_append_only_audit"),
    ]

    operations = [
        migrations.RunPython(install_trigger, uninstall_trigger),
        migrations.RunPython(tier_allocations, migrations.RunPython.noop),
    ]
