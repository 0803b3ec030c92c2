"""Writes of the policy side. One public function per use case, one transaction each, each audited."""

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Case, Sum, When
from django.utils import timezone

from agreements.choices import (
    TERMS_EDITABLE_STATUSES,
    AgreementStatus,
    AllotmentSource,
    EndUseCategory,
    LedgerKind,
    PolicyKind,
    ReportingCadence,
    Tier,
)
from agreements.errors import AllotmentExhausted, TermsLocked
from agreements.models import (
    Agreement,
    AgreementStatusChange,
    Allotment,
    Country,
    LedgerEntry,
    Policy,
    TermsPeriod,
    TermsVersion,
    TierMembership,
)
from agreements.selectors import (
    agreements_in_force,
    current_terms,
    policy_in_force,
    remaining_tpp,
    terms_in_force,
)
from agreements.units import h100e
from agreements.workflow import AGREEMENT, AMENDABLE_STATUSES
from portal.permissions import Actor
from portal.services import audit_record

POLICY_PARAMETERS = (
    "lpp_threshold_tpp",
    "tier2_allocation_tpp",
    "tier2_period_start",
    "tier2_period_end",
    "g2g_uplift",
    "licence_validity_days",
    "size_bands",
)


def validate_size_bands(bands: Any) -> list[dict[str, Any]]:
    if not isinstance(bands, list) or len(bands) != 3:
        raise ValidationError({"size_bands": "Give exactly three bands: [{'h100e': int, 'condition': text}, ...]."})
    thresholds = []
    for band in bands:
        if not isinstance(band, dict) or set(band) != {"h100e", "condition"}:
            raise ValidationError({"size_bands": "Each band is {'h100e': int, 'condition': text}."})
        if not isinstance(band["h100e"], int) or isinstance(band["h100e"], bool) or band["h100e"] <= 0:
            raise ValidationError({"size_bands": "Each band threshold is a positive whole number of H100e."})
        if not str(band["condition"]).strip():
            raise ValidationError({"size_bands": "Each band needs its condition text."})
        thresholds.append(band["h100e"])
    if thresholds != sorted(set(thresholds)):
        raise ValidationError({"size_bands": "Band thresholds must strictly increase."})
    return bands


def proposed_policy(*, base: Policy, kind: str, **parameters: Any) -> Policy:
    """An unsaved policy: `base` with the regime and the parameters given (validated). For switches and previews."""
    if kind not in PolicyKind.values:
        raise ValidationError({"kind": f"Unknown regime {kind!r}; choose one of {', '.join(PolicyKind.values)}."})
    unknown = set(parameters) - set(POLICY_PARAMETERS)
    if unknown:
        raise ValidationError({"parameters": f"Unknown parameter(s): {', '.join(sorted(unknown))}."})
    values = {name: parameters.get(name, getattr(base, name)) for name in POLICY_PARAMETERS}
    values["size_bands"] = validate_size_bands(values["size_bands"])
    values["g2g_uplift"] = Decimal(str(values["g2g_uplift"]))
    return Policy(kind=kind, effective_from=base.effective_from, **values)


def policy_switch(
    *,
    actor: Actor | None,
    kind: str,
    reason: str,
    effective_from: datetime.datetime | None = None,
    **parameters: Any,
) -> Policy:
    """Put a new policy in force from an instant (now or later); unspecified parameters carry over."""
    if not reason or not reason.strip():
        raise ValidationError({"reason": "Say why the policy changes."})
    now = timezone.now()
    effective_from = effective_from or now
    if effective_from < now - datetime.timedelta(minutes=1):
        raise ValidationError({"effective_from": "A policy takes effect now or later, never in the past."})

    with transaction.atomic():
        base = policy_in_force(effective_from)
        policy = proposed_policy(base=base, kind=kind, **parameters)
        if Policy.objects.filter(effective_from=effective_from).exists():
            raise ValidationError({"effective_from": "Another policy already takes effect at that instant."})
        policy.effective_from, policy.reason, policy.set_by = effective_from, reason.strip(), actor
        policy.full_clean()
        policy.save()
        tier_allocations_sync(actor=actor, policy=policy)
        audit_record(
            actor=actor,
            verb="policy.switched",
            target=policy,
            payload={
                "kind": kind,
                "effective_from": effective_from.isoformat(),
                "previous": {"id": base.pk, "kind": base.kind},
                "parameters": {name: _jsonable(getattr(policy, name)) for name in POLICY_PARAMETERS},
                "reason": policy.reason,
            },
        )
    return policy


