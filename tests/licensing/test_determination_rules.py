"""The determination engine (SPEC § 3), rule by rule and edge by edge. Pure: no database.

Each row builds its facts from the defaults below and shows only what differs: a new Tier 2 consignee in India
asking for H100s under the tiered regime, or under the global regime with an agreement whose terms meet every
size-band requirement.
"""

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from licensing.determination import (
    GLOBAL,
    TIERED,
    AllotmentFacts,
    Determination,
    Facts,
    Line,
    Outcome,
    PolicyFacts,
    Presumption,
    Request,
    SizeBand,
    TermsFacts,
    determine,
    normalise_name,
)

H100 = 15_832  # TPP of one H100, i.e. 1 H100e
LPP_THRESHOLD = 26_900_000  # § 740.29, 1,699.09 H100e
TIER2_ALLOCATION = 790_000_000  # 49,898.94 H100e
AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
HQ_TIERS = {"IN": 2, "AE": 2, "FR": 1, "DE": 1, "US": 1, "CN": 3, "MO": 3, "SD": 3, "IR": 3, "KP": 3, "PR": 2}
# EAR Country Groups as seeded (Supplement No. 1 to Part 740); only those the rules read
GROUPS = {
    "IR": frozenset({"E:1", "D:5"}),
    "KP": frozenset({"E:1", "D:5"}),
    "CU": frozenset({"E:2", "D:5"}),
    "CN": frozenset({"D:1", "D:4", "D:5"}),
    "MO": frozenset({"D:1", "D:4"}),
    "SD": frozenset({"D:5"}),
    "IN": frozenset({"A:5"}),
    "DE": frozenset({"A:5"}),
    "FR": frozenset({"A:5"}),
}
US_COUNTRIES = frozenset({"US", "PR", "GU", "VI", "AS", "MP", "UM"})
BANDS = (
    SizeBand(100_000, "Site visits by US export-control officials on request."),
    SizeBand(1_000, "Installation monitored: quarterly compute-usage reports."),  # out of order on purpose
    SizeBand(200_000, "Reciprocal investment milestones reported yearly."),
)
SECURITY = ("No re-export or transfer without authorisation.", "Access restricted to vetted personnel.")


# Builders -------------------------------------------------------------------------------------------------------


def h100(quantity: int) -> Line:
    return Line(product_id=1, quantity=quantity, unit_tpp=H100, controlled=True, label="NVIDIA H100 SXM")


def h20(quantity: int) -> Line:
    return Line(product_id=2, quantity=quantity, unit_tpp=2_368, controlled=False, label="NVIDIA H20")


def b200(quantity: int) -> Line:
    return Line(product_id=4, quantity=quantity, unit_tpp=36_000, controlled=True, label="NVIDIA B200")


def hgx_h100(quantity: int) -> Line:
    """An 8-GPU system: 8 × 15,832 = 126,656 TPP, 4A090.a."""
    return Line(product_id=3, quantity=quantity, unit_tpp=8 * H100, controlled=True, label="NVIDIA HGX H100")


def request_for(*lines: Line, **changes: object) -> Request:
    base = Request(
        destination="IN",
        lines=lines or (h100(1_700),),
        consignee="Gulf Compute LLC",
        end_users=("Gulf Compute LLC",),
        end_user_hq=("IN",),
        end_use_category="commercial_datacenter",
        at=AT,
    )
    return replace(base, **changes)


def allotment(remaining_tpp: int = TIER2_ALLOCATION, *, committed_tpp: int = 0, id: int = 7) -> AllotmentFacts:
    return AllotmentFacts(
        id=id,
        capacity_tpp=remaining_tpp + committed_tpp,
        committed_tpp=committed_tpp,
        period_start=date(2025, 1, 13),
        period_end=date(2027, 12, 31),
    )


