"""ECCN classification of the catalogue by the 3A090.a thresholds (DOMAIN.md § 3). Pure functions."""

from decimal import ROUND_DOWN, Decimal

from licensing.choices import Eccn

TPP_ALONE_THRESHOLD = 4_800
TPP_WITH_DENSITY_THRESHOLD = 1_600
DENSITY_THRESHOLD = Decimal("5.92")


def performance_density(tpp: int, die_area_mm2: Decimal | None) -> Decimal | None:
    """TPP ÷ die area, truncated (never rounded up) to three decimals: 5.9199… shows 5.919, never 5.92."""
    if not die_area_mm2:
        return None
    return (Decimal(tpp) / Decimal(die_area_mm2)).quantize(Decimal("0.001"), rounding=ROUND_DOWN)


def chip_eccn(tpp: int, die_area_mm2: Decimal | None) -> Eccn:
    """3A090.a when TPP ≥ 4,800, or TPP ≥ 1,600 with performance density ≥ 5.92; `unclassified` when TPP is
    between 1,600 and 4,800 and no die area is recorded (the density test cannot be made)."""
    if tpp >= TPP_ALONE_THRESHOLD:
        return Eccn.CHIP_3A090A
    if tpp >= TPP_WITH_DENSITY_THRESHOLD and not die_area_mm2:
        return Eccn.UNCLASSIFIED
    # Compare exactly: tpp / area ≥ 5.92  ⇔  tpp ≥ 5.92 × area.
    dense = bool(die_area_mm2) and Decimal(tpp) >= DENSITY_THRESHOLD * Decimal(die_area_mm2)
    return Eccn.CHIP_3A090A if tpp >= TPP_WITH_DENSITY_THRESHOLD and dense else Eccn.NOT_CONTROLLED


def system_eccn(chip_classification: Eccn) -> Eccn:
    """A computer containing 3A090.a chips is 4A090.a; one holding an unclassified chip is unclassified too."""
    if chip_classification == Eccn.UNCLASSIFIED:
        return Eccn.UNCLASSIFIED
    return Eccn.SYSTEM_4A090A if chip_classification == Eccn.CHIP_3A090A else Eccn.NOT_CONTROLLED
