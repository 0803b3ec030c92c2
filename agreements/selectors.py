"""Reads of the policy side: tiers, the policy in force, countries."""

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import CharField, DateField, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.utils import timezone

from agreements.choices import AgreementStatus, AllotmentSource, LedgerKind, PolicyStatus, Tier
from agreements.models import (
    Agreement,
    AgreementStatusChange,
    Allotment,
    Country,
    CountryGroupMembership,
    Party,
    Policy,
    TermsVersion,
    TierMembership,
)
from agreements.party_matching import PartyRef, name_tokens, normalise_name
from portal.permissions import Actor, allowed
from portal.selectors import user_organisation_id

# The parameters of a policy row (the regime `kind` aside): what a switch may set, what carries over.
POLICY_PARAMETERS = (
    "lpp_threshold_tpp",
    "tier2_allocation_tpp",
    "tier2_period_start",
    "tier2_period_end",
    "g2g_uplift",
    "licence_validity_days",
    "size_bands",
    "grace_days",
    "revenue_share_due_days",
)

# The parameters in words, for forms and previews.
POLICY_LABELS = {
    "kind": "Regime",
    "lpp_threshold_tpp": "LPP threshold (TPP per consignee per calendar year)",
    "tier2_allocation_tpp": "Tier 2 allocation (TPP per country for the period)",
    "tier2_period_start": "Tier 2 period starts",
    "tier2_period_end": "Tier 2 period ends",
    "g2g_uplift": "G2G uplift (× the Tier 2 allocation while an agreement is in force)",
    "licence_validity_days": "Licence validity (days)",
    "size_bands": "Installation size bands (global regime)",
    "grace_days": "Grace days for overdue obligations",
    "revenue_share_due_days": "Revenue share due (days after shipment)",
}


def policy_differences(current: Policy, proposal: Policy) -> list[dict]:
    """The regime and each parameter, now and as proposed: the summary of an impact preview."""
    rows = []
    for name in ("kind", *POLICY_PARAMETERS):
        before, after = getattr(current, name), getattr(proposal, name)
        rows.append(
            {
                "parameter": name,
                "label": POLICY_LABELS[name],
                "current": _plain(before),
                "proposed": _plain(after),
                "changed": _plain(before) != _plain(after),
            }
        )
    return rows


def _plain(value):
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


# The fields of a terms version that negotiators write (the schedule of periods aside).
TERMS_FIELDS = (
    "lpp_threshold_tpp",
    "government_assurances",
    "site_visits_accepted",
    "reciprocal_investment_usd",
    "revenue_share_percent",
    "permitted_end_uses",
    "excluded_end_users",
    "security_conditions",
    "reporting_cadence",
    "notes",
)


def tier_subquery(on: datetime.date, country_ref: str = "pk") -> Subquery:
    """The tier of OuterRef(country_ref) on a date, for annotating country querysets."""
    return Subquery(
        TierMembership.objects.filter(country=OuterRef(country_ref), effective_from__lte=on)
        .order_by("-effective_from")
        .values("tier")[:1]
    )


def tiers_on(codes: list[str] | set[str] | tuple[str, ...], on: datetime.date) -> dict[str, int | None]:
    """Each country's tier on a date (None where no tier was in force yet)."""
    tiers: dict[str, int | None] = dict.fromkeys(codes)
    rows = (
        TierMembership.objects.filter(country__in=set(codes), effective_from__lte=on)
        .order_by("country_id", "effective_from")
        .values_list("country_id", "tier")
    )
    for code, tier in rows:  # ascending dates: the last one seen is in force
        tiers[code] = tier
    return tiers


@dataclass(frozen=True)
class CountryFacts:
    """What a determination needs of a set of countries on a date, read in one query."""

    tiers: dict[str, int | None]
    groups: dict[str, frozenset[str]]
    counting_as_us: frozenset[str]