def terms(**changes: object) -> TermsFacts:
    base = TermsFacts(
        agreement_id=3,
        agreement_reference="G2G-IN-2026",
        version=2,
        lpp_threshold_tpp=None,
        government_assurances=True,
        site_visits_accepted=True,
        reciprocal_investment_usd=Decimal("25000000000"),
        permitted_end_uses=frozenset(),
        excluded_end_users=frozenset(),
        security_conditions=SECURITY,
        reporting_cadence="quarterly",
    )
    return replace(base, **changes)


def tiered(*, policy_lpp: int = LPP_THRESHOLD, **changes: object) -> Facts:
    base = Facts(
        policy=PolicyFacts(kind=TIERED, lpp_threshold_tpp=policy_lpp, size_bands=BANDS, g2g_uplift=Decimal("2.00")),
        destination_tier=2,
        hq_tiers=HQ_TIERS,
        agreement=None,
        allotment=allotment(),
        consignee_lpp_used_tpp=0,
        consignee_installed_tpp=0,
        groups=GROUPS,
        us_countries=US_COUNTRIES,
    )
    return replace(base, **changes)


def global_regime(*, policy_lpp: int = 0, **changes: object) -> Facts:
    base = Facts(
        policy=PolicyFacts(kind=GLOBAL, lpp_threshold_tpp=policy_lpp, size_bands=BANDS, g2g_uplift=Decimal("2.00")),
        destination_tier=2,
        hq_tiers=HQ_TIERS,
        agreement=terms(),
        allotment=allotment(1_583_200_000, id=11),
        consignee_lpp_used_tpp=0,
        consignee_installed_tpp=0,
        groups=GROUPS,
        us_countries=US_COUNTRIES,
    )
    return replace(base, **changes)


def rules(determination: Determination) -> list[str]:
    return [reason.rule for reason in determination.reasons]


def texts(determination: Determination) -> str:
    return " ".join(reason.text for reason in determination.reasons)


APPROVAL, DENIAL = Presumption.APPROVAL, Presumption.DENIAL
LICENCE, LPP = Outcome.LICENCE_REQUIRED, Outcome.LPP_ELIGIBLE


# SPEC § 3.1 steps 1–4: every regime ----------------------------------------------------------------------------

COMMON_CASES = [
    pytest.param(request_for(h20(5_000)), {}, Outcome.NOT_CONTROLLED, None, "common.not_controlled", id="only-h20"),
    pytest.param(
        request_for(h20(10), destination="MO"),
        {"destination_tier": 3},
        Outcome.NOT_CONTROLLED,
        None,
        "common.not_controlled",
        id="uncontrolled-to-macau-is-still-not-controlled",
    ),
    pytest.param(
        request_for(h100(1), destination="IR", end_user_hq=("IN",)),
        {"destination_tier": 3},
        Outcome.PROHIBITED,
        DENIAL,
        "common.embargoed_destination",
        id="iran-e1-prohibited",
    ),
    pytest.param(
        request_for(h100(1), destination="KP", end_user_hq=("IN",)),
        {"destination_tier": 3},
        Outcome.PROHIBITED,
        DENIAL,
        "common.embargoed_destination",
        id="north-korea-e1-prohibited",
    ),
    pytest.param(
        request_for(h100(1), destination="CU", end_user_hq=("IN",)),
        {"destination_tier": 3},
        Outcome.PROHIBITED,
        DENIAL,
        "common.embargoed_destination",
        id="cuba-e2-prohibited",
    ),
    pytest.param(
        request_for(h100(1), end_user_hq=("IN", "IR")),
        {},
        Outcome.PROHIBITED,
        DENIAL,
        "common.embargoed_end_user_hq",
        id="end-user-hq-iran-in-tier2-destination",
    ),
    pytest.param(
        request_for(h100(1), destination="US", end_user_hq=("IR",)),
        {"destination_tier": 1},
        Outcome.PROHIBITED,
        DENIAL,
        "common.embargoed_end_user_hq",
        id="embargoed-hq-wins-over-us-destination",
    ),
    pytest.param(
        request_for(h100(100_000), destination="US", end_user_hq=("US",)),
        {"destination_tier": 1, "allotment": None, "agreement": None},
        Outcome.NO_LICENCE_REQUIRED,
        None,
        "common.united_states",
        id="us-destination",
    ),
    pytest.param(
        request_for(h100(3_000), destination="PR", end_user_hq=("PR",)),
        {"destination_tier": 2},
        Outcome.NO_LICENCE_REQUIRED,
        None,
        "common.united_states",
        id="puerto-rico-is-the-united-states",
    ),
    pytest.param(
        request_for(h100(3_000), destination="GU", end_user_hq=("US",)),
        {"destination_tier": 2},
        Outcome.NO_LICENCE_REQUIRED,
        None,
        "common.united_states",
        id="guam-is-the-united-states",
    ),
    pytest.param(
        request_for(h100(1), destination="US", end_user_hq=("CN",)),
        {"destination_tier": 1},
        Outcome.NO_LICENCE_REQUIRED,
        None,
        "common.united_states",
        id="us-destination-decides-before-restricted-headquarters",
    ),
]


