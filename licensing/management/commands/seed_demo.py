"""Load the demo world (idempotent): users for each role, agreements in several states, applications in
every status, licences with shipments, and LPP notifications. Everything goes through the services."""

import datetime
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from agreements import services as agreements
from agreements.models import Agreement, Country
from agreements.units import tpp_from_h100e
from licensing import services
from licensing.models import Application, LppNotification, Product, UsSalesReport
from portal.choices import Role
from portal.services import portal_user_upsert

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 — the demo world's published password

DEMO_USERS = [
    # username, roles, organisation, agency
    ("exporter", [Role.EXPORTER], "Acme AI Systems Inc.", None),
    ("exporter2", [Role.EXPORTER], "Northwind Servers Ltd", None),
    ("officer", [Role.LICENSING_OFFICER], None, "commerce"),
    ("approver", [Role.APPROVING_OFFICIAL], None, "commerce"),
    ("officer_approver", [Role.LICENSING_OFFICER, Role.APPROVING_OFFICIAL], None, "commerce"),
    ("defense", [Role.AGENCY_REVIEWER], None, "defense"),
    ("state", [Role.AGENCY_REVIEWER], None, "state"),
    ("energy", [Role.AGENCY_REVIEWER], None, "energy"),
    ("negotiator", [Role.NEGOTIATOR], None, None),
    ("policy", [Role.POLICY_ADMIN], None, "commerce"),
    ("policy2", [Role.POLICY_ADMIN], None, "commerce"),  # a regime switch takes two policy administrators
]


def _yearly(years: list[int], h100e: int, caps: dict[int, list[dict]] | None = None) -> list[dict]:
    return [
        {
            "period_start": datetime.date(year, 1, 1),
            "period_end": datetime.date(year, 12, 31),
            "capacity_tpp": tpp_from_h100e(h100e),
            "party_caps": (caps or {}).get(year, []),
        }
        for year in years
    ]


# DOMAIN.md § 5. The UAE framework is counted in chips: up to 500,000 advanced chips a year 2025–2027, mostly
# Blackwell at about 2.3 H100e each, so 1,150,000 H100e a year — not 500,000 H100e. G42's share is 20 % of it.
UAE_CHIPS_A_YEAR = 500_000
UAE_H100E_PER_CHIP = Decimal("2.3")
UAE_H100E_A_YEAR = int(UAE_CHIPS_A_YEAR * UAE_H100E_PER_CHIP)
G42 = {"name": "G42", "country": "AE", "hq_country": "AE", "address": "Abu Dhabi, United Arab Emirates"}
HUMAIN = {"name": "Humain", "country": "SA", "hq_country": "SA", "address": "Riyadh, Saudi Arabia"}
GB300 = "GB300 (Blackwell Ultra GPU)"  # the unit of Commerce's 2025-11-19 authorisations (35,000 each)


