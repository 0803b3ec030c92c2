"""The case side's part in the party register: a merge moves the merged party's filings to the survivor.

Registered with agreements.party_services.register_merge_mover (licensing/apps.py) and run inside party_merge's
transaction, after both parties are locked."""

from licensing.models import ApplicationParty, LppConsigneeYear, LppNotification


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
