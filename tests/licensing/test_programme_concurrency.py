"""Concurrent approvals under the US-volume ratio on PostgreSQL: two that together exceed it → exactly one."""

import threading
from collections import Counter

import pytest
from django.db import connection
from django.utils import timezone

from licensing import services
from licensing.errors import DecisionRefused
from licensing.models import LicenceLine, Product
from licensing.services import programmes_approval
from licensing.services.programmes import us_sales_report_file
from tests.factories import make_user
from tests.licensing.test_concurrency import fresh, run_together
from tests.licensing.test_programme_workflow import filed

pytestmark = [
    pytest.mark.usefixtures("serialized_reference_data"),
    pytest.mark.postgresql,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite serialises writers"),
]


def two_cases_exceeding_the_ratio():
    """1,000 attested US sales allow 500 chips to China; two cases of 300 each fit alone, not together."""
    exporter, officer = make_user("exporter"), make_user("licensing_officer")
    today = timezone.localdate()
    quarter = f"{today.year}Q{(today.month - 1) // 3 + 1}"
    us_sales_report_file(actor=exporter, product=Product.objects.get(name="H200 SXM"), quarter=quarter, units=1000)
    return [filed(exporter, officer, 300) for _ in range(2)]


def licensed_h200() -> int:
    return sum(LicenceLine.objects.filter(product__name="H200 SXM").values_list("approved_quantity", flat=True))


def test_canary_without_the_organisation_lock_both_approvals_pass_the_ratio(monkeypatch):
    """The race is real: with the lock removed and both checks made before either commits, both are approved."""
    applications, approver = two_cases_exceeding_the_ratio(), make_user("approving_official")
    checked = threading.Barrier(2)
    original = programmes_approval.check_us_volume_ratio

    def check_then_wait(*args, **kwargs):
        original(*args, **kwargs)
        checked.wait(timeout=30)

    monkeypatch.setattr(programmes_approval, "lock_organisation", lambda organisation_id: None)
    monkeypatch.setattr(programmes_approval, "check_us_volume_ratio", check_then_wait)
    results = run_together(
        [lambda a=a: services.application_approve(actor=fresh(approver), application=a) for a in applications]
    )
    assert [kind for kind, _ in results] == ["ok", "ok"], results
    assert licensed_h200() == 600  # over the 500 the ratio allows


def test_two_concurrent_approvals_that_together_exceed_the_ratio_exactly_one_succeeds():
    applications, approver = two_cases_exceeding_the_ratio(), make_user("approving_official")
    results = run_together(
        [lambda a=a: services.application_approve(actor=fresh(approver), application=a) for a in applications]
    )
    outcomes = Counter(kind if kind == "ok" else type(value).__name__ for kind, value in results)
    assert outcomes == {"ok": 1, DecisionRefused.__name__: 1}, results
    refused = next(value for kind, value in results if kind == "error")
    assert "300 are already licensed" in str(refused)
    assert licensed_h200() == 300