def country_facts_on(codes: Iterable[str], on: datetime.date) -> CountryFacts:
    """`tiers_on`, `groups_on` and `countries_counting_as_us` of the same codes, in one query (UNION ALL)."""
    codes = set(codes)
    columns = ("fact", "country_id", "value", "since")
    tiers = (
        TierMembership.objects.filter(country__in=codes, effective_from__lte=on)
        .annotate(fact=Value("tier"), value=Cast("tier", CharField()), since=F("effective_from"))
        .values_list(*columns)
        .order_by()
    )
    groups = (
        CountryGroupMembership.objects.filter(
            Q(effective_until__isnull=True) | Q(effective_until__gt=on), country__in=codes, effective_from__lte=on
        )
        .annotate(fact=Value("group"), value=F("group"), since=F("effective_from"))
        .values_list(*columns)
        .order_by()
    )
    us = (
        Country.objects.filter(code__in=codes, counts_as_us=True)
        .annotate(fact=Value("us"), country_id=F("code"), value=Value(""), since=Value(on, DateField()))
        .values_list(*columns)
        .order_by()
    )
    tier_since: dict[str, datetime.date] = {}
    tiers_found: dict[str, int | None] = dict.fromkeys(codes)
    found: dict[str, set[str]] = {code: set() for code in codes}
    counting_as_us = set()
    for fact, code, value, since in tiers.union(groups, us, all=True):
        if fact == "tier" and (code not in tier_since or since >= tier_since[code]):
            tier_since[code], tiers_found[code] = since, int(value)
        elif fact == "group":
            found[code].add(value)
        elif fact == "us":
            counting_as_us.add(code)
    return CountryFacts(
        tiers_found, {code: frozenset(groups_of) for code, groups_of in found.items()}, frozenset(counting_as_us)
    )


def tier_on(code: str, on: datetime.date) -> int | None:
    return tiers_on([code], on)[code]


def groups_on(codes: list[str] | set[str] | tuple[str, ...], on: datetime.date) -> dict[str, frozenset[str]]:
    """Each country's EAR Country Groups on a date (an empty set where it is in none)."""
    groups: dict[str, set[str]] = {code: set() for code in codes}
    rows = CountryGroupMembership.objects.filter(
        Q(effective_until__isnull=True) | Q(effective_until__gt=on), country__in=set(codes), effective_from__lte=on
    ).values_list("country_id", "group")
    for code, group in rows:
        groups[code].add(group)
    return {code: frozenset(found) for code, found in groups.items()}


def countries_in_groups(groups: set[str] | frozenset[str], on: datetime.date) -> set[str]:
    """Every country in any of the EAR Country Groups on a date."""
    return set(
        CountryGroupMembership.objects.filter(
            Q(effective_until__isnull=True) | Q(effective_until__gt=on), group__in=set(groups), effective_from__lte=on
        ).values_list("country_id", flat=True)
    )


def country_groups_on(code: str, on: datetime.date) -> frozenset[str]:
    """The groups of country `code` on a date."""
    return groups_on([code], on)[code]


def countries_counting_as_us(codes: list[str] | set[str] | tuple[str, ...]) -> frozenset[str]:
    """Of `codes`, those that are the United States for the EAR: the US itself and its territories (§ 772.1)."""
    return frozenset(Country.objects.filter(code__in=set(codes), counts_as_us=True).values_list("code", flat=True))


def tier2_allocation_countries(until: datetime.date) -> set[str]:
    """Countries owed a Tier 2 allocation for a period ending `until`: Tier 2 at some time up to then, and neither
    the United States (its territories included) nor an uninhabited code."""
    return set(
        TierMembership.objects.filter(tier=Tier.TIER_2, effective_from__lte=until)
        .exclude(country__counts_as_us=True)
        .exclude(country__uninhabited=True)
        .values_list("country_id", flat=True)
    )


def countries_with_tier(on: datetime.date | None = None) -> QuerySet[Country]:
    return Country.objects.annotate(tier=tier_subquery(on or timezone.localdate()))


def is_embargoed(tier: int | None) -> bool:
    return tier == Tier.TIER_3


def approved_policies() -> QuerySet[Policy]:
    """The only policies that ever count for "in force": approved by a second policy administrator."""
    return Policy.objects.filter(status=PolicyStatus.APPROVED)