@pytest.mark.parametrize("facts_for", [tiered, global_regime], ids=[TIERED, GLOBAL])
@pytest.mark.parametrize(("request_", "changes", "outcome", "presumption", "rule"), COMMON_CASES)
def test_common_rules_decide_first_in_both_regimes(facts_for, request_, changes, outcome, presumption, rule):
    determination = determine(request_, facts_for(**changes))

    assert (determination.outcome, determination.presumption) == (outcome, presumption)
    assert rules(determination) == [rule]
    assert determination.allotment_id is None
    assert determination.conditions == ()


RESTRICTED_CASES = [
    pytest.param(request_for(h100(1), destination="SD", end_user_hq=("IN",)), "destination", id="sudan"),
    pytest.param(request_for(b200(1), destination="MO", end_user_hq=("IN",)), "destination", id="b200-to-macau"),
    pytest.param(request_for(b200(1), destination="CN", end_user_hq=("IN",)), "destination", id="b200-to-china"),
    pytest.param(request_for(h100(1), end_user_hq=("IN", "CN")), "end_user_hq", id="end-user-hq-china-from-india"),
]


@pytest.mark.parametrize(
    "facts_for, prefix", [(tiered, "common.tier3"), (global_regime, "common.d5")], ids=[TIERED, GLOBAL]
)
@pytest.mark.parametrize(("request_", "what"), RESTRICTED_CASES)
def test_restricted_destinations_and_headquarters_need_a_licence_with_denial(facts_for, prefix, request_, what):
    """Tier 3 under the tiered regime, D:5 or Macau under the others (SPEC § 3.1 step 4): no allotment, no LPP."""
    destination_tier = 3 if request_.destination in ("SD", "MO", "CN") else 2
    determination = determine(request_, facts_for(destination_tier=destination_tier))

    assert (determination.outcome, determination.presumption) == (LICENCE, DENIAL)
    assert rules(determination) == [f"{prefix}_{what}"]
    assert (determination.allotment_id, determination.requires_allotment) == (None, False)


# Tiered regime, SPEC § 3.2 steps 5–8 ---------------------------------------------------------------------------

