"""Reads of what licences owe (SPEC § 2 Obligation): scoped listings with their submissions, overdue as computed
from the due date and the status, and the staff queue "Overdue obligations"."""

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db.models import BooleanField, Case, Count, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from agreements.deal_selectors import ObligationCounts, RevenueShareTotals
from agreements.models import Agreement
from licensing.choices import LevyBasis, ObligationKind, ObligationStatus, ProposalStatus
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


SUBMISSIONS = ObligationSubmission.objects.select_related("submitted_by").order_by("id")


def obligations_for_listing(user: Actor) -> QuerySet[Obligation]:
    return with_overdue(
        Obligation.objects.restrict(user, "view")
        .select_related("licence", "shipment", "decided_by")
        .prefetch_related(
            Prefetch(
                "submissions", queryset=ObligationSubmission.objects.select_related("submitted_by").order_by("id")
            ),
            "submissions__documents__uploaded_by",
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


# A deal's performance (agreements.deal_selectors carries these): what the licences drawing on its allotments owe


def _deal_obligations(agreement: Agreement) -> QuerySet[Obligation]:
    return Obligation.objects.filter(licence__allotment__agreement=agreement)


def deal_obligation_counts(agreement: Agreement, today: datetime.date | None = None) -> list[ObligationCounts]:
    """One row per obligation kind (every kind, zeros included): open (or rejected), submitted, overdue, accepted
    — over the licences drawing on the agreement's allotments. One query."""
    today = today or timezone.localdate()
    owed_again = Q(status__in=[ObligationStatus.OPEN, ObligationStatus.REJECTED])
    overdue = Q(due_on__lt=today) & ~Q(status=ObligationStatus.ACCEPTED)
    rows: dict[str, Mapping[str, Any]] = {
        row["kind"]: row
        for row in _deal_obligations(agreement)
        .values("kind")
        .annotate(
            open=Count("id", filter=owed_again),
            submitted=Count("id", filter=Q(status=ObligationStatus.SUBMITTED)),
            overdue=Count("id", filter=overdue),
            accepted=Count("id", filter=Q(status=ObligationStatus.ACCEPTED)),
        )
        .order_by()
    }
    none = {"open": 0, "submitted": 0, "overdue": 0, "accepted": 0}
    return [
        ObligationCounts(
            kind=kind.value,
            label=str(kind.label),
            open=rows.get(kind, none)["open"],
            submitted=rows.get(kind, none)["submitted"],
            overdue=rows.get(kind, none)["overdue"],
            accepted=rows.get(kind, none)["accepted"],
        )
        for kind in ObligationKind
    ]


def deal_revenue_share(agreement: Agreement) -> RevenueShareTotals:
    """The revenue share (basis `revenue_share`, not a programme's duty) owed on the shipments under the
    agreement's licences; paid = the payment of each obligation's latest submission while it is submitted or
    accepted (a rejected payment does not count); outstanding per obligation, never below 0. Two queries."""
    owed = paid = outstanding = Decimal("0.00")
    obligations = (
        _deal_obligations(agreement)
        .filter(kind=ObligationKind.REVENUE_SHARE, basis=LevyBasis.REVENUE_SHARE)
        .prefetch_related(Prefetch("submissions", queryset=ObligationSubmission.objects.order_by("id")))
    )
    for obligation in obligations:
        amount = obligation.amount_usd or Decimal("0.00")
        submissions = list(obligation.submissions.all())
        counted = obligation.status in (ObligationStatus.SUBMITTED, ObligationStatus.ACCEPTED) and submissions
        payment = (submissions[-1].amount_paid_usd or Decimal("0.00")) if counted else Decimal("0.00")
        owed, paid = owed + amount, paid + payment
        outstanding += max(amount - payment, Decimal("0.00"))
    return RevenueShareTotals(owed_usd=owed, paid_usd=paid, outstanding_usd=outstanding)
