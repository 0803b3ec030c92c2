"""Build applications and licences in a given state through the same services users go through."""

import datetime
import itertools

from django.utils import timezone

from agreements import services as agreements_services
from agreements.choices import AllotmentSource, PolicyKind
from agreements.models import Agreement, Allotment, Country, LedgerEntry, Party, Policy
from agreements.selectors import remaining_tpp
from agreements.units import H100_TPP
from licensing import services
from licensing.models import (
    Application,
    ApplicationLine,
    ApplicationParty,
    CertificationAffirmation,
    Declaration,
    Document,
    InfoRequest,
    Licence,
    LicenceLine,
    LppNotification,
    NumberSequence,
    Obligation,
    ObligationSubmission,
    Product,
    Programme,
    ProgrammeCertification,
    ProgrammeVersion,
    RecommendationEntry,
    Referral,
    Shipment,
    ShipmentLine,
    SuspensionProposal,
    UsSalesReport,
)
from portal.models import AuditEvent
from tests.factories import make_user

_references = itertools.count(1)


def product(name: str = "H100 SXM") -> Product:
    return Product.objects.get(name=name)


def application_body(destination: str = "IN", quantity: int = 5000, consignee: str = "Gulf Compute LLC") -> dict:
    """The API body of SPEC § 5.3."""
    return {
        "destination": destination,
        "end_use_category": "commercial_datacenter",
        "end_use": "Cloud training cluster",
        "parties": {
            "ultimate_consignee": {"name": consignee, "address": "1 Data Park", "country": destination},
            "end_users": [
                {"name": consignee, "address": "1 Data Park", "country": destination, "hq_country": destination}
            ],
            "purchaser": None,
            "intermediate_consignees": [],
        },
        "items": [{"product": product().pk, "quantity": quantity, "unit_price_usd": "25000.00"}],
    }


def draft(
    exporter=None,
    *,
    destination: str = "IN",
    quantity: int = 5000,
    consignee: str = "Gulf Compute LLC",
    items: list[tuple[str, int]] | None = None,
) -> Application:
    exporter = exporter or make_user("exporter")
    country = Country.objects.get(code=destination)
    lines = [{"product": product(name), "quantity": qty} for name, qty in (items or [("H100 SXM", quantity)])]
    return services.application_create(
        actor=exporter,
        destination=country,
        end_use_category="commercial_datacenter",
        end_use="Cloud training cluster",
        parties={
            "ultimate_consignee": {"name": consignee, "address": "1 Data Park", "country": country},
            "end_users": [{"name": consignee, "address": "1 Data Park", "country": country, "hq_country": country}],
        },
        items=lines,
    )


def submitted(exporter=None, **kwargs) -> Application:
    application = draft(exporter, **kwargs)
    return services.application_submit(actor=application.created_by, application=application, declaration=True)


def under_review(exporter=None, *, officer=None, **kwargs) -> Application:
    application = submitted(exporter, **kwargs)
    return services.application_start_review(actor=officer or make_user("licensing_officer"), application=application)


def recommended(exporter=None, *, officer=None, recommendation: str = "approve", **kwargs) -> Application:
    officer = officer or make_user("licensing_officer")
    application = under_review(exporter, officer=officer, **kwargs)
    return services.application_recommend(
        actor=officer, application=application, recommendation=recommendation, rationale="Checked the end user."
    )


def approved(exporter=None, *, approver=None, **kwargs) -> Application:
    application = recommended(exporter, **kwargs)
    return services.application_approve(actor=approver or make_user("approving_official"), application=application)


# Further states, and the instruments the service tests use. Everything still goes through the services.


def referred(exporter=None, *, officer=None, agencies: tuple[str, ...] = ("defense",), **kwargs) -> Application:
    officer = officer or make_user("licensing_officer")
    application = under_review(exporter, officer=officer, **kwargs)
    return services.application_refer(actor=officer, application=application, agencies=list(agencies))


def info_requested(exporter=None, *, officer=None, **kwargs) -> Application:
    officer = officer or make_user("licensing_officer")
    application = under_review(exporter, officer=officer, **kwargs)
    return services.application_request_info(actor=officer, application=application, question="Who runs the site?")


def reviewed_after_referral(
    exporter=None, *, officer=None, agency: str = "defense", recommendation: str = "approve", **kwargs
) -> Application:
    """Back under review once `agency` answered its referral: visible to that agency's reviewers from now on."""
    application = referred(exporter, officer=officer, agencies=(agency,), **kwargs)
    reviewer = make_user("agency_reviewer", agency=agency)
    return services.application_agency_recommend(
        actor=reviewer, application=application, recommendation=recommendation, rationale="Reviewed."
    )


def licence(exporter=None, *, approver=None, **kwargs) -> Licence:
    """The licence of a wholly approved application."""
    return approved(exporter, approver=approver, **kwargs).licence


def notify(
    exporter=None, *, destination: str = "IN", consignee: str = "Small Co", quantity: int = 100, name: str = "H100 SXM"
) -> LppNotification:
    return services.notification_file(
        actor=exporter or make_user("exporter"),
        destination=Country.objects.get(code=destination),
        consignee=consignee,
        end_user_hq=[],
        items=[{"product": product(name), "quantity": quantity}],
    )


def tier2_allotment(country: str = "IN") -> Allotment:
    return Allotment.objects.get(country_id=country, source=AllotmentSource.TIER_ALLOCATION)


