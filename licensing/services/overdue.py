"""The staff queue "Overdue obligations" (SPEC § 4 "Obligations"): a licence with an obligation overdue by more
than the grace days is proposed for suspension (the daily job `daily_obligations`: the `mark_overdue_obligations`
command, or the task of that name); an approving official confirms the proposal (the licence is suspended, through
the licence suspend service) or dismisses it with a reason. The same job tells the exporter's organisation when an
obligation falls due and when it is overdue (once each), and marks overdue investment milestones."""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from agreements import selectors as agreements_selectors
from agreements.models import InvestmentMilestone
from agreements.services import deals
from licensing import notices
from licensing.choices import LicenceStatus, ObligationStatus, ProposalStatus
from licensing.models import Licence, Obligation, SuspensionProposal
from licensing.services.licences import licence_suspend
from licensing.services.status import changing_status
from portal.permissions import Actor
from portal.services import audit_record


def proposals_raise(*, today: datetime.date | None = None) -> list[SuspensionProposal]:
    """One proposal per active licence with an obligation overdue past the grace days, unless the licence already
    has an open one or that obligation was proposed before (a dismissal stands). Idempotent: a second run the same
    day raises nothing."""
    today = today or timezone.localdate()
    grace = agreements_selectors.policy_in_force().grace_days
    overdue = (
        Obligation.objects.overdue(today, grace_days=grace)
        .filter(licence__status=LicenceStatus.ACTIVE, suspension_proposals__isnull=True)
        .exclude(licence__suspension_proposals__status=ProposalStatus.OPEN)
        .order_by("licence_id", "due_on", "id")
    )
    raised = []
    seen: set[int] = set()
    for obligation in overdue:
        if obligation.licence_id in seen:
            continue
        seen.add(obligation.licence_id)
        try:
            with transaction.atomic():
                proposal = SuspensionProposal.objects.create(
                    licence_id=obligation.licence_id, obligation=obligation, raised_at=timezone.now()
                )
                audit_record(
                    actor=None,
                    verb="suspension_proposal.raised",
                    target=proposal,
                    payload={"licence": obligation.licence_id, "obligation": obligation.pk, "grace_days": grace},
                )
                notices.tell_suspension_proposed(proposal)
        except IntegrityError:  # a concurrent run raised it first: the constraints keep one
            continue
        raised.append(proposal)
    return raised


OWED = (ObligationStatus.OPEN, ObligationStatus.REJECTED)  # the exporter has something to do


def _claim(obligation: Obligation, field: str, now: datetime.datetime) -> bool:
    """Mark the notice sent, unless another run did: exactly one run tells the exporter."""
    return bool(Obligation.objects.filter(pk=obligation.pk, **{f"{field}__isnull": True}).update(**{field: now}))


def obligations_notify_due(*, today: datetime.date | None = None) -> list[Obligation]:
    """Tell the organisation of each obligation that falls due today, still owed, once (inbox and e-mail)."""
    today = today or timezone.localdate()
    due = Obligation.objects.filter(due_on=today, status__in=OWED, due_notified_at__isnull=True)
    told = []
    for obligation in due.select_related("licence").order_by("id"):
        with transaction.atomic():
            if _claim(obligation, "due_notified_at", timezone.now()):
                notices.tell_obligation_falls_due(obligation)
                told.append(obligation)
    return told


def obligations_notify_overdue(*, today: datetime.date | None = None) -> list[Obligation]:
    """Tell the organisation of each obligation past due and still owed, once (inbox and e-mail)."""
    today = today or timezone.localdate()
    grace = agreements_selectors.policy_in_force().grace_days
    overdue = Obligation.objects.filter(due_on__lt=today, status__in=OWED, overdue_notified_at__isnull=True)
    told = []
    for obligation in overdue.select_related("licence").order_by("id"):
        with transaction.atomic():
            if _claim(obligation, "overdue_notified_at", timezone.now()):
                notices.tell_obligation_overdue(obligation, grace)
                told.append(obligation)
    return told


@dataclass(frozen=True)
class DailyRun:
    due: list[Obligation]
    overdue: list[Obligation]
    proposals: list[SuspensionProposal]
    milestones: list[InvestmentMilestone]


def daily_obligations(*, today: datetime.date | None = None) -> DailyRun:
    """The daily job: notices of obligations falling due and overdue, proposals to suspend licences overdue past
    the grace days, overdue investment milestones marked. Idempotent: a second run the same day does nothing."""
    today = today or timezone.localdate()
    return DailyRun(
        due=obligations_notify_due(today=today),
        overdue=obligations_notify_overdue(today=today),
        proposals=proposals_raise(today=today),
        milestones=deals.milestones_mark_overdue(today=today),
    )


def _lock_proposal(actor: Actor, proposal_id: int) -> SuspensionProposal:
    return (
        SuspensionProposal.objects.restrict(actor, "view")
        .select_for_update(of=("self",))
        .select_related("licence", "obligation")
        .get(pk=proposal_id)
    )


def proposal_confirm(*, actor: Actor, proposal: SuspensionProposal, reason: str = "") -> SuspensionProposal:
    """Suspend the licence the proposal names, for its overdue obligation."""
    with transaction.atomic():
        proposal = _lock_proposal(actor, proposal.pk)
        obligation = proposal.obligation
        why = reason.strip() or (
            f"Obligation {obligation.pk} ({obligation.get_kind_display().lower()}, due {obligation.due_on}) "
            "is overdue past the grace days."
        )
        with changing_status(proposal, "confirm", actor=actor, payload={"reason": why}):
            licence_suspend(actor=actor, licence=Licence(pk=proposal.licence_id), reason=why)
            proposal.decided_by, proposal.decided_at, proposal.reason = actor, timezone.now(), why
    return proposal


def proposal_dismiss(*, actor: Actor, proposal: SuspensionProposal, reason: str) -> SuspensionProposal:
    with transaction.atomic():
        proposal = _lock_proposal(actor, proposal.pk)
        with changing_status(proposal, "dismiss", actor=actor, reason=reason, payload={"reason": reason.strip()}):
            proposal.decided_by, proposal.decided_at, proposal.reason = actor, timezone.now(), reason.strip()
    return proposal
