"""Tier data corrected (DOMAIN.md § 2, issue 10): Sudan in Tier 3, US territories as the United States, uninhabited
codes without an allocation, Cyprus's Tier 2 entry given a review date; and the Tier 2 allocations those codes
should never have had removed where nothing has been drawn on them."""

import datetime

from django.db import migrations
from django.db.models import ProtectedError

RULE_DATE = datetime.date(2025, 1, 13)
SUDAN_SOURCE = (
    "Tier 3: Sudan is in Country Group D:5 (ITAR § 126.1; 90 FR 29720 of 2025-07-07 updated its entry), and Tier 3 is "
    "D:5 plus Macau (AI Diffusion interim final rule, 90 FR 4544, FR Doc 2025-00636, effective 2025-01-13). Missing "
    "from the first seed of the list; corrected by migration."
)
US_TERRITORIES = ["PR", "GU", "VI", "AS", "MP", "UM"]
US_SOURCE = (
    "EAR § 772.1, 'United States': the States, the District of Columbia, Puerto Rico and the US territories and "
    "possessions (cf. 15 CFR 701.2 on law.cornell.edu: 'Includes the 50 states, the District of Columbia, Puerto "
    "Rico, and U.S. territories'). A shipment there is not an export: no licence, no allocation."
)
UNINHABITED = ["AQ", "BV", "HM", "GS", "TF"]
UNINHABITED_SOURCE = (
    "No permanent population (research stations or none): Antarctica, Bouvet Island, Heard Island and McDonald "
    "Islands, South Georgia and the South Sandwich Islands, French Southern Territories (ISO 3166-1 codes from "
    "pycountry). No country allocation is given. British Indian Ocean Territory (IO) has no indigenous population "
    "but a staffed base and is not flagged; staff may flag it."
)
CYPRUS_SOURCE = (
    "Tier 2: Cyprus is in ITAR § 126.1 (so in D:5 in the group data) but its proscribed status was suspended "
    "2025-10-01 to 2026-09-30; the portal keeps it in Tier 2. The suspension has lapsed: review."
)
REVIEW = datetime.date(2026, 12, 31)


def forwards(apps, schema_editor):
    Country = apps.get_model("agreements", "Country")
    TierMembership = apps.get_model("agreements", "TierMembership")
    Allotment = apps.get_model("agreements", "Allotment")

    TierMembership.objects.update_or_create(
        country_id="SD", effective_from=RULE_DATE, defaults={"tier": 3, "source": SUDAN_SOURCE}
    )
    TierMembership.objects.filter(country_id="CY", effective_from=RULE_DATE).update(
        source=CYPRUS_SOURCE, review_on=REVIEW
    )
    Country.objects.filter(code__in=["US", *US_TERRITORIES]).update(counts_as_us=True, status_source=US_SOURCE)
    Country.objects.filter(code__in=UNINHABITED).update(uninhabited=True, status_source=UNINHABITED_SOURCE)
    # Tier 2 allocations these codes never should have had: removed while nothing was drawn on them; zeroed where a
    # pending application still points at one. One with ledger entries stays as it is (its history is append-only);
    # the allocation step no longer creates them.
    undrawn = Allotment.objects.filter(
        source="tier_allocation", country_id__in=["SD", *US_TERRITORIES, *UNINHABITED], ledger__isnull=True
    )
    for allotment in undrawn.distinct():
        try:
            allotment.delete()
        except ProtectedError:
            Allotment.objects.filter(pk=allotment.pk).update(capacity_tpp=0)


class Migration(migrations.Migration):
    dependencies = [("agreements", "0006_country_group_data")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
