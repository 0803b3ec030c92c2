"""Every ISO 3166-1 country (pycountry), effective-dated tiers (DOMAIN.md § 2) and the initial policy (§ 4)."""

import datetime
from decimal import Decimal

import pycountry
from django.db import migrations

RULE_DATE = datetime.date(2025, 1, 13)
SOURCE_RULE = "AI Diffusion interim final rule, 90 FR 4544 (FR Doc 2025-00636), effective 2025-01-13"
TIER_1 = [
    "US",
    "AU",
    "BE",
    "CA",
    "DK",
    "FI",
    "FR",
    "DE",
    "IE",
    "IT",
    "JP",
    "NL",
    "NZ",
    "NO",
    "KR",
    "ES",
    "SE",
    "TW",
    "GB",
]
TIER_1_SOURCE = f"Tier 1: Supplement No. 5 to Part 740, para. (a). {SOURCE_RULE}"
TIER_3 = [
    "AF",
    "BY",
    "MM",
    "KH",
    "CF",
    "CN",
    "HK",
    "CU",
    "CD",
    "ER",
    "HT",
    "IR",
    "IQ",
    "LB",
    "LY",
    "NI",
    "KP",
    "RU",
    "SO",
    "SS",
    "SY",
    "VE",
    "ZW",
    "MO",
]
TIER_3_SOURCE = f"Tier 3: Country Group D:5 (arms-embargoed) plus Macau, as reported in January 2025. {SOURCE_RULE}"
TIER_2_SOURCE = f"Tier 2: every country not in Tier 1 or Tier 3. {SOURCE_RULE}"
CAMBODIA_DATE = datetime.date(2026, 2, 3)
CAMBODIA_SOURCE = "Cambodia removed from Country Group D:5 by a rule published 2026-02-03; Tier 2 from then."

SIZE_BANDS = [
    {
        "h100e": 1_000,
        "condition": "Installation above 1,000 H100e: held under the partner government's assurances "
        "against diversion, with the installation monitored.",
    },
    {
        "h100e": 100_000,
        "condition": "Installation above 100,000 H100e: site visits by US export-control officials on request.",
    },
    {
        "h100e": 200_000,
        "condition": "Installation above 200,000 H100e: reciprocal investment in US AI data-centre capacity "
        "as committed in the agreement.",
    },
]


def load(apps, schema_editor):
    Country = apps.get_model("agreements", "Country")
    TierMembership = apps.get_model("agreements", "TierMembership")
    Policy = apps.get_model("agreements", "Policy")

    Country.objects.bulk_create(
        [Country(code=c.alpha_2, name=getattr(c, "common_name", c.name)) for c in pycountry.countries],
        ignore_conflicts=True,
    )
    rows = []
    for code in Country.objects.values_list("code", flat=True):
        if code in TIER_1:
            rows.append(TierMembership(country_id=code, tier=1, effective_from=RULE_DATE, source=TIER_1_SOURCE))
        elif code in TIER_3:
            rows.append(TierMembership(country_id=code, tier=3, effective_from=RULE_DATE, source=TIER_3_SOURCE))
        else:
            rows.append(TierMembership(country_id=code, tier=2, effective_from=RULE_DATE, source=TIER_2_SOURCE))
    rows.append(TierMembership(country_id="KH", tier=2, effective_from=CAMBODIA_DATE, source=CAMBODIA_SOURCE))
    TierMembership.objects.bulk_create(rows, ignore_conflicts=True)

    Policy.objects.get_or_create(
        effective_from=datetime.datetime(2025, 1, 13, tzinfo=datetime.UTC),
        defaults={
            "kind": "tiered",
            "lpp_threshold_tpp": 26_900_000,
            "tier2_allocation_tpp": 790_000_000,
            "tier2_period_start": datetime.date(2025, 1, 1),
            "tier2_period_end": datetime.date(2027, 12, 31),
            "g2g_uplift": Decimal("2"),
            "licence_validity_days": 1_461,
            "size_bands": SIZE_BANDS,
            "reason": f"Initial policy: {SOURCE_RULE}. LPP threshold per 15 CFR 740.29; Tier 2 allocation "
            "790,000,000 TPP for 2025-2027 (Reuters); G2G uplift x2; licence validity four years "
            "(commonly cited, unconfirmed); global size bands from the reported March 2026 draft.",
        },
    )


class Migration(migrations.Migration):
    dependencies = [("agreements", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
