"""The baseline regime's steps (SPEC § 3.3), pure: no database. Builders and seeded-looking facts come from
test_determination_rules; here only what the baseline reads differs (Country Groups D:1/D:4 less A:5/A:6, and an
agreement's own allotment where one applies)."""

from dataclasses import replace
from decimal import Decimal

import pytest

from licensing.determination import BASELINE, Facts, Outcome, PolicyFacts, Presumption, determine
from tests.licensing.test_determination_rules import (
    BANDS,
    GROUPS,
    H100,
    HQ_TIERS,
    SECURITY,
    US_COUNTRIES,
    allotment,
    h20,
    h100,
    request_for,
    rules,
    terms,
    texts,
)

BASELINE_GROUPS = {
    **GROUPS,
    "AE": frozenset({"D:4"}),
    "VN": frozenset({"D:1"}),
    "IL": frozenset({"D:4", "A:6"}),  # D:4 but also A:6: excluded from the requirement
    "JP": frozenset({"A:5"}),
}


def baseline(**changes: object) -> Facts:
    """Under the baseline regime, the UAE with no agreement in force (so no allotment applies)."""
    base = Facts(
        policy=PolicyFacts(kind=BASELINE, lpp_threshold_tpp=26_900_000, size_bands=BANDS, g2g_uplift=Decimal("2.00")),
        destination_tier=2,
        hq_tiers=HQ_TIERS,
        agreement=None,
        allotment=None,
        consignee_lpp_used_tpp=0,
        consignee_installed_tpp=0,
        groups=BASELINE_GROUPS,
        us_countries=US_COUNTRIES,
    )
    return replace(base, **changes)


def to(destination: str, *lines, **changes):
    changes.setdefault("end_user_hq", (destination,))
    return request_for(*(lines or (h100(10),)), destination=destination, **changes)


def uae_terms(**changes):
    return terms(agreement_reference="G2G-AE-2025", **changes)


def test_d4_destination_without_an_agreement_needs_a_licence_reviewed_case_by_case():
    result = determine(to("AE"), baseline())
    assert (result.outcome, result.presumption) == (Outcome.LICENCE_REQUIRED, Presumption.CASE_BY_CASE)
    assert rules(result) == ["baseline.d1_d4", "baseline.case_by_case"]
    assert "§ 742.6(a)(6)(iii)" in texts(result) and "Country Group D:4" in texts(result)
    # no LPP, no tier cap: nothing is drawn, and approval needs no allotment
    assert (result.allotment_id, result.requires_allotment, result.conditions) == (None, False, ())
    assert result.as_dict()["presumption"] == "case_by_case"


def test_a_d1_destination_likewise_and_no_lpp_exception_even_for_one_chip():
    result = determine(to("VN", h100(1)), baseline())
    assert (result.outcome, result.presumption) == (Outcome.LICENCE_REQUIRED, Presumption.CASE_BY_CASE)
    assert "Country Group D:1" in texts(result) and "No LPP exception" in texts(result)


@pytest.mark.parametrize(
    "destination, says",
    [("JP", "in none of Country Groups D:1, D:4 or D:5"), ("IN", "in none of"), ("IL", "but also in A:6")],
    ids=["A5-only", "no-group", "D4-but-A6"],
)
def test_elsewhere_no_licence_is_required(destination, says):
    result = determine(to(destination), baseline())
    assert (result.outcome, result.presumption) == (Outcome.NO_LICENCE_REQUIRED, None)
    assert rules(result) == ["baseline.no_requirement"]
    assert says in texts(result) and "§ 742.6(a)(6)(iii)" in texts(result)


@pytest.mark.parametrize("destination", ["MO", "CN", "SD"])
def test_d5_and_macau_are_refused_at_the_common_step_before_the_baseline_steps(destination):
    result = determine(to(destination), baseline())
    assert (result.outcome, result.presumption) == (Outcome.LICENCE_REQUIRED, Presumption.DENIAL)
    assert rules(result)[0] == "common.d5_destination"  # (and the end user headquartered there)


def test_an_end_user_headquartered_in_d5_is_denied_even_in_a_country_that_needs_no_licence():
    result = determine(to("JP", end_user_hq=("JP", "CN")), baseline())
    assert (result.outcome, result.presumption) == (Outcome.LICENCE_REQUIRED, Presumption.DENIAL)
    assert rules(result) == ["common.d5_end_user_hq"]


def test_no_controlled_line_is_not_controlled_under_the_baseline_too():
    assert determine(to("AE", h20(100)), baseline()).outcome == Outcome.NOT_CONTROLLED


def test_an_agreement_allotment_with_room_gives_approval_with_the_terms_conditions():
    facts = baseline(agreement=uae_terms(), allotment=allotment(1_000 * H100, id=21))
    result = determine(to("AE"), facts)
    assert (result.outcome, result.presumption) == (Outcome.LICENCE_REQUIRED, Presumption.APPROVAL)
    assert rules(result) == ["baseline.d1_d4", "baseline.agreement_allotment"]
    assert (result.allotment_id, result.allotment_remaining_tpp, result.requires_allotment) == (21, 1_000 * H100, True)
    assert result.conditions == (*SECURITY, "Reporting: quarterly")
    assert result.agreement_id == 3 and "G2G-AE-2025" in texts(result)


def test_an_exhausted_agreement_allotment_is_denial_stating_what_remains():
    facts = baseline(agreement=uae_terms(), allotment=allotment(9 * H100, committed_tpp=991 * H100, id=21))
    result = determine(to("AE"), facts)
    assert (result.outcome, result.presumption) == (Outcome.LICENCE_REQUIRED, Presumption.DENIAL)
    assert rules(result)[-1] == "baseline.agreement_allotment_exhausted"
    assert "Remaining allotment 9.00 H100e under agreement G2G-AE-2025 is less than the 10.00 H100e" in texts(result)
    assert result.allotment_id == 21 and result.requires_allotment


def test_an_agreement_without_an_allotment_for_the_date_leaves_the_case_by_case_review():
    result = determine(to("AE"), baseline(agreement=uae_terms(), allotment=None))
    assert (result.presumption, result.allotment_id, result.requires_allotment) == (
        Presumption.CASE_BY_CASE,
        None,
        False,
    )
    assert "Agreement G2G-AE-2025 is in force but its terms give no allotment" in texts(result)


def test_the_terms_excluded_end_users_bind_where_the_agreement_allotment_applies():
    facts = baseline(
        agreement=uae_terms(excluded_end_users=frozenset({"gulfcompute"})), allotment=allotment(1_000 * H100)
    )
    result = determine(to("AE"), facts)
    assert result.presumption == Presumption.DENIAL
    assert "baseline.excluded_end_user" in rules(result)


def test_the_terms_permitted_end_uses_bind_where_the_agreement_allotment_applies():
    facts = baseline(agreement=uae_terms(permitted_end_uses=frozenset({"research"})), allotment=allotment(1_000 * H100))
    result = determine(to("AE"), facts)
    assert result.presumption == Presumption.DENIAL
    assert "baseline.end_use_not_permitted" in rules(result)
