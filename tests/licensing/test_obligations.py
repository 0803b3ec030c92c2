"""What a licence owes after it is issued (SPEC § 2 "Obligation", § 4 "Obligations"): reports on the terms'
cadence, revenue share per shipment, submission and review, the grace days that block shipments, and the staff
queue "Overdue obligations" with its proposals to suspend."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from agreements.units import H100_TPP
from licensing import services
from licensing.choices import LicenceStatus, ObligationKind, ObligationStatus, ProposalStatus
from licensing.errors import ShipmentRefused
from licensing.models import Obligation, Product, Shipment, SuspensionProposal
from licensing.obligation_selectors import overdue_queue
from licensing.services.obligations import add_months
from licensing.services.programmes import us_sales_report_file
from portal.models import AuditEvent
from tests.factories import make_user
from tests.licensing import factories as f
from tests.licensing.test_programme_workflow import filed, this_quarter  # the programme's own fixtures

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def exporter():
    return make_user("exporter")


def licence_under_agreement(exporter, **terms):
    f.agreement_in_force("IN", capacity_tpp=10_000 * H100_TPP, **terms)
    f.switch_to_global(lpp_threshold_tpp=0)
    return f.licence(exporter, quantity=500)


def ship(licence, quantity=10, *, invoice=None, actor=None):
    return services.shipment_report(
        actor=actor or licence.application.created_by,
        licence=licence,
        shipped_on=timezone.localdate(),
        items=[{"product": f.product(), "quantity": quantity}],
        invoice_value_usd=invoice,
    )


def make_overdue(obligation, days):
    """Move the due date into the past (the licence was issued today, so nothing is overdue of itself)."""
    Obligation.objects.filter(pk=obligation.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=days))


def test_a_licence_issued_under_quarterly_reporting_owes_a_report_each_quarter_until_expiry(exporter):
    licence = licence_under_agreement(exporter)
    reports = list(licence.obligation_set.filter(kind=ObligationKind.REPORT).order_by("due_on"))
    start, until = licence.valid_from, licence.valid_until
    expected, k = [], 1
    while add_months(start, 3 * (k - 1)) <= until:
        expected.append(min(add_months(start, 3 * k), until))
        k += 1
    assert [r.due_on for r in reports] == expected
    assert reports[0].period_start == start and reports[0].period_end == add_months(start, 3) - DAY
    assert reports[-1].due_on == until and all(r.status == ObligationStatus.OPEN for r in reports)
    assert "quarterly" in reports[0].source


def test_a_licence_with_no_agreement_owes_no_reports(exporter):
    licence = f.licence(exporter, quantity=500)
    assert not licence.obligation_set.exists()


def test_a_shipment_invoiced_at_a_million_under_a_15_percent_share_owes_150000_due_30_days_later(exporter, client_for):
    licence = licence_under_agreement(exporter, revenue_share_percent=Decimal("15"))
    shipment = ship(licence, invoice=Decimal("1000000.00"))
    owed = Obligation.objects.get(kind=ObligationKind.REVENUE_SHARE, shipment=shipment)
    assert owed.amount_usd == Decimal("150000.00")
    assert owed.due_on == shipment.shipped_on + datetime.timedelta(days=30)
    assert owed.basis == "revenue_share"

    api = APIClient()
    api.force_authenticate(exporter)
    rows = api.get(f"/api/v1/obligations/?licence={licence.number}&kind=revenue_share").json()["results"]
    assert [(r["amount_usd"], r["due_on"], r["overdue"]) for r in rows] == [
        ("150000.00", owed.due_on.isoformat(), False)
    ]
    detail = api.get(f"/api/v1/licences/{licence.number}/").json()
    assert owed.pk in {o["id"] for o in detail["obligations"]}
    assert detail["shipments"][0]["invoice_value_usd"] == "1000000.00"


def test_a_shipment_under_a_revenue_share_without_its_invoice_value_is_refused_and_writes_nothing(exporter):
    licence = licence_under_agreement(exporter, revenue_share_percent=Decimal("15"))
    with pytest.raises(ValidationError) as refusal:
        ship(licence)
    assert "invoice_value_usd" in refusal.value.message_dict
    assert not Shipment.objects.exists()


def test_an_obligation_overdue_past_grace_blocks_the_next_shipment_with_a_409_naming_it(exporter, client_for):
    licence = licence_under_agreement(exporter)
    report = licence.obligation_set.order_by("due_on").first()
    make_overdue(report, 30)  # exactly the grace days: still allowed
    ship(licence)
    make_overdue(report, 31)
    with pytest.raises(ShipmentRefused, match=f"obligation {report.pk}"):
        ship(licence)

    api = APIClient()
    api.force_authenticate(exporter)
    response = api.post(
        f"/api/v1/licences/{licence.number}/shipments/",
        {"shipped_on": timezone.localdate().isoformat(), "items": [{"product": f.product().pk, "quantity": 1}]},
        format="json",
    )
    assert response.status_code == 409
    assert str(report.pk) in response.json()["detail"]
    assert Shipment.objects.count() == 1


def test_submit_then_reject_with_a_reason_then_accept_clears_the_block(exporter):
    licence = licence_under_agreement(exporter)
    report = licence.obligation_set.order_by("due_on").first()
    make_overdue(report, 60)
    officer = make_user("licensing_officer")
    services.obligation_submit(actor=exporter, obligation=report, text="Q1 use: 500 H100 at the Pune site.")
    with pytest.raises(ValidationError):
        services.obligation_reject(actor=officer, obligation=report, reason=" ")
    services.obligation_reject(actor=officer, obligation=report, reason="Name the end users.")
    report.refresh_from_db()
    assert report.status == ObligationStatus.REJECTED and report.decision_reason == "Name the end users."
    with pytest.raises(ShipmentRefused):
        ship(licence)
    services.obligation_submit(actor=exporter, obligation=report, text="Q1 use, end users named.")
    services.obligation_accept(actor=officer, obligation=report)
    report.refresh_from_db()
    assert report.status == ObligationStatus.ACCEPTED and report.decided_by == officer
    assert report.submissions.count() == 2
    ship(licence)
    verbs = set(AuditEvent.objects.filter(target_type="licensing.obligation").values_list("verb", flat=True))
    assert verbs == {"obligation.submitted", "obligation.rejected", "obligation.accepted"}


def test_an_exporter_cannot_accept_their_own_submission(exporter):
    licence = licence_under_agreement(exporter)
    report = licence.obligation_set.first()
    services.obligation_submit(actor=exporter, obligation=report, reference="RPT-1")
    with pytest.raises(PermissionDenied):
        services.obligation_accept(actor=exporter, obligation=report)


def test_a_revenue_share_is_met_by_a_recorded_payment_the_officer_accepts(exporter, client_for):
    licence = licence_under_agreement(exporter, revenue_share_percent=Decimal("15"))
    ship(licence, invoice=Decimal("1000000.00"))
    owed = Obligation.objects.get(kind=ObligationKind.REVENUE_SHARE)
    api = APIClient()
    api.force_authenticate(exporter)
    assert api.post(f"/api/v1/obligations/{owed.pk}/submit/", {"text": "x"}, format="json").status_code == 400
    response = api.post(
        f"/api/v1/obligations/{owed.pk}/record-payment/",
        {"amount_paid_usd": "150000.00", "reference": "WIRE-2026-11"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "submitted"
    assert response.json()["submissions"][0]["amount_paid_usd"] == "150000.00"
    assert api.post(f"/api/v1/obligations/{owed.pk}/accept/", {}, format="json").status_code == 403
    officer = client_for("licensing_officer")
    accepted = officer.post(f"/api/v1/obligations/{owed.pk}/accept/", {}, format="json")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert accepted.json()["decided_by"]


def test_a_shipment_needing_evidence_stays_pending_until_the_evidence_is_accepted(exporter):
    officer, approver = make_user("licensing_officer"), make_user("approving_official")
    us_sales_report_file(
        actor=exporter, product=Product.objects.get(name="H200 SXM"), quarter=this_quarter(), units=100
    )
    licence = services.application_approve(actor=approver, application=filed(exporter, officer, 50)).licence
    shipment = services.shipment_report(
        actor=exporter,
        licence=licence,
        shipped_on=timezone.localdate(),
        items=[{"product": Product.objects.get(name="H200 SXM"), "quantity": 10}],
        evidence_reference="TR-2026-0042",
        invoice_value_usd=Decimal("200000"),
    )
    evidence = Obligation.objects.get(shipment=shipment, kind=ObligationKind.SHIPMENT_EVIDENCE)
    assert evidence.status == ObligationStatus.SUBMITTED
    assert evidence.submissions.get().reference == "TR-2026-0042"
    api = APIClient()
    api.force_authenticate(exporter)
    assert api.get(f"/api/v1/licences/{licence.number}/").json()["shipments"][0]["status"] == "pending_evidence"
    services.obligation_accept(actor=officer, obligation=evidence)
    assert api.get(f"/api/v1/licences/{licence.number}/").json()["shipments"][0]["status"] == "recorded"


def test_another_organisation_gets_404_on_an_obligation(exporter, client_for):
    licence = licence_under_agreement(exporter)
    report = licence.obligation_set.first()
    other = client_for("exporter", organisation="Other Chips Ltd")
    assert other.get(f"/api/v1/obligations/{report.pk}/").status_code == 404
    assert other.post(f"/api/v1/obligations/{report.pk}/submit/", {"text": "x"}, format="json").status_code == 404
    assert other.get("/api/v1/obligations/").json()["results"] == []
    staff = client_for("licensing_officer")
    assert staff.get(f"/api/v1/obligations/{report.pk}/").status_code == 200


def test_the_overdue_filter_lists_only_what_is_past_due_and_not_accepted(exporter, client_for):
    licence = licence_under_agreement(exporter)
    first, second = licence.obligation_set.order_by("due_on")[:2]
    make_overdue(first, 5)
    staff = client_for("licensing_officer")
    rows = staff.get(f"/api/v1/obligations/?licence={licence.number}&overdue=true").json()["results"]
    assert [r["id"] for r in rows] == [first.pk]
    rows = staff.get(f"/api/v1/obligations/?licence={licence.number}&overdue=false").json()["results"]
    assert first.pk not in [r["id"] for r in rows] and second.pk in [r["id"] for r in rows]


# The staff queue "Overdue obligations"


def overdue_licence(exporter):
    licence = licence_under_agreement(exporter)
    report = licence.obligation_set.order_by("due_on").first()
    make_overdue(report, 31)
    return licence, report


def test_the_command_run_twice_raises_one_proposal_and_the_licence_is_in_the_queue(exporter):
    licence, report = overdue_licence(exporter)
    make_overdue(licence.obligation_set.order_by("due_on")[1], 40)  # a second overdue obligation, same licence
    call_command("mark_overdue_obligations")
    call_command("mark_overdue_obligations")
    proposal = SuspensionProposal.objects.get()
    assert (proposal.licence, proposal.status) == (licence, ProposalStatus.OPEN)
    assert [p.licence.number for p in overdue_queue()] == [licence.number]


def test_within_the_grace_days_no_proposal_is_raised(exporter):
    licence = licence_under_agreement(exporter)
    make_overdue(licence.obligation_set.first(), 30)
    call_command("mark_overdue_obligations")
    assert not SuspensionProposal.objects.exists()


def test_confirming_the_proposal_suspends_the_licence(exporter):
    licence, report = overdue_licence(exporter)
    (proposal,) = services.proposals_raise()
    approver = make_user("approving_official")
    with pytest.raises(PermissionDenied):  # an officer may not suspend
        services.proposal_confirm(actor=make_user("licensing_officer"), proposal=proposal)
    services.proposal_confirm(actor=approver, proposal=proposal)
    licence.refresh_from_db()
    proposal.refresh_from_db()
    assert licence.status == LicenceStatus.SUSPENDED and f"Obligation {report.pk}" in licence.status_reason
    assert proposal.status == ProposalStatus.CONFIRMED and proposal.decided_by == approver
    assert AuditEvent.objects.filter(verb="suspension_proposal.confirmed").exists()
    assert AuditEvent.objects.filter(verb="licence.suspended", target_id=str(licence.pk)).exists()


def test_dismissing_the_proposal_needs_a_reason_and_it_is_not_raised_again(exporter):
    licence, report = overdue_licence(exporter)
    (proposal,) = services.proposals_raise()
    approver = make_user("approving_official")
    with pytest.raises(ValidationError):
        services.proposal_dismiss(actor=approver, proposal=proposal, reason="  ")
    services.proposal_dismiss(actor=approver, proposal=proposal, reason="Report received by post; filing it.")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DISMISSED
    event = AuditEvent.objects.get(verb="suspension_proposal.dismissed")
    assert event.payload["reason"] == "Report received by post; filing it."
    assert services.proposals_raise() == []
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.ACTIVE


# The staff admin: the queue "Overdue obligations" and the officers' accept and reject


def staff(role):
    client = Client()
    client.force_login(make_user(role))
    return client


def test_the_overdue_queue_lists_the_licence_and_an_approving_official_confirms_it(exporter):
    licence, report = overdue_licence(exporter)
    call_command("mark_overdue_obligations")
    proposal = SuspensionProposal.objects.get()
    approver = staff("approving_official")
    queue = approver.get(reverse("admin:licensing_suspensionproposal_changelist"))
    assert queue.status_code == 200 and licence.number in queue.content.decode()
    assert reverse("admin:licensing_suspensionproposal_change", args=[proposal.pk]) in queue.content.decode()
    assert "Overdue obligations" in queue.content.decode()
    url = reverse("admin:licensing_suspensionproposal_action", args=[proposal.pk, "confirm"])
    assert approver.post(url, {"reason": ""}).status_code == 302
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.SUSPENDED
    row = reverse("admin:licensing_suspensionproposal_change", args=[proposal.pk])
    assert row not in approver.get(reverse("admin:licensing_suspensionproposal_changelist")).content.decode()


def test_dismissing_in_the_queue_without_a_reason_is_refused_and_writes_nothing(exporter):
    licence, report = overdue_licence(exporter)
    (proposal,) = services.proposals_raise()
    approver = staff("approving_official")
    url = reverse("admin:licensing_suspensionproposal_action", args=[proposal.pk, "dismiss"])
    assert approver.post(url, {"reason": ""}).status_code == 200  # the form again, with its error
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.OPEN
    assert approver.post(url, {"reason": "Paid late; cleared."}).status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DISMISSED and proposal.reason == "Paid late; cleared."


def test_an_officer_rejects_a_submitted_report_in_the_admin(exporter):
    licence = licence_under_agreement(exporter)
    report = licence.obligation_set.first()
    services.obligation_submit(actor=exporter, obligation=report, text="Q1.")
    officer = staff("licensing_officer")
    page = officer.get(reverse("admin:licensing_obligation_change", args=[report.pk])).content.decode()
    assert "Q1." in page and "/actions/reject/" in page
    url = reverse("admin:licensing_obligation_action", args=[report.pk, "reject"])
    assert officer.post(url, {"reason": "Name the sites."}).status_code == 302
    report.refresh_from_db()
    assert report.status == ObligationStatus.REJECTED


def test_overdue_past_grace_the_next_shipment_is_refused_naming_obligation_and_licence_which_joins_the_queue(exporter):
    licence = licence_under_agreement(exporter)
    report = licence.obligation_set.order_by("due_on").first()
    make_overdue(report, 31)
    api = APIClient()
    api.force_authenticate(exporter)
    response = api.post(
        f"/api/v1/licences/{licence.number}/shipments/",
        {"shipped_on": timezone.localdate().isoformat(), "items": [{"product": f.product().pk, "quantity": 1}]},
        format="json",
    )
    assert response.status_code == 409
    assert f"obligation {report.pk}" in response.json()["detail"] and licence.number in response.json()["detail"]
    call_command("mark_overdue_obligations")
    assert [(p.licence_id, p.obligation_id) for p in overdue_queue()] == [(licence.pk, report.pk)]
