from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from licensing.models import Product
from licensing.services import product_save
from portal.models import AuditEvent
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_catalogue_api_lists_chips_and_systems(client_for):
    rows = {row["name"]: row for row in client_for("exporter").get("/api/v1/products/").json()}
    h100 = rows["H100 SXM"]
    assert (h100["tpp"], h100["eccn"], h100["h100e"], h100["die_area_mm2"]) == (15_832, "3A090.a", "1.00", "814.00")
    assert h100["performance_density"] == "19.449"  # truncated to three decimals, never rounded up
    assert h100["dram_bandwidth_gbps"] == 3_350
    hgx = rows["HGX H100 8-GPU"]
    assert (hgx["tpp"], hgx["eccn"], hgx["h100e"], hgx["kind"]) == (126_656, "4A090.a", "8.00", "system")
    assert hgx["dram_bandwidth_gbps"] == 3_350  # a system takes its chip's
    assert rows["H20"]["eccn"] == "not controlled"
    assert rows["B200"]["h100e"] == "2.27"
    assert rows["Instinct MI300X"]["h100e"] == "1.32"
    assert rows["A100"]["eccn"] == "3A090.a"


def test_correcting_a_chip_tpp_moves_its_systems_and_is_audited():
    admin = make_user("policy_admin")
    h100 = Product.objects.get(name="H100 SXM")
    product_save(actor=admin, product=h100, chip_tpp=4_000)
    hgx = Product.objects.get(name="HGX H100 8-GPU")
    assert hgx.tpp == 32_000
    assert hgx.eccn == "not controlled"  # 4,000 TPP at PD 4.91 is below 3A090.a, so its system is too
    event = AuditEvent.objects.get(verb="product.changed", target_id=str(h100.pk))
    assert event.payload["before"]["chip_tpp"] == 15_832
    assert event.payload["after"]["chip_tpp"] == 4_000
    assert event.actor == admin


@pytest.mark.parametrize(
    "changes",
    [
        {"kind": "chip", "vendor": "X", "name": "No TPP"},
        {"kind": "system", "vendor": "X", "name": "Chipless", "chips_per_system": 8},
        {"kind": "chip", "vendor": "X", "name": "Tiny", "chip_tpp": 100, "die_area_mm2": Decimal("0")},
    ],
    ids=["chip-without-tpp", "system-without-chip", "zero-die-area"],
)
def test_malformed_products_are_refused_and_not_written(changes):
    before = Product.objects.count()
    with pytest.raises(ValidationError):
        product_save(actor=None, product=Product(), **changes)
    assert Product.objects.count() == before
    assert not AuditEvent.objects.filter(verb="product.created").exists()


def test_catalogue_carries_the_corrected_mi300x_and_the_parts_of_the_2025_26_deals(client_for):
    rows = {row["name"]: row for row in client_for("exporter").get("/api/v1/products/").json()}
    mi300x = rows["Instinct MI300X"]
    assert (mi300x["tpp"], mi300x["dram_bandwidth_gbps"]) == (20_919, 5_300)
    assert (rows["Instinct MI325X"]["tpp"], rows["Instinct MI325X"]["dram_bandwidth_gbps"]) == (20_919, 6_000)
    for name in ("B300", "GB300 (Blackwell Ultra GPU)", "Instinct MI325X"):
        assert rows[name]["eccn"] == "3A090.a"
        assert rows[name]["source"]
    assert rows["HGX B300 8-GPU"]["eccn"] == "4A090.a"
    assert rows["GB300 NVL72 rack"]["tpp"] == 72 * rows["GB300 (Blackwell Ultra GPU)"]["tpp"]
    mi308 = rows["Instinct MI308"]
    assert mi308["eccn"] == "unclassified"
    assert "UNCONFIRMED" in mi308["source"]
    assert all(row["source"] for row in rows.values())


def test_density_of_1600_on_27028_shows_5919_and_not_controlled(client_for):
    product_save(
        actor=None,
        product=Product(),
        kind="chip",
        vendor="X",
        name="Edge",
        chip_tpp=1_600,
        die_area_mm2=Decimal("270.28"),
    )
    row = next(r for r in client_for("exporter").get("/api/v1/products/").json() if r["name"] == "Edge")
    assert (row["performance_density"], row["eccn"]) == ("5.919", "not controlled")


def test_a_system_cannot_have_its_own_bandwidth():
    hgx = Product.objects.get(name="HGX H100 8-GPU")
    with pytest.raises(ValidationError):
        product_save(actor=None, product=hgx, dram_bandwidth_gbps=1_000)
    assert Product.objects.get(pk=hgx.pk).dram_bandwidth_gbps is None


def test_recording_a_die_area_classifies_an_unclassified_chip_and_is_audited():
    admin = make_user("policy_admin")
    chip = product_save(actor=admin, product=Product(), kind="chip", vendor="X", name="Mid", chip_tpp=2_000)
    assert chip.eccn == "unclassified"
    chip = product_save(actor=admin, product=chip, die_area_mm2=Decimal("300"))
    assert chip.eccn == "3A090.a"  # 2,000 / 300 = 6.67
    event = AuditEvent.objects.get(verb="product.changed", target_id=str(chip.pk))
    assert (event.payload["before"]["eccn"], event.payload["after"]["eccn"]) == ("unclassified", "3A090.a")
