"""What a licence owes after it is issued (SPEC § 2 "Obligation", § 4 "Obligations"): periodic reports on the
terms' cadence, evidence and a revenue share or duty per shipment; what the exporter submitted against each; and
the proposals to suspend a licence whose obligations are overdue past the grace days. Imported by
licensing.models, so Django registers them with the app."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q

from licensing.choices import LevyBasis, ObligationKind, ObligationStatus, ProposalStatus
from portal.scoping import RestrictedQuerySet, Scope


class ObligationQuerySet(RestrictedQuerySet["Obligation"]):
    def overdue(self, today: datetime.date, *, grace_days: int = 0) -> "ObligationQuerySet":
        """Past due (by more than `grace_days`) and not accepted."""
        return self.filter(due_on__lt=today - datetime.timedelta(days=grace_days)).exclude(
            status=ObligationStatus.ACCEPTED
        )


class Obligation(models.Model):
    licence = models.ForeignKey("licensing.Licence", on_delete=models.PROTECT, related_name="obligation_set")
    kind = models.CharField(max_length=20, choices=ObligationKind.choices)
    basis = models.CharField(
        max_length=16, choices=LevyBasis.choices, blank=True, help_text="What a revenue share is owed on."
    )
    percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    shipment = models.ForeignKey(
        "licensing.Shipment", null=True, blank=True, on_delete=models.PROTECT, related_name="obligations"
    )
    amount_usd = models.DecimalField(
        max_digits=16, decimal_places=2, null=True, blank=True, help_text="Empty when not monetary."
    )
    due_on = models.DateField()
    period_start = models.DateField(null=True, blank=True, help_text="The period a report covers.")
    period_end = models.DateField(null=True, blank=True)
    description = models.TextField()
    source = models.CharField(max_length=200, blank=True, help_text="The terms or programme that imposes it.")
    status = models.CharField(max_length=10, choices=ObligationStatus.choices, default=ObligationStatus.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True, help_text="Why it was rejected (or notes on acceptance).")
    created_at = models.DateTimeField()
    due_notified_at = models.DateTimeField(
        null=True, blank=True, help_text="When the exporter was told it falls due (the daily job, once)."
    )
    overdue_notified_at = models.DateTimeField(
        null=True, blank=True, help_text="When the exporter was told it is overdue (the daily job, once)."
    )

    scope = Scope(organisation="licence__organisation", owner_permission="licensing.submit_obligation")
    objects = ObligationQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        permissions = [
            ("submit_obligation", "Can submit reports, evidence and payments for their organisation's licences"),
            ("review_obligation", "Can accept or reject what an exporter submitted against an obligation"),
        ]
        indexes = [
            models.Index(fields=["licence", "due_on"], name="obligation_licence_due_idx"),
            models.Index(fields=["status", "due_on"], name="obligation_status_due_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                name="obligation_amount_not_negative",
                condition=Q(amount_usd__isnull=True) | Q(amount_usd__gte=0),
            ),
            models.CheckConstraint(
                name="obligation_revenue_share_has_basis",
                condition=~Q(kind="revenue_share") | (~Q(basis="") & Q(amount_usd__isnull=False)),
                violation_error_message="A revenue share states its basis and the amount owed.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.licence}: {self.get_kind_display()} due {self.due_on}"

    def is_overdue(self, today: datetime.date) -> bool:
        return self.due_on < today and self.status != ObligationStatus.ACCEPTED


class ObligationSubmission(models.Model):
    """One thing the exporter submitted against an obligation: a report, evidence, or a payment, with the documents
    uploaded with it (a Document's `obligation_submission` parent), never changed afterwards."""

    obligation = models.ForeignKey(Obligation, on_delete=models.PROTECT, related_name="submissions")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField()
    text = models.TextField(blank=True)
    reference = models.CharField(max_length=200, blank=True)
    amount_paid_usd = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)

    scope = Scope(organisation="obligation__licence__organisation", owner_permission="licensing.submit_obligation")
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["obligation", "submitted_at", "id"]
        constraints = [
            models.CheckConstraint(
                name="submission_paid_not_negative",
                condition=Q(amount_paid_usd__isnull=True) | Q(amount_paid_usd__gt=0),
            )
        ]

    def __str__(self) -> str:
        return f"{self.obligation}: submitted {self.submitted_at:%Y-%m-%d}"


class SuspensionProposal(models.Model):
    """The staff queue "Overdue obligations": a licence with an obligation overdue past the grace days, proposed
    for suspension; an approving official confirms (the licence is suspended) or dismisses it with a reason."""

    licence = models.ForeignKey("licensing.Licence", on_delete=models.PROTECT, related_name="suspension_proposals")
    obligation = models.ForeignKey(Obligation, on_delete=models.PROTECT, related_name="suspension_proposals")
    status = models.CharField(max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.OPEN)
    raised_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)

    scope = Scope()
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["raised_at", "id"]
        verbose_name = "overdue obligation"
        verbose_name_plural = "overdue obligations"
        constraints = [
            models.UniqueConstraint(
                fields=["licence"], condition=Q(status="open"), name="one_open_suspension_proposal_per_licence"
            ),
            models.UniqueConstraint(fields=["obligation"], name="one_suspension_proposal_per_obligation"),
        ]

    def __str__(self) -> str:
        return f"Suspend {self.licence}? ({self.obligation.get_kind_display()} due {self.obligation.due_on})"
