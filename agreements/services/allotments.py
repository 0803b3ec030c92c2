"""Allotments and their ledger: syncing allotments from terms and the policy, and the only two ways quota moves."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Case, Sum, When
from django.utils import timezone

from agreements.choices import AllotmentSource, LedgerKind
from agreements.errors import AllotmentExhausted
from agreements.models import Agreement, Allotment, LedgerEntry, Policy, TermsVersion
from agreements.selectors import agreements_in_force, remaining_tpp, terms_in_force, tier2_allocation_countries
from agreements.services._permit import NEGOTIATE, SWITCH_POLICY, authorize
from agreements.units import h100e
from portal.permissions import Actor
from portal.services import audit_record


def sync_agreement_allotments(agreement: Agreement, terms: TermsVersion, *, actor: Actor | None) -> list[Allotment]:
    """Create or update the agreement's allotments from a terms version; periods no longer in it drop to 0.
    Existing draws stay: a capacity below what is committed shows 0 remaining and refuses new draws.
    A step of the agreement services (inside their transaction, after their permission check)."""
    synced = []
    seen = set()
    for period in terms.periods.all():
        allotment, created = Allotment.objects.select_for_update().get_or_create(
            agreement=agreement,
            source=AllotmentSource.AGREEMENT,
            period_start=period.period_start,
            defaults={
                "country": agreement.country,
                "period_end": period.period_end,
                "capacity_tpp": period.capacity_tpp,
                "terms": terms,
            },
        )
        before = None if created else allotment.capacity_tpp
        if not created:
            allotment.period_end, allotment.capacity_tpp, allotment.terms = (
                period.period_end,
                period.capacity_tpp,
                terms,
            )
            allotment.save(update_fields=["period_end", "capacity_tpp", "terms", "updated_at"])
        if created or before != allotment.capacity_tpp:
            audit_record(
                actor=actor,
                verb="allotment.created" if created else "allotment.updated",
                target=allotment,
                payload={"capacity_tpp": allotment.capacity_tpp, "before": before, "terms_version": terms.version},
            )
        seen.add(allotment.pk)
        synced.append(allotment)
    for dropped in Allotment.objects.select_for_update().filter(agreement=agreement).exclude(pk__in=seen):
        if dropped.capacity_tpp:
            audit_record(
                actor=actor,
                verb="allotment.updated",
                target=dropped,
                payload={"capacity_tpp": 0, "before": dropped.capacity_tpp, "terms_version": terms.version},
            )
            dropped.capacity_tpp = 0
        dropped.terms = terms  # the version that left it out: it too is now in step
        dropped.save(update_fields=["capacity_tpp", "terms", "updated_at"])
    return synced


def agreement_allotments_apply_due(*, actor: Actor | None) -> int:
    """Apply amendments that have come into effect to the allotments of agreements in force (idempotent)."""
    authorize(actor, NEGOTIATE, action="apply amendments to allotments")
    applied = 0
    for agreement in agreements_in_force(timezone.now()):
        with transaction.atomic():
            terms = terms_in_force(agreement, timezone.localdate())
            current = set(Allotment.objects.filter(agreement=agreement).values_list("terms_id", flat=True).distinct())
            if current - {terms.pk} or (not current and terms.periods.all()):
                sync_agreement_allotments(agreement, terms, actor=actor)
                applied += 1
    return applied


def tier_allocations_sync(*, actor: Actor | None, policy: Policy) -> int:
    """Make sure every Tier 2 country has an allocation for the policy's period (new periods only)."""
    authorize(actor, SWITCH_POLICY, action="open a Tier 2 allocation period")
    codes = tier2_allocation_countries(policy.tier2_period_end)
    existing = set(
        Allotment.objects.filter(
            source=AllotmentSource.TIER_ALLOCATION, period_start=policy.tier2_period_start
        ).values_list("country_id", flat=True)
    )
    created = Allotment.objects.bulk_create(
        [
            Allotment(
                country_id=code,
                source=AllotmentSource.TIER_ALLOCATION,
                period_start=policy.tier2_period_start,
                period_end=policy.tier2_period_end,
                capacity_tpp=policy.tier2_allocation_tpp,
            )
            for code in sorted(codes - existing)
        ]
    )
    return len(created)


# The quota ledger: the only two ways quota moves. Licensing calls these from inside its own transitions
# (approval draws, revocation and expiry release), which have checked their actor against licensing's table;
# the actor given here is recorded on the ledger row.


def allotment_reserve(
    *,
    actor: Actor | None,
    allotment_id: int,
    tpp: int,
    consignee: str,
    reference: str,
    at: datetime.datetime | None = None,
) -> LedgerEntry:
    """Draw `tpp` from an allotment under a row lock; refuses (AllotmentExhausted) beyond what remains."""
    if tpp <= 0:
        raise ValidationError({"tpp": "A reservation is a positive whole number of TPP."})
    at = at or timezone.now()
    with transaction.atomic():
        allotment = Allotment.objects.select_for_update().get(pk=allotment_id)
        remaining = remaining_tpp(allotment, at)
        if tpp > remaining:
            raise AllotmentExhausted(
                f"{allotment.country_id} allotment {allotment.period_start}..{allotment.period_end} has "
                f"{h100e(remaining):,} H100e ({remaining:,} TPP) remaining; {h100e(tpp):,} H100e requested.",
                remaining_tpp=remaining,
            )
        allotment.committed_tpp += tpp
        allotment.save(update_fields=["committed_tpp", "updated_at"])
        return LedgerEntry.objects.create(
            allotment=allotment,
            kind=LedgerKind.RESERVE,
            tpp=tpp,
            consignee=consignee,
            reference=reference,
            actor=actor,
            created_at=timezone.now(),
        )


def allotment_release(
    *, actor: Actor | None, allotment_id: int, tpp: int, consignee: str, reference: str
) -> LedgerEntry:
    """Give back the unshipped part of a reservation (expired or revoked licence)."""
    if tpp <= 0:
        raise ValidationError({"tpp": "A release is a positive whole number of TPP."})
    with transaction.atomic():
        allotment = Allotment.objects.select_for_update().get(pk=allotment_id)
        reserved = (
            LedgerEntry.objects.filter(allotment=allotment, reference=reference).aggregate(
                net=Sum(Case(When(kind=LedgerKind.RESERVE, then="tpp"), default=-models.F("tpp")))
            )["net"]
            or 0
        )
        if tpp > reserved:
            raise ValidationError({"tpp": f"{reference} holds {reserved:,} TPP; cannot release {tpp:,}."})
        allotment.committed_tpp -= tpp
        allotment.save(update_fields=["committed_tpp", "updated_at"])
        return LedgerEntry.objects.create(
            allotment=allotment,
            kind=LedgerKind.RELEASE,
            tpp=tpp,
            consignee=consignee,
            reference=reference,
            actor=actor,
            created_at=timezone.now(),
        )
