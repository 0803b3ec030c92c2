"""Reads of the policy side: tiers, the policy in force, countries."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Subquery, Sum
from django.utils import timezone

from agreements.choices import AgreementStatus, AllotmentSource, LedgerKind, Tier
from agreements.models import (
    Agreement,
    AgreementStatusChange,
    Allotment,
    Country,
    LedgerEntry,
    Policy,
    TermsVersion,
    TierMembership,
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


def tier_on(code: str, on: datetime.date) -> int | None:
    return tiers_on([code], on)[code]


def countries_with_tier(on: datetime.date | None = None) -> QuerySet[Country]:
    return Country.objects.annotate(tier=tier_subquery(on or timezone.localdate()))


def is_embargoed(tier: int | None) -> bool:
    return tier == Tier.TIER_3


def policy_in_force(at: datetime.datetime | None = None) -> Policy:
    """The policy row in force at an instant: the latest that took effect at or before it."""
    at = at or timezone.now()
    policy = Policy.objects.filter(effective_from__lte=at).order_by("-effective_from").first()
    if policy is None:
        raise Policy.DoesNotExist(f"No policy was in force at {at.isoformat()}.")
    return policy


def policies_scheduled(after: datetime.datetime | None = None) -> QuerySet[Policy]:
    return Policy.objects.filter(effective_from__gt=after or timezone.now()).order_by("effective_from")


# Agreements in force, terms in force


def _status_at_subquery(at: datetime.datetime) -> Subquery:
    return Subquery(
        AgreementStatusChange.objects.filter(agreement=OuterRef("pk"), at__lte=at)
        .order_by("-at", "-id")
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
    change = agreement.status_changes.filter(at__lte=at).order_by("-at", "-id").first()
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


def effective_capacity(allotment: Allotment, at: datetime.datetime) -> int:
    """The capacity that applies at `at`: a Tier 2 allocation is uplifted while an agreement is in force."""
    if allotment.source != AllotmentSource.TIER_ALLOCATION:
        return allotment.capacity_tpp
    if agreement_in_force(allotment.country_id, at) is None:
        return allotment.capacity_tpp
    return int(allotment.capacity_tpp * policy_in_force(at).g2g_uplift)


def remaining_tpp(allotment: Allotment, at: datetime.datetime) -> int:
    """Capacity less committed; 0 (never negative) when a renegotiated capacity fell below what is committed."""
    return max(effective_capacity(allotment, at) - allotment.committed_tpp, 0)


def _applicable_candidates(at: datetime.datetime, source: str) -> QuerySet[Allotment]:
    """Allotments of `source` whose period contains date(at) (for agreements: of an agreement in force), the one
    that applies first for each country: the newest agreement in force, then the latest period."""
    on = at.date()
    candidates = Allotment.objects.filter(source=source, period_start__lte=on, period_end__gte=on)
    if source == AllotmentSource.AGREEMENT:
        candidates = candidates.filter(agreement__in=agreements_in_force(at).values("pk"))
    return candidates.order_by("country_id", "-agreement__valid_from", "-agreement_id", "-period_start", "-id")


def applicable_allotment(country_code: str, at: datetime.datetime, *, source: str) -> Allotment | None:
    """The destination's allotment of `source` that a determination at `at` draws on."""
    return _applicable_candidates(at, source).filter(country_id=country_code).first()


def applicable_allotments(at: datetime.datetime, *, source: str) -> list[Allotment]:
    """For every country at once, the allotment `applicable_allotment` would pick (one query)."""
    per_country: dict[str, Allotment] = {}
    for allotment in _applicable_candidates(at, source).select_related("country", "agreement"):
        per_country.setdefault(allotment.country_id, allotment)
    return list(per_country.values())


def installed_tpp(*, agreement_id: int, consignee: str) -> int:
    """TPP licensed to a (normalised) consignee under an agreement: reserves less releases in its ledger."""
    totals = dict(
        LedgerEntry.objects.filter(allotment__agreement_id=agreement_id, consignee=consignee)
        .values_list("kind")
        .annotate(total=Sum("tpp"))
        .values_list("kind", "total")
    )
    return totals.get(LedgerKind.RESERVE, 0) - totals.get(LedgerKind.RELEASE, 0)


# Demand (pending applications) lives in licensing; it registers a provider so agreements need not import it.
_demand_providers: list[Callable[[list[int]], dict[int, int]]] = []


def register_demand_provider(provider: Callable[[list[int]], dict[int, int]]) -> None:
    if provider not in _demand_providers:
        _demand_providers.append(provider)


# The impact of a proposed policy on pending applications is licensing's to compute; same arrangement.
_impact_providers: list[Callable[[Policy], list[dict]]] = []


def register_impact_provider(provider: Callable[[Policy], list[dict]]) -> None:
    if provider not in _impact_providers:
        _impact_providers.append(provider)


def policy_impact(proposal: Policy) -> list[dict]:
    """Each pending application with its determination now and under `proposal` (an unsaved policy)."""
    return [row for provider in _impact_providers for row in provider(proposal)]


def pending_tpp_by_allotment(allotment_ids: list[int]) -> dict[int, int]:
    pending: dict[int, int] = dict.fromkeys(allotment_ids, 0)
    for provider in _demand_providers:
        for allotment_id, tpp in provider(allotment_ids).items():
            pending[allotment_id] = pending.get(allotment_id, 0) + tpp
    return pending


@dataclass(frozen=True)
class AllotmentUsage:
    allotment: Allotment
    capacity_tpp: int
    committed_tpp: int
    pending_tpp: int
    uplifted: bool

    @property
    def remaining_tpp(self) -> int:
        return max(self.capacity_tpp - self.committed_tpp, 0)


def allotment_usage(allotments: list[Allotment], at: datetime.datetime | None = None) -> list[AllotmentUsage]:
    """Usage of many allotments in a constant number of queries."""
    at = at or timezone.now()
    uplift = policy_in_force(at).g2g_uplift
    countries_in_force = set(agreements_in_force(at).values_list("country_id", flat=True))
    pending = pending_tpp_by_allotment([a.pk for a in allotments])
    usage = []
    for allotment in allotments:
        uplifted = allotment.source == AllotmentSource.TIER_ALLOCATION and allotment.country_id in countries_in_force
        capacity = int(allotment.capacity_tpp * uplift) if uplifted else allotment.capacity_tpp
        usage.append(AllotmentUsage(allotment, capacity, allotment.committed_tpp, pending[allotment.pk], uplifted))
    return usage


def agreements_for_display(agreements: QuerySet[Agreement], *, history: bool) -> QuerySet[Agreement]:
    """What the agreement serializers show, in a constant number of queries: the newest terms version with its
    periods, whether it is in force now, and (detail) the status history."""
    newer = TermsVersion.objects.filter(agreement=OuterRef("agreement"), version__gt=OuterRef("version"))
    newest = TermsVersion.objects.filter(~Exists(newer)).select_related("created_by").prefetch_related("periods")
    in_force = agreements_in_force(timezone.now()).filter(pk=OuterRef("pk"))
    agreements = agreements.annotate(in_force_now=Exists(in_force)).prefetch_related(
        Prefetch("terms_versions", queryset=newest, to_attr="newest_terms")
    )
    if history:
        changes = AgreementStatusChange.objects.select_related("actor").order_by("at", "id")
        agreements = agreements.prefetch_related(Prefetch("status_changes", queryset=changes))
    return agreements


def country_allotments(country_code: str) -> list[Allotment]:
    return list(Allotment.objects.filter(country_id=country_code).order_by("period_start", "source", "id"))
