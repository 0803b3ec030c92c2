"""The determination engine (SPEC § 3): a pure function of a request and the facts in force at its instant.

No ORM here. The caller gathers the facts in force at `at` (tiers, EAR Country Groups, which codes are the United
States, policy, agreement and terms, the applicable allotment, the consignee's LPP and licensed totals); this module
only decides and explains, citing a rule per reason.
Every quantity is an integer of TPP; H100e appears in texts only.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from agreements.party_matching import normalise_name  # parties are matched as the register does (SPEC § 2)
from agreements.units import h100e, tpp_from_h100e
from licensing.choices import Outcome, Presumption  # the outcomes in words live with the other choices

TIERED = "tiered"
GLOBAL = "global"
UNITED_STATES = "US"
# § 742.6(a)(6)(iii) and SPEC § 3.1 step 4 name Macau beside Country Group D:5 (Macau is in no D:5 row of its own).
MACAU = "MO"
EMBARGO_GROUPS = ("E:1", "E:2")
ARMS_EMBARGO_GROUP = "D:5"


# The question and the facts in force


@dataclass(frozen=True)
class Line:
    product_id: int
    quantity: int
    unit_tpp: int
    controlled: bool
    label: str = ""

    @property
    def tpp(self) -> int:
        return self.quantity * self.unit_tpp


@dataclass(frozen=True)
class Request:
    destination: str
    lines: tuple[Line, ...]
    consignee: str
    end_users: tuple[str, ...]
    end_user_hq: tuple[str, ...]
    end_use_category: str
    at: datetime
    skip_lpp: bool = False
    # The register's keys (SPEC § 2): the consignee party, whose LPP use and installation count, and every
    # party whose headquarters (through its parent chain) count. `end_user_hq` holds headquarters declared
    # on the request itself (and those of parties without a register entry).
    consignee_party: int | None = None
    hq_party_ids: tuple[int, ...] = ()

    @property
    def requested_tpp(self) -> int:
        """T: controlled lines only; the others stay on the request for information."""
        return sum(line.tpp for line in self.lines if line.controlled)


@dataclass(frozen=True)
class SizeBand:
    h100e: int
    condition: str


@dataclass(frozen=True)
class PolicyFacts:
    kind: str
    lpp_threshold_tpp: int
    size_bands: tuple[SizeBand, ...]
    g2g_uplift: Decimal


@dataclass(frozen=True)
class AllotmentFacts:
    id: int | None  # None: hypothetical (a Tier 2 period a proposed policy would open)
    capacity_tpp: int  # effective capacity: the caller has applied any G2G uplift
    committed_tpp: int
    period_start: date
    period_end: date

    @property
    def remaining_tpp(self) -> int:
        return max(self.capacity_tpp - self.committed_tpp, 0)


@dataclass(frozen=True)
class TermsFacts:
    agreement_id: int
    agreement_reference: str
    version: int
    lpp_threshold_tpp: int | None
    government_assurances: bool
    site_visits_accepted: bool
    reciprocal_investment_usd: Decimal
    permitted_end_uses: frozenset[str]
    excluded_end_users: frozenset[str]  # normalised with normalise_name
    security_conditions: tuple[str, ...]
    reporting_cadence: str


@dataclass(frozen=True)
class Facts:
    policy: PolicyFacts
    destination_tier: int | None
    hq_tiers: Mapping[str, int]
    agreement: TermsFacts | None
    allotment: AllotmentFacts | None
    consignee_lpp_used_tpp: int
    consignee_installed_tpp: int
    # EAR Country Groups at `at` of the destination and every headquarters country (codes in no group may be absent)
    groups: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # Of the destination and headquarters countries, those that are the United States (its territories included)
    us_countries: frozenset[str] = frozenset({UNITED_STATES})
    headquarters: tuple[str, ...] = ()  # of the request's registered parties and their ultimate parents


# The answer


@dataclass(frozen=True)
class Reason:
    rule: str
    text: str


@dataclass(frozen=True)
class Determination:
    outcome: Outcome
    presumption: Presumption | None
    reasons: tuple[Reason, ...]
    regime: str
    requested_tpp: int
    allotment_id: int | None
    allotment_remaining_tpp: int | None  # before this request
    conditions: tuple[str, ...]
    agreement_id: int | None = None
    requires_allotment: bool = False

    @property
    def requested_h100e(self) -> Decimal:
        return h100e(self.requested_tpp)

    def as_dict(self) -> dict:
        """JSON-ready, the shape of POST /api/v1/determinations/ and of an application's frozen copy."""
        return {
            "outcome": self.outcome.value,
            "presumption": self.presumption.value if self.presumption else None,
            "reasons": [{"rule": reason.rule, "text": reason.text} for reason in self.reasons],
            "regime": self.regime,
            "requested_tpp": self.requested_tpp,
            "requested_h100e": str(self.requested_h100e),
            "allotment": self._allotment_dict(),
            "conditions": list(self.conditions),
            "agreement": self.agreement_id,
        }

    def _allotment_dict(self) -> dict | None:
        if self.allotment_id is None or self.allotment_remaining_tpp is None:
            return None
        remaining = self.allotment_remaining_tpp
        return {"id": self.allotment_id, "remaining_tpp": remaining, "remaining_h100e": str(h100e(remaining))}