def policy_in_force(at: datetime.datetime | None = None) -> Policy:
    """The approved policy in force at an instant: the latest that took effect at or before it."""
    at = at or timezone.now()
    policy = approved_policies().filter(effective_from__lte=at).order_by("-effective_from").first()
    if policy is None:
        raise Policy.DoesNotExist(f"No policy was in force at {at.isoformat()}.")
    return policy


def policies_scheduled(after: datetime.datetime | None = None) -> QuerySet[Policy]:
    """Approved policies that take effect later."""
    return approved_policies().filter(effective_from__gt=after or timezone.now()).order_by("effective_from")


def policy_proposals(status: str | None = PolicyStatus.PROPOSED) -> QuerySet[Policy]:
    """Policy rows by status (default: the proposals awaiting a second policy administrator), newest first."""
    policies = Policy.objects.select_related("set_by", "approved_by", "withdrawn_by").order_by("-created_at", "-id")
    return policies if status is None else policies.filter(status=status)


# Agreements in force, terms in force


# The status at `at` is the last change recorded (by id) among those that took effect at or before `at`. Changes
# after the creation take effect in record order (a backdated one never lies before the previous change: the
# services refuse it), so only the creation row can take effect after a later-recorded change: ordering by `at`
# would let a draft recorded today hide a backdated entry into force.


def _status_at_subquery(at: datetime.datetime) -> Subquery:
    return Subquery(
        AgreementStatusChange.objects.filter(agreement=OuterRef("pk"), at__lte=at)
        .order_by("-id")
        .values("to_status")[:1]
    )


def agreements_in_force(at: datetime.datetime) -> QuerySet[Agreement]:
    """Agreements whose recorded status at `at` is in force and whose validity covers date(at)."""
    on = at.date()
    return (
        Agreement.objects.filter(valid_from__lte=on, valid_until__gte=on)
        .annotate(status_at=_status_at_subquery(at))
        .filter(status_at=AgreementStatus.IN_FORCE)
    )


def agreement_in_force(country_code: str, at: datetime.datetime) -> Agreement | None:
    return agreements_in_force(at).filter(country_id=country_code).order_by("-valid_from", "-id").first()


def agreement_status_at(agreement: Agreement, at: datetime.datetime) -> str | None:
    change = agreement.status_changes.filter(at__lte=at).order_by("-id").first()
    return change.to_status if change else None


def terms_in_force(agreement: Agreement, on: datetime.date) -> TermsVersion:
    """The latest version effective on `on` (version 1 before any took effect)."""
    versions = agreement.terms_versions.prefetch_related("periods")
    terms = versions.filter(effective_from__lte=on).order_by("-version").first() or versions.order_by("version").first()
    if terms is None:
        raise TermsVersion.DoesNotExist(f"Agreement {agreement.reference} has no terms.")
    return terms


def current_terms(agreement: Agreement) -> TermsVersion:
    """The newest version, whether or not it has taken effect yet."""
    terms = agreement.terms_versions.prefetch_related("periods").order_by("-version").first()
    if terms is None:
        raise TermsVersion.DoesNotExist(f"Agreement {agreement.reference} has no terms.")
    return terms


# Allotments


def effective_capacity(allotment: Allotment, at: datetime.datetime, *, policy: Policy | None = None) -> int:
    """The capacity that applies at `at`: a Tier 2 allocation is uplifted while an agreement is in force (by the
    uplift of `policy` if given, a proposal; else of the policy in force at `at`)."""
    if allotment.source != AllotmentSource.TIER_ALLOCATION:
        return allotment.capacity_tpp
    if agreement_in_force(allotment.country_id, at) is None:
        return allotment.capacity_tpp
    return uplifted_capacity(allotment.capacity_tpp, (policy or policy_in_force(at)).g2g_uplift)


def uplifted_capacity(capacity_tpp: int, uplift: Decimal) -> int:
    """A Tier 2 allocation's capacity while an agreement is in force: multiplied by the G2G uplift, rounded down."""
    return int(capacity_tpp * uplift)