def shrink_allotment(allotment: Allotment, *, leave_tpp: int) -> None:
    """Reserve directly on the ledger so that exactly `leave_tpp` remains."""
    remaining = remaining_tpp(allotment, timezone.now())
    agreements_services.allotment_reserve(
        actor=None, allotment_id=allotment.pk, tpp=remaining - leave_tpp, consignee="earlier", reference="EARLIER"
    )


def switch_to_global(**parameters) -> Policy:
    """The global regime in force from now: proposed and approved (as the system)."""
    proposal = agreements_services.policy_propose(
        actor=None, kind=PolicyKind.GLOBAL, reason="Global licensing regime adopted", **parameters
    )
    return agreements_services.policy_approve(actor=None, policy=proposal)


def switch_to_baseline(**parameters) -> Policy:
    """The baseline regime in force from now: proposed and approved (as the system)."""
    proposal = agreements_services.policy_propose(
        actor=None, kind=PolicyKind.BASELINE, reason="Tiered rule rescinded: baseline controls", **parameters
    )
    return agreements_services.policy_approve(actor=None, policy=proposal)


def agreement_in_force(country: str = "IN", *, capacity_tpp: int = 1_000 * H100_TPP, **terms) -> Agreement:
    """An agreement in force since 1 January this year, its one allotment covering this year."""
    today = timezone.localdate()
    start, end = datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31)
    agreement = agreements_services.agreement_create(
        actor=None,
        country=Country.objects.get(code=country),
        reference=f"G2G-{country}-LIC-{next(_references)}",
        title=f"US–{country} arrangement",
        valid_from=start,
        valid_until=start.replace(year=start.year + 3) - datetime.timedelta(days=1),
        terms={
            "allotments": [{"period_start": start, "period_end": end, "capacity_tpp": capacity_tpp}],
            "government_assurances": True,
            "reporting_cadence": "quarterly",
            "security_conditions": ["Compute-usage reports to BIS"],
            **terms,
        },
    )
    for step in (
        agreements_services.agreement_start_negotiation,
        agreements_services.agreement_sign,
        agreements_services.agreement_enter_into_force,
    ):
        agreement = step(actor=None, agreement=agreement)
    return agreement


def capped_agreement(
    country: str = "QA",
    *,
    capacity_h100e: int = 10_000,
    party: dict | None = None,
    cap_h100e: int = 2_000,
) -> Agreement:
    """An agreement in force (`agreement_in_force`) whose allotment, amended to terms version 2, caps one named
    party — by default Falcon Compute, 2,000 H100e of 10,000, as in the G42 share of the UAE deal."""
    party = party or {"name": "Falcon Compute", "country": country, "hq_country": country}
    agreement = agreement_in_force(country, capacity_tpp=capacity_h100e * H100_TPP, site_visits_accepted=True)
    allotment = Allotment.objects.get(agreement=agreement)
    agreements_services.amendment_create(
        actor=None,
        agreement=agreement,
        effective_from=agreement.valid_from,
        reason="Company cap",
        terms={
            "allotments": [
                {
                    "period_start": allotment.period_start,
                    "period_end": allotment.period_end,
                    "capacity_tpp": allotment.capacity_tpp,
                    "party_caps": [{"party": party, "capacity_tpp": cap_h100e * H100_TPP}],
                }
            ]
        },
    )
    return agreement


WATCHED = (Application, ApplicationParty, Party, ApplicationLine, InfoRequest, Referral, Licence, LicenceLine)
WATCHED += (Shipment, ShipmentLine)
WATCHED += (LppNotification, LedgerEntry, AuditEvent, RecommendationEntry)
WATCHED += (Programme, ProgrammeVersion, ProgrammeCertification, CertificationAffirmation, UsSalesReport)
WATCHED += (Document,)
WATCHED += (Obligation, ObligationSubmission, SuspensionProposal)
WATCHED += (Declaration,)

# The fields a refused action must leave as they were, per row.
APPLICATION_FIELDS = (
    "status",
    "acn",
    "destination_id",
    "end_use",
    "requested_tpp",
    "allotment_id",
    "due_at",
    "paused_at",
    "officer_id",
    "recommendation",
    "recommended_by_id",
    "recommendation_rationale",
    "decided_by_id",
    "decided_at",
    "decision_reason",
)


def _rows(queryset, *fields: str) -> dict:
    return {row[0]: row[1:] for row in queryset.values_list("pk", *fields)}


def db_state() -> dict:
    """Row counts, and what a refusal must not change in the rows there are: statuses, ACNs and decisions,
    quantities requested, approved and shipped, referral answers, number counters, the ledger and allotment use.
    Equal before and after means nothing was written."""
    state: dict = {model._meta.label: model.objects.count() for model in WATCHED}
    state["numbers"] = dict(NumberSequence.objects.values_list("name", "value"))
    state["committed"] = dict(Allotment.objects.values_list("pk", "committed_tpp"))
    state["applications"] = _rows(Application.objects, *APPLICATION_FIELDS)
    state["quantities"] = _rows(ApplicationLine.objects, "product_id", "quantity")
    state["licences"] = _rows(Licence.objects, "status", "status_reason", "valid_until", "reserved_tpp")
    state["licence_lines"] = _rows(LicenceLine.objects, "approved_quantity", "shipped_quantity")
    state["referrals"] = _rows(Referral.objects, "answered_at", "answered_by_id", "recommendation", "due_at")
    state["questions"] = _rows(InfoRequest.objects, "answer", "answered_at")
    state["obligations"] = _rows(Obligation.objects, "status", "decided_by_id", "decision_reason", "due_on")
    state["ledger"] = _rows(LedgerEntry.objects, "allotment_id", "kind", "tpp", "reference")
    return state
