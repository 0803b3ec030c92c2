"""Agreements: creating and editing them while negotiating, amending their terms afterwards, and moving them
through their lifecycle (every status change goes through `_transition`, which takes the table's target)."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agreements.choices import TERMS_EDITABLE_STATUSES, AgreementStatus
from agreements.errors import TermsLocked
from agreements.models import Agreement, AgreementStatusChange, Country, TermsVersion
from agreements.selectors import current_terms, terms_in_force
from agreements.services._permit import NEGOTIATE, authorize
from agreements.services.allotments import sync_agreement_allotments
from agreements.services.terms import rewrite_terms, schedule_of, terms_snapshot, terms_values, write_terms
from agreements.workflow import AGREEMENT, AMENDABLE_STATUSES
from portal.permissions import Actor
from portal.services import audit_record

AGREEMENT_FIELDS = ("title", "reference", "valid_from", "valid_until", "signed_on", "lead_negotiator")


def _record_status(
    agreement: Agreement,
    *,
    from_status: str,
    actor: Actor | None,
    reason: str = "",
    at: datetime.datetime,
    recorded_at: datetime.datetime,
) -> None:
    AgreementStatusChange.objects.create(
        agreement=agreement,
        from_status=from_status,
        to_status=agreement.status,
        at=at,
        recorded_at=recorded_at,
        actor=actor,
        reason=reason,
    )


def _effective_instant(
    agreement: Agreement, effective_at: datetime.datetime | None, now: datetime.datetime
) -> datetime.datetime:
    """When a status change takes effect: now by default; a past instant, but never in the future nor before the
    agreement's previous status change (its creation as a draft does not count)."""
    if effective_at is None:
        return now
    if effective_at > now:
        raise ValidationError({"effective_at": "A status change is recorded once it has happened: not in the future."})
    previous = agreement.status_changes.exclude(from_status="").order_by("-id").first()
    if previous is not None and effective_at < previous.at:
        raise ValidationError(
            {
                "effective_at": f"The previous status change ({previous.from_status} → {previous.to_status}) took "
                f"effect at {previous.at.isoformat()}: this one cannot take effect before it."
            }
        )
    return effective_at


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
    authorize(actor, NEGOTIATE, action="create an agreement")
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
        now = timezone.now()
        _record_status(agreement, from_status="", actor=actor, reason="Created", at=now, recorded_at=now)
        version = write_terms(
            agreement=agreement,
            version=1,
            effective_from=valid_from,
            values=terms_values(None, terms),
            periods=terms.get("allotments", []),
            actor=actor,
            milestones=terms.get("investment_milestones"),
        )
        audit_record(
            actor=actor,
            verb="agreement.created",
            target=agreement,
            payload={"country": country.pk, "reference": agreement.reference, "terms": terms_snapshot(version)},
        )
    return agreement


def agreement_update(
    *, actor: Actor | None, agreement: Agreement, terms: dict[str, Any] | None = None, **changes: Any
) -> Agreement:
    """Change an agreement and its terms in place: only while it is a draft or under negotiation."""
    authorize(actor, NEGOTIATE, action="change an agreement")
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
            payload["before"] = terms_snapshot(current)
            payload["after"] = terms_snapshot(
                rewrite_terms(current, terms, effective_from=agreement.valid_from, actor=actor)
            )
        audit_record(actor=actor, verb="agreement.changed", target=agreement, payload=payload)
    return agreement


def _transition(
    name: str,
    *,
    actor: Actor | None,
    agreement: Agreement,
    reason: str = "",
    effective_at: datetime.datetime | None = None,
    **changes: Any,
) -> Agreement:
    """The one way an agreement's status changes: the table checks state and permission and gives the target.
    The change takes effect at `effective_at` (default now; may lie in the past, SPEC § 5.1 "Backdating")."""
    with transaction.atomic():
        agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
        transition = AGREEMENT.check(name, agreement.status, actor, reason=reason)
        now = timezone.now()
        at = _effective_instant(agreement, effective_at, now)
        from_status = agreement.status
        agreement.status = transition.target
        for field, value in changes.items():
            setattr(agreement, field, value)
        agreement.save()
        _record_status(agreement, from_status=from_status, actor=actor, reason=reason, at=at, recorded_at=now)
        audit_record(
            actor=actor,
            verb=f"agreement.{transition.target}",
            target=agreement,
            payload={
                "from": from_status,
                "to": agreement.status,
                "reason": reason,
                "effective_at": at.isoformat(),
                "recorded_at": now.isoformat(),
            },
        )
        if transition.target == AgreementStatus.IN_FORCE:
            sync_agreement_allotments(agreement, terms_in_force(agreement, timezone.localdate()), actor=actor)
    return agreement


