"""Pending demand is what an open application would draw on *now*: the allotment the regime in force makes the
determination draw on, not the one recorded when the case was submitted (which a regime switch leaves behind)."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agreements.units import H100_TPP
from licensing import selectors
from portal.choices import Role
from tests.factories import make_user
from tests.licensing.factories import agreement_in_force, submitted, switch_to_baseline, switch_to_global

pytestmark = pytest.mark.django_db
DASHBOARD = reverse("admin:agreements_allotment_dashboard")


def _would_draw_on(application) -> int | None:
    """The allotment id the determination of the open case would draw on now (the preview's figure)."""
    request = selectors.application_request(application, at=timezone.now())
    allotment = selectors.determine(request).as_dict()["allotment"]
    return allotment["id"] if allotment else None


def _pending_row(client: Client, code: str) -> dict:
    return next(row for row in client.get(DASHBOARD, {"q": code}).context["rows"] if row["country"].code == code)


@pytest.fixture
def negotiator() -> Client:
    client = Client()
    client.force_login(make_user(Role.NEGOTIATOR))
    return client


REGIMES = [None, switch_to_baseline, switch_to_global]


@pytest.mark.parametrize("switch", REGIMES, ids=["tiered", "baseline", "global"])
def test_pending_demand_is_what_each_open_case_would_draw_on_now(switch):
    # The UAE (D:4, neither A:5 nor A:6) needs a licence under every regime; its agreement is in force.
    agreement = agreement_in_force("AE", capacity_tpp=100_000 * H100_TPP)
    application = submitted(destination="AE", quantity=2_400)
    recorded = application.allotment_id
    if switch:
        switch()
    drawn = _would_draw_on(application)
    assert drawn is not None
    candidates = [recorded, *agreement.allotments.values_list("pk", flat=True)]
    pending = selectors.pending_demand(candidates)
    assert pending.get(drawn) == 2_400 * H100_TPP
    assert sum(pending.values()) == 2_400 * H100_TPP  # counted once, on the allotment it would draw on


def test_under_the_baseline_a_case_that_needs_no_licence_is_no_demand_on_any_allotment():
    agreement = agreement_in_force("IN", capacity_tpp=100_000 * H100_TPP)
    application = submitted(destination="IN", quantity=2_400)  # India: in none of D:1, D:4, D:5 for baseline
    switch_to_baseline()
    assert _would_draw_on(application) is None
    ids = [application.allotment_id, *agreement.allotments.values_list("pk", flat=True)]
    assert selectors.pending_demand(ids) == {}


def test_after_a_switch_to_global_the_dashboard_shows_the_open_case_pending(negotiator):
    agreement_in_force("IN", capacity_tpp=100_000 * H100_TPP)
    submitted(destination="IN", quantity=2_400)  # recorded against India's Tier 2 allocation
    switch_to_global()
    row = _pending_row(negotiator, "IN")
    assert row["pending"] == "2,400"


def test_pending_demand_takes_one_query_per_batch_not_one_per_case(django_assert_max_num_queries):
    agreement_in_force("IN", capacity_tpp=100_000 * H100_TPP)
    for _ in range(3):
        submitted(destination="IN", quantity=100)
    switch_to_global()
    ids = list(selectors.agreements.applicable_allotments(timezone.now(), source="agreement"))
    with django_assert_max_num_queries(4):
        pending = selectors.pending_demand([a.pk for a in ids])
    assert sum(pending.values()) == 300 * H100_TPP
