"""The binding parts of negotiated terms (SPEC § 2 "Terms v2"): party caps inside an allotment period and
investment milestones. Imported by agreements.models, so Django sees them as the app's models."""

from django.conf import settings
from django.db import models

from portal.reference_stamp import StampedQuerySet
from portal.scoping import RestrictedQuerySet, Scope


class TermsPartyCap(models.Model):
    """A named party's share of a terms period's capacity, as absolute TPP (e.g. G42's 20 % of the UAE's)."""

    period = models.ForeignKey("agreements.TermsPeriod", on_delete=models.CASCADE, related_name="party_caps")
    party = models.ForeignKey("agreements.Party", on_delete=models.PROTECT, related_name="+")
    capacity_tpp = models.BigIntegerField()

    class Meta:
        ordering = ["period", "party__name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(capacity_tpp__gt=0), name="terms_party_cap_positive"),
            models.UniqueConstraint(fields=["period", "party"], name="one_terms_cap_per_party_period"),
        ]

    def __str__(self) -> str:
        return f"{self.party.name}: {self.capacity_tpp:,} TPP"


class AllotmentPartyCap(models.Model):
    """A party cap as it binds an allotment: synced from the terms version the allotment follows, so the
    reservation draws on it under the allotment's own row lock. `committed_tpp` is what the party's draws hold of
    it — the ledger's sum for the party (and parties merged into it), kept in step by the draws and releases, the
    terms syncs that re-create caps and the party merges, so a draw checks the cap in one conditional UPDATE."""

    allotment = models.ForeignKey("agreements.Allotment", on_delete=models.CASCADE, related_name="party_caps")
    party = models.ForeignKey("agreements.Party", on_delete=models.PROTECT, related_name="+")
    capacity_tpp = models.BigIntegerField()
    committed_tpp = models.BigIntegerField(
        default=0, help_text="What the party's draws hold of the cap (reserve − release): the ledger's sum, kept."
    )

    scope = Scope()  # holders of view_allotmentpartycap (staff, negotiators) see all; nobody else any
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["allotment", "party__name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(capacity_tpp__gte=0), name="allotment_party_cap_gte_0"),
            models.UniqueConstraint(fields=["allotment", "party"], name="one_allotment_cap_per_party"),
        ]

    def __str__(self) -> str:
        return f"{self.party.name}: {self.capacity_tpp:,} TPP"


class LedgerEntryParty(models.Model):
    """A party a ledger draw was for (its ultimate consignee and every end user): what a party's committed draws
    are counted from. Written with its ledger row, never changed (a merge is followed by reading, not moving)."""

    entry = models.ForeignKey("agreements.LedgerEntry", on_delete=models.PROTECT, related_name="parties")
    party = models.ForeignKey("agreements.Party", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entry", "party"], name="one_ledger_party_per_entry")]
        indexes = [models.Index(fields=["party", "entry"], name="ledger_party_idx")]

    def __str__(self) -> str:
        return f"{self.entry_id} for party {self.party_id}"


class InvestmentMilestone(models.Model):
    """A reciprocal-investment milestone of an agreement (SPEC § 4): recorded by the terms version that set it;
    negotiators record delivered and verified amounts or waive it with a reason. Past due and neither fully
    verified nor waived, it turns the agreement's new draws to denial (rule terms.investment_overdue)."""

    agreement = models.ForeignKey("agreements.Agreement", on_delete=models.PROTECT, related_name="milestones")
    terms = models.ForeignKey("agreements.TermsVersion", on_delete=models.PROTECT, related_name="milestones")
    description = models.CharField(max_length=300)
    amount_usd = models.DecimalField(max_digits=16, decimal_places=2)
    due_on = models.DateField()
    us_site = models.CharField("US site", max_length=200, blank=True)
    delivered_usd = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    verified_usd = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    verified_at = models.DateTimeField(
        null=True, blank=True, help_text="When the verified amount first reached the milestone's amount."
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    waived_at = models.DateTimeField(null=True, blank=True)
    waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    waiver_reason = models.TextField(blank=True)
    overdue_marked_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the daily job found it overdue and told the negotiators (once; draws are denied from its "
        "due date whether or not the job has run).",
    )

    scope = Scope()  # holders of view_investmentmilestone (staff, negotiators) see all; nobody else any
    objects = StampedQuerySet.as_manager()  # kept by licensing.reference_facts: bulk writes replace the stamp too

    class Meta:
        ordering = ["agreement", "due_on", "id"]
        indexes = [models.Index(fields=["agreement", "due_on"], name="milestone_agreement_due_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_usd__gt=0), name="milestone_amount_positive"),
            models.CheckConstraint(condition=models.Q(delivered_usd__gte=0), name="milestone_delivered_gte_0"),
            models.CheckConstraint(
                condition=models.Q(verified_usd__gte=0, verified_usd__lte=models.F("delivered_usd")),
                name="milestone_verified_within_delivered",
                violation_error_message="The verified amount cannot exceed what was delivered.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.description} (due {self.due_on})"
