from decimal import Decimal

import pytest

from licensing.classification import chip_eccn, performance_density, system_eccn

pytestmark = []


@pytest.mark.parametrize(
    "tpp, die_area, eccn",
    [
        (4_799, None, "unclassified"),  # the density test cannot be made without a die area
        (1_600, None, "unclassified"),
        (1_599, None, "not controlled"),  # below 1,600 TPP density does not matter
        (4_800, None, "3A090.a"),
        (4_799, Decimal("10000"), "not controlled"),  # PD 0.48
        (1_600, Decimal("1600") / Decimal("5.91"), "not controlled"),  # PD just under 5.92
        (1_600, Decimal("1600") / Decimal("5.92"), "3A090.a"),  # PD exactly 5.92 (rounded area)
        (1_600, Decimal("270"), "3A090.a"),  # PD 5.93
        (1_599, Decimal("100"), "not controlled"),  # dense but below 1,600 TPP
        (2_368, Decimal("814"), "not controlled"),  # H20: PD 2.9
        (15_832, Decimal("814"), "3A090.a"),  # H100
    ],
    ids=[
        "4799-no-area",
        "1600-no-area",
        "1599-no-area",
        "4800",
        "4799-sparse",
        "pd-5.91",
        "pd-5.92",
        "pd-5.93",
        "1599-dense",
        "h20",
        "h100",
    ],
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


def test_a_system_holding_an_unclassified_chip_is_unclassified():
    assert system_eccn(chip_eccn(2_000, None)) == "unclassified"


@pytest.mark.parametrize(
    "tpp, die_area, shown",
    [
        (1_600, Decimal("270.28"), Decimal("5.919")),  # 5.91978…: never shown as 5.92, and not controlled
        (1_776, Decimal("300"), Decimal("5.920")),
        (15_832, Decimal("814"), Decimal("19.449")),  # 19.44963…: truncated, not rounded
        (1_600, None, None),
    ],
)
def test_performance_density_is_truncated_to_three_decimals(tpp, die_area, shown):
    assert performance_density(tpp, die_area) == shown


def test_density_shown_under_592_means_not_controlled():
    assert chip_eccn(1_600, Decimal("270.28")) == "not controlled"