def remaining_of(capacity_tpp: int, committed_tpp: int) -> int:
    """Capacity less committed; 0 (never negative) when a renegotiated capacity fell below what is committed."""
    return max(capacity_tpp - committed_tpp, 0)


def remaining_tpp(allotment: Allotment, at: datetime.datetime) -> int:
    """What an allotment has left at `at` (its effective capacity less what is committed)."""
    return remaining_of(effective_capacity(allotment, at), allotment.committed_tpp)


def _applicable_candidates(at: datetime.datetime, source: str) -> QuerySet[Allotment]:
    """Allotments of `source` whose period contains date(at) (for agreements: of an agreement in force), the one
    that applies first for each country: the newest agreement in force, then the latest period."""
    on = at.date()
    candidates = Allotment.objects.filter(source=source, period_start__lte=on, period_end__gte=on)
    if source != AllotmentSource.AGREEMENT:  # a Tier 2 allocation has no agreement (allotment_source_shape)
        return candidates.order_by("country_id", "-period_start", "-id")
    candidates = candidates.filter(agreement__in=agreements_in_force(at).values("pk"))
    return candidates.order_by("country_id", "-agreement__valid_from", "-agreement_id", "-period_start", "-id")


def applicable_allotment(country_code: str, at: datetime.datetime, *, source: str) -> Allotment | None:
    """The destination's allotment of `source` that a determination at `at` draws on, with `has_party_caps`
    (whether any party cap binds it: a caller reads the caps only then)."""
    capped = RawSQL(_HAS_PARTY_CAPS, ())  # noqa: S611  (a constant statement, no input in it)
    return _applicable_candidates(at, source).filter(country_id=country_code).annotate(has_party_caps=capped).first()


# `Exists(AllotmentPartyCap.objects.filter(allotment=OuterRef("pk")))`, written out: building that subquery cost
# every determination 0.4 ms of CPU, more than half again what the rest of the allotment's query costs.
_HAS_PARTY_CAPS = (
    "EXISTS (SELECT 1 FROM agreements_allotmentpartycap cap WHERE cap.allotment_id = agreements_allotment.id)"
)


def applicable_allotments(at: datetime.datetime, *, source: str) -> list[Allotment]:
    """For every country at once, the allotment `applicable_allotment` would pick (one query)."""
    per_country: dict[str, Allotment] = {}
    for allotment in _applicable_candidates(at, source).select_related("country", "agreement"):
        per_country.setdefault(allotment.country_id, allotment)
    return list(per_country.values())


@dataclass(frozen=True)
class AllotmentUsage:
    """An allotment's use at an instant. `pending_tpp` is the demand the caller passed in (agreements does not
    know pending applications; licensing does): None when the caller did not give it."""

    allotment: Allotment
    capacity_tpp: int
    committed_tpp: int
    uplifted: bool
    pending_tpp: int | None = None

    @property
    def remaining_tpp(self) -> int:
        return remaining_of(self.capacity_tpp, self.committed_tpp)


def allotment_usage(
    allotments: list[Allotment],
    at: datetime.datetime | None = None,
    *,
    pending: Mapping[int, int] | None = None,
) -> list[AllotmentUsage]:
    """Usage of many allotments in a constant number of queries. `pending` (allotment id → TPP asked for by
    undecided applications) is the caller's to give: licensing computes it (licensing.selectors.pending_demand)."""
    at = at or timezone.now()
    uplift = policy_in_force(at).g2g_uplift
    countries_in_force = set(agreements_in_force(at).values_list("country_id", flat=True))
    usage = []
    for allotment in allotments:
        uplifted = allotment.source == AllotmentSource.TIER_ALLOCATION and allotment.country_id in countries_in_force
        capacity = uplifted_capacity(allotment.capacity_tpp, uplift) if uplifted else allotment.capacity_tpp
        demand = None if pending is None else pending.get(allotment.pk, 0)
        usage.append(AllotmentUsage(allotment, capacity, allotment.committed_tpp, uplifted, demand))
    return usage


