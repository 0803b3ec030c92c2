"""Every country's region, from the United Nations Statistics Division's "Standard country or area codes for
statistical use" (M49), https://unstats.un.org/unsd/methodology/m49/ (the overview table, regions Africa 002,
Americas 019, Asia 142, Europe 150, Oceania 009), keyed here by ISO 3166-1 alpha-2 as M49 lists it.

Two countries of the seed are not placed by M49 itself: Antarctica (AQ), which M49 lists in no region, gets its own
value; Taiwan (TW), which M49 does not list separately, gets Asia (Eastern Asia), the region M49 counts it in.
The migration refuses to finish if a seeded country is left without a region."""

from django.db import migrations, models

M49 = {
    "africa": (
        "DZ EG LY MA SD TN EH "  # Northern Africa
        "IO BI KM DJ ER ET TF KE MG MW MU YT MZ RE RW SC SO SS UG TZ ZM ZW "  # Eastern Africa
        "AO CM CF TD CG CD GQ GA ST "  # Middle Africa
        "BW SZ LS NA ZA "  # Southern Africa
        "BJ BF CV CI GM GH GN GW LR ML MR NE NG SH SN SL TG"  # Western Africa
    ),
    "americas": (
        "AI AG AW BS BB BQ VG KY CU CW DM DO GD GP HT JM MQ MS PR BL KN LC MF VC SX TT TC VI "  # Caribbean
        "BZ CR SV GT HN MX NI PA "  # Central America
        "AR BO BV BR CL CO EC FK GF GY PY PE GS SR UY VE "  # South America
        "BM CA GL PM US"  # Northern America
    ),
    "asia": (
        "KZ KG TJ TM UZ "  # Central Asia
        "CN HK MO KP JP MN KR TW "  # Eastern Asia (Taiwan: see the docstring)
        "BN KH ID LA MY MM PH SG TH TL VN "  # South-eastern Asia
        "AF BD BT IN IR MV NP PK LK "  # Southern Asia
        "AM AZ BH CY GE IQ IL JO KW LB OM QA SA PS SY TR AE YE"  # Western Asia
    ),
    "europe": (
        "BY BG CZ HU PL MD RO RU SK UA "  # Eastern Europe
        "AX DK EE FO FI GG IS IE IM JE LV LT NO SJ SE GB "  # Northern Europe
        "AL AD BA HR GI GR VA IT MT ME MK PT SM RS SI ES "  # Southern Europe
        "AT BE FR DE LI LU MC NL CH"  # Western Europe
    ),
    "oceania": (
        "AU CX CC HM NZ NF "  # Australia and New Zealand
        "FJ NC PG SB VU "  # Melanesia
        "GU KI MH FM NR MP PW UM "  # Micronesia
        "AS CK PF NU PN WS TK TO TV WF"  # Polynesia
    ),
    "antarctica": "AQ",
}


def load(apps, schema_editor):
    Country = apps.get_model("agreements", "Country")
    for region, codes in M49.items():
        Country.objects.filter(code__in=codes.split()).update(region=region)
    missing = sorted(Country.objects.filter(region="").values_list("code", flat=True))
    if missing:
        raise RuntimeError(f"No M49 region for {', '.join(missing)}: add them to {__name__}.")


def unload(apps, schema_editor):
    apps.get_model("agreements", "Country").objects.update(region="")


class Migration(migrations.Migration):
    dependencies = [("agreements", "0013_revenue_share_due_days")]

    operations = [
        migrations.AddField(
            model_name="country",
            name="region",
            field=models.CharField(
                choices=[
                    ("africa", "Africa"),
                    ("americas", "Americas"),
                    ("asia", "Asia"),
                    ("europe", "Europe"),
                    ("oceania", "Oceania"),
                    ("antarctica", "Antarctica (in no M49 region)"),
                ],
                default="",
                help_text="Its region in the UN M49 standard (migration 0014).",
                max_length=10,
            ),
            preserve_default=False,
        ),
        migrations.RunPython(load, unload),
    ]
