"""DRAM bandwidth and source notes on the catalogue, MI300X's TPP corrected, and the parts of the 2025-26 deals added
(DOMAIN.md § 3). TPP = vendor dense peak (no sparsity) × bit length, the largest over FP8 and FP4.

Depends on 0005; another branch adds licensing 0006 (the lead fixes the dependency at merge)."""

from django.db import migrations, models

H100_SOURCE = "DOMAIN.md § 3 table (TPP derived from NVIDIA's dense FP8 peak × 8; die area and bandwidth from NVIDIA)."
EXISTING = {
    # name: (DRAM bandwidth GB/s, source note)
    "H100 SXM": (3_350, "1,979 dense FP8 TFLOPS × 8 = 15,832 TPP; 814 mm²; 3,350 GB/s HBM3. " + H100_SOURCE),
    "H200 SXM": (4_800, "Same compute as H100 (15,832 TPP, 814 mm²); 4,800 GB/s HBM3e. " + H100_SOURCE),
    "B200": (
        8_000,
        "36,000 TPP (4,500 dense FP8 TFLOPS × 8 = 9,000 dense FP4 × 4); two dies, die area "
        "unconfirmed; 8,000 GB/s HBM3e. " + H100_SOURCE,
    ),
    "A100": (2_039, "4,992 TPP (624 dense INT8 TOPS × 8); 826 mm²; 2,039 GB/s HBM2e (80 GB SXM). " + H100_SOURCE),
    "H20": (
        4_000,
        "2,368 TPP (296 dense FP8 TFLOPS × 8); 814 mm² (PD ≈ 2.9, below 3A090.a); 4,000 GB/s. " + H100_SOURCE,
    ),
    "Instinct MI300X": (
        5_300,
        "2,614.9 dense FP8 TFLOPS × 8 = 20,919 TPP (corrected from 20,880); chiplets, die "
        "area unconfirmed; 5,300 GB/s HBM3. AMD MI300X/MI325X specifications (2,614.9 TFLOPS FP8 "
        "dense: awesomeagents.ai MI325X page, which states MI325X compute equals MI300X's).",
    ),
}
MI300X_OLD_TPP, MI300X_TPP = 20_880, 20_919
NEW_CHIPS = [
    # vendor, name, TPP, die area, bandwidth GB/s, source note, (system name, chips) or None
    (
        "NVIDIA",
        "B300",
        52_500,
        None,
        8_000,
        "Blackwell Ultra (HGX B300). 13,125 dense FP4 TFLOPS × 4 = 52,500 TPP (FP8: 4,500 × 8 = 36,000): "
        "glennklockwood.com 'B300' page, HGX B300 table. verda.com ('GB300 NVL72 architecture') gives 14 PFLOPS "
        "dense FP4 (56,000 TPP) and 7.7 TB/s: the NVIDIA datasheet figure is unconfirmed; staff to correct from the "
        "vendor's attestation. Two dies, die area unconfirmed (TPP alone makes it 3A090.a). 8 TB/s HBM3e "
        "(glennklockwood.com: '8 TB/s (max)').",
        ("HGX B300 8-GPU", 8),
    ),
    (
        "NVIDIA",
        "GB300 (Blackwell Ultra GPU)",
        60_000,
        None,
        8_000,
        "One Blackwell Ultra GPU of a GB300 superchip (the unit of the Humain and G42 deals: '18,000 GB300', "
        "'35,000 GB300'). 15 PFLOPS dense FP4 × 4 = 60,000 TPP (FP8 5 PFLOPS × 8 = 40,000); 8 TB/s: verda.com "
        "per-GPU table. GB300 NVL72 is advertised at 1.1 EF dense FP4 for 72 GPUs (≈ 15.3 PF each, "
        "glennklockwood.com): vendor figure unconfirmed. Die area unconfirmed (TPP alone makes it 3A090.a).",
        ("GB300 NVL72 rack", 72),
    ),
    (
        "AMD",
        "Instinct MI325X",
        20_919,
        None,
        6_000,
        "Same CDNA 3 compute as MI300X: 2,614.9 dense FP8 TFLOPS × 8 = 20,919 TPP; 256 GB HBM3e at 6,000 GB/s "
        "(awesomeagents.ai and aiwiki.ai MI325X pages; wiaix.com '6 TB/s of peak memory bandwidth'). Chiplets, die "
        "area unconfirmed (TPP alone makes it 3A090.a).",
        ("Instinct MI325X Platform 8-GPU", 8),
    ),
    (
        "AMD",
        "Instinct MI308",
        4_799,
        None,
        None,
        "UNCONFIRMED: no vendor datasheet found. The H20-class 'is-informed' requirement of 2025 names MI308 as an "
        "item that is not 3A090.a, so its TPP is below 4,800; 4,799 is a placeholder upper bound, not a vendor "
        "figure, and die area and DRAM bandwidth are unknown (one unreliable report says 4 TB/s). With no die area "
        "the chip is 'unclassified': no application, notification or determination can use it until staff record "
        "the vendor-attested TPP, die area and bandwidth.",
        None,
    ),
]


def load(apps, schema_editor):
    Product = apps.get_model("licensing", "Product")
    for name, (bandwidth, source) in EXISTING.items():
        Product.objects.filter(kind="chip", name=name, dram_bandwidth_gbps__isnull=True).update(
            dram_bandwidth_gbps=bandwidth, source=source
        )
    for system in Product.objects.filter(kind="system", source="").select_related("chip"):
        system.source = f"{system.chips_per_system} × {system.chip.vendor} {system.chip.name}; see the chip's note."
        system.save(update_fields=["source"])
    Product.objects.filter(kind="chip", vendor="AMD", name="Instinct MI300X", chip_tpp=MI300X_OLD_TPP).update(
        chip_tpp=MI300X_TPP
    )
    for vendor, name, tpp, die_area, bandwidth, source, system in NEW_CHIPS:
        chip, _ = Product.objects.get_or_create(
            vendor=vendor,
            name=name,
            defaults={
                "kind": "chip",
                "chip_tpp": tpp,
                "die_area_mm2": die_area,
                "dram_bandwidth_gbps": bandwidth,
                "source": source,
            },
        )
        if system:
            system_name, chips = system
            Product.objects.get_or_create(
                vendor=vendor,
                name=system_name,
                defaults={
                    "kind": "system",
                    "chip": chip,
                    "chips_per_system": chips,
                    "source": f"{chips} × {vendor} {name}; see the chip's source note.",
                },
            )


class Migration(migrations.Migration):
    dependencies = [
        ("licensing", "0006_recommendation_history"),
    ]

    operations = [
        migrations.AddField(
            model_name="product",
            name="dram_bandwidth_gbps",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="Chips only (systems take their chip's).",
                null=True,
                verbose_name="DRAM bandwidth (GB/s)",
            ),
        ),
        migrations.AddField(
            model_name="product",
            name="source",
            field=models.TextField(blank=True, help_text="Where the TPP, die area and bandwidth come from."),
        ),
        migrations.AddConstraint(
            model_name="product",
            constraint=models.CheckConstraint(
                condition=models.Q(("kind", "chip"), ("dram_bandwidth_gbps__isnull", True), _connector="OR"),
                name="product_bandwidth_chips_only",
                violation_error_message="A system takes its chip's DRAM bandwidth and has none of its own.",
            ),
        ),
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