def _jsonable(value: Any) -> Any:
    return value if isinstance(value, int | list | str) else str(value)


def tier_membership_set(
    *, actor: Actor | None, country: Country, tier: int, effective_from: datetime.date, source: str
) -> TierMembership:
    """Record a country's tier from a date on (corrections to the D:5 list are data, kept with their source)."""
    if tier not in Tier.values:
        raise ValidationError({"tier": "Tier is 1, 2 or 3."})
    if not source or not source.strip():
        raise ValidationError({"source": "Cite the source of the tier change."})
    with transaction.atomic():
        membership, created = TierMembership.objects.update_or_create(
            country=country, effective_from=effective_from, defaults={"tier": tier, "source": source.strip()}
        )
        audit_record(
            actor=actor,
            verb="tier.set" if created else "tier.corrected",
            target=country,
            payload={"tier": tier, "effective_from": effective_from.isoformat(), "source": membership.source},
        )
    return membership


# Agreements and their terms

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
AGREEMENT_FIELDS = ("title", "reference", "valid_from", "valid_until", "signed_on", "lead_negotiator")


def _clean_schedule(periods: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Periods with positive capacity that do not overlap."""
    cleaned = sorted(periods, key=lambda p: p["period_start"])
    for period in cleaned:
        if period["period_end"] < period["period_start"]:
            raise ValidationError({"allotments": f"Period starting {period['period_start']} ends before it starts."})
        if not isinstance(period["capacity_tpp"], int) or period["capacity_tpp"] <= 0:
            raise ValidationError({"allotments": "Each period's capacity is a positive whole number of TPP."})
    for earlier, later in zip(cleaned, cleaned[1:], strict=False):
        if later["period_start"] <= earlier["period_end"]:
            raise ValidationError(
                {
                    "allotments": f"Periods overlap: {earlier['period_start']}..{earlier['period_end']} and "
                    f"{later['period_start']}..{later['period_end']}."
                }
            )
    return cleaned


def _clean_terms(values: dict[str, Any]) -> dict[str, Any]:
    unknown = set(values["permitted_end_uses"]) - set(EndUseCategory.values)
    if unknown:
        raise ValidationError({"permitted_end_uses": f"Unknown end-use categories: {', '.join(sorted(unknown))}."})
    if values["reporting_cadence"] and values["reporting_cadence"] not in ReportingCadence.values:
        raise ValidationError({"reporting_cadence": f"Choose one of {', '.join(ReportingCadence.values)}."})
    for name in ("excluded_end_users", "security_conditions"):
        values[name] = [str(item).strip() for item in values[name] if str(item).strip()]
    return values


def _write_terms(
    *,
    agreement: Agreement,
    version: int,
    effective_from: datetime.date,
    values: dict[str, Any],
    periods: list[dict[str, Any]],
    actor: Actor | None,
    reason: str = "",
) -> TermsVersion:
    terms = TermsVersion(
        agreement=agreement,
        version=version,
        effective_from=effective_from,
        created_by=actor,
        reason=reason,
        **_clean_terms(values),
    )
    terms.full_clean(exclude=["agreement", "created_by"])
    terms.save()
    TermsPeriod.objects.bulk_create([TermsPeriod(terms=terms, **period) for period in _clean_schedule(periods)])
    return terms


def _rewrite_terms(terms: TermsVersion, changes: dict[str, Any], *, effective_from: datetime.date) -> TermsVersion:
    """Edit a terms version in place (only while negotiating): fields and, when given, its schedule."""
    for name, value in _clean_terms(_terms_values(terms, changes)).items():
        setattr(terms, name, value)
    terms.effective_from = effective_from
    terms.full_clean(exclude=["agreement", "created_by"])
    terms.save()
    if "allotments" in changes:
        periods = _clean_schedule(changes["allotments"])
        terms.periods.all().delete()
        TermsPeriod.objects.bulk_create([TermsPeriod(terms=terms, **period) for period in periods])
    return terms


def _terms_values(source: TermsVersion | None, changes: dict[str, Any]) -> dict[str, Any]:
    defaults = {f.name: f.get_default() for f in TermsVersion._meta.fields if f.name in TERMS_FIELDS}
    base = {name: getattr(source, name) for name in TERMS_FIELDS} if source else defaults
    return {**base, **{k: v for k, v in changes.items() if k in TERMS_FIELDS}}


def _terms_snapshot(terms: TermsVersion) -> dict[str, Any]:
    values = {name: getattr(terms, name) for name in TERMS_FIELDS}
    values["allotments"] = [
        {
            "period_start": p.period_start.isoformat(),
            "period_end": p.period_end.isoformat(),
            "capacity_tpp": p.capacity_tpp,
        }
        for p in terms.periods.all()
    ]
    values["version"], values["effective_from"] = terms.version, terms.effective_from.isoformat()
    return {k: str(v) if isinstance(v, Decimal) else v for k, v in values.items()}


def _record_status(agreement: Agreement, *, from_status: str, actor: Actor | None, reason: str = "") -> None:
    AgreementStatusChange.objects.create(
        agreement=agreement,
        from_status=from_status,
        to_status=agreement.status,
        at=timezone.now(),
        actor=actor,
        reason=reason,
    )


def agreement_create(
    *,
    actor: Actor | None,
    country: Country,
    reference: str,
    title: str,
    valid_from: datetime.date,
    valid_until: datetime.date,
    terms: dict[str, Any],
    lead_negotiator: Actor | None = None,
) -> Agreement:
    """A new draft agreement with its first terms version."""
    with transaction.atomic():
        agreement = Agreement(
            country=country,
            reference=reference.strip(),
            title=title.strip(),
            valid_from=valid_from,
            valid_until=valid_until,
            lead_negotiator=lead_negotiator or actor,
        )
        agreement.full_clean()
        agreement.save()
        _record_status(agreement, from_status="", actor=actor, reason="Created")
        version = _write_terms(
            agreement=agreement,
            version=1,
            effective_from=valid_from,
            values=_terms_values(None, terms),
            periods=terms.get("allotments", []),
            actor=actor,
        )
        audit_record(
            actor=actor,
            verb="agreement.created",
            target=agreement,
            payload={"country": country.pk, "reference": agreement.reference, "terms": _terms_snapshot(version)},
        )
    return agreement


def agreement_update(
    *, actor: Actor | None, agreement: Agreement, terms: dict[str, Any] | None = None, **changes: Any
) -> Agreement:
    """Change an agreement and its terms in place: only while it is a draft or under negotiation."""
    with transaction.atomic():
        agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
        if agreement.status not in TERMS_EDITABLE_STATUSES:
            raise TermsLocked(
                f"Agreement {agreement.reference} is {agreement.status}: its terms change only by amendment.",
            )
        unknown = set(changes) - set(AGREEMENT_FIELDS)
        if unknown:
            raise ValidationError({"fields": f"Cannot change: {', '.join(sorted(unknown))}."})
        for name, value in changes.items():
            setattr(agreement, name, value)
        agreement.full_clean()
        agreement.save()
        payload: dict[str, Any] = {"changed": sorted(changes)}
        if terms is not None or "valid_from" in changes:  # version 1 takes effect when the agreement starts
            terms = terms or {}
            current = current_terms(agreement)
            payload["before"] = _terms_snapshot(current)
            payload["after"] = _terms_snapshot(_rewrite_terms(current, terms, effective_from=agreement.valid_from))
        audit_record(actor=actor, verb="agreement.changed", target=agreement, payload=payload)
    return agreement


def _transition(name: str, *, actor: Actor | None, agreement: Agreement, reason: str = "", **changes: Any) -> Agreement:
    with transaction.atomic():
        agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
        transition = AGREEMENT.check(name, agreement.status, actor, reason=reason)
        from_status = agreement.status
        agreement.status = transition.target
        for field, value in changes.items():
            setattr(agreement, field, value)
        agreement.save()
        _record_status(agreement, from_status=from_status, actor=actor, reason=reason)
        audit_record(
            actor=actor,
            verb=f"agreement.{transition.target}",
            target=agreement,
            payload={"from": from_status, "to": agreement.status, "reason": reason},
        )
        if transition.target == AgreementStatus.IN_FORCE:
            _sync_agreement_allotments(agreement, terms_in_force(agreement, timezone.localdate()), actor=actor)
    return agreement


def agreement_start_negotiation(*, actor: Actor | None, agreement: Agreement, reason: str = "") -> Agreement:
    return _transition("start_negotiation", actor=actor, agreement=agreement, reason=reason)


def agreement_sign(
    *, actor: Actor | None, agreement: Agreement, reason: str = "", signed_on: datetime.date | None = None
) -> Agreement:
    if signed_on is not None and signed_on > timezone.localdate():
        raise ValidationError({"signed_on": "An agreement is recorded as signed once it has been: not in the future."})
    return _transition(
        "sign", actor=actor, agreement=agreement, reason=reason, signed_on=signed_on or timezone.localdate()
    )


def agreement_enter_into_force(*, actor: Actor | None, agreement: Agreement, reason: str = "") -> Agreement:
    return _transition("enter_into_force", actor=actor, agreement=agreement, reason=reason)


def agreement_suspend(*, actor: Actor | None, agreement: Agreement, reason: str = "") -> Agreement:
    return _transition("suspend", actor=actor, agreement=agreement, reason=reason)


def agreement_resume(*, actor: Actor | None, agreement: Agreement, reason: str = "") -> Agreement:
    return _transition("resume", actor=actor, agreement=agreement, reason=reason)


def agreement_terminate(*, actor: Actor | None, agreement: Agreement, reason: str = "") -> Agreement:
    return _transition("terminate", actor=actor, agreement=agreement, reason=reason)


def agreement_expire(*, actor: Actor | None, agreement: Agreement, reason: str = "") -> Agreement:
    return _transition("expire", actor=actor, agreement=agreement, reason=reason)


def amendment_create(
    *,
    actor: Actor | None,
    agreement: Agreement,
    effective_from: datetime.date,
    reason: str,
    terms: dict[str, Any],
) -> TermsVersion:
    """A new terms version of a signed or in-force agreement; fields not given carry over from the newest."""
    if not reason or not reason.strip():
        raise ValidationError({"reason": "Say why the terms are amended."})
    with transaction.atomic():
        agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
        if agreement.status not in AMENDABLE_STATUSES:
            raise TermsLocked(
                f"Agreement {agreement.reference} is {agreement.status}: "
                + (
                    "edit its terms directly while negotiating."
                    if agreement.status in TERMS_EDITABLE_STATUSES
                    else "a terminated or expired agreement takes no amendments."
                )
            )
        latest = current_terms(agreement)
        if effective_from < latest.effective_from:
            raise ValidationError(
                {
                    "effective_from": f"An amendment cannot take effect before version {latest.version} "
                    f"({latest.effective_from})."
                }
            )
        periods = terms.get("allotments")
        if periods is None:
            periods = [
                {"period_start": p.period_start, "period_end": p.period_end, "capacity_tpp": p.capacity_tpp}
                for p in latest.periods.all()
            ]
        amendment = _write_terms(
            agreement=agreement,
            version=latest.version + 1,
            effective_from=effective_from,
            values=_terms_values(latest, terms),
            periods=periods,
            actor=actor,
            reason=reason.strip(),
        )
        audit_record(
            actor=actor,
            verb="agreement.amended",
            target=agreement,
            payload={"reason": reason.strip(), "before": _terms_snapshot(latest), "after": _terms_snapshot(amendment)},
        )
        if agreement.status == AgreementStatus.IN_FORCE and effective_from <= timezone.localdate():
            _sync_agreement_allotments(agreement, amendment, actor=actor)
    return amendment


def _sync_agreement_allotments(agreement: Agreement, terms: TermsVersion, *, actor: Actor | None) -> list[Allotment]:
    """Create or update the agreement's allotments from a terms version; periods no longer in it drop to 0.
    Existing draws stay: a capacity below what is committed shows 0 remaining and refuses new draws."""
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


def agreements_expire_due(*, today: datetime.date | None = None) -> list[str]:
    """Mark signed, in-force or suspended agreements past their end date as expired (idempotent)."""
    today = today or timezone.localdate()
    due = Agreement.objects.filter(status__in=AGREEMENT.get("expire").sources, valid_until__lt=today).values_list(
        "pk", flat=True
    )
    return [
        agreement_expire(actor=None, agreement=Agreement(pk=pk), reason=f"Validity ended before {today}").reference
        for pk in due
    ]


def agreement_allotments_apply_due(*, actor: Actor | None = None) -> int:
    """Apply amendments that have come into effect to the allotments of agreements in force (idempotent)."""
    applied = 0
    for agreement in agreements_in_force(timezone.now()):
        with transaction.atomic():
            terms = terms_in_force(agreement, timezone.localdate())
            current = set(Allotment.objects.filter(agreement=agreement).values_list("terms_id", flat=True).distinct())
            if current - {terms.pk} or (not current and terms.periods.all()):
                _sync_agreement_allotments(agreement, terms, actor=actor)
                applied += 1
    return applied


# The quota ledger: the only two ways quota moves


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


def tier_allocations_sync(*, actor: Actor | None, policy: Policy) -> int:
    """Make sure every Tier 2 country has an allocation for the policy's period (new periods only)."""
    codes = set(
        TierMembership.objects.filter(tier=Tier.TIER_2, effective_from__lte=policy.tier2_period_end).values_list(
            "country_id", flat=True
        )
    )
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
