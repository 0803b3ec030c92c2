"""Concurrent approvals never overdraw a party's cap (SPEC § 2 "Terms v2", § 6), with real threads and connections.

An allotment of 10,000 H100e caps "Falcon Compute" at 2,000 H100e; twenty approvals of 200 H100e for Falcon are
released together, each on its own PostgreSQL connection: exactly ten fit. The canary runs the same race against
a draw that checks the cap without the allotment's row lock and must overdraw it, so the race is real here.
"""

import time
from collections import Counter

import pytest
from django.db import connection, transaction
from django.utils import timezone

from agreements.choices import LedgerKind
from agreements.deal_selectors import cap_usage
from agreements.errors import AllotmentExhausted
from agreements.models import Allotment, AllotmentPartyCap, LedgerEntry, LedgerEntryParty, Party
from agreements.units import H100_TPP
from licensing import services
from licensing.models import Licence
from tests.factories import make_user
from tests.licensing import factories as f
from tests.licensing.test_concurrency import fresh, run_together

pytestmark = [
    pytest.mark.usefixtures("serialized_reference_data"),
    pytest.mark.postgresql,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite serialises writers"),
]

APPROVALS, FITS, QUANTITY = 20, 10, 200


def _capped_allotment() -> Allotment:
    f.switch_to_global()
    return Allotment.objects.get(agreement=f.capped_agreement("QA", party={"name": "Falcon Compute", "country": "QA"}))


def test_parallel_approvals_never_overdraw_a_party_cap():
    allotment = _capped_allotment()
    exporter, officer, approver = make_user("exporter"), make_user("licensing_officer"), make_user("approving_official")
    applications = [
        f.recommended(exporter, officer=officer, destination="QA", consignee="Falcon Compute", quantity=QUANTITY)
        for _ in range(APPROVALS)
    ]

    results = run_together(
        [
            lambda application=application: services.application_approve(actor=fresh(approver), application=application)
            for application in applications
        ]
    )

    outcomes = Counter(kind if kind == "ok" else type(value).__name__ for kind, value in results)
    assert outcomes == {"ok": FITS, "PartyCapExhausted": APPROVALS - FITS}, results
    refusals = [str(value) for kind, value in results if kind != "ok"]
    assert all("Falcon Compute" in text and "remaining for it" in text for text in refusals), refusals
    [cap] = cap_usage([allotment.pk])
    assert cap.committed_tpp == 2_000 * H100_TPP and cap.remaining_tpp == 0
    kept = AllotmentPartyCap.objects.get(allotment=allotment)  # what the draws keep on the cap: the ledger's sum
    assert kept.committed_tpp == cap.committed_tpp
    allotment.refresh_from_db()
    assert allotment.committed_tpp == FITS * QUANTITY * H100_TPP  # the rest of the allotment untouched
    assert Licence.objects.count() == FITS
    falcon = Party.objects.get(name="Falcon Compute")
    assert LedgerEntry.objects.filter(allotment=allotment, party=falcon).count() == FITS


def test_canary_a_cap_checked_without_the_row_lock_overdraws():
    allotment = _capped_allotment()
    falcon = Party.objects.get(name="Falcon Compute")
    tpp = QUANTITY * H100_TPP

    def naive_draw(number: int) -> None:
        with transaction.atomic():
            [cap] = cap_usage([allotment.pk])  # no lock on the allotment
            if cap.remaining_tpp < tpp:
                raise AllotmentExhausted("cap full")
            time.sleep(0.05)
            entry = LedgerEntry.objects.create(
                allotment_id=allotment.pk,
                kind=LedgerKind.RESERVE,
                tpp=tpp,
                consignee="falconcompute",
                party=falcon,
                reference=f"NAIVE-{number}",
                created_at=timezone.now(),
            )
            LedgerEntryParty.objects.create(entry=entry, party=falcon)

    results = run_together([lambda number=number: naive_draw(number) for number in range(APPROVALS)])

    granted = sum(1 for kind, _ in results if kind == "ok")
    assert granted > FITS, results  # more draws granted than the cap had room for
    [cap] = cap_usage([allotment.pk])
    assert cap.committed_tpp > cap.capacity_tpp
