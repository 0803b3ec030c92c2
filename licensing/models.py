from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models

from licensing import classification
from licensing.choices import Eccn, ProductKind


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
    is_active = models.BooleanField(default=True)

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
    def eccn(self) -> Eccn:
        if self.kind == ProductKind.SYSTEM:
            return classification.system_eccn(self.chip.eccn)
        return classification.chip_eccn(self.chip_tpp, self.die_area_mm2)

    @property
    def is_controlled(self) -> bool:
        return self.eccn != Eccn.NOT_CONTROLLED

    @property
    def h100e(self) -> Decimal:
        return classification.h100e(self.tpp)
