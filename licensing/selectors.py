"""Reads of the case side: the catalogue, the facts a determination needs, and scoping."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet, Sum

from agreements import selectors as agreements
from agreements.choices import AllotmentSource, PolicyKind
from agreements.models import Agreement, Allotment, Policy
from licensing import determination as engine
from licensing.models import LppNotification, Product


def catalogue() -> QuerySet[Product]:
    return Product.objects.filter(is_active=True).select_related("chip").order_by("vendor", "name")


# Determination: gather the facts in force at `at`, then let the pure engine decide.


@dataclass(frozen=True)
class ItemRequest:
    product: Product
    quantity: int


def request_lines(items: Iterable[ItemRequest]) -> tuple[engine.Line, ...]:
    return tuple(
        engine.Line(
            product_id=item.product.pk,
            quantity=item.quantity,
            unit_tpp=item.product.tpp,
            controlled=item.product.is_controlled,
            label=str(item.product),
        )
        for item in items
    )


def consignee_lpp_used_tpp(consignee_key: str, year: int) -> int:
    """Accepted LPP notifications for a consignee in a calendar year, across all exporters."""
    total = LppNotification.objects.filter(consignee_key=consignee_key, year=year).aggregate(total=Sum("total_tpp"))
    return total["total"] or 0


def _policy_facts(policy: Policy) -> engine.PolicyFacts:
    return engine.PolicyFacts(
        kind=policy.kind,
        lpp_threshold_tpp=policy.lpp_threshold_tpp,
        size_bands=tuple(engine.SizeBand(band["h100e"], band["condition"]) for band in policy.size_bands),
        g2g_uplift=policy.g2g_uplift,
    )


def _terms_facts(agreement: Agreement, on: datetime.date) -> engine.TermsFacts:
    terms = agreements.terms_in_force(agreement, on)
    return engine.TermsFacts(
        agreement_id=agreement.pk,
        agreement_reference=agreement.reference,
        version=terms.version,
        lpp_threshold_tpp=terms.lpp_threshold_tpp,
        government_assurances=terms.government_assurances,
        site_visits_accepted=terms.site_visits_accepted,
        reciprocal_investment_usd=terms.reciprocal_investment_usd,
        permitted_end_uses=frozenset(terms.permitted_end_uses),
        excluded_end_users=frozenset(engine.normalise_name(name) for name in terms.excluded_end_users),
        security_conditions=tuple(terms.security_conditions),
        reporting_cadence=terms.get_reporting_cadence_display() if terms.reporting_cadence else "",
    )


def _allotment_facts(allotment: Allotment | None, at: datetime.datetime) -> engine.AllotmentFacts | None:
    if allotment is None:
        return None
    return engine.AllotmentFacts(
        id=allotment.pk,
        capacity_tpp=agreements.effective_capacity(allotment, at),
        committed_tpp=allotment.committed_tpp,
        period_start=allotment.period_start,
        period_end=allotment.period_end,
    )


def gather_facts(request: engine.Request) -> engine.Facts:
    """Everything the engine needs, as recorded at `request.at`."""
    at, on = request.at, request.at.date()
    policy = agreements.policy_in_force(at)
    tiers = agreements.tiers_on({request.destination, *request.end_user_hq}, on)
    agreement = agreements.agreement_in_force(request.destination, at)
    source = AllotmentSource.AGREEMENT if policy.kind == PolicyKind.GLOBAL else AllotmentSource.TIER_ALLOCATION
    consignee = engine.normalise_name(request.consignee)
    return engine.Facts(
        policy=_policy_facts(policy),
        destination_tier=tiers[request.destination],
        hq_tiers={code: tier for code, tier in tiers.items() if tier is not None},
        agreement=_terms_facts(agreement, on) if agreement else None,
        allotment=_allotment_facts(agreements.applicable_allotment(request.destination, at, source=source), at),
        consignee_lpp_used_tpp=consignee_lpp_used_tpp(consignee, at.year),
        consignee_installed_tpp=(
            agreements.installed_tpp(agreement_id=agreement.pk, consignee=consignee) if agreement else 0
        ),
    )


def determine(request: engine.Request) -> engine.Determination:
    return engine.determine(request, gather_facts(request))