def committed_by_day(allotment: Allotment, days: list[datetime.date]) -> list[int]:
    """What was committed on the allotment at the end of each of `days` (ascending): its ledger's reserves less its
    releases up to then. One query."""
    entries = allotment.ledger.order_by("created_at", "id").values_list("created_at", "kind", "tpp")
    totals, committed, moves = [], 0, iter(entries)
    move = next(moves, None)
    for day in days:
        while move is not None and timezone.localtime(move[0]).date() <= day:
            committed += move[2] if move[1] == LedgerKind.RESERVE else -move[2]
            move = next(moves, None)
        totals.append(committed)
    return totals


# What a terms version is shown with: its periods with their party caps, and the milestones it set.
TERMS_PREFETCH = ("periods__party_caps__party", "milestones__terms", "milestones__verified_by", "milestones__waived_by")


def agreements_for_display(agreements: QuerySet[Agreement], *, history: bool) -> QuerySet[Agreement]:
    """What the agreement serializers show, in a constant number of queries: the newest terms version with its
    periods, whether it is in force now, and (detail) the status history."""
    newer = TermsVersion.objects.filter(agreement=OuterRef("agreement"), version__gt=OuterRef("version"))
    newest = TermsVersion.objects.filter(~Exists(newer)).select_related("created_by").prefetch_related(*TERMS_PREFETCH)
    in_force = agreements_in_force(timezone.now()).filter(pk=OuterRef("pk"))
    agreements = agreements.annotate(in_force_now=Exists(in_force)).prefetch_related(
        Prefetch("terms_versions", queryset=newest, to_attr="newest_terms")
    )
    if history:
        changes = AgreementStatusChange.objects.select_related("actor").order_by("id")  # record order
        agreements = agreements.prefetch_related(Prefetch("status_changes", queryset=changes))
    return agreements


def country_allotments(country_code: str) -> list[Allotment]:
    return list(Allotment.objects.filter(country_id=country_code).order_by("period_start", "source", "id"))


# The party register (SPEC § 2 Party)

# How many ultimate parents a chain may climb; real ownership chains are a handful deep.
MAX_PARENT_CHAIN = 25


def parties_visible_to(user: Actor, *, on_filings: Iterable[QuerySet] = ()) -> QuerySet[Party]:
    """Staff: the whole register, tombstones included. Exporters: the parties their organisation created and
    those on its own filings, which the holder of the filings passes in as `on_filings` (querysets of party ids:
    licensing.selectors.parties_visible_to). Anyone else: none (404)."""

    parties = Party.objects.select_related("ultimate_parent", "merged_into")
    if not allowed(user, "agreements.view_party"):
        return parties.none()
    if allowed(user, "agreements.merge_party"):  # the register's staff: the whole of it
        return parties
    organisation_id = user_organisation_id(user)
    if organisation_id is None:
        return parties.none()
    scope = Q(created_by_organisation_id=organisation_id)
    for ids in on_filings:
        scope |= Q(pk__in=ids)
    return parties.filter(scope)


def party_search(parties: QuerySet[Party], text: str) -> QuerySet[Party]:
    """A type-ahead over normalised names: "pune research" finds "Pune Research Institute Pvt. Ltd."."""

    key = "".join(name_tokens(text))
    return parties.filter(normalised_name__contains=key) if key else parties


def party_match(name: str, country_code: str) -> "Party | None":
    """The live party of that normalised name in that location country, if registered."""

    key = normalise_name(name)
    if not key:
        return None
    return Party.objects.filter(normalised_name=key, country_id=country_code, merged_into__isnull=True).first()


def party_survivor(party: Party) -> Party:
    """A tombstone's survivor (following merges), or the party itself."""
    for _ in range(MAX_PARENT_CHAIN):
        survivor = party.merged_into
        if survivor is None:
            return party
        party = survivor
    return party


