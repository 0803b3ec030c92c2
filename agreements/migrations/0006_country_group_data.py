"""EAR Country Groups D:1, D:4, D:5, A:5, A:6, E:1 and E:2 (Supplement No. 1 to Part 740), each membership with its
source note. DOMAIN.md § 2; what was checked, where, is in each note.

Memberships start on 2025-01-13, the portal's reference date (the tiered rule's effective date): the portal records
no earlier history. Hong Kong takes every group membership of China (the EAR has treated Hong Kong as China since
2020). Corrections are new dated rows made by staff in the admin, never edits of this file.
"""

import datetime

from django.db import migrations

START = datetime.date(2025, 1, 13)
SUPPLEMENT = (
    "15 CFR Part 740, Supplement No. 1 (Country Groups), as mirrored in the search corpus "
    '("Verified against eCFR.gov as of June 20, 2026")'
)
REVIEW = datetime.date(2026, 12, 31)

A5 = [
    "AR",
    "AU",
    "AT",
    "BE",
    "BG",
    "CA",
    "HR",
    "CZ",
    "DK",
    "EE",
    "FI",
    "FR",
    "DE",
    "GR",
    "HU",
    "IS",
    "IN",
    "IE",
    "IT",
    "JP",
    "KR",
    "LV",
    "LT",
    "LU",
    "NL",
    "NZ",
    "NO",
    "PL",
    "PT",
    "RO",
    "SK",
    "SI",
    "ES",
    "SE",
    "CH",
    "TR",
    "GB",
]
A5_SOURCE = f"A:5: {SUPPLEMENT}, Country Group A table, column [A:5] read row by row."
A6 = ["AL", "BR", "CY", "IL", "MT", "MX", "SG", "ZA", "TW"]
A6_SOURCE = (
    f"A:6: {SUPPLEMENT}, Country Group A table, column [A:6] read row by row. Ukraine's, Kazakhstan's and "
    "Serbia's rows could not be read unambiguously in the corpus excerpt and are not recorded: staff to confirm."
)
D1 = [
    "AM",
    "AZ",
    "BY",
    "MM",
    "KH",
    "CN",
    "GE",
    "IR",
    "IQ",
    "KZ",
    "KP",
    "KG",
    "LA",
    "LY",
    "MO",
    "MD",
    "MN",
    "RU",
    "TJ",
    "TM",
    "UZ",
    "VE",
    "VN",
    "YE",
]
D4 = [
    "BH",
    "CN",
    "EG",
    "IR",
    "IQ",
    "IL",
    "JO",
    "KP",
    "KW",
    "LB",
    "LY",
    "MO",
    "OM",
    "PK",
    "QA",
    "RU",
    "SA",
    "SY",
    "AE",
    "YE",
]
D_SOURCE = (
    "{group}: " + SUPPLEMENT + ", Country Group D table. The corpus returned the D table only in part; "
    "this column is as the supplement stood in 2025-26 to the engineer's reading and must be confirmed "
    "against eCFR by staff (review date set)."
)
D5 = [
    "AF",
    "BY",
    "MM",
    "CF",
    "CN",
    "CD",
    "CU",
    "CY",
    "ER",
    "HT",
    "IR",
    "IQ",
    "KP",
    "LB",
    "LY",
    "NI",
    "RU",
    "SO",
    "SS",
    "SD",
    "SY",
    "VE",
    "ZW",
]
D5_SOURCE = (
    "D:5 (US arms embargoed countries = ITAR § 126.1, 22 CFR 126.1): " + SUPPLEMENT + "; DOMAIN.md § 2 "
    "(reported January 2025 list)."
)
SOURCES_D5_SPECIAL = {
    "SD": "Sudan: in ITAR § 126.1 and so in D:5 (90 FR 29720, 2025-07-07, updated its § 126.1 entry). Sudan is not "
    "in E:1: its state-sponsor-of-terrorism designation was rescinded effective 2020-12-14 and BIS removed it from "
    "E:1 by FR Doc 2020-29037 (effective 2021-01-14; law.lawstack.com mirror of the rule).",
    "CY": "Cyprus: in ITAR § 126.1, so in D:5. Its proscribed status was suspended 2025-10-01 to 2026-09-30 (the "
    "portal keeps Cyprus in Tier 2 of the tiered data); the suspension period has lapsed: review.",
}
CAMBODIA_UNTIL = datetime.date(2026, 2, 3)
CAMBODIA_SOURCE = (
    "Cambodia in D:5 until 2026-02-03. State removed Cambodia from ITAR § 126.1 by a rule published 2025-11-07; "
    "BIS published the conforming removal from Country Group D:5 on 2026-02-03 (Fenwick, 'Regulatory impact of "
    "arms embargo country designations'; CambodgeMag 2026-02-05). The portal uses 2026-02-03. Cambodia stays in D:1."
)
E1 = {
    "IR": "Iran: E:1 (terrorist supporting countries). " + SUPPLEMENT + ".",
    "KP": "North Korea: E:1 (terrorist supporting countries). " + SUPPLEMENT + ".",
    "SY": "Syria: E:1. Checked after the 2025 easing: EO 14312 (2025-06-30) revoked the Syria sanctions and BIS's "
    "'Relaxing Export Controls for Syria' rule (effective 2025-09-02) added licence exception SPP, but 'does not lift "
    "the U.S. trade embargo applicable to Syria or remove Syria from the list of terrorist supporting countries "
    "under the EAR' (Covington, September 2025; also Mondaq, Sidley, MoFo). Still E:1 as far as found: review.",
}
E2 = {"CU": "Cuba: E:2 (unilateral embargo). Cuba left E:1 in 2015 (80 FR 43314, 2015-07-22). " + SUPPLEMENT + "."}
HONG_KONG = " Hong Kong: takes China's membership (the EAR treats Hong Kong as China since 2020; DOMAIN.md § 2)."
REVIEWED = {"CY", "SY"}


def _rows():
    for code in A5:
        yield code, "A:5", START, None, A5_SOURCE
    for code in A6:
        yield code, "A:6", START, None, A6_SOURCE
    for code in D1:
        yield code, "D:1", START, None, D_SOURCE.format(group="D:1")
    for code in D4:
        yield code, "D:4", START, None, D_SOURCE.format(group="D:4")
    for code in D5:
        yield code, "D:5", START, None, SOURCES_D5_SPECIAL.get(code, D5_SOURCE)
    yield "KH", "D:5", START, CAMBODIA_UNTIL, CAMBODIA_SOURCE
    for code, source in E1.items():
        yield code, "E:1", START, None, source
    for code, source in E2.items():
        yield code, "E:2", START, None, source


def load(apps, schema_editor):
    Membership = apps.get_model("agreements", "CountryGroupMembership")
    rows = []
    for code, group, start, until, source in _rows():
        review = REVIEW if code in REVIEWED or group in ("D:1", "D:4", "A:6") else None
        rows.append(
            Membership(
                country_id=code,
                group=group,
                effective_from=start,
                effective_until=until,
                source=source,
                review_on=review,
            )
        )
        if code == "CN":
            rows.append(
                Membership(
                    country_id="HK",
                    group=group,
                    effective_from=start,
                    effective_until=until,
                    source=source + HONG_KONG,
                    review_on=review,
                )
            )
    Membership.objects.bulk_create(rows, ignore_conflicts=True)


def unload(apps, schema_editor):
    apps.get_model("agreements", "CountryGroupMembership").objects.filter(effective_from=START).delete()


class Migration(migrations.Migration):
    dependencies = [("agreements", "0005_country_groups")]

    operations = [migrations.RunPython(load, unload)]
