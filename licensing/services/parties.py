"""The case side's part in the party register: merging a party moves its filings to the survivor.

The use case "merge a party" is composed here (agreements never imports licensing): agreements' party_merge does
the register's part, this module moves licensing's history, in one transaction."""

from django.db import transaction

from agreements import party_services
from agreements.models import Party
from licensing.models import ApplicationParty, LppConsigneeYear, LppNotification
from portal.permissions import Actor, require


def party_merge(*, actor: Actor, party_id: int, into_id: int) -> Party:
    """Merge a duplicate into its survivor: every filing, lock row and subsidiary moves; the duplicate stays as a
    tombstone pointing at the survivor. Refused as agreements.party_services.party_merge refuses, before anything
    moves; the audit event counts what moved."""
    require(actor, "agreements.merge_party", action="merge parties")
    with transaction.atomic():
        party_services.party_merge_locked(party_id=party_id, into_id=into_id)  # both locked, the merge allowed
        moved = party_history_move(party_id, into_id)
        return party_services.party_merge(actor=actor, party_id=party_id, into_id=into_id, moved=moved)


def party_history_move(merged_id: int, survivor_id: int) -> dict[str, int]:
    """Application links (so licences' parties), LPP notifications and LPP lock rows move to the survivor."""
    moved = {
        "application_parties": ApplicationParty.objects.filter(party_id=merged_id).update(party_id=survivor_id),
        "lpp_notifications": LppNotification.objects.filter(consignee_party_id=merged_id).update(
            consignee_party_id=survivor_id
        ),
    }
    # Lock rows are locks, not filings: where the survivor has one for the year, the merged one goes.
    survivor_years = LppConsigneeYear.objects.filter(party_id=survivor_id).values("year")
    LppConsigneeYear.objects.filter(party_id=merged_id, year__in=survivor_years).delete()
    LppConsigneeYear.objects.filter(party_id=merged_id).update(party_id=survivor_id)
    return moved
