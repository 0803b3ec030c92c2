"""Determinations in bulk: the facts for many requests gathered at once, then the same pure engine for each.

`gather_facts` (licensing.selectors) asks the database a dozen questions per request; here each question is asked
once per batch, for every request in it (the policy, tiers, Country Groups, which codes count as the United States,
agreements in force and their terms and milestones, the applicable allotments with their party caps, LPP use and
installations per consignee party, programmes, the catalogue): a constant number of queries however many requests.
The engine (licensing.determination) is the single one, unchanged; `tests/licensing/test_bulk_determination.py`
proves both paths give the same answer for every pending application of a seeded world.
"""

import datetime
import gc
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Case, F, Sum, When

from agreements import deal_selectors
from agreements import selectors as agreements
from agreements.choices import AllotmentSource, PolicyKind, Tier
from agreements.models import (
    Agreement,
    Allotment,
    Country,
    CountryGroupMembership,
    InvestmentMilestone,
    Party,
    Policy,
    TermsVersion,
    TierMembership,
)
from licensing import determination as engine
from licensing import selectors
from licensing.choices import PENDING_APPLICATION_STATUSES, Eccn, PartyRole
from licensing.models import Application, ApplicationLine, ApplicationParty, LicenceLine, LppNotification, Product

# Above this many ids, a fact is read for every row of its table rather than through an IN list of them all.
WHOLE_TABLE_ABOVE = 2_000


@dataclass
class _Batch:
    """What every request of a batch (one instant, one policy) shares, read once."""

    at: datetime.datetime
    policy: Policy
    proposal: Policy | None
    policy_facts: engine.PolicyFacts | None = None
    tiers: dict[str, int | None] = field(default_factory=dict)
    groups: dict[str, frozenset[str]] = field(default_factory=dict)
    us: frozenset[str] = frozenset()
    parties: dict[int, tuple[str, int | None, int | None]] = field(default_factory=dict)  # hq, parent, survivor
    agreements: dict[str, Agreement] = field(default_factory=dict)
    terms: dict[int, engine.TermsFacts] = field(default_factory=dict)
    allotments: dict[str, engine.AllotmentFacts | None] = field(default_factory=dict)
    lpp_used: dict[int, int] = field(default_factory=dict)
    installed: dict[tuple[int, str], int] = field(default_factory=dict)
    programmes: tuple[engine.ProgrammeFacts, ...] = ()
    # Shared by the requests asking the same: headquarters per party set, country facts per set of codes
    headquarters_of: dict[tuple[int, ...], tuple[str, ...]] = field(default_factory=dict)
    countries_of: dict[frozenset[str], tuple] = field(default_factory=dict)


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Tens of thousands of small frozen objects, none in a cycle: Python's cyclic collector would scan them over
    and over while they are built. Reference counting still frees them as usual."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def determine_many(requests: Sequence[engine.Request], *, policy: Policy | None = None) -> list[engine.Determination]:
    """The determination of each request, in order, as `selectors.determine` gives it one at a time (under
    `policy` if given: a proposal, every parameter applied). A constant number of queries per distinct instant."""
    with cyclic_gc_paused():
        return _determine_many(requests, policy)


def _determine_many(requests: Sequence[engine.Request], policy: Policy | None) -> list[engine.Determination]:
    return [
        engine.determine(request, facts)
        for request, facts in zip(requests, gather_facts_many(requests, policy=policy), strict=True)
    ]


def gather_facts_many(requests: Sequence[engine.Request], *, policy: Policy | None = None) -> list[engine.Facts]:
    """`selectors.gather_facts` for every request at once (requests at different instants are batched per
    instant). A request naming an unclassified product is refused (400) as the single path refuses it."""
    _refuse_unclassified(requests)
    by_instant: dict[datetime.datetime, list[int]] = defaultdict(list)
    for index, request in enumerate(requests):
        by_instant[request.at].append(index)
    facts: list[engine.Facts | None] = [None] * len(requests)
    for at, indexes in by_instant.items():
        batch = _read_batch([requests[i] for i in indexes], at, policy)
        for i in indexes:
            facts[i] = _facts(requests[i], batch)
    return [f for f in facts if f is not None]


