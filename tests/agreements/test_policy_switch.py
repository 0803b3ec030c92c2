import datetime

import pytest
from django.utils import timezone

from agreements.choices import AllotmentSource, Tier
from agreements.models import Allotment, Policy
from agreements.selectors import countries_with_tier, policy_in_force
from portal.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_api(client_for):
    return client_for("policy_admin")


def test_switch_to_global_takes_effect_now_and_carries_parameters_over(admin_api):
    response = admin_api.post(
        "/api/v1/policy/",
        {"kind": "global", "reason": "Global licensing regime adopted", "lpp_threshold_tpp": 0},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kind"], body["lpp_threshold_tpp"]) == ("global", 0)
    assert body["tier2_allocation_tpp"] == 790_000_000  # carried over
    current = admin_api.get("/api/v1/policy/").json()
    assert current["id"] == body["id"]
    event = AuditEvent.objects.get(verb="policy.switched")
    assert event.actor == admin_api.user
    assert event.payload["reason"] == "Global licensing regime adopted"


def test_earlier_policies_stay_and_answer_for_their_time(admin_api):
    admin_api.post("/api/v1/policy/", {"kind": "global", "reason": "Switch"}, format="json")
    assert Policy.objects.count() == 2
    assert policy_in_force(datetime.datetime(2025, 6, 1, tzinfo=datetime.UTC)).kind == "tiered"
    assert policy_in_force().kind == "global"


def test_a_future_switch_is_scheduled_not_in_force(admin_api):
    later = timezone.now() + datetime.timedelta(days=30)
    response = admin_api.post(
        "/api/v1/policy/",
        {"kind": "global", "reason": "From next month", "effective_from": later.isoformat()},
        format="json",
    )
    assert response.status_code == 201
    assert policy_in_force().kind == "tiered"
    assert policy_in_force(later).kind == "global"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"kind": "global"}, "reason"),
        ({"kind": "global", "reason": "   "}, "reason"),
        ({"kind": "feudal", "reason": "x"}, "kind"),
        ({"kind": "global", "reason": "x", "lpp_threshold_tpp": -1}, "lpp_threshold_tpp"),
        ({"kind": "global", "reason": "x", "effective_from": "2020-01-01T00:00:00Z"}, "effective_from"),
        ({"kind": "global", "reason": "x", "size_bands": [{"h100e": 5, "condition": "a"}]}, "size_bands"),
        ({"kind": "global", "reason": "x", "g2g_uplift": "0.5"}, "g2g_uplift"),
    ],
    ids=["no-reason", "blank-reason", "unknown-kind", "negative-lpp", "past", "two-few-bands", "uplift-below-one"],
)
def test_bad_switches_are_400_and_write_nothing(admin_api, body, field):
    response = admin_api.post("/api/v1/policy/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert Policy.objects.count() == 1
    assert not AuditEvent.objects.filter(verb="policy.switched").exists()


@pytest.mark.parametrize("role", ["exporter", "negotiator", "licensing_officer", "approving_official"])
def test_only_policy_admins_switch(client_for, role):
    response = client_for(role).post("/api/v1/policy/", {"kind": "global", "reason": "x"}, format="json")
    assert response.status_code == 403
    assert Policy.objects.count() == 1


def test_a_switch_that_opens_a_new_tier2_period_gives_every_tier2_country_its_allocation(admin_api):
    current = policy_in_force()
    start = current.tier2_period_end + datetime.timedelta(days=1)
    end = start.replace(year=start.year + 1) - datetime.timedelta(days=1)
    response = admin_api.post(
        "/api/v1/policy/",
        {
            "kind": "tiered",
            "reason": "Next Tier 2 period",
            "tier2_period_start": start.isoformat(),
            "tier2_period_end": end.isoformat(),
            "tier2_allocation_tpp": 800_000_000,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    tier2 = set(
        countries_with_tier(end)
        .filter(tier=Tier.TIER_2, counts_as_us=False, uninhabited=False)
        .values_list("code", flat=True)
    )
    opened = Allotment.objects.filter(source=AllotmentSource.TIER_ALLOCATION, period_start=start)
    assert tier2 and set(opened.values_list("country_id", flat=True)) == tier2
    assert set(opened.values_list("period_end", "capacity_tpp", "committed_tpp")) == {(end, 800_000_000, 0)}
