"""Concurrent draws never overdraw an allotment (SPEC § 4, § 6), proven with real threads and connections.

Sixteen threads, each on its own PostgreSQL connection, are released at once by a barrier to reserve from one
allotment that has room for exactly five of them. The canary runs the same race against a naive
read-modify-write without the row lock and must overdraw: it shows the race is real on this machine, so the
first test passing means something.
"""

import threading
import time
from collections import Counter
from collections.abc import Callable

import pytest
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from agreements import services
from agreements.choices import AgreementStatus as S
from agreements.choices import LedgerKind
from agreements.errors import AllotmentExhausted
from agreements.models import Allotment, LedgerEntry
from agreements.selectors import remaining_tpp
from agreements.units import H100_TPP
from tests.agreements.factories import make_agreement, period, this_year

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite serialises writers"),
]

THREADS = 16
ROOM_FOR = 5
DRAW = 100 * H100_TPP


@pytest.fixture
def allotment():
    start, end = this_year()
    agreement = make_agreement(S.IN_FORCE, allotments=[period(start, end, ROOM_FOR * DRAW)])
    return Allotment.objects.get(agreement=agreement)


def race(draw: Callable[[int], object]) -> Counter:
    """Run `draw(i)` in THREADS threads released together; count each outcome by exception name (or "ok")."""
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def worker(number: int) -> None:
        try:
            barrier.wait(timeout=30)
            draw(number)
            outcome = "ok"
        except Exception as exc:  # every outcome is counted, and asserted on
            outcome = type(exc).__name__
        finally:
            connection.close()  # this thread's own connection
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a drawing thread hung"
    return Counter(outcomes)


def ledger_total(allotment: Allotment) -> int:
    entries = LedgerEntry.objects.filter(allotment=allotment)
    reserved = entries.filter(kind=LedgerKind.RESERVE).aggregate(t=Sum("tpp"))["t"] or 0
    released = entries.filter(kind=LedgerKind.RELEASE).aggregate(t=Sum("tpp"))["t"] or 0
    return reserved - released


def test_concurrent_reserves_never_overdraw_an_allotment(allotment):
    def draw(number: int) -> None:
        services.allotment_reserve(
            actor=None, allotment_id=allotment.pk, tpp=DRAW, consignee=f"consignee {number}", reference=f"L-{number}"
        )

    outcomes = race(draw)

    assert outcomes == Counter({"ok": ROOM_FOR, "AllotmentExhausted": THREADS - ROOM_FOR})
    allotment.refresh_from_db()
    assert allotment.committed_tpp == ROOM_FOR * DRAW
    assert LedgerEntry.objects.filter(allotment=allotment).count() == ROOM_FOR
    remaining = remaining_tpp(allotment, timezone.now())
    assert remaining == 0
    assert allotment.capacity_tpp - remaining == ledger_total(allotment) == ROOM_FOR * DRAW


def test_canary_a_draw_without_the_row_lock_overdraws(allotment):
    """The naive version: read what is committed, think a little, write. Many threads all read 0."""

    def naive_draw(number: int) -> None:
        with transaction.atomic():
            current = Allotment.objects.get(pk=allotment.pk)  # no select_for_update
            if current.capacity_tpp - current.committed_tpp < DRAW:
                raise AllotmentExhausted("full")
            time.sleep(0.05)
            Allotment.objects.filter(pk=allotment.pk).update(committed_tpp=current.committed_tpp + DRAW)
            LedgerEntry.objects.create(
                allotment_id=allotment.pk,
                kind=LedgerKind.RESERVE,
                tpp=DRAW,
                consignee=f"consignee {number}",
                reference=f"L-{number}",
                created_at=current.updated_at,
            )

    outcomes = race(naive_draw)

    assert outcomes["ok"] > ROOM_FOR, outcomes  # more draws granted than there was room for
    assert ledger_total(allotment) > allotment.capacity_tpp
