"""The determination engine (SPEC § 3): a pure function of a request and the facts in force at its instant.

No ORM here. The caller gathers the facts in force at `at` (tiers, EAR Country Groups, which codes are the United
States, policy, agreement and terms, the applicable allotment, the consignee's LPP and licensed totals); this module
only decides and explains, citing a rule per reason.
Every quantity is an integer of TPP; H100e appears in texts only.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal

from agreements.party_matching import normalise_name  # parties are matched as the register does (SPEC § 2)
from agreements.units import h100e, tpp_from_h100e
from licensing.choices import Outcome, Presumption  # the outcomes in words live with the other choices

TIERED = "tiered"
BASELINE = "baseline"
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
    controlled: bool  # 3A090.a/4A090.a (or unclassified); a programme may bring a line into scope besides
    label: str = ""
    # The chip a programme's criteria are tested on (SPEC § 3.1 step 4): the product itself, or a system's chip.
    chip_id: int | None = None
    chip_tpp: int | None = None
    chip_bandwidth_gbps: int | None = None
    chips_per_unit: int = 1
    scoped_in_by: int | None = None  # the programme (id) whose scope-in rule made the line controlled

    @property
    def chips(self) -> int:
        return self.quantity * self.chips_per_unit

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
    export_from: str = UNITED_STATES
    # The end users' register entries themselves (no parents): with the consignee's, the parties a cap may bind.
    end_user_parties: tuple[int, ...] = ()

    @property
    def party_ids(self) -> frozenset[int]:
        """The parties an agreement's party caps are matched against: the consignee and every end user."""
        ids = (self.consignee_party, *self.end_user_parties)
        return frozenset(pk for pk in ids if pk is not None)

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
class PartyCapFacts:
    """A named party's cap inside an agreement's allotment, and what that party's draws hold of it."""

    party_id: int
    name: str
    capacity_tpp: int
    committed_tpp: int

    @property
    def remaining_tpp(self) -> int:
        return max(self.capacity_tpp - self.committed_tpp, 0)


@dataclass(frozen=True)
class AllotmentFacts:
    id: int | None  # None: hypothetical (a Tier 2 period a proposed policy would open)
    capacity_tpp: int  # effective capacity: the caller has applied any G2G uplift
    committed_tpp: int
    period_start: date
    period_end: date
    party_caps: tuple[PartyCapFacts, ...] = ()

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
    # Investment milestones past due at `at` and, as recorded then, neither verified nor waived
    overdue_milestones: tuple["MilestoneFacts", ...] = ()


@dataclass(frozen=True)
class MilestoneFacts:
    description: str
    amount_usd: Decimal
    due_on: date


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
    programmes: tuple["ProgrammeFacts", ...] = ()  # versions in force at `at`


@dataclass(frozen=True)
class CertificationFacts:
    id: int
    code: str
    text: str


