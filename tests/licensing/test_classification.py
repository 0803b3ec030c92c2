from decimal import Decimal

import pytest

from licensing.classification import chip_eccn, system_eccn

pytestmark = []


@pytest.mark.parametrize(
    "tpp, die_area, eccn",
    [
        (4_799, None, "not controlled"),
        (4_800, None, "3A090.a"),
        (4_799, Decimal("10000"), "not controlled"),  # PD 0.48
        (1_600, Decimal("1600") / Decimal("5.91"), "not controlled"),  # PD just under 5.92
        (1_600, Decimal("1600") / Decimal("5.92"), "3A090.a"),  # PD exactly 5.92 (rounded area)
        (1_600, Decimal("270"), "3A090.a"),  # PD 5.93
        (1_599, Decimal("100"), "not controlled"),  # dense but below 1,600 TPP
        (2_368, Decimal("814"), "not controlled"),  # H20: PD 2.9
        (15_832, Decimal("814"), "3A090.a"),  # H100
    ],
    ids=["4799", "4800", "4799-sparse", "pd-5.91", "pd-5.92", "pd-5.93", "1599-dense", "h20", "h100"],
)
def test_chip_eccn_at_and_around_the_thresholds(tpp, die_area, eccn):
    assert chip_eccn(tpp, die_area) == eccn


def test_density_exactly_at_592_is_controlled():
    # 1,776 TPP on 300 mm² is exactly 5.92; 1,773 on 300 mm² is 5.91.
    assert chip_eccn(1_776, Decimal("300")) == "3A090.a"
    assert chip_eccn(1_773, Decimal("300")) == "not controlled"


def test_a_system_follows_its_chip():
    assert system_eccn(chip_eccn(15_832, Decimal("814"))) == "4A090.a"
    assert system_eccn(chip_eccn(2_368, Decimal("814"))) == "not controlled"
