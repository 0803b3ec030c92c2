"""Concurrent approvals, ACN assignments and LPP notifications on PostgreSQL, with real threads and connections.

Each thread has its own database connection; a barrier releases them together. Fixtures are built in the main
thread first: with `transaction=True` they are committed, so every thread sees them.
"""

import threading
from collections import Counter
from collections.abc import Callable

import pytest
from django.db import connection

from agreements.errors import AllotmentExhausted
from agreements.models import LedgerEntry
from agreements.selectors import remaining_tpp
from agreements.units import H100_TPP
from licensing import services
from licensing.choices import ApplicationStatus
from licensing.errors import NotificationRefused
from licensing.models import Application, Licence, LppNotification, NumberSequence
from tests.factories import fresh, make_user
from tests.licensing import factories as f

pytestmark = [
    pytest.mark.usefixtures("serialized_reference_data"),
    pytest.mark.postgresql,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite serialises writers"),
]

THRESHOLD = 26_900_000  # the seeded LPP threshold, TPP per consignee and calendar year


def run_together(calls: list[Callable[[], object]]) -> list[tuple[str, object]]:
    """Run every call in its own thread, released at once; ("ok", result) or ("error", exception) for each."""
    barrier = threading.Barrier(len(calls))
    results: list[tuple[str, object] | None] = [None] * len(calls)

    def worker(index: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = ("ok", call())
        except Exception as error:  # collected, and asserted on by the test
            results[index] = ("error", error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung: a lock was never released"
    return results


def test_parallel_approvals_never_overdraw_an_allotment():
    approvals, fits, quantity = 10, 3, 1_000
    tpp = quantity * H100_TPP
    exporter, officer, approver = make_user("exporter"), make_user("licensing_officer"), make_user("approving_official")
    applications = [
        f.recommended(exporter, officer=officer, quantity=quantity, consignee=f"Consignee {i}")
        for i in range(approvals)
    ]
    allotment = f.tier2_allotment("IN")
    f.shrink_allotment(allotment, leave_tpp=fits * tpp + tpp // 2)  # room for 3½: three fit, the fourth does not
    allotment.refresh_from_db()
    committed_before = allotment.committed_tpp

    results = run_together(
        [
            lambda application=application: services.application_approve(actor=fresh(approver), application=application)
            for application in applications
        ]
    )

    outcomes = Counter(kind if kind == "ok" else type(value).__name__ for kind, value in results)
    assert outcomes == {"ok": fits, "AllotmentExhausted": approvals - fits}, results
    allotment.refresh_from_db()
    assert allotment.committed_tpp == committed_before + fits * tpp
    assert remaining_tpp(allotment, allotment.updated_at) == tpp // 2  # never below zero
    assert Licence.objects.count() == fits
    assert LedgerEntry.objects.filter(allotment=allotment, reference__startswith="G2G-").count() == fits
    licensed = set(Licence.objects.values_list("application_id", flat=True))
    for application, (kind, value) in zip(applications, results, strict=True):
        application.refresh_from_db()
        if kind == "ok":
            assert application.status == ApplicationStatus.APPROVED and application.pk in licensed
        else:
            assert isinstance(value, AllotmentExhausted)
            assert application.status == ApplicationStatus.UNDER_REVIEW and application.pk not in licensed
    numbers = list(Licence.objects.values_list("number", flat=True))
    assert len(set(numbers)) == fits


def test_parallel_submissions_never_share_an_acn():
    submissions = 16
    exporters = [make_user("exporter", organisation=f"Exporter {i % 4}") for i in range(submissions)]
    drafts = [f.draft(exporter, consignee=f"Consignee {i}") for i, exporter in enumerate(exporters)]
    counter_before = NumberSequence.objects.filter(name="acn").values_list("value", flat=True).first() or 0

    results = run_together(
        [
            lambda draft=draft, exporter=exporter: services.application_submit(
                actor=fresh(exporter), application=draft, declaration=True
            )
            for draft, exporter in zip(drafts, exporters, strict=True)
        ]
    )

    assert all(kind == "ok" for kind, _ in results), results
    acns = list(Application.objects.filter(pk__in=[d.pk for d in drafts]).values_list("acn", flat=True))
    assert len(set(acns)) == submissions
    assert all(len(acn) == 7 and acn[0].isalpha() and acn[1:].isdigit() for acn in acns)
    assert NumberSequence.objects.get(name="acn").value == counter_before + submissions
    assert sorted(int(acn[1:]) for acn in acns) == list(range(counter_before + 1, counter_before + submissions + 1))


def test_parallel_lpp_notifications_stop_exactly_at_the_threshold():
    notifications, quantity = 16, 500  # 7,916,000 TPP each: three fit under 26,900,000, a fourth does not
    fits = THRESHOLD // (quantity * H100_TPP)
    assert fits == 3
    spellings = ["Small Co", "small co.", "SMALL  CO", "Small-Co"]
    exporters = [make_user("exporter", organisation=f"Exporter {i}") for i in range(notifications)]

    results = run_together(
        [
            lambda i=i, exporter=exporter: f.notify(fresh(exporter), consignee=spellings[i % 4], quantity=quantity)
            for i, exporter in enumerate(exporters)
        ]
    )

    outcomes = Counter(kind if kind == "ok" else type(value).__name__ for kind, value in results)
    assert outcomes == {"ok": fits, "NotificationRefused": notifications - fits}, results
    refusals = [value for kind, value in results if kind == "error"]
    assert all(isinstance(r, NotificationRefused) and "apply for a licence" in r.message for r in refusals)
    accepted = LppNotification.objects.filter(consignee_key="small")
    assert accepted.count() == fits
    assert sum(accepted.values_list("total_tpp", flat=True)) == fits * quantity * H100_TPP <= THRESHOLD
    assert f.tier2_allotment("IN").committed_tpp == 0