TIERED_CASES = [
    pytest.param(
        request_for(destination="FR", end_user_hq=("FR", "US", "DE")),
        tiered(destination_tier=1),
        Outcome.NO_LICENCE_REQUIRED,
        None,
        "tiered.tier1_aia",
        id="tier1-destination-all-hq-tier1-or-us-aia",
    ),
    pytest.param(
        request_for(destination="FR", end_user_hq=("FR", "IN")),
        tiered(destination_tier=1),
        LICENCE,
        APPROVAL,
        "tiered.tier1_hq_outside",
        id="tier1-destination-hq-in-tier2-needs-licence",
    ),
    pytest.param(
        request_for(h100(10), destination="DE", end_user_hq=("IN",)),
        tiered(destination_tier=1),
        LPP,
        None,
        "tiered.lpp",
        id="tier1-without-aia-10-h100-lpp",
    ),
    pytest.param(
        request_for(h100(10), destination="DE", end_user_hq=("PR",)),
        tiered(destination_tier=1),
        Outcome.NO_LICENCE_REQUIRED,
        None,
        "tiered.tier1_aia",
        id="tier1-hq-in-a-us-territory-aia",
    ),
    pytest.param(request_for(h100(1_699)), tiered(), LPP, None, "tiered.lpp", id="1699-h100-fresh-consignee-lpp"),
    pytest.param(request_for(h100(1_700)), tiered(), LICENCE, APPROVAL, "tiered.allocation", id="1700-h100-licence"),
    pytest.param(
        request_for(h100(1_699), h20(10_000)),
        tiered(),
        LPP,
        None,
        "tiered.lpp",
        id="uncontrolled-lines-do-not-count-towards-lpp",
    ),
    pytest.param(request_for(hgx_h100(212)), tiered(), LPP, None, "tiered.lpp", id="212-hgx-systems-1696-h100e-lpp"),
    pytest.param(
        request_for(hgx_h100(213)), tiered(), LICENCE, APPROVAL, "tiered.allocation", id="213-hgx-systems-1704-h100e"
    ),
    pytest.param(
        request_for(h100(10)),
        tiered(consignee_lpp_used_tpp=LPP_THRESHOLD - 10 * H100),
        LPP,
        None,
        "tiered.lpp",
        id="lpp-used-plus-request-exactly-at-threshold",
    ),
    pytest.param(
        request_for(h100(10)),
        tiered(consignee_lpp_used_tpp=LPP_THRESHOLD - 10 * H100 + 1),
        LICENCE,
        APPROVAL,
        "tiered.lpp",
        id="lpp-used-plus-request-one-tpp-above-threshold",
    ),
    pytest.param(
        request_for(h100(1)), tiered(policy_lpp=0), LICENCE, APPROVAL, "tiered.allocation", id="lpp-threshold-zero"
    ),
    pytest.param(
        request_for(h100(1_700)),
        tiered(allotment=allotment(1_700 * H100)),
        LICENCE,
        APPROVAL,
        "tiered.allocation",
        id="remaining-exactly-the-request-approval",
    ),
    pytest.param(
        request_for(h100(1_700)),
        tiered(allotment=allotment(1_700 * H100 - 1)),
        LICENCE,
        DENIAL,
        "tiered.allocation_exhausted",
        id="remaining-one-tpp-short-denial",
    ),
    pytest.param(
        request_for(h100(1_700)),
        tiered(allotment=allotment(0, committed_tpp=TIER2_ALLOCATION + 5 * H100)),
        LICENCE,
        DENIAL,
        "tiered.allocation_exhausted",
        id="over-committed-allocation-remaining-zero-denial",
    ),
    pytest.param(
        request_for(h100(1_700)), tiered(allotment=None), LICENCE, DENIAL, "tiered.no_allotment", id="no-allotment"
    ),
]


@pytest.mark.parametrize(("request_", "facts", "outcome", "presumption", "rule"), TIERED_CASES)
def test_tiered_regime_follows_steps_5_to_8(request_, facts, outcome, presumption, rule):
    determination = determine(request_, facts)

    assert (determination.outcome, determination.presumption) == (outcome, presumption)
    assert rule in rules(determination)
    assert determination.regime == TIERED


def test_skip_lpp_goes_straight_to_the_allocation():
    determination = determine(request_for(h100(10), skip_lpp=True), tiered())

    assert (determination.outcome, determination.presumption) == (LICENCE, APPROVAL)
    assert rules(determination) == ["tiered.allocation"]


