import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from agreements.choices import EndUseCategory
from agreements.models import Allotment, Country, Party
from agreements.units import h100e
from licensing import classification
from licensing.choices import (
    PENDING_APPLICATION_STATUSES,
    ApplicationStatus,
    Eccn,
    LicenceStatus,
    PartyRole,
    ProductKind,
    Recommendation,
    RecommendationKind,
)
from portal.models import Agency, Organisation
from portal.reference_stamp import StampedQuerySet
from portal.scoping import RestrictedQuerySet, Scope


class Product(models.Model):
    """A catalogue entry: a chip with its attested TPP, or a system holding a number of one chip."""

    kind = models.CharField(max_length=10, choices=ProductKind.choices)
    vendor = models.CharField(max_length=100)
    name = models.CharField(max_length=200)
    chip_tpp = models.PositiveIntegerField(null=True, blank=True, help_text="Chips only: attested TPP.")
    die_area_mm2 = models.DecimalField(
        max_digits=8, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(Decimal("0.01"))]
    )
    chip = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="systems",
        limit_choices_to={"kind": "chip"},
    )
    chips_per_system = models.PositiveIntegerField(null=True, blank=True)
    dram_bandwidth_gbps = models.PositiveIntegerField(
        "DRAM bandwidth (GB/s)", null=True, blank=True, help_text="Chips only (systems take their chip's)."
    )
    source = models.TextField(blank=True, help_text="Where the TPP, die area and bandwidth come from.")
    is_active = models.BooleanField(default=True)

    objects = StampedQuerySet.as_manager()  # bulk writes replace the reference stamp too

    class Meta:
        ordering = ["vendor", "name"]
        constraints = [
            models.UniqueConstraint(fields=["vendor", "name"], name="product_unique_vendor_name"),
            models.CheckConstraint(
                name="product_chip_or_system_shape",
                condition=(
                    models.Q(kind="chip", chip_tpp__isnull=False, chip_tpp__gt=0, chip__isnull=True)
                    & models.Q(chips_per_system__isnull=True)
                    | models.Q(kind="system", chip_tpp__isnull=True, chip__isnull=False)
                    & models.Q(chips_per_system__isnull=False, chips_per_system__gt=0)
                ),
                violation_error_message="A chip has its own TPP and no chip count; a system names its chip "
                "and how many it holds, and has no TPP of its own.",
            ),
            models.CheckConstraint(
                name="product_bandwidth_chips_only",
                condition=models.Q(kind="chip") | models.Q(dram_bandwidth_gbps__isnull=True),
                violation_error_message="A system takes its chip's DRAM bandwidth and has none of its own.",
            ),
        ]
        permissions = [("maintain_catalogue", "Can maintain the chip catalogue")]

    def __str__(self) -> str:
        return f"{self.vendor} {self.name}"

    @property
    def tpp(self) -> int:
        if self.kind == ProductKind.SYSTEM:
            return self.chips_per_system * self.chip.chip_tpp
        return self.chip_tpp

    @property
    def performance_density(self) -> Decimal | None:
        if self.kind == ProductKind.SYSTEM:
            return self.chip.performance_density
        return classification.performance_density(self.chip_tpp, self.die_area_mm2)

    @property
    def effective_dram_bandwidth_gbps(self) -> int | None:
        """A chip's own DRAM bandwidth; a system's is its chip's."""
        if self.kind == ProductKind.SYSTEM:
            return self.chip.dram_bandwidth_gbps
        return self.dram_bandwidth_gbps

    @property
    def eccn(self) -> Eccn:
        if self.kind == ProductKind.SYSTEM:
            return classification.system_eccn(self.chip.eccn)
        return classification.chip_eccn(self.chip_tpp, self.die_area_mm2)

    @property
    def is_controlled(self) -> bool:
        """Unclassified counts as controlled until classified (it is refused before any determination)."""
        return self.eccn != Eccn.NOT_CONTROLLED

    @property
    def h100e(self) -> Decimal:
        return h100e(self.tpp)