def _refuse_unclassified(requests: Iterable[engine.Request]) -> None:
    ids = {line.product_id for request in requests for line in request.lines}
    unclassified = [
        str(p) for p in Product.objects.filter(pk__in=ids).select_related("chip") if p.eccn == Eccn.UNCLASSIFIED
    ]
    if unclassified:
        raise ValidationError(
            {"items": f"{', '.join(sorted(unclassified))}: not yet classified; the product cannot be determined on."}
        )


def _read_batch(requests: list[engine.Request], at: datetime.datetime, proposal: Policy | None) -> _Batch:
    on = at.date()
    policy = proposal or agreements.policy_in_force(at)
    batch = _Batch(at=at, policy=policy, proposal=proposal, policy_facts=selectors.policy_facts(policy))
    batch.parties = _party_chains({pk for r in requests for pk in r.hq_party_ids})
    codes = {code for r in requests for code in (r.destination, *r.end_user_hq, r.export_from)}
    codes |= {hq for hq, _, _ in batch.parties.values()}
    batch.tiers = _tiers(codes, on)
    batch.groups = _groups(codes, on)
    batch.us = frozenset(Country.objects.filter(code__in=codes, counts_as_us=True).values_list("code", flat=True))
    destinations = {r.destination for r in requests}
    for agreement in (
        agreements.agreements_in_force(at)
        .filter(country_id__in=destinations)
        .order_by("country_id", "-valid_from", "-id")
    ):
        batch.agreements.setdefault(agreement.country_id, agreement)
    batch.terms = _terms(list(batch.agreements.values()), at)
    batch.allotments = _allotments(destinations, batch)
    consignees = {r.consignee_party for r in requests if r.consignee_party is not None}
    batch.lpp_used = _lpp_used(consignees, at.year)
    if batch.policy.kind == PolicyKind.GLOBAL:
        batch.installed = _installed(consignees)
    batch.programmes = tuple(selectors.programmes_in_force(on))
    return batch


def _party_chains(party_ids: set[int]) -> dict[int, tuple[str, int | None, int | None]]:
    """Every party the requests name and every ancestor and survivor above them: one query per chain level."""
    known: dict[int, tuple[str, int | None, int | None]] = {}
    frontier = set(party_ids)
    if len(frontier) > WHOLE_TABLE_ABOVE:  # thousands of ids: the whole register costs less than the IN list
        rows = Party.objects.values_list("pk", "hq_country_id", "ultimate_parent_id", "merged_into_id")
        return {pk: (hq, parent, survivor) for pk, hq, parent, survivor in rows}
    for _ in range(agreements.MAX_PARENT_CHAIN):
        frontier -= set(known)
        if not frontier:
            break
        rows = Party.objects.filter(pk__in=frontier).values_list(
            "pk", "hq_country_id", "ultimate_parent_id", "merged_into_id"
        )
        frontier = set()
        for pk, hq, parent, survivor in rows:
            known[pk] = (hq, parent, survivor)
            frontier |= {up for up in (parent, survivor) if up is not None}
    return known


def _headquarters(request: engine.Request, parties: dict[int, tuple[str, int | None, int | None]]) -> set[str]:
    """As agreements.selectors.headquarters_of: own, every ancestor's and every survivor's headquarters."""
    seen: set[int] = set()
    frontier = set(request.hq_party_ids)
    countries: set[str] = set()
    while frontier:
        frontier -= seen
        seen |= frontier
        following: set[int] = set()
        for pk in frontier:
            if pk in parties:
                hq, parent, survivor = parties[pk]
                countries.add(hq)
                following |= {up for up in (parent, survivor) if up is not None}
        frontier = following
    return countries


def _tiers(codes: set[str], on: datetime.date) -> dict[str, int | None]:
    tiers: dict[str, int | None] = dict.fromkeys(codes)
    rows = (
        TierMembership.objects.filter(country__in=codes, effective_from__lte=on)
        .order_by("country_id", "effective_from")
        .values_list("country_id", "tier")
    )
    for code, tier in rows:  # ascending dates: the last one seen is in force
        tiers[code] = tier
    return tiers


