"""The policy regime and the tier list: proposing, approving and withdrawing a regime switch (two people), recording
a country's tier."""

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agreements.choices import PolicyKind, PolicyStatus, Tier
from agreements.errors import InstantTaken, OwnProposal
from agreements.models import Country, Policy, TierMembership
from agreements.selectors import POLICY_PARAMETERS, approved_policies, policy_in_force
from agreements.services._permit import SET_TIER, SWITCH_POLICY, SYSTEM, authorize
from agreements.services.allotments import tier_allocations_sync
from agreements.workflow import POLICY
from portal.permissions import Actor
from portal.services import audit_record


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
    """An unsaved policy: `base` with the regime and the parameters given (validated). For proposals and previews.
    Writes nothing, so it checks no permission."""
    if kind not in PolicyKind.values:
        raise ValidationError({"kind": f"Unknown regime {kind!r}; choose one of {', '.join(PolicyKind.values)}."})
    unknown = set(parameters) - set(POLICY_PARAMETERS)
    if unknown:
        raise ValidationError({"parameters": f"Unknown parameter(s): {', '.join(sorted(unknown))}."})
    values = {name: parameters.get(name, getattr(base, name)) for name in POLICY_PARAMETERS}
    values["size_bands"] = validate_size_bands(values["size_bands"])
    values["g2g_uplift"] = Decimal(str(values["g2g_uplift"]))
    if values["tier2_period_end"] < values["tier2_period_start"]:
        raise ValidationError(
            {"tier2_period_end": f"The Tier 2 period ends before it starts ({values['tier2_period_start']})."}
        )
    return Policy(kind=kind, status=PolicyStatus.PROPOSED, effective_from=base.effective_from, **values)


def policy_propose(
    *,
    actor: Actor | None,
    kind: str,
    reason: str,
    effective_from: datetime.datetime | None = None,
    **parameters: Any,
) -> Policy:
    """Propose a new policy from an instant (None: from its approval); unspecified parameters carry over from the
    policy in force then. Nothing changes until another policy administrator approves it (`policy_approve`)."""
    authorize(actor, SWITCH_POLICY, action="propose a switch of the export-control regime")
    if not reason or not reason.strip():
        raise ValidationError({"reason": "Say why the policy changes."})
    if effective_from is not None and effective_from < timezone.now() - datetime.timedelta(minutes=1):
        raise ValidationError({"effective_from": "A policy takes effect now or later, never in the past."})
    with transaction.atomic():
        base = policy_in_force(effective_from)
        policy = proposed_policy(base=base, kind=kind, **parameters)
        policy.effective_from, policy.proposed_from = None, effective_from
        policy.reason, policy.set_by = reason.strip(), actor
        policy.full_clean()
        policy.save()
        audit_record(
            actor=actor,
            verb="policy.proposed",
            target=policy,
            payload={
                "kind": kind,
                "proposed_from": effective_from.isoformat() if effective_from else None,
                "previous": {"id": base.pk, "kind": base.kind},
                "parameters": {name: _jsonable(getattr(policy, name)) for name in POLICY_PARAMETERS},
                "reason": policy.reason,
            },
        )
    return policy


def policy_approve(*, actor: Actor | None, policy: Policy) -> Policy:
    """A second policy administrator puts a proposal in force from its instant (now if that has passed). A new
    Tier 2 period gets its allocations in the same transaction."""
    with transaction.atomic():
        policy = Policy.objects.select_for_update().get(pk=policy.pk)
        transition = POLICY.check("approve", policy.status, actor)
        if actor is not SYSTEM and policy.set_by_id == actor.pk:
            raise OwnProposal(
                "You proposed this policy: another policy administrator must approve it. You may withdraw it instead.",
            )
        now = timezone.now()
        effective_from = max(policy.proposed_from, now) if policy.proposed_from else now
        if approved_policies().filter(effective_from=effective_from).exists():
            raise InstantTaken(
                f"Another approved policy takes effect at {effective_from.isoformat()}: withdraw this proposal "
                "and propose another instant."
            )
        policy.status, policy.effective_from = transition.target, effective_from
        policy.approved_by, policy.approved_at = actor, now
        policy.save(update_fields=["status", "effective_from", "approved_by", "approved_at"])
        tier_allocations_sync(actor=actor, policy=policy)
        audit_record(
            actor=actor,
            verb="policy.approved",
            target=policy,
            payload={
                "kind": policy.kind,
                "proposed_by": policy.set_by_id,
                "proposed_from": policy.proposed_from.isoformat() if policy.proposed_from else None,
                "effective_from": effective_from.isoformat(),
                "approved_at": now.isoformat(),
            },
        )
    return policy


def policy_withdraw(*, actor: Actor | None, policy: Policy, reason: str = "") -> Policy:
    """Withdraw a proposal that is still awaiting approval (its proposer or another policy administrator)."""
    with transaction.atomic():
        policy = Policy.objects.select_for_update().get(pk=policy.pk)
        transition = POLICY.check("withdraw", policy.status, actor, reason=reason)
        policy.status, policy.withdrawn_by, policy.withdrawn_at = transition.target, actor, timezone.now()
        policy.save(update_fields=["status", "withdrawn_by", "withdrawn_at"])
        audit_record(
            actor=actor,
            verb="policy.withdrawn",
            target=policy,
            payload={"kind": policy.kind, "proposed_by": policy.set_by_id, "reason": (reason or "").strip()},
        )
    return policy


def _jsonable(value: Any) -> Any:
    return value if isinstance(value, int | list | str) else str(value)


def tier_membership_set(
    *, actor: Actor | None, country: Country, tier: int, effective_from: datetime.date, source: str
) -> TierMembership:
    """Record a country's tier from a date on (corrections to the D:5 list are data, kept with their source)."""
    authorize(actor, SET_TIER, action="record a country's tier")
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
