"""Every case-side endpoint of SPEC § 5.1 × every role × own/other organisation or agency → the expected status.

401 without credentials, 403 when the role lacks the right, 404 when the record is outside the caller's scope
(never 403: it does not exist for them), and lists that leave out what the caller may not see. A refused call
writes nothing.

Each case builds only what it needs, through the services, in the state where the action is legal: whoever
is allowed gets a 2xx, so every other answer is the permission and scope rules talking.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from agreements import services as agreements_services
from agreements.units import H100_TPP
from licensing import services
from licensing.models import Obligation, Programme
from licensing.services.programmes import us_sales_report_file
from portal.models import AuditEvent
from tests.factories import make_user
from tests.licensing import factories as f

pytestmark = pytest.mark.django_db

OWN_ORG, OTHER_ORG = "Acme AI Systems Inc.", "Rival Chips Ltd"
REFERRED_AGENCY, OTHER_AGENCY = "defense", "state"

EXPORTER, EXPORTER_OTHER = "exporter", "exporter (other organisation)"
OFFICER, APPROVER = "licensing_officer", "approving_official"
AGENCY, AGENCY_OTHER = "agency_reviewer (referred agency)", "agency_reviewer (other agency)"
NEGOTIATOR, POLICY_ADMIN, ANONYMOUS = "negotiator", "policy_admin", "anonymous"

USERS: dict[str, Callable] = {
    EXPORTER: lambda: make_user("exporter", organisation=OWN_ORG),
    EXPORTER_OTHER: lambda: make_user("exporter", organisation=OTHER_ORG),
    OFFICER: lambda: make_user("licensing_officer"),
    APPROVER: lambda: make_user("approving_official"),
    AGENCY: lambda: make_user("agency_reviewer", agency=REFERRED_AGENCY),
    AGENCY_OTHER: lambda: make_user("agency_reviewer", agency=OTHER_AGENCY),
    NEGOTIATOR: lambda: make_user("negotiator"),
    POLICY_ADMIN: lambda: make_user("policy_admin"),
    ANONYMOUS: lambda: None,
}
ROLES = list(USERS)
STAFF = (OFFICER, APPROVER, POLICY_ADMIN)


def expect(default: int, **by_role: int) -> dict[str, int]:
    """`default` for every role not named (keywords are the role constants' variable names), 401 anonymous."""
    names = {
        "exporter": EXPORTER,
        "exporter_other": EXPORTER_OTHER,
        "officer": OFFICER,
        "approver": APPROVER,
        "agency": AGENCY,
        "agency_other": AGENCY_OTHER,
        "negotiator": NEGOTIATOR,
        "policy_admin": POLICY_ADMIN,
    }
    table = dict.fromkeys(ROLES, default) | {names[key]: status for key, status in by_role.items()}
    return table | {ANONYMOUS: 401}


def mine():
    return make_user("exporter", organisation=OWN_ORG)


def theirs():
    return make_user("exporter", organisation=OTHER_ORG)


# Worlds: the records an endpoint acts on, built through the services.


def w_draft():
    return {"app": f.draft(mine())}


def w_submitted():
    return {"app": f.submitted(mine())}


def w_after_referral():
    """Under review after Defense answered its referral: Defense's reviewers see it from now on."""
    return {"app": f.reviewed_after_referral(mine(), agency=REFERRED_AGENCY)}


def w_referred():
    return {"app": f.referred(mine(), agencies=(REFERRED_AGENCY,))}


def w_info_requested():
    app = f.info_requested(mine())
    return {"app": app, "question": app.info_requests.get()}


def question_url(verb: str) -> Callable[[dict], str]:
    return lambda w: f"/api/v1/applications/{w['app'].pk}/info-requests/{w['question'].pk}/{verb}/"


def w_recommended_after_referral():
    officer = make_user("licensing_officer")
    app = f.reviewed_after_referral(mine(), officer=officer, agency=REFERRED_AGENCY)
    services.application_recommend(actor=officer, application=app, recommendation="approve", rationale="Fine.")
    return {"app": app}


def w_applications():
    """Beside what each role may list, what it must not: each exporter's draft (the exporter's own until sent:
    not even staff see it), and a case referred to another agency."""
    return {
        "app": f.reviewed_after_referral(mine(), agency=REFERRED_AGENCY),
        "unreferred": f.submitted(mine(), consignee="Second Lab"),
        "draft": f.draft(mine(), consignee="Draft Lab"),
        "theirs": f.submitted(theirs(), consignee="Rival Lab"),
        "their_draft": f.draft(theirs(), consignee="Rival Draft Lab"),
        "other_agency": f.referred(theirs(), agencies=(OTHER_AGENCY,), consignee="Rival Referred Lab"),
    }


def w_licence():
    return {"licence": f.licence(mine())}


def w_suspended_licence():
    licence = f.licence(mine())
    services.licence_suspend(actor=make_user("approving_official"), licence=licence, reason="Audit")
    return {"licence": licence}


def w_licences():
    return {"licence": f.licence(mine()), "theirs": f.licence(theirs(), consignee="Rival Lab")}


def _licence_with_obligations(exporter, **terms):
    f.agreement_in_force("IN", capacity_tpp=10_000 * H100_TPP, **terms)
    f.switch_to_global(lpp_threshold_tpp=0)
    return f.licence(exporter, quantity=500)


def w_obligation():
    return {"obligation": _licence_with_obligations(mine()).obligation_set.first()}


def w_obligations():
    licence = _licence_with_obligations(mine())
    theirs_ = f.licence(theirs(), consignee="Rival Lab", quantity=500)
    world = {"obligation": licence.obligation_set.first(), "theirs": theirs_.obligation_set.first()}
    # Only these two are overdue, so the list filtered on `overdue` shows exactly them to whoever sees them.
    Obligation.objects.filter(pk__in=[o.pk for o in world.values()]).update(
        due_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    return world


def w_submitted_obligation():
    exporter = mine()
    obligation = _licence_with_obligations(exporter).obligation_set.first()
    services.obligation_submit(actor=exporter, obligation=obligation, text="Quarterly report.")
    return {"obligation": obligation}


def w_revenue_share():
    exporter = mine()
    licence = _licence_with_obligations(exporter, revenue_share_percent=Decimal("15"))
    services.shipment_report(
        actor=exporter,
        licence=licence,
        shipped_on=timezone.localdate(),
        items=[{"product": f.product(), "quantity": 1}],
        invoice_value_usd=Decimal("1000"),
    )
    return {"obligation": licence.obligation_set.get(kind="revenue_share")}


def obligation_url(suffix: str = "") -> Callable[[dict], str]:
    return lambda w: f"/api/v1/obligations/{w['obligation'].pk}/{suffix}"


def w_notifications():
    return {"notification": f.notify(mine()), "theirs": f.notify(theirs(), consignee="Rival Lab")}


def w_audit():
    return {"event": AuditEvent.objects.filter(verb="application.created").get(target_id=str(f.draft(mine()).pk))}


def w_user():
    return {"user": make_user("approving_official")}


def w_pending():
    return {"app": f.submitted(mine())}


def w_nothing():
    return {}


def w_proposal():
    proposal = agreements_services.policy_propose(actor=None, kind="global", reason="Proposed", lpp_threshold_tpp=0)
    return {"app": f.submitted(mine()), "proposal": proposal}


def w_programme():
    return {"programme": Programme.objects.get(citation="FR Doc 2026-00789")}


def w_us_sales():
    quarter = f"{timezone.localdate().year}Q1"
    h200 = f.product("H200 SXM")
    return {
        "report": us_sales_report_file(actor=mine(), product=h200, quarter=quarter, units=1000),
        "theirs": us_sales_report_file(actor=theirs(), product=h200, quarter=quarter, units=10),
    }


def _programme_body(w):
    version = {"effective_from": "2027-01-01", "destinations": ["CN"], "max_tpp": 10_000, "presumption": "denial"}
    return {"name": "Test programme", "citation": "FR Doc 2027-00001", "version": version}


def w_agreement():
    return {"agreement": f.agreement_in_force("QA")}


def app_url(suffix: str = "") -> Callable[[dict], str]:
    return lambda w: f"/api/v1/applications/{w['app'].pk}/{suffix}"


def licence_url(suffix: str = "") -> Callable[[dict], str]:
    return lambda w: f"/api/v1/licences/{w['licence'].number}/{suffix}"


@dataclass(frozen=True)
class Case:
    method: str
    url: Callable[[dict], str]
    world: Callable[[], dict]
    expected: dict[str, int]
    body: Callable[[dict], dict] | None = None
    # For lists: which of the world's records each role sees (keys of the world), by role; others see none.
    listed: dict[str, set[str]] = field(default_factory=dict)
    key: str = "id"
    format: str = "json"  # "multipart" for uploads


def _item(name="H100 SXM", quantity=1):
    return lambda w: {"items": [{"product": f.product(name).pk, "quantity": quantity}]}


EXPORTER_ONLY_ON_OWN = expect(403, exporter=200, exporter_other=404)
OFFICER_ACTION = expect(403, officer=200, exporter_other=404, agency_other=404)  # referred agency: visible, no right
APPROVER_ACTION = expect(403, approver=200, exporter_other=404, agency_other=404)
LICENCE_MANAGEMENT = expect(403, approver=200)

CASES = {
    # Applications
    "GET applications/": Case(
        "get",
        lambda w: "/api/v1/applications/",
        w_applications,
        expect(200, negotiator=403),
        listed={
            EXPORTER: {"app", "unreferred", "draft"},
            EXPORTER_OTHER: {"theirs", "their_draft", "other_agency"},
            **dict.fromkeys(STAFF, {"app", "unreferred", "theirs", "other_agency"}),
            AGENCY: {"app"},
            AGENCY_OTHER: {"other_agency"},
        },
    ),
    "POST applications/": Case(
        "post",
        lambda w: "/api/v1/applications/",
        w_nothing,
        expect(403, exporter=201, exporter_other=201),
        body=lambda w: f.application_body(),
    ),
    "GET applications/{id}/": Case(
        "get",
        app_url(),
        w_after_referral,
        expect(200, exporter_other=404, agency_other=404, negotiator=403),
    ),
    "PATCH applications/{id}/": Case(
        "patch", app_url(), w_draft, EXPORTER_ONLY_ON_OWN, body=lambda w: {"end_use": "Inference service"}
    ),
    "POST applications/{id}/submit/": Case(
        "post", app_url("submit/"), w_draft, EXPORTER_ONLY_ON_OWN, body=lambda w: {"declaration": True}
    ),
    "POST applications/{id}/withdraw/": Case(
        "post", app_url("withdraw/"), w_after_referral, EXPORTER_ONLY_ON_OWN, body=lambda w: {"reason": "Cancelled"}
    ),
    "POST applications/{id}/respond/": Case(
        "post", app_url("respond/"), w_info_requested, EXPORTER_ONLY_ON_OWN, body=lambda w: {"answer": "The lab."}
    ),
    "POST applications/{id}/start-review/": Case(
        "post",
        app_url("start-review/"),
        w_submitted,
        expect(403, officer=200, exporter_other=404, agency=404) | {AGENCY_OTHER: 404},
    ),
    "POST applications/{id}/request-info/": Case(
        "post", app_url("request-info/"), w_after_referral, OFFICER_ACTION, body=lambda w: {"question": "Who?"}
    ),
    "POST applications/{id}/info-requests/{id}/amend/": Case(
        "post",
        question_url("amend"),
        w_info_requested,
        expect(403, officer=200, exporter_other=404, agency=404) | {AGENCY_OTHER: 404},
        body=lambda w: {"question": "Who owns it?"},
    ),
    "POST applications/{id}/info-requests/{id}/withdraw/": Case(
        "post",
        question_url("withdraw"),
        w_info_requested,
        expect(403, officer=200, exporter_other=404, agency=404) | {AGENCY_OTHER: 404},
        body=lambda w: {"reason": "Not needed."},
    ),
    "POST applications/{id}/refer/": Case(
        "post", app_url("refer/"), w_after_referral, OFFICER_ACTION, body=lambda w: {"agencies": ["energy"]}
    ),
    "POST applications/{id}/recommend/": Case(
        "post",
        app_url("recommend/"),
        w_after_referral,
        OFFICER_ACTION,
        body=lambda w: {"recommendation": "approve", "rationale": "Verified."},
    ),
    "POST applications/{id}/return/": Case(
        "post", app_url("return/"), w_after_referral, OFFICER_ACTION, body=lambda w: {"reason": "Incomplete."}
    ),
    "POST applications/{id}/agency-recommendation/": Case(
        "post",
        app_url("agency-recommendation/"),
        w_referred,
        expect(403, agency=200, exporter_other=404, agency_other=404),
        body=lambda w: {"recommendation": "approve", "rationale": "No concern."},
    ),
    "POST applications/{id}/approve/": Case(
        "post", app_url("approve/"), w_recommended_after_referral, APPROVER_ACTION, body=lambda w: {}
    ),
    "POST applications/{id}/deny/": Case(
        "post", app_url("deny/"), w_recommended_after_referral, APPROVER_ACTION, body=lambda w: {"reason": "Risk."}
    ),
    # Licences
    "GET licences/": Case(
        "get",
        lambda w: "/api/v1/licences/",
        w_licences,
        expect(200, agency=403, agency_other=403, negotiator=403),
        listed={EXPORTER: {"licence"}, EXPORTER_OTHER: {"theirs"}, **dict.fromkeys(STAFF, {"licence", "theirs"})},
        key="number",
    ),
    "GET licences/{number}/": Case(
        "get", licence_url(), w_licence, expect(200, exporter_other=404, agency=403, agency_other=403, negotiator=403)
    ),
    "POST licences/{number}/shipments/": Case(
        "post",
        licence_url("shipments/"),
        w_licence,
        expect(403, exporter=201, exporter_other=404),
        body=lambda w: {"shipped_on": timezone.localdate().isoformat(), **_item()(w)},
    ),
    "POST licences/{number}/suspend/": Case(
        "post", licence_url("suspend/"), w_licence, LICENCE_MANAGEMENT, body=lambda w: {"reason": "Audit"}
    ),
    "POST licences/{number}/reinstate/": Case(
        "post", licence_url("reinstate/"), w_suspended_licence, LICENCE_MANAGEMENT, body=lambda w: {"reason": "Ok"}
    ),
    "POST licences/{number}/revoke/": Case(
        "post", licence_url("revoke/"), w_licence, LICENCE_MANAGEMENT, body=lambda w: {"reason": "Diversion"}
    ),
    # Obligations
    "GET obligations/": Case(
        "get",
        lambda w: "/api/v1/obligations/?overdue=true",
        w_obligations,
        expect(200, agency=403, agency_other=403, negotiator=403),
        listed={EXPORTER: {"obligation"}, EXPORTER_OTHER: {"theirs"}, **dict.fromkeys(STAFF, {"obligation", "theirs"})},
    ),
    "GET obligations/{id}/": Case(
        "get",
        obligation_url(),
        w_obligation,
        expect(200, exporter_other=404, agency=403, agency_other=403, negotiator=403),
    ),
    "POST obligations/{id}/submit/": Case(
        "post",
        obligation_url("submit/"),
        w_obligation,
        expect(403, exporter=200, exporter_other=404),
        body=lambda w: {"text": "Quarterly report."},
    ),
    "POST obligations/{id}/record-payment/": Case(
        "post",
        obligation_url("record-payment/"),
        w_revenue_share,
        expect(403, exporter=200, exporter_other=404),
        body=lambda w: {"amount_paid_usd": "150.00", "reference": "WIRE-1"},
    ),
    "POST obligations/{id}/accept/": Case(
        "post", obligation_url("accept/"), w_submitted_obligation, expect(403, officer=200), body=lambda w: {}
    ),
    "POST obligations/{id}/reject/": Case(
        "post",
        obligation_url("reject/"),
        w_submitted_obligation,
        expect(403, officer=200),
        body=lambda w: {"reason": "Incomplete."},
    ),
    # LPP notifications
    "GET notifications/": Case(
        "get",
        lambda w: "/api/v1/notifications/",
        w_notifications,
        expect(200, agency=403, agency_other=403, negotiator=403),
        listed={
            EXPORTER: {"notification"},
            EXPORTER_OTHER: {"theirs"},
            **dict.fromkeys(STAFF, {"notification", "theirs"}),
        },
    ),
    "POST notifications/": Case(
        "post",
        lambda w: "/api/v1/notifications/",
        w_nothing,
        expect(403, exporter=201, exporter_other=201),
        body=lambda w: {"destination": "IN", "consignee": "Small Co", **_item(quantity=10)(w)},
    ),
    "GET notifications/{id}/": Case(
        "get",
        lambda w: f"/api/v1/notifications/{w['notification'].pk}/",
        w_notifications,
        expect(200, exporter_other=404, agency=403, agency_other=403, negotiator=403),
    ),
    # The audit trail, the impact preview, determinations
    "GET audit-events/": Case(
        "get",
        lambda w: f"/api/v1/audit-events/?target_type=licensing.application&target_id={w['event'].target_id}",
        w_audit,
        expect(403, officer=200, approver=200, policy_admin=200),
        listed=dict.fromkeys(STAFF, {"event"}),
    ),
    "GET audit-events/{id}/": Case(
        "get",
        lambda w: f"/api/v1/audit-events/{w['event'].pk}/",
        w_audit,
        expect(403, officer=200, approver=200, policy_admin=200),
    ),
    "GET policy/impact/": Case(
        "get",
        lambda w: "/api/v1/policy/impact/?kind=global&lpp_threshold_tpp=0",
        w_pending,
        expect(403, officer=200, approver=200, policy_admin=200, negotiator=200),
    ),
    "GET policy/{id}/impact/": Case(
        "get",
        lambda w: f"/api/v1/policy/{w['proposal'].pk}/impact/",
        w_proposal,
        expect(403, officer=200, approver=200, policy_admin=200, negotiator=200),
    ),
    "GET policy/impact/csv/": Case(
        "get",
        lambda w: "/api/v1/policy/impact/csv/?kind=global&lpp_threshold_tpp=0",
        w_pending,
        expect(403, officer=200, approver=200, policy_admin=200, negotiator=200),
    ),
    "GET policy/{id}/impact/csv/": Case(
        "get",
        lambda w: f"/api/v1/policy/{w['proposal'].pk}/impact/csv/",
        w_proposal,
        expect(403, officer=200, approver=200, policy_admin=200, negotiator=200),
    ),
    "POST determinations/": Case(
        "post",
        lambda w: "/api/v1/determinations/",
        w_nothing,
        expect(200),
        body=lambda w: {"destination": "IN", "consignee": "Small Co", **_item(quantity=10)(w)},
    ),
    "POST determinations/batch/": Case(
        "post",
        lambda w: "/api/v1/determinations/batch/",
        w_nothing,
        expect(200),
        body=lambda w: {"requests": [{"destination": "IN", "consignee": "Small Co", **_item(quantity=10)(w)}]},
    ),
    # Licence-review programmes (reference data every role reads) and US-sales reports
    "GET programmes/": Case("get", lambda w: "/api/v1/programmes/", w_nothing, expect(200)),
    "POST programmes/": Case(
        "post", lambda w: "/api/v1/programmes/", w_nothing, expect(403, policy_admin=201), body=_programme_body
    ),
    "GET programmes/{id}/": Case("get", lambda w: f"/api/v1/programmes/{w['programme'].pk}/", w_programme, expect(200)),
    "PATCH programmes/{id}/": Case(
        "patch",
        lambda w: f"/api/v1/programmes/{w['programme'].pk}/",
        w_programme,
        expect(403, policy_admin=200),
        body=lambda w: {"source": "Corrected source note."},
    ),
    "GET us-sales-reports/": Case(
        "get",
        lambda w: "/api/v1/us-sales-reports/",
        w_us_sales,
        expect(200, agency=403, agency_other=403, negotiator=403),
        listed={EXPORTER: {"report"}, EXPORTER_OTHER: {"theirs"}, **dict.fromkeys(STAFF, {"report", "theirs"})},
    ),
    "POST us-sales-reports/": Case(
        "post",
        lambda w: "/api/v1/us-sales-reports/",
        w_nothing,
        expect(403, exporter=201, exporter_other=201),
        body=lambda w: {"product": f.product("H200 SXM").pk, "quarter": f"{timezone.localdate().year}Q1", "units": 5},
    ),
    # An agreement's performance: routed here for its shipped figures (the agreement's own scope: staff, negotiators)
    "GET agreements/{id}/performance/": Case(
        "get",
        lambda w: f"/api/v1/agreements/{w['agreement'].pk}/performance/",
        w_agreement,
        expect(403, officer=200, approver=200, policy_admin=200, negotiator=200),
    ),
    # Users and roles (portal; policy_admin only — tests/portal/test_users_api.py has the escalation cases)
    "GET users/": Case("get", lambda w: "/api/v1/users/", w_user, expect(403, policy_admin=200)),
    "POST users/": Case(
        "post",
        lambda w: "/api/v1/users/",
        w_nothing,
        expect(403, policy_admin=201),
        body=lambda w: {"username": "newcomer", "email": "newcomer@example.gov", "roles": ["licensing_officer"]},
    ),
    "GET users/{id}/": Case("get", lambda w: f"/api/v1/users/{w['user'].pk}/", w_user, expect(403, policy_admin=200)),
    "PATCH users/{id}/": Case(
        "patch",
        lambda w: f"/api/v1/users/{w['user'].pk}/",
        w_user,
        expect(403, policy_admin=200),
        body=lambda w: {"roles": ["licensing_officer"]},
    ),
}


# Supporting documents (issue 14): scoped like their parent; uploads are the exporter's own.


def w_shipment():
    exporter = mine()
    licence = f.licence(exporter)
    shipment = services.shipment_report(
        actor=exporter,
        licence=licence,
        shipped_on=timezone.localdate(),
        items=[{"product": f.product(), "quantity": 1}],
    )
    return {"licence": licence, "shipment": shipment}


def w_document():
    """A document attached to a draft, then sent, reviewed and answered by Defense: Defense's reviewers see it."""
    from licensing.services.documents import document_attach_to_application

    exporter, officer = mine(), make_user("licensing_officer")
    app = f.draft(exporter)
    document = document_attach_to_application(actor=exporter, application=app, upload=_pdf()["file"])
    services.application_submit(actor=exporter, application=app, declaration=True)
    services.application_start_review(actor=officer, application=app)
    services.application_refer(actor=officer, application=app, agencies=[REFERRED_AGENCY])
    reviewer = make_user("agency_reviewer", agency=REFERRED_AGENCY)
    services.application_agency_recommend(actor=reviewer, application=app, recommendation="approve", rationale="Ok.")
    return {"app": app, "document": document}


def _pdf(w=None):
    from tests.licensing.documents import PDF, upload

    return {"file": upload("chart.pdf", PDF)}


def shipment_documents_url(w):
    return f"/api/v1/licences/{w['licence'].number}/shipments/{w['shipment'].pk}/documents/"


CASES.update(
    {
        "GET applications/{id}/documents/": Case(
            "get",
            app_url("documents/"),
            w_after_referral,
            expect(200, exporter_other=404, agency_other=404, negotiator=403),
        ),
        "POST applications/{id}/documents/": Case(
            "post",
            app_url("documents/"),
            w_draft,
            expect(403, exporter=201, exporter_other=404),
            _pdf,
            format="multipart",
        ),
        "GET licences/{number}/shipments/{id}/documents/": Case(
            "get",
            shipment_documents_url,
            w_shipment,
            expect(200, exporter_other=404, agency=403, agency_other=403, negotiator=403),
        ),
        "POST licences/{number}/shipments/{id}/documents/": Case(
            "post",
            shipment_documents_url,
            w_shipment,
            expect(403, exporter=201, exporter_other=404),
            _pdf,
            format="multipart",
        ),
        "GET obligations/{id}/documents/": Case(
            "get",
            obligation_url("documents/"),
            w_submitted_obligation,
            expect(200, exporter_other=404, agency=403, agency_other=403, negotiator=403),
        ),
        "POST obligations/{id}/documents/": Case(
            "post",
            obligation_url("documents/"),
            w_obligation,
            expect(403, exporter=201, exporter_other=404),
            _pdf,
            format="multipart",
        ),
        "GET documents/{id}/": Case(
            "get",
            lambda w: f"/api/v1/documents/{w['document'].pk}/",
            w_document,
            expect(200, exporter_other=404, agency_other=404, negotiator=403),
        ),
    }
)


def w_decided():
    application = f.approved(mine())
    return {"app": application, "licence": application.licence}


CASES.update(
    {
        "GET applications/{id}/letter.pdf": Case(
            "get",
            app_url("letter.pdf"),
            w_decided,
            expect(200, exporter_other=404, agency=404, agency_other=404, negotiator=403),
        ),
        "GET licences/{number}/document.pdf": Case(
            "get",
            licence_url("document.pdf"),
            w_decided,
            expect(200, exporter_other=404, agency=403, agency_other=403, negotiator=403),
        ),
        "DELETE applications/{id}/": Case("delete", app_url(), w_draft, expect(403, exporter=204, exporter_other=404)),
    }
)


def client_as(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


MATRIX = [
    pytest.param(name, role, case.expected[role], id=f"{name} as {role}")
    for name, case in CASES.items()
    for role in ROLES
]


@pytest.mark.parametrize(("endpoint", "role", "status"), MATRIX)
def test_permission_matrix(endpoint, role, status):
    case = CASES[endpoint]
    world = case.world()
    client = client_as(USERS[role]())
    body = case.body(world) if case.body else None
    before = f.db_state()

    response = getattr(client, case.method)(case.url(world), body, format=case.format)

    assert response.status_code == status, response.content
    if status >= 400:
        assert "detail" in response.json()
        assert f.db_state() == before  # a refusal writes nothing
    if case.listed and status == 200:
        seen = {row[case.key] for row in response.json()["results"]}
        expected = {
            getattr(world[key], "number" if case.key == "number" else "pk") for key in case.listed.get(role, ())
        }
        assert seen == expected


PUBLIC_RECORDS = {"GET programmes/{id}/"}  # reference data: every role reads every programme
OUT_OF_SCOPE = [
    pytest.param(name, role, id=f"{name} as {role}")
    for name, case in CASES.items()
    if "{" in name and name not in PUBLIC_RECORDS
    for role in (EXPORTER_OTHER, AGENCY_OTHER)
]


@pytest.mark.parametrize(("endpoint", "role"), OUT_OF_SCOPE)
def test_out_of_scope_records_answer_exactly_like_missing_ones(endpoint, role):
    """Nothing in the answer tells an outsider that the record exists."""
    case = CASES[endpoint]
    world = case.world()
    client = client_as(USERS[role]())
    body = case.body(world) if case.body else None
    ghosts = dict.fromkeys(world, SimpleNamespace(pk=99_999_999, number="G2G-1999-999999"))
    real = getattr(client, case.method)(case.url(world), body, format=case.format)
    missing = getattr(client, case.method)(case.url(ghosts), body, format=case.format)
    assert real.status_code in (403, 404)
    assert (real.status_code, real.json()) == (missing.status_code, missing.json())


# The route names each row of the matrix stands for.
ROUTES = {
    "application-list": ("GET applications/", "POST applications/"),
    "application-detail": ("GET applications/{id}/", "PATCH applications/{id}/", "DELETE applications/{id}/"),
    **{
        f"application-{name}": (f"POST applications/{{id}}/{name}/",)
        for name in (
            "submit",
            "withdraw",
            "respond",
            "start-review",
            "request-info",
            "refer",
            "recommend",
            "return",
            "agency-recommendation",
            "approve",
            "deny",
        )
    },
    "application-amend-info-request": ("POST applications/{id}/info-requests/{id}/amend/",),
    "application-withdraw-info-request": ("POST applications/{id}/info-requests/{id}/withdraw/",),
    "licence-list": ("GET licences/",),
    "licence-detail": ("GET licences/{number}/",),
    **{
        f"licence-{name}": (f"POST licences/{{number}}/{name}/",)
        for name in ("shipments", "suspend", "reinstate", "revoke")
    },
    "obligation-list": ("GET obligations/",),
    "obligation-detail": ("GET obligations/{id}/",),
    **{
        f"obligation-{name}": (f"POST obligations/{{id}}/{name}/",)
        for name in ("submit", "record-payment", "accept", "reject")
    },
    "notification-list": ("GET notifications/", "POST notifications/"),
    "notification-detail": ("GET notifications/{id}/",),
    "audit-event-list": ("GET audit-events/",),
    "audit-event-detail": ("GET audit-events/{id}/",),
    "policy-impact": ("GET policy/impact/",),
    "policy-proposal-impact": ("GET policy/{id}/impact/",),
    "policy-impact-csv": ("GET policy/impact/csv/",),
    "policy-proposal-impact-csv": ("GET policy/{id}/impact/csv/",),
    "determination": ("POST determinations/",),
    "determination-batch": ("POST determinations/batch/",),
    "programme-list": ("GET programmes/", "POST programmes/"),
    "programme-detail": ("GET programmes/{id}/", "PATCH programmes/{id}/"),
    "us-sales-report-list": ("GET us-sales-reports/", "POST us-sales-reports/"),
    "agreement-performance": ("GET agreements/{id}/performance/",),
    "user-list": ("GET users/", "POST users/"),
    "user-detail": ("GET users/{id}/", "PATCH users/{id}/"),
    "application-documents": ("GET applications/{id}/documents/", "POST applications/{id}/documents/"),
    "shipment-documents": (
        "GET licences/{number}/shipments/{id}/documents/",
        "POST licences/{number}/shipments/{id}/documents/",
    ),
    "obligation-documents": ("GET obligations/{id}/documents/", "POST obligations/{id}/documents/"),
    "document-download": ("GET documents/{id}/",),
    "application-letter": ("GET applications/{id}/letter.pdf",),
    "licence-document": ("GET licences/{number}/document.pdf",),
}


def test_every_case_side_route_is_in_the_matrix():
    """A new route on the case side must get its row here (the catalogue of products is public to users;
    countries and allotments are routed here for their pending demand, parties for the filings in an exporter's
    scope, but are the policy side's, tested in tests/agreements; the inbox is every user's own, whatever their
    role, tested in tests/portal/test_inbox.py)."""
    from licensing.api.urls import urlpatterns
    from portal.urls import router as portal_router

    names = {
        p.name
        for p in [*urlpatterns, *portal_router.urls]
        if not p.name.startswith(("product-", "country-", "allotment-", "party-", "inbox-"))
    }
    assert names == set(ROUTES)
    assert {row for rows in ROUTES.values() for row in rows} == set(CASES)


# What the exporter is shown


def test_exporters_never_see_internal_fields():
    world = w_recommended_after_referral()
    exporter = client_as(USERS[EXPORTER]())
    body = exporter.get(f"/api/v1/applications/{world['app'].pk}/").json()
    for internal in ("recommendation", "recommended_by", "recommendation_rationale", "referrals", "officer"):
        assert internal not in body
    listed = exporter.get("/api/v1/applications/").json()["results"][0]
    assert "referrals" not in listed and "recommendation" not in listed


# Which internal fields each role is shown on a case (SPEC § 1, § 6): officer recommended, then referred to
# Defense and State; State answered. Each role's set of internal fields, and what it sees of State's answer.
OFFICER_FIELDS = {"officer", "recommendation", "recommended_by", "recommendation_rationale"}
OFFICER_FIELDS |= {"recommended_items", "recommended_conditions"}  # the officer's proposal (issue 15)
FULL_REFERRAL = {"agency", "answered", "referred_at", "due_at", "recommendation", "rationale", "answered_at"}
FULL_REFERRAL |= {"conditions"}  # what the agency asks for with approve_with_conditions
FIELDS_SEEN = {
    EXPORTER: (set(), None),
    **dict.fromkeys(STAFF, (OFFICER_FIELDS | {"referrals"}, FULL_REFERRAL)),
    AGENCY: ({"referrals"}, {"agency", "answered"}),  # Defense, not yet answered: State only as answered
}


def w_referred_to_two_state_answered():
    officer = make_user("licensing_officer")
    app = f.under_review(mine(), officer=officer)
    services.application_recommend(actor=officer, application=app, recommendation="deny", rationale="Watch list.")
    services.application_refer(actor=officer, application=app, agencies=[REFERRED_AGENCY, OTHER_AGENCY])
    services.application_agency_recommend(
        actor=make_user("agency_reviewer", agency=OTHER_AGENCY), application=app, recommendation="deny"
    )
    return app


@pytest.mark.parametrize("role", list(FIELDS_SEEN))
def test_internal_fields_each_role_is_shown(role):
    app = w_referred_to_two_state_answered()
    client = client_as(USERS[role]())
    internal, state_keys = FIELDS_SEEN[role]
    for body in (
        client.get(f"/api/v1/applications/{app.pk}/").json(),
        client.get("/api/v1/applications/").json()["results"][0],
    ):
        assert set(body) & (OFFICER_FIELDS | {"referrals"}) == internal
        state = [r for r in body.get("referrals", []) if r["agency"] == OTHER_AGENCY]
        assert (set(state[0]) if state else None) == state_keys


def test_the_referred_agency_sees_the_case_with_its_referrals():
    world = w_after_referral()
    body = client_as(USERS[AGENCY]()).get(f"/api/v1/applications/{world['app'].pk}/").json()
    assert [r["agency"] for r in body["referrals"]] == [REFERRED_AGENCY]


def test_filters_do_not_widen_the_scope():
    world = w_applications()
    rival = client_as(USERS[EXPORTER_OTHER]())
    for query in (f"acn={world['app'].acn}", "status=under_review", "destination=IN", "agency=defense", "status=draft"):
        ids = {row["id"] for row in rival.get(f"/api/v1/applications/?{query}").json()["results"]}
        assert ids <= {world[key].pk for key in ("theirs", "their_draft", "other_agency")}, query