class NumberSequence(models.Model):
    """A named counter for Application Control Numbers and licence numbers: incremented under a row lock,
    so concurrent submissions never share a number and an issued number is never reused."""

    name = models.CharField(max_length=20, primary_key=True)
    value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}: {self.value}"


class Application(models.Model):
    """A licence application in the shape of form BIS-748P."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="applications")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT)
    # Submitted and not yet decided (PENDING_APPLICATION_STATUSES), kept by the database. The staff queue filters on
    # it rather than on the statuses: the plan PostgreSQL keeps for a statement a connection has prepared is made
    # without the parameters' values, so it can use an index on this column but never one "where status in (…)".
    is_open = models.GeneratedField(
        expression=models.Q(status__in=sorted(status.value for status in PENDING_APPLICATION_STATUSES)),
        output_field=models.BooleanField(),
        db_persist=True,
    )
    name = models.CharField(
        max_length=120, blank=True, help_text="The exporter's own name for the application (optional)."
    )
    acn = models.CharField("application control number", max_length=7, unique=True, null=True, blank=True)
    destination = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+")
    export_from = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="+", default="US", help_text="Where the items leave from."
    )
    end_use_category = models.CharField(max_length=24, choices=EndUseCategory.choices)
    end_use = models.TextField("specific end use")
    # Frozen on submission.
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    determination = models.JSONField(null=True, blank=True)
    requested_tpp = models.BigIntegerField(default=0)
    allotment = models.ForeignKey(Allotment, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    programme_version = models.ForeignKey(
        "licensing.ProgrammeVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
        help_text="The licence-review programme its determination applied at submission.",
    )
    consignee_key = models.CharField(max_length=200, blank=True, help_text="Normalised ultimate consignee.")
    # The 90-day clock: due 90 days after registration, pushed back by time spent waiting for the exporter.
    due_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    # Internal to the agency: never shown to exporters.
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recommendation = models.CharField(max_length=24, choices=Recommendation.choices, blank=True)
    recommended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recommendation_rationale = models.TextField(blank=True)
    recommended_quantities = models.JSONField(
        default=dict,
        blank=True,
        help_text="The officer's proposed quantity per line (product id → units); empty: as requested.",
    )
    recommended_conditions = models.JSONField(
        default=list, blank=True, help_text="Conditions the officer proposes (offered to the approver)."
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True, help_text="Denial or return reason, told to the exporter.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Staff see every sent case (a draft is the exporter's own until sent), agency reviewers what was referred
    # to their agency, exporters their organisation's, drafts included.
    scope = Scope(
        insiders=~models.Q(status=ApplicationStatus.DRAFT),
        organisation="organisation",
        owner_permission="licensing.file_application",
        agency="referrals__agency",
        agency_permission="licensing.review_referral",
    )
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        # Its lines, parties, referrals and the rest order by "-application_id": the order "application" would give
        # (this ordering), read from their own column. "application" would join this table into every such query.
        ordering = ["-id"]
        permissions = [
            ("file_application", "Can file applications for their organisation"),
            ("review_application", "Can review applications (licensing officer)"),
            ("decide_application", "Can approve or deny applications"),
            ("review_referral", "Can answer referrals to their agency"),
        ]
        indexes = [
            models.Index(fields=["organisation", "-id"], name="application_org_idx"),
            models.Index(fields=["status", "-id"], name="application_status_idx"),
            models.Index(fields=["status", "due_at"], name="application_due_idx"),
            models.Index(fields=["destination", "-id"], name="application_destination_idx"),
            models.Index(fields=["officer", "-id"], name="application_officer_idx"),
            models.Index(fields=["allotment", "status"], name="application_demand_idx"),
            # The staff queue orders by the 90-day clock: open cases (found without walking past the decided ones),
            # and every case.
            models.Index(fields=["is_open", "due_at", "id"], include=["status"], name="application_open_queue_idx"),
            models.Index(fields=["due_at", "id"], name="application_due_at_idx"),
            # The allotment dashboard's pending demand (Σ requested TPP of open cases per allotment, every country
            # at once): answered from the index alone, without reading 33,000 rows (158 → 12 ms at 100,000).
            models.Index(
                fields=["allotment", "requested_tpp"],
                condition=models.Q(status__in=sorted(status.value for status in PENDING_APPLICATION_STATUSES)),
                name="application_pending_demand_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.acn or f"Draft application #{self.pk}"


class ApplicationParty(models.Model):
    """A register party in a role on an application, with what the exporter filed for it (name, address,
    headquarters as declared): the register says who it is, this row what was written."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(max_length=24, choices=PartyRole.choices)
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="application_links")
    # As filed: the name, address and location written, and the headquarters declared (end users).
    name = models.CharField(max_length=200)
    address = models.TextField(blank=True)
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+")
    hq_country = models.ForeignKey(
        Country, null=True, blank=True, on_delete=models.PROTECT, related_name="+", help_text="End users only."
    )

    class Meta:
        ordering = ["-application_id", "id"]
        verbose_name = "application party"
        verbose_name_plural = "application parties"
        indexes = [models.Index(fields=["party", "role"], name="application_party_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["application"], condition=models.Q(role="ultimate_consignee"), name="one_ultimate_consignee"
            ),
            models.UniqueConstraint(fields=["application"], condition=models.Q(role="purchaser"), name="one_purchaser"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.name} ({self.country_id})"


class ApplicationLine(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()
    unit_price_usd = models.DecimalField(max_digits=14, decimal_places=2, default=0)

    class Meta:
        ordering = ["-application_id", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="application_line_quantity_positive"),
            models.CheckConstraint(condition=models.Q(unit_price_usd__gte=0), name="application_line_price_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product}"


class InfoRequest(models.Model):
    """A request for additional information; the 90-day clock stops until the exporter answers."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="info_requests")
    question = models.TextField()
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    asked_at = models.DateTimeField()
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    amended_at = models.DateTimeField(null=True, blank=True, help_text="Last time the officer amended the question.")
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-application_id", "asked_at"]
        constraints = [
            models.CheckConstraint(
                name="info_request_answered_or_withdrawn_not_both",
                condition=models.Q(answered_at__isnull=True) | models.Q(withdrawn_at__isnull=True),
                violation_error_message="A request for information is answered or withdrawn, never both.",
            ),
        ]

    def __str__(self) -> str:
        return f"Question on {self.application} at {self.asked_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        """Still awaiting the exporter's answer: neither answered nor withdrawn."""
        return self.answered_at is None and self.withdrawn_at is None


class Referral(models.Model):
    """Interagency referral (EO 12981): 30 days to recommend; silence counts as no objection."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="referrals")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="referrals")
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    referred_at = models.DateTimeField()
    due_at = models.DateTimeField()
    recommendation = models.CharField(max_length=24, choices=Recommendation.choices, blank=True)
    rationale = models.TextField(blank=True)
    conditions = models.JSONField(
        default=list, blank=True, help_text="Conditions the agency asks for (offered to the approver)."
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-application_id", "agency"]
        indexes = [models.Index(fields=["agency", "answered_at", "due_at"], name="referral_queue_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "agency"],
                condition=models.Q(answered_at__isnull=True),
                name="one_open_referral_per_agency",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application} → {self.agency.code}"

    def is_open(self, at: datetime.datetime) -> bool:
        """Still awaited at `at`: unanswered and within its 30 days (past due counts as no objection)."""
        return self.answered_at is None and self.due_at > at

    @staticmethod
    def open_at(at: datetime.datetime) -> models.Q:
        """`is_open` as a query condition (licensing.selectors.open_referrals uses it)."""
        return models.Q(answered_at__isnull=True, due_at__gt=at)


class RecommendationEntry(models.Model):
    """Every recommendation made on a case, as made: the officer's (each one, also those since replaced) and each
    agency's answer to its referral. Append-only: rows are added, never changed. Four eyes reads it."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="recommendations")
    kind = models.CharField(max_length=8, choices=RecommendationKind.choices)
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+", help_text="Agency ones only."
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recommendation = models.CharField(max_length=24, choices=Recommendation.choices)
    rationale = models.TextField(blank=True)
    conditions = models.JSONField(default=list, blank=True)
    proposed_quantities = models.JSONField(
        default=dict, blank=True, help_text="An officer's proposed quantity per line (product id → units)."
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-application_id", "created_at", "id"]
        verbose_name_plural = "recommendation entries"
        indexes = [models.Index(fields=["application", "kind", "author"], name="recommendation_author_idx")]
        constraints = [
            models.CheckConstraint(
                name="recommendation_agency_iff_agency_kind",
                condition=models.Q(kind="agency", agency__isnull=False) | models.Q(kind="officer", agency__isnull=True),
                violation_error_message="An agency recommendation names its agency; an officer's names none.",
            ),
        ]

    def __str__(self) -> str:
        by = self.agency.code if self.agency_id else "officer"
        return f"{self.application}: {by} recommends {self.recommendation}"


class Licence(models.Model):
    number = models.CharField(max_length=20, unique=True)
    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="licence")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="licences")
    status = models.CharField(max_length=10, choices=LicenceStatus.choices, default=LicenceStatus.ACTIVE)
    conditions = models.JSONField(default=list)
    valid_from = models.DateField()
    valid_until = models.DateField()
    allotment = models.ForeignKey(Allotment, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reserved_tpp = models.BigIntegerField(default=0, help_text="Drawn from the allotment on approval.")
    programme_version = models.ForeignKey(
        "licensing.ProgrammeVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="licences"
    )
    # What the licence owes under its programme (issue 13 turns these into tracked obligations):
    # [{"kind": "shipment_evidence", "text": ...}, {"kind": "revenue_share", "basis": "duty", "percent": "25.00"}]
    obligations = models.JSONField(default=list, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField()
    status_reason = models.TextField(blank=True)

    scope = Scope(organisation="organisation", owner_permission="licensing.report_shipment")
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]  # its lines and shipments order by "-licence_id", as an application's by its column
        permissions = [
            ("manage_licence", "Can suspend, reinstate and revoke licences"),
            ("report_shipment", "Can report shipments against their organisation's licences"),
        ]
        indexes = [
            models.Index(fields=["organisation", "-id"], name="licence_org_idx"),
            models.Index(fields=["status", "valid_until"], name="licence_expiry_idx"),
        ]

    def __str__(self) -> str:
        return self.number


class LicenceLine(models.Model):
    licence = models.ForeignKey(Licence, on_delete=models.PROTECT, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    unit_tpp = models.PositiveBigIntegerField(help_text="TPP per unit at approval.")
    approved_quantity = models.PositiveIntegerField()
    shipped_quantity = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-licence_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["licence", "product"], name="one_line_per_product"),
            models.CheckConstraint(condition=models.Q(approved_quantity__gt=0), name="licence_line_positive"),
            models.CheckConstraint(
                condition=models.Q(shipped_quantity__lte=models.F("approved_quantity")), name="licence_line_not_over"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.licence}: {self.shipped_quantity}/{self.approved_quantity} × {self.product}"

    @property
    def remaining_quantity(self) -> int:
        return self.approved_quantity - self.shipped_quantity


class Shipment(models.Model):
    licence = models.ForeignKey(Licence, on_delete=models.PROTECT, related_name="shipments")
    shipped_on = models.DateField()
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField()
    # Until documents arrive (the casework issue): the reference of the evidence the licence's programme asks of
    # each shipment, e.g. the third-party test report's number.
    evidence_reference = models.CharField(max_length=200, blank=True)
    invoice_value_usd = models.DecimalField(
        max_digits=16, decimal_places=2, null=True, blank=True, help_text="What a revenue share is reckoned on."
    )

    class Meta:
        ordering = ["-licence_id", "shipped_on", "id"]
        constraints = [
            models.CheckConstraint(
                name="shipment_invoice_not_negative",
                condition=models.Q(invoice_value_usd__isnull=True) | models.Q(invoice_value_usd__gte=0),
            )
        ]

    def __str__(self) -> str:
        return f"{self.licence} shipment {self.shipped_on}"


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.PROTECT, related_name="lines")
    licence_line = models.ForeignKey(LicenceLine, on_delete=models.PROTECT, related_name="shipment_lines")
    quantity = models.PositiveIntegerField()

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(quantity__gt=0), name="shipment_line_positive")]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.licence_line.product}"


