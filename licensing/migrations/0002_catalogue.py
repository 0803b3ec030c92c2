"""The catalogue of DOMAIN.md § 3: chips with their derived TPP, and 8-GPU systems of the controlled ones."""

from decimal import Decimal

from django.db import migrations

CHIPS = [
    # vendor, name, TPP, die area (mm², None where unconfirmed), 8-GPU system name or None
    ("NVIDIA", "H100 SXM", 15_832, Decimal("814"), "HGX H100 8-GPU"),
    ("NVIDIA", "H200 SXM", 15_832, Decimal("814"), "HGX H200 8-GPU"),
    ("NVIDIA", "B200", 36_000, None, "HGX B200 8-GPU"),
    ("NVIDIA", "A100", 4_992, Decimal("826"), "HGX A100 8-GPU"),
    ("NVIDIA", "H20", 2_368, Decimal("814"), None),
    ("AMD", "Instinct MI300X", 20_880, None, "Instinct MI300X Platform 8-GPU"),
]


def load(apps, schema_editor):
    Product = apps.get_model("licensing", "Product")
    for vendor, name, tpp, die_area, system_name in CHIPS:
        chip, _ = Product.objects.get_or_create(
            vendor=vendor, name=name, defaults={"kind": "chip", "chip_tpp": tpp, "die_area_mm2": die_area}
        )
        if system_name:
            Product.objects.get_or_create(
                vendor=vendor, name=system_name, defaults={"kind": "system", "chip": chip, "chips_per_system": 8}
            )


class Migration(migrations.Migration):
    dependencies = [("licensing", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