@dataclass(frozen=True)
class ProgrammeFacts:
    """A licence-review programme version in force (SPEC § 2 Programme). Destinations are country codes and
    Country Groups; the criteria are tested on a line's chip (`covers_chip`)."""

    id: int  # the programme
    version_id: int
    version: int
    name: str
    citation: str
    effective_from: date
    destinations: frozenset[str]
    presumption: Presumption
    min_tpp: int | None = None
    max_tpp: int | None = None  # exclusive
    max_bandwidth_gbps: int | None = None  # exclusive
    min_bandwidth_gbps: int | None = None
    named_products: frozenset[int] = frozenset()
    brings_into_scope: bool = False
    exports_from_us_only: bool = False
    certifications: tuple[CertificationFacts, ...] = ()
    conditions: tuple[str, ...] = ()
    shipment_evidence: str = ""
    us_volume_ratio_percent: Decimal | None = None
    per_customer_cap_units: int | None = None

    def covers_chip(self, line: Line) -> bool:
        if line.chip_id is not None and line.chip_id in self.named_products:
            return True
        bounds = (self.min_tpp, self.max_tpp, self.max_bandwidth_gbps, self.min_bandwidth_gbps)
        if all(bound is None for bound in bounds):
            return not self.named_products  # no criteria at all: every chip
        tpp, bandwidth = line.chip_tpp, line.chip_bandwidth_gbps
        checks = (
            (self.min_tpp, lambda bound: tpp is not None and tpp >= bound),
            (self.max_tpp, lambda bound: tpp is not None and tpp < bound),
            (self.max_bandwidth_gbps, lambda bound: bandwidth is not None and bandwidth < bound),
            (self.min_bandwidth_gbps, lambda bound: bandwidth is not None and bandwidth >= bound),
        )
        return all(check(bound) for bound, check in checks if bound is not None)


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
    programme: ProgrammeFacts | None = None
    export_from: str = UNITED_STATES
    controlled_products: tuple[int, ...] = ()  # 3A090.a/4A090.a lines and those a programme brought into scope

    @property
    def requested_h100e(self) -> Decimal:
        return h100e(self.requested_tpp)

    @property
    def certifications(self) -> tuple[CertificationFacts, ...]:
        return self.programme.certifications if self.programme else ()

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
            "export_from": self.export_from,
            "programme": self._programme_dict(),
            "certifications": [{"id": c.id, "code": c.code, "text": c.text} for c in self.certifications],
            "controlled_products": list(self.controlled_products),
        }

    def _programme_dict(self) -> dict | None:
        programme = self.programme
        if programme is None:
            return None
        return {
            "id": programme.id,
            "name": programme.name,
            "citation": programme.citation,
            "version": programme.version,
            "version_id": programme.version_id,
            "presumption": programme.presumption.value,
            "conditions": list(programme.conditions),
            "shipment_evidence": programme.shipment_evidence,
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
        "baseline.excluded_end_user",
        "baseline.end_use_not_permitted",
        "baseline.agreement_allotment_exhausted",
        "global.party_cap_exhausted",
        "baseline.party_cap_exhausted",
        "terms.investment_overdue",
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
    """Apply SPEC § 3 in order; the first step with an answer decides. Lines a programme in force brings into
    scope count as controlled from step 1 on."""
    if facts.policy.kind not in _REGIME_STEPS:
        raise ValueError(f"Unknown regime {facts.policy.kind!r}.")
    request = scoped_in(request, facts)
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
    programme: ProgrammeFacts | None = None,
) -> Determination:
    return Determination(
        outcome=outcome,
        presumption=presumption,
        reasons=tuple(reasons),
        regime=facts.policy.kind,
        requested_tpp=request.requested_tpp,
        allotment_id=allotment.id if allotment else None,
        allotment_remaining_tpp=_remaining_for(request, allotment) if allotment else None,
        conditions=conditions,
        agreement_id=agreement_id,
        requires_allotment=requires_allotment,
        programme=programme,
        export_from=request.export_from,
        controlled_products=tuple(line.product_id for line in request.lines if line.controlled),
    )


def _capped(request: Request, allotment: AllotmentFacts) -> list[PartyCapFacts]:
    """The caps of the allotment on the request's own parties (the named party itself, not its parent's group)."""
    return [cap for cap in allotment.party_caps if cap.party_id in request.party_ids]


def _remaining_for(request: Request, allotment: AllotmentFacts) -> int:
    """The allotment's remaining, and no more than each capped party's cap less its committed draws."""
    return min([allotment.remaining_tpp, *(cap.remaining_tpp for cap in _capped(request, allotment))])


def _cap_reasons(request: Request, allotment: AllotmentFacts, reference: str, regime: str) -> list[Reason]:
    reasons = []
    requested = request.requested_tpp
    for cap in _capped(request, allotment):
        held = (
            f'"{cap.name}" is capped at {_h100e_text(cap.capacity_tpp)} of this allotment by agreement {reference} '
            f"and holds {_h100e_text(cap.committed_tpp)}: {_h100e_text(cap.remaining_tpp)} remaining for it"
        )
        if cap.remaining_tpp >= requested:
            reasons.append(Reason(f"{regime}.party_cap", f"{held} covers the {_h100e_text(requested)} requested."))
        else:
            text = f"{held} is less than the {_h100e_text(requested)} requested."
            reasons.append(Reason(f"{regime}.party_cap_exhausted", text + _shortfall(cap.remaining_tpp, requested)))
    return reasons


def _milestone_reasons(terms: TermsFacts) -> list[Reason]:
    """SPEC § 3.4 step 7: an investment milestone past due and neither verified nor waived → denial, naming it."""
    return [
        Reason(
            "terms.investment_overdue",
            f'Investment milestone "{m.description}" (USD {m.amount_usd:,.2f}) of agreement '
            f"{terms.agreement_reference} was due on {m.due_on} and is neither verified nor waived: the agreement's "
            "new draws are refused until a negotiator records it verified or waives it.",
        )
        for m in terms.overdue_milestones
    ]


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
    text = (
        "No line is controlled under 3A090.a or 4A090.a, and no licence-review programme in force brings one into "
        "scope here: no licence, notification or allotment is involved."
    )
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