class LppNotification(models.Model):
    """A low-volume export under licence exception LPP: notified, never licensed, never drawn on an allotment."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="lpp_notifications")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    destination = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+")
    consignee = models.CharField(max_length=200)  # as filed; the register entry is consignee_party
    consignee_key = models.CharField(max_length=200, help_text="Normalised consignee name.")
    consignee_party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="lpp_notifications")
    end_user_hq = models.JSONField(default=list)
    year = models.PositiveSmallIntegerField()
    total_tpp = models.BigIntegerField()
    determination = models.JSONField()
    created_at = models.DateTimeField()

    scope = Scope(organisation="organisation", owner_permission="licensing.file_notification")
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        permissions = [("file_notification", "Can file LPP notifications for their organisation")]
        indexes = [
            models.Index(fields=["consignee_party", "year"], name="lpp_party_year_idx"),
            models.Index(fields=["organisation", "-id"], name="lpp_org_idx"),
        ]

    def __str__(self) -> str:
        return f"LPP {self.pk}: {self.consignee} ({self.destination_id})"


class LppNotificationLine(models.Model):
    notification = models.ForeignKey(LppNotification, on_delete=models.PROTECT, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(quantity__gt=0), name="lpp_line_positive")]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product}"


class LppConsigneeYear(models.Model):
    """One row per consignee party and calendar year, locked while an LPP notification is accepted, so
    concurrent notifications for one consignee (however spelt) are decided one after the other."""

    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["party", "year"], name="one_lpp_lock_per_party_year")]

    def __str__(self) -> str:
        return f"{self.party_id} {self.year}"


# Declarations, documents, obligations and programmes live in their own modules (this one is long enough);
# importing them here registers them with the app.
from licensing.declaration_models import Declaration, DeclarationText  # noqa: E402
from licensing.document_models import Document  # noqa: E402
from licensing.impact_models import ImpactRun  # noqa: E402
from licensing.obligation_models import Obligation, ObligationSubmission, SuspensionProposal  # noqa: E402
from licensing.programme_models import (  # noqa: E402
    CertificationAffirmation,
    Programme,
    ProgrammeCertification,
    ProgrammeVersion,
    UsSalesReport,
)

__all__ = [
    "Application",
    "ApplicationLine",
    "ApplicationParty",
    "CertificationAffirmation",
    "Declaration",
    "DeclarationText",
    "Document",
    "ImpactRun",
    "InfoRequest",
    "Licence",
    "LicenceLine",
    "LppConsigneeYear",
    "LppNotification",
    "LppNotificationLine",
    "NumberSequence",
    "Obligation",
    "ObligationSubmission",
    "Product",
    "Programme",
    "ProgrammeCertification",
    "ProgrammeVersion",
    "RecommendationEntry",
    "Referral",
    "Shipment",
    "ShipmentLine",
    "SuspensionProposal",
    "UsSalesReport",
]
