"""Concurrent LPP notifications for one consignee party under two spellings stop exactly at the threshold,
and enter the party once (SPEC § 2, § 6): real threads and connections on PostgreSQL."""

from collections import Counter

import pytest
from django.db import connection

from agreements.models import Party
from agreements.units import H100_TPP
from licensing.models import LppConsigneeYear, LppNotification
from tests.factories import make_user
from tests.licensing import factories as f
from tests.licensing.test_concurrency import THRESHOLD, fresh, run_together

pytestmark = [
    pytest.mark.usefixtures("serialized_reference_data"),
    pytest.mark.postgresql,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite serialises writers"),
]


def test_parallel_notifications_for_one_new_party_under_two_spellings_stop_at_the_threshold():
    notifications, quantity = 12, 400  # 6,332,800 TPP each: four fit under 26,900,000, a fifth does not
    fits = THRESHOLD // (quantity * H100_TPP)
    assert fits == 4
    spellings = ["Pune Research Institute", "PUNE RESEARCH INSTITUTE PVT. LTD."]
    exporters = [make_user("exporter", organisation=f"Exporter {i}") for i in range(notifications)]

    results = run_together(
        [
            lambda i=i, exporter=exporter: f.notify(fresh(exporter), consignee=spellings[i % 2], quantity=quantity)
            for i, exporter in enumerate(exporters)
        ]
    )

    outcomes = Counter(kind if kind == "ok" else type(value).__name__ for kind, value in results)
    assert outcomes == {"ok": fits, "NotificationRefused": notifications - fits}, results
    party = Party.objects.get(normalised_name="puneresearchinstitute", country="IN")
    accepted = LppNotification.objects.filter(consignee_party=party)
    assert accepted.count() == fits == LppNotification.objects.count()
    assert sum(accepted.values_list("total_tpp", flat=True)) <= THRESHOLD
    assert LppConsigneeYear.objects.filter(party=party).count() == 1