def _restricted_reasons(request: Request, facts: Facts, restricted_hq: list[str]) -> list[Reason]:
    tiered = facts.policy.kind == TIERED
    prefix, where = ("common.tier3", "Tier 3") if tiered else ("common.d5", "Country Group D:5 or Macau")
    reasons = []
    if _restricted_destination(request, facts):
        text = (
            f"{request.destination} is in {where} on {_on(request)}: a licence is required, reviewed with a "
            "presumption of denial unless a licence-review programme covers the export; no allotment is drawn."
        )
        reasons.append(Reason(f"{prefix}_destination", text))
    if restricted_hq:
        text = (
            f"An end user is headquartered in {where} ({', '.join(restricted_hq)}) on {_on(request)}: a licence is "
            "required wherever it is located, reviewed with a presumption of denial."
        )
        reasons.append(Reason(f"{prefix}_end_user_hq", text))
    return reasons


def _restricted(request: Request, facts: Facts) -> Determination | None:
    """Step 4: Tier 3 (tiered regime) or D:5/Macau (other regimes) → licence required, presumption of denial,
    no allotment — unless a programme in force covers the export, which gives its own presumption, conditions and
    certifications. A line a programme brought into scope is decided here too."""
    restricted_hq = _restricted_hq(request, facts)
    reasons = _restricted_reasons(request, facts, restricted_hq)
    scoped = [line for line in request.lines if line.scoped_in_by is not None]
    if not reasons and not scoped:
        return None
    reasons = [*_scope_in_reasons(request, facts), *reasons]
    programme = applicable_programme(request, facts, restricted_hq)
    if programme is None:
        reasons += _not_covered_reasons(request, facts)
        return _decided(request, facts, Outcome.LICENCE_REQUIRED, reasons, presumption=Presumption.DENIAL)
    reasons.append(_programme_reason(request, programme))
    return _decided(
        request,
        facts,
        Outcome.LICENCE_REQUIRED,
        reasons,
        presumption=programme.presumption,
        conditions=programme.conditions,
        programme=programme,
    )


# Licence-review programmes (SPEC § 2 Programme, § 3.1 steps 1 and 4)


def _in_destinations(programme: ProgrammeFacts, facts: Facts, country: str) -> bool:
    return country in programme.destinations or bool(facts.groups.get(country, frozenset()) & programme.destinations)


def _origin_ok(programme: ProgrammeFacts, request: Request, facts: Facts) -> bool:
    return not programme.exports_from_us_only or _is_us(facts, request.export_from)


def _latest_first(programmes: Iterable[ProgrammeFacts]) -> list[ProgrammeFacts]:
    return sorted(programmes, key=lambda programme: (programme.effective_from, programme.id), reverse=True)


def scoped_in(request: Request, facts: Facts) -> Request:
    """Step 1's notion of controlled: a line below 3A090.a is controlled when a programme in force for this
    destination (and export origin) brings its chip into scope."""
    scoping = _latest_first(
        programme
        for programme in facts.programmes
        if programme.brings_into_scope
        and _in_destinations(programme, facts, request.destination)
        and _origin_ok(programme, request, facts)
    )
    if not scoping:
        return request
    lines = []
    for line in request.lines:
        by = None if line.controlled else next((p for p in scoping if p.covers_chip(line)), None)
        lines.append(replace(line, controlled=True, scoped_in_by=by.id) if by else line)
    return replace(request, lines=tuple(lines))


def _covers(programme: ProgrammeFacts, request: Request, facts: Facts, restricted_hq: list[str]) -> bool:
    """Destination (and every restricted headquarters), export origin, and the chip of every controlled line. A
    programme that brings items into scope covers only those it brought in: it never softens the presumption for
    3A090.a items."""
    if not _in_destinations(programme, facts, request.destination) or not _origin_ok(programme, request, facts):
        return False
    if any(not _in_destinations(programme, facts, country) for country in restricted_hq):
        return False
    controlled = [line for line in request.lines if line.controlled]
    if programme.brings_into_scope and any(line.scoped_in_by != programme.id for line in controlled):
        return False
    return bool(controlled) and all(programme.covers_chip(line) for line in controlled)


