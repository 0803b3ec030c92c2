"""The licence-review programmes of DOMAIN.md § 5a, as data with their sources (SPEC § 2 Programme)."""

import datetime
from decimal import Decimal

from django.db import migrations

H20_SOURCE = (
    "NVIDIA Form 8-K (2025-04-15: informed on 2025-04-09 that a licence is required for H20 exports to China, "
    "Hong Kong, Macau and D:5, made indefinite on 2025-04-14); AMD named MI308 likewise; Reuters; Financial Times "
    "(2025-08-11: licences from August 2025 against 15 % of the related revenue). DOMAIN.md § 5a."
)
CHINA_SOURCE = (
    "Revision to License Review Policy for Advanced Computing Commodities, final rule, 91 FR 1684, FR Doc 2026-00789, "
    "effective 2026-01-15 (govinfo.gov FR-2026-01-15 and the lexbuild.dev mirror); Covington; Baker McKenzie. The "
    "25 % duty: Section 232 proclamation of 2026-01-14 on such chips passing through the United States. DOMAIN.md § 5a."
)
CHINA_NOTES = (
    "Certifications worded as the rule's summary lists them (91 FR 1685). The 50 % China volume is measured against "
    "units sold to US customers over the last four calendar quarters, the current one included: the window is the "
    "portal's interpretation (us_volume_window_quarters). A cap of 75,000 H200-class chips per Chinese customer "
    "(about 1 million in total) was reported by Business Times on 2026-03-03 and is unconfirmed: it is recorded here "
    "and left off (per_customer_cap_units empty); a policy administrator sets 75000 in a new version to apply it."
)
CHINA_CERTIFICATIONS = [
    ("us-supply", "There is sufficient supply of this product in the United States."),
    (
        "foundry-capacity",
        "Production of this product for exports to China will not divert global foundry capacity for similar or more "
        "advanced products for end users in the United States.",
    ),
    (
        "recipient-security",
        "The recipient has demonstrated sufficient security procedures, including know-your-customer procedures and "
        "safeguards against unauthorised remote access.",
    ),
    (
        "third-party-testing",
        "The item undergoes independent, third-party testing in the United States to verify its performance "
        "specifications.",
    ),
]
H20_COMMON = {
    "destinations": ["CN", "HK", "MO", "D:5"],
    "max_tpp": 4_800,
    "min_dram_bandwidth_gbps": 4_000,
    "brings_into_scope": True,
    "exports_from_us_only": False,
}


def _named(Product, *names):
    return list(Product.objects.filter(name__in=names))


def seed(apps, schema_editor):
    Programme = apps.get_model("licensing", "Programme")
    ProgrammeVersion = apps.get_model("licensing", "ProgrammeVersion")
    ProgrammeCertification = apps.get_model("licensing", "ProgrammeCertification")
    Product = apps.get_model("licensing", "Product")
    h20_named = _named(Product, "H20", "Instinct MI308")

    h20 = Programme.objects.create(
        name="H20-class licence requirement", citation="BIS 'is-informed' letters of 2025-04-09", source=H20_SOURCE
    )
    first = ProgrammeVersion.objects.create(
        programme=h20,
        version=1,
        effective_from=datetime.date(2025, 4, 9),
        effective_until=datetime.date(2025, 8, 10),
        presumption="denial",
        notes="Licence required, presumption of denial, until licences began in August 2025.",
        **H20_COMMON,
    )
    second = ProgrammeVersion.objects.create(
        programme=h20,
        version=2,
        effective_from=datetime.date(2025, 8, 11),
        presumption="case_by_case",
        levy_percent=Decimal("15"),
        levy_basis="revenue_share",
        conditions=["15 % of the revenue from these exports is remitted to the US government."],
        notes="Case by case from 2025-08-11 against 15 % of the related revenue (Financial Times, 2025-08-11).",
        **H20_COMMON,
    )
    for version in (first, second):
        version.named_products.set(h20_named)

    china = Programme.objects.create(
        name="China advanced-computing case-by-case review", citation="FR Doc 2026-00789", source=CHINA_SOURCE
    )
    rule = ProgrammeVersion.objects.create(
        programme=china,
        version=1,
        effective_from=datetime.date(2026, 1, 15),
        destinations=["CN", "HK", "MO"],
        max_tpp=21_000,
        max_dram_bandwidth_gbps=6_500,
        exports_from_us_only=True,
        presumption="case_by_case",
        conditions=["No military end use."],
        shipment_evidence=(
            "The report of the independent third-party test in the United States verifying the performance "
            "specifications of the items shipped."
        ),
        us_volume_ratio_percent=Decimal("50"),
        us_volume_window_quarters=4,
        levy_percent=Decimal("25"),
        levy_basis="duty",
        per_customer_cap_units=None,
        notes=CHINA_NOTES,
    )
    ProgrammeCertification.objects.bulk_create(
        ProgrammeCertification(version=rule, code=code, text=text, order=order)
        for order, (code, text) in enumerate(CHINA_CERTIFICATIONS, start=1)
    )


class Migration(migrations.Migration):
    dependencies = [("licensing", "0009_programmes")]

    # Reversed, 0009 drops the tables with their rows: nothing to undo here.
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
