"""agreements 0012: each earlier draw gets its party where its normalised consignee name matches a live party of
the allotment's country; the ledger stays append-only afterwards. (Here beside licensing 0008's migration test,
whose reference-data fixture it shares.)"""

import pytest
from django.db import IntegrityError, InternalError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = [
    pytest.mark.usefixtures("serialized_reference_data"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

BEFORE = [("agreements", "0011_party_caps_and_milestones")]
AFTER = [("agreements", "0012_ledger_party_backfill")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_earlier_draws_get_their_party_where_the_name_matches():
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        old = migrate(BEFORE)
        Allotment, Entry, Party = (old.get_model("agreements", m) for m in ("Allotment", "LedgerEntry", "Party"))
        allotment = Allotment.objects.create(
            country_id="QA", source="tier_allocation", period_start="2030-01-01", period_end="2030-12-31",
            capacity_tpp=10**9,
        )  # fmt: skip
        falcon = Party.objects.create(
            name="Falcon Compute LLC", normalised_name="falconcompute", country_id="QA", hq_country_id="QA",
            created_at=timezone.now(),
        )  # fmt: skip
        for consignee, reference in (("falconcompute", "L-1"), ("someoneelse", "L-2")):
            Entry.objects.create(
                allotment=allotment, kind="reserve", tpp=100, consignee=consignee, reference=reference,
                created_at=timezone.now(),
            )  # fmt: skip

        new = migrate(AFTER)

        Entry, EntryParty = new.get_model("agreements", "LedgerEntry"), new.get_model("agreements", "LedgerEntryParty")
        assert dict(Entry.objects.filter(allotment_id=allotment.pk).values_list("reference", "party_id")) == {
            "L-1": falcon.pk,
            "L-2": None,
        }
        assert list(EntryParty.objects.values_list("entry__reference", "party_id")) == [("L-1", falcon.pk)]
        with pytest.raises((IntegrityError, InternalError)), transaction.atomic():
            Entry.objects.filter(reference="L-2").update(party_id=falcon.pk)  # the trigger is back
    finally:
        migrate(leaves)