def party_ancestors(party_id: int) -> list[int]:
    """The ultimate-parent chain above a party, nearest first (a bounded loop: one query per level)."""

    ancestors: list[int] = []
    current = Party.objects.filter(pk=party_id).values_list("ultimate_parent_id", flat=True).first()
    while current is not None and current not in ancestors and len(ancestors) < MAX_PARENT_CHAIN:
        ancestors.append(current)
        current = Party.objects.filter(pk=current).values_list("ultimate_parent_id", flat=True).first()
    return ancestors


def headquarters_of(party_ids: Iterable[int]) -> set[str]:
    """Every country the parties are headquartered in: their own and every ancestor's (SPEC § 2), one query per
    level of the chains; a merged party counts as its survivor too."""

    seen: set[int] = set()
    frontier = {pk for pk in party_ids if pk is not None}
    countries: set[str] = set()
    for _ in range(MAX_PARENT_CHAIN):
        frontier -= seen
        if not frontier:
            break
        seen |= frontier
        rows = Party.objects.filter(pk__in=frontier).values_list(
            "hq_country_id", "ultimate_parent_id", "merged_into_id"
        )
        frontier = set()
        for hq, parent, survivor in rows:
            countries.add(hq)
            frontier |= {pk for pk in (parent, survivor) if pk is not None}
    return countries


def party_headquartered_in(party: Party) -> list[str]:
    """The party's own headquarters first, then its ancestors' (each once): the API's `headquartered_in`."""
    codes = [party.hq_country_id]
    for code in sorted(headquarters_of([party.pk]) - {party.hq_country_id}):
        codes.append(code)
    return codes


def parties_headquartered_in(parties: Iterable[Party]) -> dict[int, list[str]]:
    """`headquartered_in` of many parties at once (own headquarters first, then the ancestors'), one query per
    level of their chains whatever their number: what a page of the register shows."""
    hq: dict[int, str] = {}
    parent: dict[int, int | None] = {}
    for party in parties:
        hq[party.pk], parent[party.pk] = party.hq_country_id, party.ultimate_parent_id
    roots = list(hq)
    for _ in range(MAX_PARENT_CHAIN):
        missing = {pk for pk in parent.values() if pk is not None and pk not in hq}
        if not missing:
            break
        for pk, code, up in Party.objects.filter(pk__in=missing).values_list(
            "pk", "hq_country_id", "ultimate_parent_id"
        ):
            hq[pk], parent[pk] = code, up
    result: dict[int, list[str]] = {}
    for pk in roots:
        codes: list[str] = []
        current: int | None = pk
        for _ in range(MAX_PARENT_CHAIN):
            if current is None or current not in hq:
                break
            if hq[current] not in codes:
                codes.append(hq[current])
            current = parent[current]
        result[pk] = codes
    return result


@dataclass(frozen=True)
class ResolvedParty:
    """A party as a filing or a question names it: its register entry when there is one (a determination never
    creates one), and the details given (for a party without an entry, all the engine knows of it)."""

    party: Party | None
    ref: PartyRef

    @property
    def pk(self) -> int | None:
        return self.party.pk if self.party else None

    @property
    def name(self) -> str:
        return self.ref.name or (self.party.name if self.party else "")

    @property
    def country(self) -> str:
        return self.party.country_id if self.party else (self.ref.country or "")

    @property
    def declared_hq(self) -> tuple[str, ...]:
        """Headquarters the filing states (besides the register's): inline hq, or for an unregistered party its
        location country (SPEC § 2: no hq given means headquartered where it is located)."""
        if self.ref.hq_country:
            return (self.ref.hq_country,)
        return () if self.party else ((self.ref.country,) if self.ref.country else ())

    @property
    def chain_ids(self) -> tuple[int, ...]:
        """Register entries whose headquarters (through their parent chains) count for this party."""
        return tuple(pk for pk in (self.pk, self.ref.ultimate_parent) if pk is not None)