def _g42_share(years: list[int]) -> dict[int, list[dict]]:
    return {year: [{"party": G42, "capacity_tpp": tpp_from_h100e(UAE_H100E_A_YEAR) // 5}] for year in years}


AGREEMENTS = [
    {
        "country": "AE",
        "reference": "G2G-AE-2025",
        "title": "US–UAE AI acceleration partnership",
        "valid_from": datetime.date(2025, 5, 15),
        "valid_until": datetime.date(2027, 12, 31),
        "path": ["start_negotiation", "sign", "enter_into_force"],
        "terms": {
            "allotments": _yearly([2025, 2026, 2027], UAE_H100E_A_YEAR, _g42_share([2025, 2026, 2027])),
            "government_assurances": True,
            "site_visits_accepted": True,
            "reciprocal_investment_usd": Decimal("1400000000000"),
            "investment_milestones": [
                {
                    "description": "First UAE-financed US AI data-centre phase, at least as large and powerful as "
                    "the UAE's first-year installations (demo amount: the framework states none)",
                    "amount_usd": Decimal("25000000000.00"),
                    "due_on": datetime.date(2027, 6, 30),
                    "us_site": "to be named by the UAE",
                }
            ],
            "security_conditions": [
                "No re-export, transfer or remote access for entities headquartered in Tier 3.",
                "Security rules aligned with the United States; anti-diversion controls at every site.",
            ],
            "reporting_cadence": "quarterly",
            "notes": "Up to 500,000 advanced chips a year 2025–2027 (mostly Blackwell, ≈ 2.3 H100e each: 1,150,000 "
            "H100e a year); 20 % to G42, the rest to US hyperscalers. The UAE invests in, builds or finances US data "
            "centres at least as large and powerful (White House statement, 2025-05-15; Reuters). The USD 1.4 "
            "trillion recorded as reciprocal investment is the UAE's overall ten-year US investment pledge, not a "
            "data-centre commitment: the milestone tracks the data centres.",
        },
        "amendments": [
            {
                "effective_from": datetime.date(2025, 11, 19),
                "reason": "Commerce authorised G42 to buy the equivalent of 35,000 GB300 (Bloomberg, 2025-11-19): "
                "G42's cap for 2026, the period the authorised shipments fall in; 2025 and 2027 keep the 20 % share.",
                "gb300_caps": {2026: G42},
                "security_conditions": [
                    "No re-export, transfer or remote access for entities headquartered in Tier 3.",
                    "Security rules aligned with the United States; anti-diversion controls at every site.",
                    "The rigorous security and reporting requirements of the Commerce authorisation of 2025-11-19.",
                ],
            }
        ],
    },
    {
        "country": "SA",
        "reference": "G2G-SA-2025",
        "title": "US–Saudi Arabia AI infrastructure arrangement (Humain)",
        "valid_from": datetime.date(2025, 11, 19),
        "valid_until": datetime.date(2028, 12, 31),
        "path": ["start_negotiation", "sign"],
        "terms": {
            "allotments": _yearly([2026, 2027, 2028], 160_000),
            "gb300_caps": {2026: HUMAIN},
            "government_assurances": True,
            "site_visits_accepted": False,
            "security_conditions": ["Anti-diversion commitments; no transfer to entities headquartered in Tier 3."],
            "reporting_cadence": "quarterly",
            "notes": "First phase 18,000 GB300 for Humain; on 2025-11-19 Commerce authorised Humain and G42 each "
            "to buy the equivalent of 35,000 GB300 (company announcements; Bloomberg): Humain's cap in 2026. "
            "The cap binds once the agreement enters into force.",
        },
    },
    {
        "country": "IN",
        "reference": "G2G-IN-2026",
        "title": "US–India AI compute arrangement",
        "valid_from": datetime.date(2026, 1, 1),
        "valid_until": datetime.date(2028, 12, 31),
        "path": ["start_negotiation"],
        "terms": {
            "allotments": _yearly([2026], 100_000),
            "government_assurances": True,
            "security_conditions": ["Quarterly end-use reporting by the consignee."],
            "reporting_cadence": "quarterly",
            "notes": "Under negotiation: India asks for 100,000 H100e in the first year.",
        },
    },
]


def _with_gb300_caps(periods: list[dict], caps: dict[int, dict]) -> list[dict]:
    """The schedule with a party capped at the equivalent of 35,000 GB300 in the given years (the catalogue's
    GB300 TPP), replacing any other cap of that party in those years."""
    if not caps:
        return periods
    gb300 = Product.objects.get(name=GB300).tpp
    changed = []
    for period in periods:
        party = caps.get(period["period_start"].year)
        kept = [cap for cap in period.get("party_caps", []) if party is None or cap["party"] != party]
        added = [{"party": party, "capacity_tpp": 35_000 * gb300}] if party else []
        changed.append({**period, "party_caps": kept + added})
    return changed


class Command(BaseCommand):
    help = f"Load the demo world (idempotent). Every demo password is {DEMO_PASSWORD!r}."

    @transaction.atomic
    def handle(self, *args, **options):
        users = {
            username: portal_user_upsert(
                username=username, password=DEMO_PASSWORD, roles=roles, organisation=organisation, agency=agency
            )
            for username, roles, organisation, agency in DEMO_USERS
        }
        for username, user in users.items():
            if not user.email:  # so the demo's messages are e-mailed too (the console backend prints them)
                user.email = f"{username}@demo.example"  # RFC 2606 reserves .example: no real mailbox is reached
                user.save(update_fields=["email"])
        self._agreements(users["negotiator"])
        if not Application.objects.filter(organisation__name="Acme AI Systems Inc.").exists():
            self._cases(users)
        if not LppNotification.objects.exists():
            self._notifications(users)
        if not UsSalesReport.objects.exists():
            self._china_rule(users["exporter"])
        self.stdout.write(self.style.SUCCESS(f"Demo world ready; every demo password is {DEMO_PASSWORD!r}."))

    def _agreements(self, negotiator) -> None:
        for spec in AGREEMENTS:
            if Agreement.objects.filter(reference=spec["reference"]).exists():
                continue
            terms = dict(spec["terms"])
            terms["allotments"] = _with_gb300_caps(terms["allotments"], terms.pop("gb300_caps", {}))
            agreement = agreements.agreement_create(
                actor=negotiator,
                country=Country.objects.get(code=spec["country"]),
                reference=spec["reference"],
                title=spec["title"],
                valid_from=spec["valid_from"],
                valid_until=spec["valid_until"],
                terms=terms,
            )
            for step in spec["path"]:
                agreement = getattr(agreements, f"agreement_{step}")(actor=negotiator, agreement=agreement)
            for amendment in spec.get("amendments", []):
                changes = {k: v for k, v in amendment.items() if k not in ("effective_from", "reason", "gb300_caps")}
                changes["allotments"] = _with_gb300_caps(terms["allotments"], amendment.get("gb300_caps", {}))
                agreements.amendment_create(
                    actor=negotiator,
                    agreement=agreement,
                    effective_from=amendment["effective_from"],
                    reason=amendment["reason"],
                    terms=changes,
                )

    def _cases(self, users) -> None:
        exporter, exporter2 = users["exporter"], users["exporter2"]
        officer, approver, defense = users["officer"], users["approver"], users["defense"]
        h100, hgx = Product.objects.get(name="H100 SXM"), Product.objects.get(name="HGX H100 8-GPU")
        h20 = Product.objects.get(name="H20")

        def new(who, destination, consignee, items, use="Cloud training cluster"):
            country = Country.objects.get(code=destination)
            party = {"name": consignee, "address": f"Data Park 1, {country.name}", "country": country}
            return services.application_create(
                actor=who,
                destination=country,
                end_use_category="commercial_datacenter",
                end_use=use,
                parties={"ultimate_consignee": party, "end_users": [{**party, "hq_country": country}]},
                items=[
                    {"product": product, "quantity": qty, "unit_price_usd": Decimal("25000")} for product, qty in items
                ],
            )

        def submit(application):
            return services.application_submit(actor=application.created_by, application=application, declaration=True)

        def review(application):
            return services.application_start_review(actor=officer, application=submit(application))

        def recommend(application, recommendation="approve"):
            return services.application_recommend(
                actor=officer,
                application=review(application),
                recommendation=recommendation,
                rationale="End user and site verified against the consolidated screening list.",
            )

        new(exporter, "IN", "Bharat Cloud Pvt Ltd", [(h100, 2_400)], use="Sovereign AI research cloud")
        submit(new(exporter, "BR", "Rio Compute SA", [(hgx, 300), (h20, 50)]))
        review(new(exporter2, "MX", "Monterrey AI Labs", [(h100, 2_000)]))
        services.application_request_info(
            actor=officer,
            application=review(new(exporter, "SG", "Lion City Compute", [(h100, 3_000)])),
            question="Who operates the data centre day to day, and where are its owners headquartered?",
        )
        services.application_refer(
            actor=officer,
            application=review(new(exporter2, "VN", "Saigon Datacenter JSC", [(hgx, 400)])),
            agencies=["defense", "state"],
        )
        answered = review(new(exporter, "ID", "Nusantara AI", [(h100, 1_800)]))
        services.application_refer(actor=officer, application=answered, agencies=["defense"])
        services.application_agency_recommend(
            actor=defense, application=answered, recommendation="approve", rationale="No objection."
        )
        services.application_deny(
            actor=approver,
            application=recommend(new(exporter2, "PK", "Indus Compute", [(h100, 5_000)]), "deny"),
            reason="Risk of diversion to an entity of concern.",
        )
        services.application_return(
            actor=officer,
            application=submit(new(exporter, "EG", "Nile AI", [(h100, 2_500)])),
            reason="The end-user statement is unsigned; file a new application with it signed.",
        )
        services.application_withdraw(
            actor=exporter2, application=submit(new(exporter2, "TH", "Siam GPU", [(h100, 1_900)]))
        )
        self._licences(exporter, approver, recommend, new, h100, hgx)

    def _licences(self, exporter, approver, recommend, new, h100, hgx) -> None:
        today = timezone.localdate()
        uae = services.application_approve(
            actor=approver,
            application=recommend(new(exporter, "AE", "G42", [(hgx, 2_500)])),
            conditions=["Quarterly report of installed systems to BIS."],
        )
        services.shipment_report(
            actor=exporter, licence=uae.licence, shipped_on=today, items=[{"product": hgx, "quantity": 900}]
        )
        done = services.application_approve(
            actor=approver, application=recommend(new(exporter, "MY", "Johor Data Centres", [(h100, 2_000)]))
        )
        services.shipment_report(
            actor=exporter, licence=done.licence, shipped_on=today, items=[{"product": h100, "quantity": 2_000}]
        )
        revoked = services.application_approve(
            actor=approver, application=recommend(new(exporter, "KE", "Nairobi AI Hub", [(h100, 3_000)]))
        )
        services.licence_revoke(
            actor=approver, licence=revoked.licence, reason="End user found to front for a listed entity."
        )

    def _china_rule(self, exporter) -> None:
        """The H200 walkthrough's start (FR Doc 2026-00789): attested US sales, and a draft to China whose
        submission asks for the rule's four certifications."""
        h200, china = Product.objects.get(name="H200 SXM"), Country.objects.get(code="CN")
        today = timezone.localdate()
        quarter = f"{today.year}Q{(today.month - 1) // 3 + 1}"
        services.us_sales_report_file(actor=exporter, product=h200, quarter=quarter, units=1000)
        party = {"name": "Lotus Compute", "address": "8 Zhangjiang Road, Shanghai", "country": china}
        services.application_create(
            actor=exporter,
            destination=china,
            end_use_category="commercial_datacenter",
            end_use="Inference service for a commercial cloud",
            parties={"ultimate_consignee": party, "end_users": [{**party, "hq_country": china}]},
            items=[{"product": h200, "quantity": 400, "unit_price_usd": Decimal("30000")}],
        )

    def _notifications(self, users) -> None:
        india, h100 = Country.objects.get(code="IN"), Product.objects.get(name="H100 SXM")
        for who, quantity in ((users["exporter"], 600), (users["exporter2"], 400)):
            services.notification_file(
                actor=who,
                destination=india,
                consignee="Pune Research Institute",
                end_user_hq=[india],
                items=[{"product": h100, "quantity": quantity}],
            )