# SPEC § 3.1 step 4: restricted destinations and headquarters (Tier 3, or D:5 and Macau): licence with denial.
RESTRICTED_RULES = frozenset(
    {"common.tier3_destination", "common.tier3_end_user_hq", "common.d5_destination", "common.d5_end_user_hq"}
)
# Reasons that turn the presumption to denial; every other reason only explains.
DENIAL_RULES = RESTRICTED_RULES | frozenset(
    {
        "tiered.no_allotment",
        "tiered.allocation_exhausted",
        "global.no_agreement",
        "global.excluded_end_user",
        "global.end_use_not_permitted",
        "global.band_requirement_missing",
        "global.no_allotment",
        "global.allotment_exhausted",
    }
)


@dataclass(frozen=True)
class BandRequirement:
    """What a licence needs once the installation is above a size band (SPEC § 3.3 step 6)."""

    name: str
    is_met: Callable[[TermsFacts], bool]


# One per band, in band order; bands beyond the third carry only their condition text.
BAND_REQUIREMENTS: tuple[BandRequirement, ...] = (
    BandRequirement("government-to-government assurances", lambda terms: terms.government_assurances),
    BandRequirement(
        "acceptance of site visits by US export-control officials", lambda terms: terms.site_visits_accepted
    ),
    BandRequirement(
        "a reciprocal investment commitment in US AI data centres", lambda terms: terms.reciprocal_investment_usd > 0
    ),
)


def determine(request: Request, facts: Facts) -> Determination:
    """Apply SPEC § 3 in order; the first step with an answer decides."""
    if facts.policy.kind not in _REGIME_STEPS:
        raise ValueError(f"Unknown regime {facts.policy.kind!r}.")
    for step in (*_COMMON_STEPS, *_REGIME_STEPS[facts.policy.kind]):
        determination = step(request, facts)
        if determination is not None:
            return determination
    raise AssertionError("The last step of every regime decides.")


# Helpers


def _h100e_text(tpp: int) -> str:
    return f"{h100e(tpp):,} H100e"


def _shortfall(remaining_tpp: int, requested_tpp: int) -> str:
    """H100e rounds: the exact figures settle a refusal by a few TPP."""
    return f" In TPP: {remaining_tpp:,} remaining, {requested_tpp:,} requested."