def party_details_check(ref: PartyRef, *, known: frozenset[str] = frozenset()) -> None:
    """Inline details a party needs: a name, and known location (and headquarters) countries (`known`: codes the
    caller has already found in the register of countries, not looked up again)."""
    errors: dict[str, str] = {}
    if not ref.key:
        errors["name"] = "Name the party (its registered legal name)."
    codes = {code for code in (ref.country, ref.hq_country) if code}
    unsure = codes - known
    known = (known & codes) | (
        set(Country.objects.filter(code__in=unsure).values_list("code", flat=True)) if unsure else set()
    )
    if not ref.country:
        errors["country"] = "Give the party's location country (ISO alpha-2 code)."
    elif ref.country not in known:
        errors["country"] = f"Unknown country {ref.country}: give an ISO 3166-1 alpha-2 code such as IN."
    if ref.hq_country and ref.hq_country not in known:
        errors["hq_country"] = f"Unknown country {ref.hq_country}: give an ISO 3166-1 alpha-2 code such as IN."
    if errors:
        raise ValidationError(errors)


def party_in_scope(visible: QuerySet[Party], party_id: int, *, field: str = "party") -> Party:
    """The live party `party_id` names, if it is among the `visible` ones (the filer's scope)."""
    party = visible.filter(pk=party_id).first()
    if party is None:
        raise ValidationError({field: _unknown_party(party_id)})
    return party_survivor(party)


def _unknown_party(party_id: int) -> str:
    return f"Unknown party {party_id}: give a party id from the register, or details."


def party_resolve(*, visible: QuerySet[Party], ref: PartyRef, default_country: str) -> ResolvedParty:
    """Match without writing (determinations): an id among the `visible` parties (the asker's scope), or details
    matched in the register."""
    ref = ref.located(default_country)
    if ref.id is not None:
        return ResolvedParty(party_in_scope(visible, ref.id), ref)
    party_details_check(ref, known=frozenset({default_country}))  # the destination, already a known country
    if ref.ultimate_parent is not None:
        party_in_scope(visible, ref.ultimate_parent, field="ultimate_parent")
    return ResolvedParty(party_match(ref.name, ref.country or ""), ref)


def party_resolve_many(
    *, visible: QuerySet[Party], refs: Sequence[tuple[PartyRef, str]], known: frozenset[str]
) -> list[ResolvedParty | ValidationError]:
    """`party_resolve` for many `(ref, default_country)` pairs in two queries (the ids in scope, then the names
    matched; a merged party named by id costs one more per merge followed to its survivor): each answer in order,
    or the error that ref alone would have raised. `known` are the
    country codes already found in the register of countries (a batch of determinations knows them all)."""
    located = [ref.located(default) for ref, default in refs]
    answers: list[ResolvedParty | ValidationError | None] = [None] * len(located)
    for index, ref in enumerate(located):
        if ref.id is None:
            try:
                party_details_check(ref, known=known)
            except ValidationError as error:
                answers[index] = error
    ids = {pk for ref in located for pk in (ref.id, ref.ultimate_parent) if pk is not None}
    in_scope = {party.pk: party for party in visible.filter(pk__in=ids)} if ids else {}
    keys = {(ref.key, ref.country or "") for i, ref in enumerate(located) if ref.id is None and answers[i] is None}
    matches: dict[tuple[str, str], Party] = {}
    if keys:
        pairs = Q()
        for name, country in keys:
            pairs |= Q(normalised_name=name, country_id=country)
        for party in Party.objects.filter(pairs, merged_into__isnull=True):  # in the register's order
            matches.setdefault((party.normalised_name, party.country_id), party)  # party_match's .first()
    for index, ref in enumerate(located):
        if answers[index] is not None:
            continue
        if ref.id is not None:
            named = in_scope.get(ref.id)
            answers[index] = (
                ResolvedParty(party_survivor(named), ref)
                if named is not None
                else ValidationError({"party": _unknown_party(ref.id)})
            )
        elif ref.ultimate_parent is not None and ref.ultimate_parent not in in_scope:
            answers[index] = ValidationError({"ultimate_parent": _unknown_party(ref.ultimate_parent)})
        else:
            answers[index] = ResolvedParty(matches.get((ref.key, ref.country or "")), ref)
    return [answer for answer in answers if answer is not None]