def agreement_start_negotiation(
    *, actor: Actor | None, agreement: Agreement, reason: str = "", effective_at: datetime.datetime | None = None
) -> Agreement:
    return _transition("start_negotiation", actor=actor, agreement=agreement, reason=reason, effective_at=effective_at)


def agreement_sign(
    *,
    actor: Actor | None,
    agreement: Agreement,
    reason: str = "",
    signed_on: datetime.date | None = None,
    effective_at: datetime.datetime | None = None,
) -> Agreement:
    """Signed on `signed_on` (default: the day the signature takes effect, `effective_at`, or today)."""
    if signed_on is not None and signed_on > timezone.localdate():
        raise ValidationError({"signed_on": "An agreement is recorded as signed once it has been: not in the future."})
    signed_on = signed_on or (timezone.localdate(effective_at) if effective_at else timezone.localdate())
    return _transition(
        "sign", actor=actor, agreement=agreement, reason=reason, effective_at=effective_at, signed_on=signed_on
    )


def agreement_enter_into_force(
    *, actor: Actor | None, agreement: Agreement, reason: str = "", effective_at: datetime.datetime | None = None
) -> Agreement:
    return _transition("enter_into_force", actor=actor, agreement=agreement, reason=reason, effective_at=effective_at)


def agreement_suspend(
    *, actor: Actor | None, agreement: Agreement, reason: str = "", effective_at: datetime.datetime | None = None
) -> Agreement:
    return _transition("suspend", actor=actor, agreement=agreement, reason=reason, effective_at=effective_at)


def agreement_resume(
    *, actor: Actor | None, agreement: Agreement, reason: str = "", effective_at: datetime.datetime | None = None
) -> Agreement:
    return _transition("resume", actor=actor, agreement=agreement, reason=reason, effective_at=effective_at)


def agreement_terminate(
    *, actor: Actor | None, agreement: Agreement, reason: str = "", effective_at: datetime.datetime | None = None
) -> Agreement:
    return _transition("terminate", actor=actor, agreement=agreement, reason=reason, effective_at=effective_at)


def agreement_expire(
    *, actor: Actor | None, agreement: Agreement, reason: str = "", effective_at: datetime.datetime | None = None
) -> Agreement:
    return _transition("expire", actor=actor, agreement=agreement, reason=reason, effective_at=effective_at)


def agreements_expire_due(*, actor: Actor | None, today: datetime.date | None = None) -> list[str]:
    """Move signed, in-force or suspended agreements whose last valid day is before `today` to expired, through
    the table's `expire` transition (idempotent). An agreement is still in force on its last valid day."""
    authorize(actor, NEGOTIATE, action="expire agreements")
    today = today or timezone.localdate()
    due = Agreement.objects.filter(status__in=AGREEMENT.get("expire").sources, valid_until__lt=today).values_list(
        "pk", flat=True
    )
    return [
        agreement_expire(actor=actor, agreement=Agreement(pk=pk), reason=f"Validity ended before {today}").reference
        for pk in due
    ]


def amendment_create(
    *,
    actor: Actor | None,
    agreement: Agreement,
    effective_from: datetime.date,
    reason: str,
    terms: dict[str, Any],
) -> TermsVersion:
    """A new terms version of a signed or in-force agreement; fields not given carry over from the newest."""
    authorize(actor, NEGOTIATE, action="amend an agreement")
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
        amendment = write_terms(
            agreement=agreement,
            version=latest.version + 1,
            effective_from=effective_from,
            values=terms_values(latest, terms),
            periods=schedule_of(latest) if periods is None else periods,
            actor=actor,
            reason=reason.strip(),
            milestones=terms.get("investment_milestones"),
        )
        audit_record(
            actor=actor,
            verb="agreement.amended",
            target=agreement,
            payload={"reason": reason.strip(), "before": terms_snapshot(latest), "after": terms_snapshot(amendment)},
        )
        if agreement.status == AgreementStatus.IN_FORCE and effective_from <= timezone.localdate():
            sync_agreement_allotments(agreement, amendment, actor=actor)
    return amendment