def applicable_programme(request: Request, facts: Facts, restricted_hq: list[str]) -> ProgrammeFacts | None:
    """Of the programmes covering the export, the one that brought a line into scope, else the latest."""
    covering = _latest_first(p for p in facts.programmes if _covers(p, request, facts, restricted_hq))
    scoping = {line.scoped_in_by for line in request.lines if line.scoped_in_by is not None}
    return next((p for p in covering if p.id in scoping), covering[0] if covering else None)


def _cited(programme: ProgrammeFacts) -> str:
    return f"{programme.name} ({programme.citation}, version {programme.version} from {programme.effective_from})"


def _scope_in_reasons(request: Request, facts: Facts) -> list[Reason]:
    by_id = {programme.id: programme for programme in facts.programmes}
    reasons = []
    for line in request.lines:
        if line.scoped_in_by is not None:
            programme = _cited(by_id[line.scoped_in_by])
            text = (
                f"{line.label or f'Product {line.product_id}'} is below 3A090.a, but {programme} brings it into scope "
                f"for {request.destination}: a licence is required."
            )
            reasons.append(Reason("programme.scope_in", text))
    return reasons


def _programme_reason(request: Request, programme: ProgrammeFacts) -> Reason:
    review = "case by case" if programme.presumption == Presumption.CASE_BY_CASE else "with a presumption of denial"
    origin = f", exported from {request.export_from}" if programme.exports_from_us_only else ""
    text = f"{_cited(programme)} covers this export to {request.destination}{origin}: it is reviewed {review}."
    if programme.certifications:
        text += f" The exporter affirms its {len(programme.certifications)} certifications at submission."
    return Reason(f"programme.{programme.presumption.value}", text)


def _not_covered_reasons(request: Request, facts: Facts) -> list[Reason]:
    """Why a programme for this destination does not soften the presumption: origin, or a line's chip."""
    reasons = []
    for programme in _latest_first(facts.programmes):
        if not _in_destinations(programme, facts, request.destination) or programme.brings_into_scope:
            continue
        if not _origin_ok(programme, request, facts):
            why = f"the items are exported from {request.export_from}, not the United States (a re-export)"
        else:
            outside = [line.label for line in request.lines if line.controlled and not programme.covers_chip(line)]
            if not outside:
                continue
            why = f"{_joined(outside)} {'is' if len(outside) == 1 else 'are'} outside its product criteria"
        reasons.append(Reason("programme.not_covered", f"{_cited(programme)} does not apply: {why}."))
    return reasons


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
        *_milestone_reasons(terms),
        *_band_reasons(request, facts, exceeded, terms),
        _global_allotment_reason(request, facts, terms),
        *(_cap_reasons(request, facts.allotment, terms.agreement_reference, GLOBAL) if facts.allotment else ()),
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


# Baseline regime, SPEC § 3.3 steps 5–6: the advanced-computing licence requirement by destination (§ 742.6(a)(6)(iii))

# Quoted in every baseline reason: what the requirement is and where it comes from.
BASELINE_RULE = (
    "15 CFR § 742.6(a)(6)(iii): a licence is required for 3A090.a/4A090.a items to any destination in Country "
    "Groups D:1, D:4 or D:5 (Supplement No. 1 to Part 740) that is not also in Country Group A:5 or A:6, and to "
    "Macau (88 FR 73458, 2023-10-25; the scope BIS kept applying after its announcement of 2025-05-13 not to enforce "
    "the AI Diffusion rule)"
)
BASELINE_LICENCE_GROUPS = ("D:1", "D:4")  # D:5 and Macau are decided at step 4
BASELINE_EXEMPT_GROUPS = ("A:5", "A:6")


def _baseline_listed(request: Request, facts: Facts) -> tuple[list[str], list[str]]:
    """The destination's D:1/D:4 groups, and the A:5/A:6 groups that take it out of the requirement."""
    return (
        _in_groups(facts, request.destination, BASELINE_LICENCE_GROUPS),
        _in_groups(facts, request.destination, BASELINE_EXEMPT_GROUPS),
    )


def _baseline_requirement(request: Request, listed: list[str]) -> Reason:
    text = (
        f"{request.destination} is in Country Group {'/'.join(listed)} and in neither A:5 nor A:6 on "
        f"{_on(request)}: a licence is required ({BASELINE_RULE}). No LPP exception and no country cap apply."
    )
    return Reason("baseline.d1_d4", text)