def test_exhausted_allocation_states_the_remaining_h100e():
    determination = determine(request_for(h100(50_000)), tiered())

    assert determination.presumption == DENIAL
    assert "Remaining allocation 49,898.94 H100e is less than the 50,000.00 H100e requested." in texts(determination)


def test_refusal_one_tpp_short_quotes_the_exact_tpp():
    """1,700 H100e less one TPP still rounds to 1,700.00 H100e: the TPP figures show why it is refused."""
    determination = determine(request_for(h100(1_700)), tiered(allotment=allotment(1_700 * H100 - 1)))

    assert "In TPP: 26,914,399 remaining, 26,914,400 requested." in texts(determination)


def test_lpp_reason_quotes_the_consignee_total_and_threshold():
    determination = determine(request_for(h100(1_700)), tiered(consignee_lpp_used_tpp=H100))

    lpp_text = determination.reasons[0].text
    assert "1,701.00 H100e (1.00 H100e already notified + 1,700.00 H100e requested; 26,930,232 TPP)" in lpp_text
    assert "above the 1,699.09 H100e (26,900,000 TPP) threshold" in lpp_text


def test_restricted_destination_and_headquarters_are_both_cited():
    request_ = request_for(h100(1), destination="MO", end_user_hq=("MO", "CN", "IN", "CN"))

    determination = determine(request_, tiered(destination_tier=3))

    assert rules(determination) == ["common.tier3_destination", "common.tier3_end_user_hq"]
    assert "(MO, CN)" in determination.reasons[1].text


def test_tier1_licence_beyond_lpp_explains_why_lpp_did_not_apply():
    determination = determine(
        request_for(h100(1_700), destination="DE", end_user_hq=("IN",)), tiered(destination_tier=1)
    )

    assert (determination.outcome, determination.presumption) == (LICENCE, APPROVAL)
    assert rules(determination) == ["tiered.lpp", "tiered.tier1_hq_outside"]
    assert determination.allotment_id is None


ALLOTMENT_CASES = [
    pytest.param(
        request_for(h100(1_700)),
        tiered(allotment=allotment(TIER2_ALLOCATION - 100 * H100, committed_tpp=100 * H100)),
        (7, TIER2_ALLOCATION - 100 * H100, True, None),
        id="tier2-licence-reports-remaining-before-request",
    ),
    pytest.param(
        request_for(h100(1_700)),
        tiered(agreement=terms(), allotment=allotment(2 * TIER2_ALLOCATION)),
        (7, 2 * TIER2_ALLOCATION, True, 3),
        id="tier2-with-agreement-uplifted-allocation",
    ),
    pytest.param(request_for(h100(1_699)), tiered(), (None, None, False, None), id="lpp-draws-on-no-allotment"),
    pytest.param(
        request_for(destination="FR", end_user_hq=("IN",)),
        tiered(destination_tier=1),
        (None, None, False, None),
        id="tier1-destination-is-uncapped",
    ),
    pytest.param(
        request_for(h100(10)),
        global_regime(agreement=None, allotment=None),
        (None, None, True, None),
        id="global-no-agreement-still-needs-an-allotment",
    ),
    pytest.param(request_for(h100(10)), global_regime(), (11, 1_583_200_000, True, 3), id="global-agreement-allotment"),
]


@pytest.mark.parametrize(("request_", "facts", "expected"), ALLOTMENT_CASES)
def test_allotment_drawn_from_is_reported_before_the_request(request_, facts, expected):
    determination = determine(request_, facts)

    assert (
        determination.allotment_id,
        determination.allotment_remaining_tpp,
        determination.requires_allotment,
        determination.agreement_id,
    ) == expected


# Global regime, steps 4–7 ---------------------------------------------------------------------------------------