def _joined(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _decided(
    request: Request,
    facts: Facts,
    outcome: Outcome,
    reasons: Iterable[Reason],
    *,
    presumption: Presumption | None = None,
    allotment: AllotmentFacts | None = None,
    conditions: tuple[str, ...] = (),
    agreement_id: int | None = None,
    requires_allotment: bool = False,
) -> Determination:
    return Determination(
        outcome=outcome,
        presumption=presumption,
        reasons=tuple(reasons),
        regime=facts.policy.kind,
        requested_tpp=request.requested_tpp,
        allotment_id=allotment.id if allotment else None,
        allotment_remaining_tpp=allotment.remaining_tpp if allotment else None,
        conditions=conditions,
        agreement_id=agreement_id,
        requires_allotment=requires_allotment,
    )


def _presumption(reasons: tuple[Reason, ...]) -> Presumption:
    """When a licence is required: denial as soon as one reason denies, else approval."""
    return Presumption.DENIAL if any(reason.rule in DENIAL_RULES for reason in reasons) else Presumption.APPROVAL


def _is_us(facts: Facts, country: str) -> bool:
    return country == UNITED_STATES or country in facts.us_countries


def _headquarters(request: Request, facts: Facts) -> tuple[str, ...]:
    """Every headquarters that counts: declared on the request, and the registered parties' (with parents)."""
    return tuple(dict.fromkeys((*request.end_user_hq, *facts.headquarters)))


def _hq_tier(facts: Facts, country: str) -> int | None:
    return 1 if _is_us(facts, country) else facts.hq_tiers.get(country)


def _in_groups(facts: Facts, country: str, groups: Iterable[str]) -> list[str]:
    found = facts.groups.get(country, frozenset())
    return [group for group in groups if group in found]


def _on(request: Request) -> str:
    return f"{request.at:%Y-%m-%d}"


# SPEC § 3.1, steps 1–4: every regime


def _not_controlled(request: Request, facts: Facts) -> Determination | None:
    if any(line.controlled for line in request.lines):
        return None
    text = "No line is controlled under 3A090.a or 4A090.a: no licence, notification or allotment is involved."
    return _decided(request, facts, Outcome.NOT_CONTROLLED, [Reason("common.not_controlled", text)])


def _embargoed(request: Request, facts: Facts) -> Determination | None:
    """Step 2: Country Groups E:1/E:2 (comprehensive embargoes) at `at`, for the destination or any headquarters."""
    reasons = []
    groups = _in_groups(facts, request.destination, EMBARGO_GROUPS)
    if groups:
        text = (
            f"{request.destination} is in Country Group {'/'.join(groups)} (Supplement No. 1 to Part 740) on "
            f"{_on(request)}: a comprehensive embargo; no licence can be approved."
        )
        reasons.append(Reason("common.embargoed_destination", text))
    embargoed = [country for country in _headquarters(request, facts) if _in_groups(facts, country, EMBARGO_GROUPS)]
    if embargoed:
        text = (
            "The consignee or an end user (itself or through its ultimate parent) is headquartered in a Country "
            f"Group E:1/E:2 country ({', '.join(embargoed)}) on "
            f"{_on(request)}: entities headquartered under a comprehensive embargo may not receive controlled items "
            "wherever they are located."
        )
        reasons.append(Reason("common.embargoed_end_user_hq", text))
    if not reasons:
        return None
    return _decided(request, facts, Outcome.PROHIBITED, reasons, presumption=Presumption.DENIAL)


def _united_states(request: Request, facts: Facts) -> Determination | None:
    """Step 3: the United States includes its territories (EAR § 772.1): a shipment there is no export."""
    if not _is_us(facts, request.destination):
        return None
    where = "the United States" if request.destination == UNITED_STATES else f"{request.destination}, a US territory"
    text = f"The destination is {where} (EAR § 772.1, 'United States'): no export licence is required."
    return _decided(request, facts, Outcome.NO_LICENCE_REQUIRED, [Reason("common.united_states", text)])


def _restricted_destination(request: Request, facts: Facts) -> bool:
    if facts.policy.kind == TIERED:
        return facts.destination_tier == 3
    return request.destination == MACAU or bool(_in_groups(facts, request.destination, [ARMS_EMBARGO_GROUP]))


def _restricted_hq(request: Request, facts: Facts) -> list[str]:
    if facts.policy.kind == TIERED:
        return [country for country in _headquarters(request, facts) if _hq_tier(facts, country) == 3]
    return [
        country
        for country in _headquarters(request, facts)
        if country == MACAU or _in_groups(facts, country, [ARMS_EMBARGO_GROUP])
    ]


def _restricted(request: Request, facts: Facts) -> Determination | None:
    """Step 4: Tier 3 (tiered regime) or D:5/Macau (other regimes) → licence required, presumption of denial,
    no allotment (programmes, which may soften this, are another step's)."""
    tiered = facts.policy.kind == TIERED
    prefix, where = ("common.tier3", "Tier 3") if tiered else ("common.d5", "Country Group D:5 or Macau")
    reasons = []
    if _restricted_destination(request, facts):
        text = (
            f"{request.destination} is in {where} on {_on(request)}: a licence is required, reviewed with a "
            "presumption of denial; no allotment is drawn."
        )
        reasons.append(Reason(f"{prefix}_destination", text))
    restricted = _restricted_hq(request, facts)
    if restricted:
        text = (
            f"An end user is headquartered in {where} ({', '.join(restricted)}) on {_on(request)}: a licence is "
            "required wherever it is located, reviewed with a presumption of denial."
        )
        reasons.append(Reason(f"{prefix}_end_user_hq", text))
    if not reasons:
        return None
    return _decided(request, facts, Outcome.LICENCE_REQUIRED, reasons, presumption=Presumption.DENIAL)


# Licence exception LPP (tiered step 6, global step 5)


def _lpp_threshold(facts: Facts) -> int:
    terms = facts.agreement
    if facts.policy.kind == GLOBAL and terms is not None and terms.lpp_threshold_tpp is not None:
        return terms.lpp_threshold_tpp
    return facts.policy.lpp_threshold_tpp


def _lpp_total(request: Request, facts: Facts) -> int:
    return facts.consignee_lpp_used_tpp + request.requested_tpp


def _lpp_reason(request: Request, facts: Facts) -> Reason:
    rule, threshold, total = f"{facts.policy.kind}.lpp", _lpp_threshold(facts), _lpp_total(request, facts)
    if threshold == 0:
        return Reason(rule, "Licence exception LPP (§ 740.29) is not available: the threshold in force is 0.")
    within = total <= threshold
    text = (
        f"{request.consignee}'s LPP total for {request.at.year} would be {_h100e_text(total)} "
        f"({_h100e_text(facts.consignee_lpp_used_tpp)} already notified + {_h100e_text(request.requested_tpp)} "
        f"requested; {total:,} TPP), {'within' if within else 'above'} the {_h100e_text(threshold)} "
        f"({threshold:,} TPP) threshold of licence exception LPP (§ 740.29)."
    )
    if within:
        text += " A notification suffices: no licence, and no allotment is drawn."
    return Reason(rule, text)


def _lpp_notes(request: Request, facts: Facts) -> tuple[Reason, ...]:
    """Why LPP did not apply, for the steps after it; nothing when the applicant skipped it."""
    return () if request.skip_lpp else (_lpp_reason(request, facts),)


def _lpp(request: Request, facts: Facts) -> Determination | None:
    if request.skip_lpp or _lpp_total(request, facts) > _lpp_threshold(facts):
        return None
    return _decided(request, facts, Outcome.LPP_ELIGIBLE, [_lpp_reason(request, facts)])


# Tiered regime, SPEC § 3.2 steps 5–8


def _tier1_hq_outside(request: Request, facts: Facts) -> list[str]:
    return [country for country in _headquarters(request, facts) if _hq_tier(facts, country) != 1]


def _tiered_aia(request: Request, facts: Facts) -> Determination | None:
    """Step 5: licence exception AIA (§ 740.27) for Tier 1 with every end user headquartered in Tier 1 or the US."""
    if facts.destination_tier != 1 or _tier1_hq_outside(request, facts):
        return None
    text = (
        f"{request.destination} is in Tier 1 and every end user is headquartered in Tier 1 or the United "
        "States: licence exception AIA (§ 740.27) applies."
    )
    return _decided(request, facts, Outcome.NO_LICENCE_REQUIRED, [Reason("tiered.tier1_aia", text)])


def _tiered_tier1(request: Request, facts: Facts) -> Determination | None:
    """Step 7: Tier 1 without AIA and beyond LPP: a licence, presumption of approval, uncapped."""
    if facts.destination_tier != 1:
        return None
    text = (
        f"{request.destination} is in Tier 1, but the consignee or an end user is headquartered outside Tier 1 "
        f"({', '.join(_tier1_hq_outside(request, facts))}): licence exception AIA (§ 740.27) is not available and "
        "a licence is required; Tier 1 destinations are uncapped, so no allotment is drawn."
    )
    reasons = (*_lpp_notes(request, facts), Reason("tiered.tier1_hq_outside", text))
    return _decided(request, facts, Outcome.LICENCE_REQUIRED, reasons, presumption=_presumption(reasons))


def _tiered_allocation_reason(request: Request, facts: Facts) -> Reason:
    allotment, requested = facts.allotment, request.requested_tpp
    if allotment is None:
        text = f"No Tier 2 allocation for {request.destination} covers {_on(request)}."
        return Reason("tiered.no_allotment", text)
    remaining = _h100e_text(allotment.remaining_tpp)
    if allotment.remaining_tpp >= requested:
        text = f"Remaining allocation {remaining} covers the {_h100e_text(requested)} requested."
        return Reason("tiered.allocation", text + _uplift_note(facts))
    text = f"Remaining allocation {remaining} is less than the {_h100e_text(requested)} requested."
    text += _shortfall(allotment.remaining_tpp, requested)
    return Reason("tiered.allocation_exhausted", text + _uplift_note(facts))


def _uplift_note(facts: Facts) -> str:
    if facts.agreement is None:
        return ""
    return (
        f" The allocation is multiplied by {facts.policy.g2g_uplift} while agreement "
        f"{facts.agreement.agreement_reference} is in force."
    )


def _tiered_allocation(request: Request, facts: Facts) -> Determination:
    reasons = (*_lpp_notes(request, facts), _tiered_allocation_reason(request, facts))
    return _decided(
        request,
        facts,
        Outcome.LICENCE_REQUIRED,
        reasons,
        presumption=_presumption(reasons),
        allotment=facts.allotment,
        agreement_id=facts.agreement.agreement_id if facts.agreement else None,
        requires_allotment=True,
    )


# Global regime, SPEC § 3.4 steps 6–8


def _global_no_agreement(request: Request, facts: Facts) -> Determination | None:
    if facts.agreement is not None:
        return None
    text = f"No agreement with {request.destination} is in force on {_on(request)}."
    reasons = (*_lpp_notes(request, facts), Reason("global.no_agreement", text))
    return _decided(
        request, facts, Outcome.LICENCE_REQUIRED, reasons, presumption=_presumption(reasons), requires_allotment=True
    )


def _excluded_parties(request: Request, terms: TermsFacts) -> list[str]:
    """The consignee and end users whose normalised name the terms exclude, each named once."""
    excluded = {normalise_name(name) for name in terms.excluded_end_users}
    parties: dict[str, str] = {}
    for name in (request.consignee, *request.end_users):
        parties.setdefault(normalise_name(name), name)
    return [name for key, name in parties.items() if key in excluded]


def _party_reasons(request: Request, terms: TermsFacts) -> list[Reason]:
    reasons = []
    excluded = _excluded_parties(request, terms)
    if excluded:
        names = ", ".join(f'"{name}"' for name in excluded)
        verb = "is excluded as an end user" if len(excluded) == 1 else "are excluded as end users"
        text = f"{names} {verb} by the terms of agreement {terms.agreement_reference}."
        reasons.append(Reason("global.excluded_end_user", text))
    if terms.permitted_end_uses and request.end_use_category not in terms.permitted_end_uses:
        text = (
            f"End use '{request.end_use_category}' is not permitted by agreement {terms.agreement_reference} "
            f"(permitted: {', '.join(sorted(terms.permitted_end_uses))})."
        )
        reasons.append(Reason("global.end_use_not_permitted", text))
    return reasons


def _exceeded_bands(request: Request, facts: Facts) -> list[SizeBand]:
    installation = facts.consignee_installed_tpp + request.requested_tpp
    bands = sorted(facts.policy.size_bands, key=lambda band: band.h100e)
    return [band for band in bands if installation > tpp_from_h100e(band.h100e)]


def _band_reasons(request: Request, facts: Facts, exceeded: list[SizeBand], terms: TermsFacts) -> list[Reason]:
    if not exceeded:
        return []
    installed, requested = facts.consignee_installed_tpp, request.requested_tpp
    text = (
        f"The consignee's installation would reach {_h100e_text(installed + requested)} "
        f"({_h100e_text(installed)} already licensed to it in {request.destination}, any regime + "
        f"{_h100e_text(requested)} requested), above the {_joined([f'{band.h100e:,}' for band in exceeded])} "
        f"H100e size band{'s' if len(exceeded) > 1 else ''}."
    )
    reasons = [Reason("global.size_band", text)]
    for band, requirement in zip(exceeded, BAND_REQUIREMENTS, strict=False):
        if not requirement.is_met(terms):
            text = (
                f"Above {band.h100e:,} H100e a licence needs {requirement.name}; terms version {terms.version} of "
                f"agreement {terms.agreement_reference} do not provide it."
            )
            reasons.append(Reason("global.band_requirement_missing", text))
    return reasons


def _global_allotment_reason(request: Request, facts: Facts, terms: TermsFacts) -> Reason:
    allotment, requested, reference = facts.allotment, request.requested_tpp, terms.agreement_reference
    if allotment is None:
        return Reason("global.no_allotment", f"Agreement {reference} has no allotment for {_on(request)}.")
    remaining = f"Remaining allotment {_h100e_text(allotment.remaining_tpp)} under {reference}"
    if allotment.remaining_tpp >= requested:
        return Reason("global.allotment", f"{remaining} covers the {_h100e_text(requested)} requested.")
    text = f"{remaining} is less than the {_h100e_text(requested)} requested."
    return Reason("global.allotment_exhausted", text + _shortfall(allotment.remaining_tpp, requested))


def _global_conditions(terms: TermsFacts, exceeded: list[SizeBand]) -> tuple[str, ...]:
    reporting = (f"Reporting: {terms.reporting_cadence}",) if terms.reporting_cadence else ()
    bands = tuple(band.condition for band in exceeded if band.condition)
    return (*terms.security_conditions, *reporting, *bands)


def _global_terms(request: Request, facts: Facts) -> Determination:
    """Steps 6 and 7: every finding is collected so the officer sees all of them."""
    terms = facts.agreement
    assert terms is not None  # _global_no_agreement decided otherwise
    exceeded = _exceeded_bands(request, facts)
    reasons = (
        *_lpp_notes(request, facts),
        *_party_reasons(request, terms),
        *_band_reasons(request, facts, exceeded, terms),
        _global_allotment_reason(request, facts, terms),
    )
    return _decided(
        request,
        facts,
        Outcome.LICENCE_REQUIRED,
        reasons,
        presumption=_presumption(reasons),
        allotment=facts.allotment,
        conditions=_global_conditions(terms, exceeded),
        agreement_id=terms.agreement_id,
        requires_allotment=True,
    )


Step = Callable[[Request, Facts], Determination | None]

_COMMON_STEPS: tuple[Step, ...] = (_not_controlled, _embargoed, _united_states, _restricted)
_REGIME_STEPS: dict[str, tuple[Step, ...]] = {
    TIERED: (_tiered_aia, _lpp, _tiered_tier1, _tiered_allocation),
    GLOBAL: (_lpp, _global_no_agreement, _global_terms),
}
