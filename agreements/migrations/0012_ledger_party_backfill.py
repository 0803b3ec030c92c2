"""The party of each earlier draw: a ledger row's normalised consignee name matched against the live parties of
the register located in the allotment's country (the register's own key, SPEC § 2). Rows whose name matches no
party keep an empty party and still count against the allotment; the `consignee` column stays.

The ledger is append-only (portal.db_triggers): the trigger is lifted for this one update, as the owner role
that runs migrations may, and put back in the same transaction."""

from django.db import migrations

from portal import db_triggers


def backfill(apps, schema_editor):
    LedgerEntry = apps.get_model("agreements", "LedgerEntry")
    LedgerEntryParty = apps.get_model("agreements", "LedgerEntryParty")
    Party = apps.get_model("agreements", "Party")
    entries = list(LedgerEntry.objects.filter(party__isnull=True).select_related("allotment"))
    if not entries:
        return
    keys = {(entry.consignee, entry.allotment.country_id) for entry in entries}
    parties = {
        (party.normalised_name, party.country_id): party.pk
        for party in Party.objects.filter(merged_into__isnull=True, normalised_name__in={k for k, _ in keys})
    }
    matched = [(entry, parties.get((entry.consignee, entry.allotment.country_id))) for entry in entries]
    matched = [(entry, party_id) for entry, party_id in matched if party_id is not None]
    if not matched:
        return
    db_triggers.uninstall(schema_editor, db_triggers.LEDGER_TABLE)
    for entry, party_id in matched:
        LedgerEntry.objects.filter(pk=entry.pk).update(party_id=party_id)
    db_triggers.install(schema_editor, db_triggers.LEDGER_TABLE)
    LedgerEntryParty.objects.bulk_create(
        [LedgerEntryParty(entry_id=entry.pk, party_id=party_id) for entry, party_id in matched],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("agreements", "0011_party_caps_and_milestones")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
