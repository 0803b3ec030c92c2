"""Compute is kept in integer TPP; H100-equivalents are derived for display (DOMAIN.md § 3)."""

from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

H100_TPP = 15_832


@lru_cache(maxsize=65_536)  # a pure function of an int (Decimals are immutable): determinations in bulk repeat figures
def h100e(tpp: int) -> Decimal:
    """TPP ÷ 15,832, to two decimals."""
    return (Decimal(tpp) / H100_TPP).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def tpp_from_h100e(count: int) -> int:
    """`x H100e` means x × 15,832 TPP, compared as integers."""
    return count * H100_TPP


def tpp_and_h100e(tpp: int) -> str:
    """'26,914,400 TPP (1,700.00 H100e)': the exact figure and the one people compare."""
    return f"{tpp:,} TPP ({h100e(tpp):,} H100e)"