def _groups(codes: set[str], on: datetime.date) -> dict[str, frozenset[str]]:
    groups: dict[str, set[str]] = {code: set() for code in codes}
    rows = CountryGroupMembership.objects.filter(country__in=codes, effective_from__lte=on).values_list(
        "country_id", "group", "effective_until"
    )
    for code, group, until in rows:
        if until is None or until > on:
            groups[code].add(group)
    return {code: frozenset(found) for code, found in groups.items()}


def _terms(in_force: list[Agreement], at: datetime.datetime) -> dict[int, engine.TermsFacts]:
    """Each agreement's terms in force on date(at) (as agreements.selectors.terms_in_force) with its overdue
    milestones (as agreements.deal_selectors.overdue_milestones): two queries for all of them."""
    on = at.date()
    versions: dict[int, list[TermsVersion]] = defaultdict(list)
    for terms in TermsVersion.objects.filter(agreement__in=in_force).order_by("agreement_id", "version"):
        versions[terms.agreement_id].append(terms)
    milestones: dict[int, list[InvestmentMilestone]] = defaultdict(list)
    for milestone in (
        InvestmentMilestone.objects.filter(agreement__in=in_force).select_related("terms").order_by("due_on", "id")
    ):
        milestones[milestone.agreement_id].append(milestone)
    facts = {}
    for agreement in in_force:
        own = versions[agreement.pk]
        if not own:
            raise TermsVersion.DoesNotExist(f"Agreement {agreement.reference} has no terms.")
        effective = [t for t in own if t.effective_from <= on]
        terms = effective[-1] if effective else own[0]
        overdue = tuple(
            engine.MilestoneFacts(m.description, m.amount_usd, m.due_on)
            for m in milestones[agreement.pk]
            if m.terms.version <= terms.version and deal_selectors.milestone_overdue(m, at)
        )
        facts[agreement.pk] = selectors.terms_facts(agreement, terms, overdue)
    return facts


def _allotments(destinations: set[str], batch: _Batch) -> dict[str, engine.AllotmentFacts | None]:
    """The allotment each destination draws on at the batch's instant, as gather_facts finds it."""
    policy, proposal, at = batch.policy, batch.proposal, batch.at
    source = AllotmentSource.TIER_ALLOCATION if policy.kind == PolicyKind.TIERED else AllotmentSource.AGREEMENT
    found = {
        a.country_id: a for a in agreements.applicable_allotments(at, source=source) if a.country_id in destinations
    }
    caps: dict[int, list[engine.PartyCapFacts]] = defaultdict(list)
    for cap in deal_selectors.cap_usage([a.pk for a in found.values()]):
        caps[cap.allotment_id].append(
            engine.PartyCapFacts(cap.party.pk, cap.party.name, cap.capacity_tpp, cap.committed_tpp)
        )
    opened: set[str] = set()
    if proposal is not None and proposal.kind == PolicyKind.TIERED:
        opened = set(
            Allotment.objects.filter(
                country_id__in=destinations,
                source=AllotmentSource.TIER_ALLOCATION,
                period_start=proposal.tier2_period_start,
            ).values_list("country_id", flat=True)
        )
    result: dict[str, engine.AllotmentFacts | None] = {}
    for code in destinations:
        existing = found.get(code)
        if proposal is not None and _opens_period(proposal, batch.tiers.get(code), existing, code in opened, at):
            result[code] = _hypothetical(proposal, code in batch.agreements)
        elif existing is None:
            result[code] = None
        else:
            capacity = existing.capacity_tpp
            if existing.source == AllotmentSource.TIER_ALLOCATION and code in batch.agreements:
                capacity = agreements.uplifted_capacity(capacity, policy.g2g_uplift)
            result[code] = engine.AllotmentFacts(
                id=existing.pk,
                capacity_tpp=capacity,
                committed_tpp=existing.committed_tpp,
                period_start=existing.period_start,
                period_end=existing.period_end,
                party_caps=tuple(caps[existing.pk]),
            )
    return result