def _baseline_case_by_case(request: Request, facts: Facts) -> Reason:
    terms = facts.agreement
    if terms is None:
        why = f"No agreement with {request.destination} is in force on {_on(request)}"
    else:
        why = f"Agreement {terms.agreement_reference} is in force but its terms give no allotment for {_on(request)}"
    text = f"{why}: the application is reviewed case by case, and approval draws on no allotment."
    return Reason("baseline.case_by_case", text)


def _baseline_terms_reasons(request: Request, terms: TermsFacts) -> list[Reason]:
    """Excluded end users and permitted end uses bind wherever an agreement's own allotment applies (SPEC § 3.1)."""
    return [
        *(
            Reason(reason.rule.replace("global.", "baseline.", 1), reason.text)
            for reason in _party_reasons(request, terms)
        ),
        *_milestone_reasons(terms),
    ]


def _baseline_allotment_reason(request: Request, allotment: AllotmentFacts, terms: TermsFacts) -> Reason:
    requested, reference = request.requested_tpp, terms.agreement_reference
    remaining = f"Remaining allotment {_h100e_text(allotment.remaining_tpp)} under agreement {reference}"
    if allotment.remaining_tpp >= requested:
        text = f"{remaining} covers the {_h100e_text(requested)} requested: the agreement's allotment applies."
        return Reason("baseline.agreement_allotment", text)
    text = f"{remaining} is less than the {_h100e_text(requested)} requested."
    return Reason("baseline.agreement_allotment_exhausted", text + _shortfall(allotment.remaining_tpp, requested))


def _baseline_licence(request: Request, facts: Facts) -> Determination | None:
    """Step 5: D:1/D:4 and not A:5/A:6 → licence; an agreement's allotment applies as in global step 8, else case
    by case."""
    listed, exempt = _baseline_listed(request, facts)
    if not listed or exempt:
        return None
    requirement = _baseline_requirement(request, listed)
    terms, allotment = facts.agreement, facts.allotment
    if terms is None or allotment is None:
        return _decided(
            request,
            facts,
            Outcome.LICENCE_REQUIRED,
            (requirement, _baseline_case_by_case(request, facts)),
            presumption=Presumption.CASE_BY_CASE,
            agreement_id=terms.agreement_id if terms else None,
        )
    return _baseline_agreement_allotment(request, facts, requirement, terms, allotment)


def _baseline_agreement_allotment(
    request: Request, facts: Facts, requirement: Reason, terms: TermsFacts, allotment: AllotmentFacts
) -> Determination:
    """The agreement's own allotment applies: approval while it has room, with the terms' security and reporting
    conditions; denial when exhausted or when the terms exclude the parties or the end use."""
    reasons = (
        requirement,
        *_baseline_terms_reasons(request, terms),
        _baseline_allotment_reason(request, allotment, terms),
        *_cap_reasons(request, allotment, terms.agreement_reference, BASELINE),
    )
    return _decided(
        request,
        facts,
        Outcome.LICENCE_REQUIRED,
        reasons,
        presumption=_presumption(reasons),
        allotment=allotment,
        conditions=_global_conditions(terms, []),
        agreement_id=terms.agreement_id,
        requires_allotment=True,
    )


def _baseline_no_requirement(request: Request, facts: Facts) -> Determination:
    """Step 6: everywhere else no licence is required for these items."""
    listed, exempt = _baseline_listed(request, facts)
    if listed:
        where = (
            f"{request.destination} is in Country Group {'/'.join(listed)} but also in {'/'.join(exempt)}, which "
            "the requirement excludes"
        )
    else:
        where = f"{request.destination} is in none of Country Groups D:1, D:4 or D:5 and is not Macau"
    text = f"{where} on {_on(request)}: no licence is required under the baseline controls ({BASELINE_RULE})."
    return _decided(request, facts, Outcome.NO_LICENCE_REQUIRED, [Reason("baseline.no_requirement", text)])


Step = Callable[[Request, Facts], Determination | None]

_COMMON_STEPS: tuple[Step, ...] = (_not_controlled, _embargoed, _united_states, _restricted)
_REGIME_STEPS: dict[str, tuple[Step, ...]] = {
    TIERED: (_tiered_aia, _lpp, _tiered_tier1, _tiered_allocation),
    BASELINE: (_baseline_licence, _baseline_no_requirement),
    GLOBAL: (_lpp, _global_no_agreement, _global_terms),
}