GLOBAL_CASES = [
    pytest.param(
        request_for(h100(10)),
        global_regime(agreement=None, allotment=None),
        LICENCE,
        DENIAL,
        "global.no_agreement",
        id="10-h100-no-agreement-lpp-zero",
    ),
    pytest.param(
        request_for(h100(10), destination="FR", end_user_hq=("FR",)),
        global_regime(destination_tier=1, agreement=None, allotment=None),
        LICENCE,
        DENIAL,
        "global.no_agreement",
        id="tier1-country-without-agreement-no-aia",
    ),
    pytest.param(
        request_for(h100(1_699)),
        global_regime(policy_lpp=LPP_THRESHOLD, agreement=None),
        LPP,
        None,
        "global.lpp",
        id="policy-lpp-threshold-without-agreement",
    ),
    pytest.param(
        request_for(h100(1_699)),
        global_regime(policy_lpp=0, agreement=terms(lpp_threshold_tpp=LPP_THRESHOLD)),
        LPP,
        None,
        "global.lpp",
        id="terms-raise-lpp-threshold",
    ),
    pytest.param(
        request_for(h100(10)),
        global_regime(policy_lpp=LPP_THRESHOLD, agreement=terms(lpp_threshold_tpp=0)),
        LICENCE,
        APPROVAL,
        "global.allotment",
        id="terms-remove-lpp-exception",
    ),
    pytest.param(
        request_for(h100(10), skip_lpp=True),
        global_regime(policy_lpp=LPP_THRESHOLD),
        LICENCE,
        APPROVAL,
        "global.allotment",
        id="skip-lpp",
    ),
    pytest.param(
        request_for(h100(10), consignee="Hyperscale Partners", end_users=("GULF compute, L.L.C.",)),
        global_regime(agreement=terms(excluded_end_users=frozenset({"gulfcompute"}))),
        LICENCE,
        DENIAL,
        "global.excluded_end_user",
        id="excluded-end-user-other-case-and-punctuation",
    ),
    pytest.param(
        request_for(h100(10), consignee="Gulf  Compute L.L.C.", end_users=("Hyperscale Partners",)),
        global_regime(agreement=terms(excluded_end_users=frozenset({"gulfcompute"}))),
        LICENCE,
        DENIAL,
        "global.excluded_end_user",
        id="excluded-consignee",
    ),
    pytest.param(
        request_for(h100(10)),
        global_regime(agreement=terms(permitted_end_uses=frozenset({"research", "government"}))),
        LICENCE,
        DENIAL,
        "global.end_use_not_permitted",
        id="end-use-not-permitted",
    ),
    pytest.param(
        request_for(h100(10)),
        global_regime(agreement=terms(permitted_end_uses=frozenset({"research", "commercial_datacenter"}))),
        LICENCE,
        APPROVAL,
        "global.allotment",
        id="end-use-permitted",
    ),
    pytest.param(
        request_for(h100(10), end_use_category="other"),
        global_regime(agreement=terms(permitted_end_uses=frozenset())),
        LICENCE,
        APPROVAL,
        "global.allotment",
        id="empty-permitted-means-all-permitted",
    ),
    pytest.param(
        request_for(h100(10)), global_regime(allotment=None), LICENCE, DENIAL, "global.no_allotment", id="no-allotment"
    ),
    pytest.param(
        request_for(h100(10)),
        global_regime(allotment=allotment(10 * H100)),
        LICENCE,
        APPROVAL,
        "global.allotment",
        id="remaining-exactly-the-request-approval",
    ),
    pytest.param(
        request_for(h100(10)),
        global_regime(allotment=allotment(10 * H100 - 1)),
        LICENCE,
        DENIAL,
        "global.allotment_exhausted",
        id="remaining-one-tpp-short-denial",
    ),
]


@pytest.mark.parametrize(("request_", "facts", "outcome", "presumption", "rule"), GLOBAL_CASES)
def test_global_regime_follows_steps_4_to_7(request_, facts, outcome, presumption, rule):
    determination = determine(request_, facts)

    assert (determination.outcome, determination.presumption) == (outcome, presumption)
    assert rule in rules(determination)
    assert determination.regime == GLOBAL