def _opens_period(
    proposal: Policy, tier: int | None, existing: Allotment | None, on_record: bool, at: datetime.datetime
) -> bool:
    """As selectors._proposed_allotment_facts: a tiered proposal opening a Tier 2 period not on record yet."""
    return (
        proposal.kind == PolicyKind.TIERED
        and tier == Tier.TIER_2
        and proposal.tier2_period_start <= at.date() <= proposal.tier2_period_end
        and (existing is None or existing.period_start < proposal.tier2_period_start)
        and not on_record
    )


def _hypothetical(proposal: Policy, agreement_in_force: bool) -> engine.AllotmentFacts:
    capacity = proposal.tier2_allocation_tpp
    if agreement_in_force:
        capacity = agreements.uplifted_capacity(capacity, proposal.g2g_uplift)
    return engine.AllotmentFacts(
        id=None,
        capacity_tpp=capacity,
        committed_tpp=0,
        period_start=proposal.tier2_period_start,
        period_end=proposal.tier2_period_end,
    )


def _lpp_used(party_ids: set[int], year: int) -> dict[int, int]:
    notified = LppNotification.objects.filter(year=year)
    if len(party_ids) <= WHOLE_TABLE_ABOVE:
        notified = notified.filter(consignee_party_id__in=party_ids)
    rows = notified.values("consignee_party_id").annotate(total=Sum("total_tpp")).order_by()
    return {row["consignee_party_id"]: row["total"] or 0 for row in rows}


def _installed(party_ids: set[int]) -> dict[tuple[int, str], int]:
    """(consignee party, country) → its installation (as selectors.installed_tpp), one query for all."""
    kept = Case(
        When(licence__status__in=selectors.RELEASED_STATUSES, then=F("shipped_quantity") * F("unit_tpp")),
        default=F("approved_quantity") * F("unit_tpp"),
    )
    consignee: dict = {"licence__application__parties__role": PartyRole.ULTIMATE_CONSIGNEE}
    if len(party_ids) <= WHOLE_TABLE_ABOVE:  # one filter(): both conditions on the same party row
        consignee["licence__application__parties__party_id__in"] = party_ids
    lines = LicenceLine.objects.filter(**consignee)
    rows = (
        lines.values("licence__application__parties__party_id", "licence__application__destination_id")
        .annotate(total=Sum(kept))
        .order_by()
    )
    return {
        (row["licence__application__parties__party_id"], row["licence__application__destination_id"]): row["total"] or 0
        for row in rows
    }


def _facts(request: engine.Request, batch: _Batch) -> engine.Facts:
    headquarters = batch.headquarters_of.get(request.hq_party_ids)
    if headquarters is None:
        found = _headquarters(request, batch.parties) if request.hq_party_ids else set()
        headquarters = batch.headquarters_of.setdefault(request.hq_party_ids, tuple(sorted(found)))
    codes = frozenset({request.destination, *request.end_user_hq, *headquarters, request.export_from})
    countries = batch.countries_of.get(codes)
    if countries is None:
        tiers = {code: batch.tiers.get(code) for code in codes}
        countries = batch.countries_of.setdefault(
            codes,
            (
                tiers,
                {code: tier for code, tier in tiers.items() if tier is not None},
                {code: batch.groups.get(code, frozenset()) for code in codes},
                frozenset(code for code in codes if code in batch.us),
            ),
        )
    tiers, hq_tiers, groups, us_countries = countries
    agreement = batch.agreements.get(request.destination)
    consignee = request.consignee_party
    global_regime = batch.policy.kind == PolicyKind.GLOBAL
    return engine.Facts(
        policy=batch.policy_facts or selectors.policy_facts(batch.policy),
        destination_tier=tiers[request.destination],
        hq_tiers=hq_tiers,
        agreement=batch.terms[agreement.pk] if agreement else None,
        allotment=batch.allotments.get(request.destination),
        consignee_lpp_used_tpp=batch.lpp_used.get(consignee, 0) if consignee is not None else 0,
        consignee_installed_tpp=(
            batch.installed.get((consignee, request.destination), 0) if global_regime and consignee is not None else 0
        ),
        groups=groups,
        us_countries=us_countries,
        headquarters=headquarters,
        programmes=batch.programmes,
    )


