import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from agreements.models import Allotment, Country, CountryGroupMembership, Policy, TierMembership
from agreements.selectors import countries_counting_as_us, country_groups_on, groups_on, policy_in_force, tier_on
from agreements.services import country_group_membership_set, tier_allocations_sync
from portal.models import AuditEvent
from tests.factories import make_user

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
        ("SD", "2025-01-13", 3),
        ("SD", "2026-06-01", 3),
        ("CY", "2026-06-01", 2),
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
    assert len(tier3) == 25  # 23 D:5 as reported (Sudan included), Hong Kong with China, and Macau
    assert "SD" in tier3


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


# EAR Country Groups (Supplement No. 1 to Part 740), effective-dated


def _on(day: str) -> datetime.date:
    return datetime.date.fromisoformat(day)


def test_cambodia_leaves_d5_on_2026_02_03_and_stays_in_d1():
    assert "D:5" in country_groups_on("KH", _on("2026-02-02"))
    after = country_groups_on("KH", _on("2026-02-03"))
    assert "D:5" not in after
    assert "D:1" in after


@pytest.mark.parametrize(
    "code, groups_in, groups_out",
    [
        ("IR", {"E:1", "D:5"}, set()),
        ("KP", {"E:1", "D:5"}, set()),
        ("SY", {"E:1"}, set()),
        ("CU", {"E:2", "D:5"}, {"E:1"}),
        ("SD", {"D:5"}, {"E:1", "E:2"}),  # left E:1 in 2021: denial, not an embargo
        ("CY", {"D:5", "A:6"}, set()),
        ("CN", {"D:1", "D:4", "D:5"}, {"E:1"}),
        ("MO", {"D:1", "D:4"}, {"D:5"}),  # Macau is named beside D:5 by the rule, not in it
        ("DE", {"A:5"}, {"D:5"}),
        ("IN", {"A:5"}, {"D:1", "D:5"}),
        ("AE", {"D:4"}, {"D:5", "A:5", "A:6"}),
    ],
)
def test_country_groups_on_a_date(code, groups_in, groups_out):
    groups = country_groups_on(code, _on("2026-06-01"))
    assert groups_in <= groups
    assert not groups & groups_out


def test_hong_kong_takes_every_group_of_china():
    groups = groups_on(["CN", "HK"], _on("2026-06-01"))
    assert groups["HK"] == groups["CN"]


def test_no_group_before_the_reference_date():
    assert country_groups_on("IR", _on("2025-01-12")) == frozenset()


def test_every_membership_cites_its_source_and_cyprus_and_syria_are_due_for_review():
    assert not CountryGroupMembership.objects.filter(source="").exists()
    assert CountryGroupMembership.objects.get(country_id="CY", group="D:5").review_on is not None
    assert CountryGroupMembership.objects.get(country_id="SY", group="E:1").review_on is not None
    assert TierMembership.objects.get(country_id="CY", tier=2).review_on is not None
    assert "Sudan" in TierMembership.objects.get(country_id="SD", tier=3).source


# The United States and its territories; uninhabited codes


def test_us_territories_count_as_the_united_states():
    territories = ["PR", "GU", "VI", "AS", "MP", "UM"]
    assert countries_counting_as_us([*territories, "US", "CA", "MX"]) == {*territories, "US"}
    assert "772.1" in Country.objects.get(code="PR").status_source


@pytest.mark.parametrize("code", ["SD", "PR", "GU", "UM", "US", "AQ", "BV", "HM"])
def test_no_tier2_allocation_for_sudan_us_territories_or_uninhabited_codes(code):
    assert not Allotment.objects.filter(country_id=code, source="tier_allocation").exists()


def test_tier2_countries_keep_their_allocation():
    assert Allotment.objects.get(country_id="IN", source="tier_allocation").capacity_tpp == 790_000_000


def test_a_new_allocation_period_skips_us_territories_and_uninhabited_codes():
    current = policy_in_force(datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    next_period = Policy(
        kind="tiered",
        lpp_threshold_tpp=current.lpp_threshold_tpp,
        tier2_allocation_tpp=current.tier2_allocation_tpp,
        tier2_period_start=datetime.date(2028, 1, 1),
        tier2_period_end=datetime.date(2030, 12, 31),
        g2g_uplift=current.g2g_uplift,
        licence_validity_days=current.licence_validity_days,
    )
    created = tier_allocations_sync(actor=None, policy=next_period)
    new = set(Allotment.objects.filter(period_start=datetime.date(2028, 1, 1)).values_list("country_id", flat=True))
    assert created == len(new)
    assert "IN" in new
    assert not new & {"SD", "PR", "GU", "VI", "AS", "MP", "UM", "AQ", "BV", "HM", "US", "CN"}


# Maintaining memberships (policy administrators, audited)


def test_a_policy_admin_records_a_membership_and_it_is_audited():
    admin = make_user("policy_admin")
    membership = country_group_membership_set(
        actor=admin,
        country=Country.objects.get(code="YE"),
        group="D:5",
        effective_from=_on("2027-01-01"),
        source="Hypothetical: State adds Yemen to ITAR § 126.1.",
    )
    assert "D:5" in country_groups_on("YE", _on("2027-01-01"))
    assert "D:5" not in country_groups_on("YE", _on("2026-12-31"))
    event = AuditEvent.objects.get(verb="country_group.set", target_id="YE")
    assert event.actor == admin
    assert event.payload["after"]["group"] == "D:5"
    assert membership.source.startswith("Hypothetical")


@pytest.mark.parametrize(
    "role, changes, refusal",
    [
        ("exporter", {}, PermissionDenied),
        ("negotiator", {}, PermissionDenied),
        ("policy_admin", {"source": "  "}, ValidationError),
        ("policy_admin", {"group": "Z:9"}, ValidationError),
        ("policy_admin", {"effective_until": datetime.date(2026, 12, 31)}, ValidationError),
    ],
    ids=["exporter", "negotiator", "no-source", "unknown-group", "ends-before-it-starts"],
)
def test_refused_membership_writes_nothing(role, changes, refusal):
    before = CountryGroupMembership.objects.count()
    arguments = {
        "country": Country.objects.get(code="YE"),
        "group": "D:5",
        "effective_from": _on("2027-01-01"),
        "source": "Hypothetical.",
        **changes,
    }
    with pytest.raises(refusal):
        country_group_membership_set(actor=make_user(role), **arguments)
    assert CountryGroupMembership.objects.count() == before
    assert not AuditEvent.objects.filter(verb__startswith="country_group.").exists()


def test_every_seeded_country_has_its_un_m49_region():
    assert not Country.objects.filter(region="").exists()
    regions = dict(
        Country.objects.filter(code__in=["IN", "AE", "BR", "DE", "NG", "FJ", "US", "AQ"]).values_list("code", "region")
    )
    assert regions == {
        "IN": "asia",
        "AE": "asia",  # Western Asia
        "BR": "americas",
        "US": "americas",
        "DE": "europe",
        "NG": "africa",
        "FJ": "oceania",
        "AQ": "antarctica",  # in no M49 region: a value of its own
    }
