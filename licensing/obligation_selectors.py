"""Reads of what licences owe (SPEC § 2 Obligation): scoped listings with their submissions, overdue as computed
from the due date and the status, and the staff queue "Overdue obligations"."""

import datetime

from django.db.models import BooleanField, Case, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from licensing.choices import ObligationKind, ObligationStatus, ProposalStatus
from licensing.models import Obligation, ObligationSubmission, Shipment, SuspensionProposal
from portal.permissions import Actor


def with_overdue(obligations: QuerySet[Obligation], today: datetime.date | None = None) -> QuerySet[Obligation]:
    """Annotate `is_overdue_now`: past due and not accepted."""
    today = today or timezone.localdate()
    return obligations.annotate(
        is_overdue_now=Case(
            When(Q(due_on__lt=today) & ~Q(status=ObligationStatus.ACCEPTED), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def obligations_for_listing(user: Actor) -> QuerySet[Obligation]:
    return with_overdue(
        Obligation.objects.restrict(user, "view")
        .select_related("licence", "shipment", "decided_by")
        .prefetch_related(
            Prefetch("submissions", queryset=ObligationSubmission.objects.select_related("submitted_by").order_by("id"))
        )
    )


def shipment_status(shipment: Shipment) -> str:
    """`pending_evidence` until the programme's evidence for the shipment is accepted; `recorded` otherwise. Reads
    the shipment's obligations, which `licences_for_listing` prefetches."""
    for obligation in shipment.obligations.all():
        if obligation.kind == ObligationKind.SHIPMENT_EVIDENCE and obligation.status != ObligationStatus.ACCEPTED:
            return "pending_evidence"
    return "recorded"


def overdue_queue() -> QuerySet[SuspensionProposal]:
    """The open proposals to suspend, oldest first."""
    return SuspensionProposal.objects.filter(status=ProposalStatus.OPEN).select_related(
        "licence__organisation", "obligation"
    )
