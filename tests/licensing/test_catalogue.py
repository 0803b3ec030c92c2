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
    assert h100["performance_density"] == "19.45"
    hgx = rows["HGX H100 8-GPU"]
    assert (hgx["tpp"], hgx["eccn"], hgx["h100e"], hgx["kind"]) == (126_656, "4A090.a", "8.00", "system")
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
