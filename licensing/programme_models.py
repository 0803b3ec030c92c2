"""Licence-review programmes (SPEC § 2 Programme, DOMAIN.md § 5a) and the US-sales reports their ratios read.

A programme is named data with effective-dated versions, like an agreement's terms: each version says where it
applies, which chips it covers, with which presumption, certifications, conditions and obligations. Imported by
licensing.models, so the models belong to the licensing app."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from licensing.choices import LevyBasis, ProgrammePresumption
from portal.models import Organisation
from portal.reference_stamp import StampedQuerySet
from portal.scoping import RestrictedQuerySet, Scope

PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class Programme(models.Model):
    name = models.CharField(max_length=200, unique=True)
    citation = models.CharField(max_length=200, help_text="The rule it implements, e.g. FR Doc 2026-00789.")
    source = models.TextField(blank=True, help_text="Where the programme's facts come from.")
    created_at = models.DateTimeField(auto_now_add=True)

    scope = Scope()  # reference data: whoever holds licensing.view_programme reads every programme
    objects = StampedQuerySet.as_manager()  # bulk writes replace the reference stamp too

    class Meta:
        ordering = ["name"]
        permissions = [("manage_programme", "Can create and amend licence-review programmes")]

    def __str__(self) -> str:
        return self.name


class ProgrammeVersion(models.Model):
    """A programme as in force from `effective_from` to `effective_until` (inclusive; open-ended when null).

    Product criteria are tested on the chip (a system's chip): a chip is covered when it is one of the named
    products, or when it meets every numeric criterion given (TPP at least `min_tpp` and below `max_tpp`, DRAM
    bandwidth below `max_dram_bandwidth_gbps` and at least `min_dram_bandwidth_gbps`)."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField()
    effective_from = models.DateField()
    effective_until = models.DateField(null=True, blank=True, help_text="Last day in force (inclusive).")
    destinations = models.JSONField(
        default=list, help_text='Country codes and EAR Country Groups, e.g. ["CN", "HK", "MO", "D:5"].'
    )
    min_tpp = models.PositiveIntegerField(null=True, blank=True, help_text="TPP at least this.")
    max_tpp = models.PositiveIntegerField(null=True, blank=True, help_text="TPP below this.")
    max_dram_bandwidth_gbps = models.PositiveIntegerField(null=True, blank=True, help_text="Bandwidth below this.")
    min_dram_bandwidth_gbps = models.PositiveIntegerField(
        null=True, blank=True, help_text="Bandwidth at least this (the scope-in rule of the H20-class requirement)."
    )
    named_products = models.ManyToManyField("licensing.Product", blank=True, related_name="+")
    brings_into_scope = models.BooleanField(
        default=False, help_text="Covered chips below 3A090.a need a licence to these destinations."
    )
    exports_from_us_only = models.BooleanField(default=False)
    presumption = models.CharField(max_length=16, choices=ProgrammePresumption.choices)
    conditions = models.JSONField(default=list, blank=True, help_text="Licence conditions, one text each.")
    shipment_evidence = models.TextField(blank=True, help_text="Evidence each shipment needs (empty: none).")
    us_volume_ratio_percent = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True, validators=PERCENT
    )
    us_volume_window_quarters = models.PositiveSmallIntegerField(
        default=4,
        validators=[MinValueValidator(1)],
        help_text="Calendar quarters of attested US sales the ratio reads: the current one and those before it.",
    )
    levy_percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True, validators=PERCENT)
    levy_basis = models.CharField(max_length=16, choices=LevyBasis.choices, blank=True)
    per_customer_cap_units = models.PositiveIntegerField(
        null=True, blank=True, help_text="Chips per ultimate consignee (off when empty)."
    )
    notes = models.TextField(blank=True, help_text="Source of this version's figures.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope = Scope()
    objects = StampedQuerySet.as_manager()  # bulk writes replace the reference stamp too

    class Meta:
        ordering = ["programme", "version"]
        indexes = [models.Index(fields=["effective_from", "effective_until"], name="programme_version_in_force")]
        constraints = [
            models.UniqueConstraint(fields=["programme", "version"], name="one_programme_version_number"),
            models.CheckConstraint(
                name="programme_version_dates",
                condition=models.Q(effective_until__isnull=True)
                | models.Q(effective_until__gte=models.F("effective_from")),
                violation_error_message="A version ends on or after the day it starts.",
            ),
            models.CheckConstraint(
                name="programme_levy_has_basis",
                condition=models.Q(levy_percent__isnull=True, levy_basis="")
                | models.Q(levy_percent__isnull=False) & ~models.Q(levy_basis=""),
                violation_error_message="A revenue share or duty gives both its percent and its basis.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme} v{self.version} (from {self.effective_from})"


class ProgrammeCertification(models.Model):
    """A certification the exporter affirms at submission, as worded in one programme version (a change of
    wording is a new version, so an affirmation always names the text that was affirmed)."""

    version = models.ForeignKey(ProgrammeVersion, on_delete=models.PROTECT, related_name="certifications")
    code = models.SlugField(max_length=40)
    text = models.TextField()
    order = models.PositiveSmallIntegerField(default=0)

    scope = Scope()
    objects = StampedQuerySet.as_manager()  # bulk writes replace the reference stamp too

    class Meta:
        ordering = ["version", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="one_certification_code")]

    def __str__(self) -> str:
        return f"{self.code} ({self.version})"


class CertificationAffirmation(models.Model):
    """Who affirmed which certification text of an application's programme, and when (at submission)."""

    application = models.ForeignKey("licensing.Application", on_delete=models.PROTECT, related_name="affirmations")
    certification = models.ForeignKey(ProgrammeCertification, on_delete=models.PROTECT, related_name="+")
    affirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    affirmed_at = models.DateTimeField()

    class Meta:
        ordering = ["-application_id", "certification__order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "certification"], name="one_affirmation_per_certification")
        ]

    def __str__(self) -> str:
        return f"{self.application}: {self.certification.code}"


class UsSalesReport(models.Model):
    """Units of a product an organisation sold to US customers in a calendar quarter, as attested by a user:
    the base of a programme's US-volume ratio."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="us_sales_reports")
    product = models.ForeignKey("licensing.Product", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(4)])
    units = models.PositiveIntegerField()
    attested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    attested_at = models.DateTimeField()

    scope = Scope(organisation="organisation", owner_permission="licensing.file_us_sales_report")
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-quarter", "id"]
        permissions = [("file_us_sales_report", "Can attest US sales for their organisation")]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "product", "year", "quarter"], name="one_us_sales_report_per_quarter"
            ),
            models.CheckConstraint(condition=models.Q(quarter__gte=1, quarter__lte=4), name="us_sales_quarter_1_4"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.units} × {self.product} in {self.period}"

    @property
    def period(self) -> str:
        return f"{self.year}Q{self.quarter}"