def test_excluded_end_user_is_named_once():
    request_ = request_for(h100(10), consignee="Gulf Compute, L.L.C.", end_users=("gulf compute llc", "Other Co"))
    facts = global_regime(agreement=terms(excluded_end_users=frozenset({normalise_name("Gulf Compute LLC")})))

    reason = next(reason for reason in determine(request_, facts).reasons if reason.rule == "global.excluded_end_user")

    assert reason.text.startswith('"Gulf Compute, L.L.C." is excluded')
    assert reason.text.lower().count("gulf compute") == 1
    assert "Other Co" not in reason.text


def test_global_collects_every_denial_reason():
    agreement = terms(
        excluded_end_users=frozenset({"gulfcompute"}),
        permitted_end_uses=frozenset({"research"}),
        government_assurances=False,
    )
    facts = global_regime(agreement=agreement, allotment=allotment(H100), consignee_installed_tpp=1_000 * H100)

    determination = determine(request_for(h100(10)), facts)

    assert determination.presumption == DENIAL
    assert rules(determination) == [
        "global.lpp",
        "global.excluded_end_user",
        "global.end_use_not_permitted",
        "global.size_band",
        "global.band_requirement_missing",
        "global.allotment_exhausted",
    ]


# Size bands: installation = TPP already licensed to the consignee under the agreement + T ------------------------

BAND_EDGES = [
    pytest.param(1_000, {"government_assurances": False}, "government-to-government assurances", id="1000-h100e"),
    pytest.param(100_000, {"site_visits_accepted": False}, "site visits", id="100000-h100e"),
    pytest.param(200_000, {"reciprocal_investment_usd": Decimal("0")}, "reciprocal investment", id="200000-h100e"),
]


def bands_up_to(highest: int) -> str:
    return {1_000: "1,000", 100_000: "1,000 and 100,000", 200_000: "1,000, 100,000 and 200,000"}[highest]


def installed_so_that_installation_is(installation_tpp: int, requested: Request) -> int:
    return installation_tpp - requested.requested_tpp


@pytest.mark.parametrize(("band_h100e", "missing", "requirement"), BAND_EDGES)
def test_installation_exactly_at_a_band_does_not_exceed_it(band_h100e, missing, requirement):
    request_ = request_for(h100(10))
    installed = installed_so_that_installation_is(band_h100e * H100, request_)

    determination = determine(request_, global_regime(agreement=terms(**missing), consignee_installed_tpp=installed))

    assert determination.presumption == APPROVAL
    assert "global.band_requirement_missing" not in rules(determination)


@pytest.mark.parametrize(("band_h100e", "missing", "requirement"), BAND_EDGES)
def test_installation_one_tpp_above_a_band_needs_its_requirement(band_h100e, missing, requirement):
    request_ = request_for(h100(10))
    installed = installed_so_that_installation_is(band_h100e * H100 + 1, request_)

    determination = determine(request_, global_regime(agreement=terms(**missing), consignee_installed_tpp=installed))

    assert determination.presumption == DENIAL
    assert f"above the {bands_up_to(band_h100e)} H100e size band" in texts(determination)
    missing_reasons = [reason for reason in determination.reasons if reason.rule == "global.band_requirement_missing"]
    assert len(missing_reasons) == 1
    assert requirement in missing_reasons[0].text


CONDITION_CASES = [
    pytest.param(0, terms(), (*SECURITY, "Reporting: quarterly"), id="below-every-band"),
    pytest.param(1_000 * H100, terms(), (*SECURITY, "Reporting: quarterly", BANDS[1].condition), id="above-first-band"),
    pytest.param(
        250_000 * H100,
        terms(),
        (*SECURITY, "Reporting: quarterly", BANDS[1].condition, BANDS[0].condition, BANDS[2].condition),
        id="above-every-band-in-band-order",
    ),
    pytest.param(0, terms(reporting_cadence=""), SECURITY, id="no-reporting-cadence"),
    pytest.param(
        0, terms(security_conditions=(), reporting_cadence="monthly"), ("Reporting: monthly",), id="reporting"
    ),
]