# The pending applications as the engine's questions, read in bulk (values, not model instances)


@dataclass(frozen=True)
class PendingCase:
    """A pending application as the preview lists it, with its determination question."""

    id: int
    acn: str
    status: str
    organisation: str
    destination: str
    requested_tpp: int
    request: engine.Request


def pending_cases(at: datetime.datetime) -> list[PendingCase]:
    """Every pending application (oldest submission first), each with the question `selectors.application_request`
    asks of it at `at`: four queries whatever their number."""
    rows = list(
        Application.objects.filter(status__in=PENDING_APPLICATION_STATUSES)
        .order_by("submitted_at", "id")
        .values_list(
            "pk",
            "acn",
            "status",
            "organisation__name",
            "destination_id",
            "requested_tpp",
            "end_use_category",
            "export_from_id",
        )
    )
    pending = Application.objects.filter(status__in=PENDING_APPLICATION_STATUSES)
    parties: dict[int, list[tuple]] = defaultdict(list)
    for row in (
        ApplicationParty.objects.filter(application__in=pending)
        .order_by("application_id", "id")
        .values_list("application_id", "role", "name", "hq_country_id", "party_id")
    ):
        parties[row[0]].append(row[1:])
    lines: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for application_id, product_id, quantity in (
        ApplicationLine.objects.filter(application__in=pending)
        .order_by("application_id", "id")
        .values_list("application_id", "product_id", "quantity")
    ):
        lines[application_id].append((product_id, quantity))
    catalogue = _catalogue_lines({product for rows_ in lines.values() for product, _ in rows_})
    cases = []
    for pk, acn, status, organisation, destination, requested, category, export_from in rows:
        request = _request(destination, category, export_from, parties[pk], lines[pk], catalogue, at)
        cases.append(PendingCase(pk, acn or "", status, organisation, destination, requested or 0, request))
    return cases


def _catalogue_lines(product_ids: set[int]) -> dict[int, engine.Line]:
    """Each product as an engine line of quantity 1 (replaced per application): the catalogue read once."""
    products = Product.objects.filter(pk__in=product_ids).select_related("chip")
    return {product.pk: selectors.request_lines([selectors.ItemRequest(product, 1)])[0] for product in products}


def _request(
    destination: str,
    category: str,
    export_from: str | None,
    parties: list[tuple],
    lines: list[tuple[int, int]],
    catalogue: dict[int, engine.Line],
    at: datetime.datetime,
) -> engine.Request:
    """As selectors.application_request, from rows."""
    consignee = next((p for p in parties if p[0] == PartyRole.ULTIMATE_CONSIGNEE), None)
    end_users = [p for p in parties if p[0] == PartyRole.END_USER]
    declared = tuple(p[2] for p in (consignee, *end_users) if p is not None and p[2])
    return engine.Request(
        destination=destination,
        lines=tuple(_with_quantity(catalogue[product], quantity) for product, quantity in lines if quantity > 0),
        consignee=consignee[1] if consignee else "",
        end_users=tuple(p[1] for p in end_users) or ((consignee[1],) if consignee else ()),
        end_user_hq=declared or (() if consignee else (destination,)),
        end_use_category=category,
        at=at,
        consignee_party=consignee[3] if consignee else None,
        hq_party_ids=tuple(dict.fromkeys(p[3] for p in (consignee, *end_users) if p is not None)),
        export_from=export_from or engine.UNITED_STATES,
        end_user_parties=tuple(dict.fromkeys(p[3] for p in end_users if p[3] is not None)),
    )


def _with_quantity(line: engine.Line, quantity: int) -> engine.Line:
    return engine.Line(
        product_id=line.product_id,
        quantity=quantity,
        unit_tpp=line.unit_tpp,
        controlled=line.controlled,
        label=line.label,
        chip_id=line.chip_id,
        chip_tpp=line.chip_tpp,
        chip_bandwidth_gbps=line.chip_bandwidth_gbps,
        chips_per_unit=line.chips_per_unit,
    )
