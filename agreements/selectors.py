"""Reads of the policy side: tiers, the policy in force, countries."""

import datetime

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from agreements.choices import Tier
from agreements.models import Country, Policy, TierMembership


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
