"""What each party's draws hold of its cap, kept on the cap (`committed_tpp`) so a draw checks the cap in one
conditional UPDATE under the allotment's row lock (issue 16 item 1). Backfilled from the ledger as
agreements.deal_selectors.party_committed counts it: reserve − release of every draw the party was the ultimate
consignee or an end user of, and of parties since merged into it (merge chains followed)."""

from collections import defaultdict

from django.db import migrations, models
from django.db.models import Case, F, Sum, When
from django.db.models.functions import Coalesce

MAX_PARENT_CHAIN = 25  # agreements.selectors.MAX_PARENT_CHAIN when written


def backfill(apps, schema_editor):
    AllotmentPartyCap = apps.get_model("agreements", "AllotmentPartyCap")
    LedgerEntryParty = apps.get_model("agreements", "LedgerEntryParty")
    Party = apps.get_model("agreements", "Party")
    caps = list(AllotmentPartyCap.objects.all())
    if not caps:
        return
    allotment_ids = sorted({cap.allotment_id for cap in caps})
    signed = Case(When(entry__kind="reserve", then=F("entry__tpp")), default=-F("entry__tpp"))
    rows = list(
        LedgerEntryParty.objects.filter(entry__allotment_id__in=allotment_ids)
        .values("entry__allotment_id", "party_id")
        .annotate(net=Coalesce(Sum(signed), 0))
    )
    live = {row["party_id"]: row["party_id"] for row in rows}
    pending = set(live)
    for _ in range(MAX_PARENT_CHAIN):
        merged = dict(
            Party.objects.filter(pk__in=pending, merged_into__isnull=False).values_list("pk", "merged_into_id")
        )
        if not merged:
            break
        for original, current in live.items():
            if current in merged:
                live[original] = merged[current]
        pending = set(merged.values())
    committed: dict[tuple[int, int], int] = defaultdict(int)
    for row in rows:
        committed[(row["entry__allotment_id"], live[row["party_id"]])] += row["net"]
    for cap in caps:
        cap.committed_tpp = committed.get((cap.allotment_id, cap.party_id), 0)
    AllotmentPartyCap.objects.bulk_update(caps, ["committed_tpp"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("agreements", "0015_indexes")]

    operations = [
        migrations.AddField(
            model_name="allotmentpartycap",
            name="committed_tpp",
            field=models.BigIntegerField(
                default=0,
                help_text="What the party's draws hold of the cap (reserve − release): the ledger's sum, kept.",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
