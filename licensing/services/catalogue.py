"""Writes of the case side. One public function per use case, one transaction each, each audited."""

from decimal import Decimal
from typing import Any

from django.db import transaction

from licensing.models import Product
from portal.permissions import Actor
from portal.services import audit_record

PRODUCT_FIELDS = (
    "kind",
    "vendor",
    "name",
    "chip_tpp",
    "die_area_mm2",
    "dram_bandwidth_gbps",
    "chip",
    "chips_per_system",
    "source",
    "is_active",
)


def _snapshot(product: Product) -> dict[str, Any]:
    values = {name: getattr(product, name) for name in PRODUCT_FIELDS if name != "chip"}
    values["chip"] = product.chip_id
    values["tpp"] = product.tpp if product.kind == "chip" or product.chip_id else None
    values["eccn"] = str(product.eccn) if values["tpp"] is not None else None
    return {k: str(v) if isinstance(v, Decimal) else v for k, v in values.items()}


def product_save(*, actor: Actor | None, product: Product, **changes: Any) -> Product:
    """Create or correct a catalogue entry (vendors' attested TPP may be revised); audited with before/after."""
    with transaction.atomic():
        before = None
        if product.pk:
            product = Product.objects.select_for_update().get(pk=product.pk)
            before = _snapshot(product)
        for name, value in changes.items():
            if name not in PRODUCT_FIELDS:
                raise TypeError(f"Unknown product field {name!r}")
            setattr(product, name, value)
        product.full_clean()
        product.save()
        audit_record(
            actor=actor,
            verb="product.created" if before is None else "product.changed",
            target=product,
            payload={"before": before, "after": _snapshot(product)},
        )
    return product
