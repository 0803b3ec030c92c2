"""A party cap keeps what the party's draws hold of it (`committed_tpp`, issue 16 item 1), so the approval's draw
checks the cap in one statement: it must equal the ledger's count (agreements.deal_selectors.cap_usage) after every
way quota moves — approval, revocation, expiry with and without shipments, an amendment that re-creates the caps,
a party merge — and the migration fills it from the ledger."""

import datetime
import importlib

import pytest
from django.apps import apps

from agreements import services as agreements_services
from agreements.deal_selectors import cap_usage
from agreements.errors import PartyCapExhausted
from agreements.models import Allotment, AllotmentPartyCap, LedgerEntry, Party
from agreements.units import H100_TPP
from licensing import services
from licensing.services.parties import party_merge
from tests.factories import make_user
from tests.licensing import factories as f
from tests.licensing.test_party_caps import FALCON, _caps_agreement, _period_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def allotment():
    f.switch_to_global()
    return Allotment.objects.get(agreement=_caps_agreement())


def held(allotment) -> dict[str, int]:
    """Party name → H100e its cap holds, asserted equal to what the ledger counts."""
    kept = {cap.party.name: cap.committed_tpp for cap in AllotmentPartyCap.objects.filter(allotment=allotment)}
    counted = {cap.party.name: cap.committed_tpp for cap in cap_usage([allotment.pk])}
    assert kept == counted
    return {name: tpp // H100_TPP for name, tpp in kept.items()}


def approve(quantity: int, consignee: str = "Falcon Compute", exporter=None):
    application = f.recommended(exporter, destination="QA", consignee=consignee, quantity=quantity)
    return services.application_approve(actor=make_user("approving_official"), application=application).licence


def test_the_cap_keeps_what_approvals_hold_until_revoked_or_expired(allotment):
    exporter = make_user("exporter")
    revoked = approve(1_500, exporter=exporter)
    assert held(allotment) == {"Falcon Compute": 1_500}

    services.licence_revoke(actor=make_user("approving_official"), licence=revoked, reason="Diversion suspected")
    assert held(allotment) == {"Falcon Compute": 0}

    shipped, unshipped = approve(800, exporter=exporter), approve(700, exporter=exporter)
    services.shipment_report(
        actor=exporter,
        licence=shipped,
        shipped_on=shipped.valid_from,
        items=[{"product": f.product(), "quantity": 300}],
    )
    assert held(allotment) == {"Falcon Compute": 1_500}

    expired = services.licences_expire(today=shipped.valid_until + datetime.timedelta(days=1))

    assert set(expired) == {shipped.number, unshipped.number}
    assert held(allotment) == {"Falcon Compute": 300}  # what was shipped stays drawn


def test_the_draw_refuses_beyond_the_kept_cap_with_the_partys_remaining_and_writes_nothing(allotment):
    approve(1_500)
    falcon = Party.objects.get(name="Falcon Compute")
    entries = LedgerEntry.objects.count()

    with pytest.raises(PartyCapExhausted, match=r"500\.00 H100e \(.+ TPP\) remaining for it; 600\.00 H100e") as error:
        agreements_services.allotment_reserve(
            actor=None,
            allotment_id=allotment.pk,
            tpp=600 * H100_TPP,
            consignee="falconcompute",
            reference="L-TEST",
            party_id=falcon.pk,
        )

    assert error.value.extra == {"remaining_tpp": 500 * H100_TPP}
    assert LedgerEntry.objects.count() == entries
    allotment.refresh_from_db()
    assert allotment.committed_tpp == 1_500 * H100_TPP  # the allotment's draw rolled back with the cap's
    assert held(allotment) == {"Falcon Compute": 1_500}


def test_an_end_users_cap_is_drawn_on_too(allotment):
    falcon = Party.objects.get(name="Falcon Compute")
    approve(100, consignee="Pearl Cloud")
    pearl = Party.objects.get(name="Pearl Cloud")

    agreements_services.allotment_reserve(
        actor=None,
        allotment_id=allotment.pk,
        tpp=250 * H100_TPP,
        consignee="pearlcloud",
        reference="L-END-USER",
        party_id=pearl.pk,
        end_user_ids=[falcon.pk],
    )

    assert held(allotment) == {"Falcon Compute": 250}


def test_an_amendment_that_recreates_the_caps_keeps_what_the_party_holds(allotment):
    approve(1_500)
    agreement = allotment.agreement

    agreements_services.amendment_create(
        actor=None,
        agreement=agreement,
        effective_from=agreement.valid_from,
        reason="Cap raised",
        terms={
            "allotments": [
                {**_period_of(agreement), "party_caps": [{"party": FALCON, "capacity_tpp": 1_800 * H100_TPP}]}
            ]
        },
    )

    [cap] = AllotmentPartyCap.objects.filter(allotment=allotment)
    assert cap.capacity_tpp == 1_800 * H100_TPP
    assert held(allotment) == {"Falcon Compute": 1_500}


def test_a_merge_moves_the_duplicates_draws_onto_the_survivors_cap(allotment):
    approve(1_200)
    approve(500, consignee="Falcon Compute Qatar")  # a duplicate of Falcon, not yet capped by name
    duplicate = Party.objects.get(name="Falcon Compute Qatar")
    assert held(allotment) == {"Falcon Compute": 1_200}

    party_merge(
        actor=make_user("licensing_officer"), party_id=duplicate.pk, into_id=Party.objects.get(name="Falcon Compute").pk
    )

    assert held(allotment) == {"Falcon Compute": 1_700}
    with pytest.raises(PartyCapExhausted, match="300.00 H100e"):
        approve(400)


def test_the_migration_fills_the_caps_from_the_ledger(allotment):
    approve(1_500)
    approve(500, consignee="Pearl Cloud")
    AllotmentPartyCap.objects.update(committed_tpp=0)
    migration = importlib.import_module("agreements.migrations.0016_party_cap_committed")

    migration.backfill(apps, None)

    assert held(allotment) == {"Falcon Compute": 1_500}
