import datetime

import pytest

from agreements.models import Country, Policy
from agreements.selectors import policy_in_force, tier_on

pytestmark = pytest.mark.django_db


def test_every_iso_3166_country_is_loaded():
    assert Country.objects.count() == 249
    assert Country.objects.get(code="IN").name == "India"


@pytest.mark.parametrize(
    "code, on, tier",
    [
        ("MO", "2025-06-01", 3),
        ("CN", "2025-06-01", 3),
        ("HK", "2025-06-01", 3),
        ("JP", "2025-06-01", 1),
        ("US", "2025-06-01", 1),
        ("TW", "2025-06-01", 1),
        ("IN", "2025-06-01", 2),
        ("AE", "2025-06-01", 2),
        ("KH", "2026-02-02", 3),
        ("KH", "2026-02-03", 2),
        ("IN", "2025-01-12", None),
    ],
)
def test_tiers_are_effective_dated(code, on, tier):
    assert tier_on(code, datetime.date.fromisoformat(on)) == tier


def test_tier_lists_match_the_rule():
    on = datetime.date(2025, 1, 13)
    tier1 = [c for c in Country.objects.values_list("code", flat=True) if tier_on(c, on) == 1]
    assert len(tier1) == 19  # the United States plus 18
    tier3 = [c for c in Country.objects.values_list("code", flat=True) if tier_on(c, on) == 3]
    assert len(tier3) == 24  # 22 D:5 as reported, Hong Kong with China, and Macau


def test_initial_policy_is_the_tiered_rule_with_its_parameters():
    policy = policy_in_force(datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    assert policy.kind == "tiered"
    assert policy.effective_from == datetime.datetime(2025, 1, 13, tzinfo=datetime.UTC)
    assert policy.lpp_threshold_tpp == 26_900_000
    assert policy.tier2_allocation_tpp == 790_000_000
    assert (policy.tier2_period_start, policy.tier2_period_end) == (
        datetime.date(2025, 1, 1),
        datetime.date(2027, 12, 31),
    )
    assert policy.g2g_uplift == 2
    assert policy.licence_validity_days == 1461
    assert [band["h100e"] for band in policy.size_bands] == [1_000, 100_000, 200_000]
    assert all(band["condition"] for band in policy.size_bands)


def test_no_policy_before_the_rule():
    with pytest.raises(Policy.DoesNotExist):
        policy_in_force(datetime.datetime(2024, 12, 31, tzinfo=datetime.UTC))