@pytest.mark.parametrize(("installed", "agreement", "conditions"), CONDITION_CASES)
def test_global_approval_carries_the_terms_and_band_conditions(installed, agreement, conditions):
    facts = global_regime(agreement=agreement, consignee_installed_tpp=installed)

    determination = determine(request_for(h100(10)), facts)

    assert determination.presumption == APPROVAL
    assert determination.conditions == conditions


def test_tiered_licences_carry_no_agreement_conditions():
    determination = determine(request_for(h100(1_700)), tiered(agreement=terms()))

    assert determination.conditions == ()


# Quantities, names and the JSON shape ------------------------------------------------------------------------------

TPP_CASES = [
    pytest.param((h100(10), h20(1_000)), 158_320, Decimal("10.00"), id="mixed-lines-count-only-controlled"),
    pytest.param((hgx_h100(100),), 12_665_600, Decimal("800.00"), id="systems-hold-8-h100"),
    pytest.param((hgx_h100(2), h100(3)), 300_808, Decimal("19.00"), id="systems-and-chips"),
    pytest.param((h20(10_000),), 0, Decimal("0.00"), id="only-uncontrolled"),
]


@pytest.mark.parametrize(("lines", "tpp", "h100e"), TPP_CASES)
def test_requested_tpp_counts_controlled_lines_only(lines, tpp, h100e):
    determination = determine(request_for(*lines), tiered())

    assert (determination.requested_tpp, determination.requested_h100e) == (tpp, h100e)


@pytest.mark.parametrize(
    ("name", "normalised"),
    [
        pytest.param("Gulf Compute, L.L.C.", "gulfcompute", id="punctuation-and-suffix"),
        pytest.param("  GULF   compute llc ", "gulfcompute", id="case-and-spacing"),
        pytest.param("Société Générale", "societegenerale", id="accents"),
        pytest.param("ＧＵＬＦ Compute", "gulfcompute", id="full-width"),
        pytest.param("Straße AG", "strasse", id="casefold"),
        pytest.param("G42", "g42", id="digits-kept"),
        pytest.param("", "", id="empty"),
    ],
)
def test_names_are_compared_normalised(name, normalised):
    assert normalise_name(name) == normalised


def test_as_dict_is_the_api_shape():
    determination = determine(request_for(h100(1_700)), tiered())

    data = determination.as_dict()

    assert {key: value for key, value in data.items() if key != "reasons"} == {
        "outcome": "licence_required",
        "presumption": "approval",
        "regime": "tiered",
        "requested_tpp": 26_914_400,
        "requested_h100e": "1700.00",
        "allotment": {"id": 7, "remaining_tpp": TIER2_ALLOCATION, "remaining_h100e": "49898.94"},
        "conditions": [],
        "agreement": None,
        "export_from": "US",
        "programme": None,
        "certifications": [],
        "controlled_products": [1],
    }
    assert [reason["rule"] for reason in data["reasons"]] == ["tiered.lpp", "tiered.allocation"]
    assert all(set(reason) == {"rule", "text"} for reason in data["reasons"])


def test_as_dict_without_allotment_or_presumption():
    data = determine(request_for(h100(1_699)), tiered()).as_dict()

    assert (data["outcome"], data["presumption"], data["allotment"]) == ("lpp_eligible", None, None)


def test_unknown_regime_is_refused():
    facts = replace(
        tiered(), policy=PolicyFacts(kind="bilateral", lpp_threshold_tpp=0, size_bands=(), g2g_uplift=Decimal("1"))
    )

    with pytest.raises(ValueError, match="bilateral"):
        determine(request_for(), facts)
