"""A deal's performance with what its licences owe (SPEC § 2 Obligation, issue 13): the API's `obligations` by kind
and `revenue_share` owed, paid and outstanding, on the admin performance page too; and the revenue share's due
period read from the policy in force, not fixed in code."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from licensing import services
from licensing.choices import ObligationKind
from licensing.models import Obligation
from tests.factories import make_user
from tests.licensing import factories as f
from tests.licensing.test_obligations import licence_under_agreement, make_overdue, ship

pytestmark = pytest.mark.django_db


@pytest.fixture
def exporter():
    return make_user("exporter")


def performance(client_for, licence) -> dict:
    agreement_id = licence.allotment.agreement_id
    response = client_for("licensing_officer").get(f"/api/v1/agreements/{agreement_id}/performance/")
    assert response.status_code == 200
    return response.json()


def by_kind(body: dict) -> dict[str, dict]:
    return {row["kind"]: row for row in body["obligations"]}


def test_a_million_shipped_under_a_15_percent_share_owes_150000_outstanding_until_paid(exporter, client_for):
    licence = licence_under_agreement(exporter, revenue_share_percent=Decimal("15"))
    ship(licence, invoice=Decimal("1000000.00"))

    body = performance(client_for, licence)
    assert {"periods", "obligations", "revenue_share", "milestones"} <= set(body)
    assert body["revenue_share"] == {"owed_usd": "150000.00", "paid_usd": "0.00", "outstanding_usd": "150000.00"}

    owed = Obligation.objects.get(kind=ObligationKind.REVENUE_SHARE)
    services.obligation_record_payment(
        actor=exporter, obligation=owed, amount_paid_usd=Decimal("150000.00"), reference="WIRE-1"
    )
    body = performance(client_for, licence)
    assert body["revenue_share"] == {"owed_usd": "150000.00", "paid_usd": "150000.00", "outstanding_usd": "0.00"}


def test_a_rejected_payment_is_outstanding_again(exporter, client_for):
    licence = licence_under_agreement(exporter, revenue_share_percent=Decimal("15"))
    ship(licence, invoice=Decimal("1000000.00"))
    owed = Obligation.objects.get(kind=ObligationKind.REVENUE_SHARE)
    services.obligation_record_payment(
        actor=exporter, obligation=owed, amount_paid_usd=Decimal("100000.00"), reference="WIRE-1"
    )
    assert performance(client_for, licence)["revenue_share"]["outstanding_usd"] == "50000.00"
    services.obligation_reject(actor=make_user("licensing_officer"), obligation=owed, reason="Short by 50,000.")
    assert performance(client_for, licence)["revenue_share"] == {
        "owed_usd": "150000.00",
        "paid_usd": "0.00",
        "outstanding_usd": "150000.00",
    }


def test_obligation_counts_change_when_one_is_accepted_and_when_one_goes_overdue(exporter, client_for):
    licence = licence_under_agreement(exporter)
    reports = list(licence.obligation_set.filter(kind=ObligationKind.REPORT).order_by("due_on"))
    before = by_kind(performance(client_for, licence))["report"]
    assert before == {
        "kind": "report",
        "label": "Periodic report",
        "open": len(reports),
        "submitted": 0,
        "overdue": 0,
        "accepted": 0,
    }
    assert set(by_kind(performance(client_for, licence))) == {kind.value for kind in ObligationKind}

    services.obligation_submit(actor=exporter, obligation=reports[0], text="Q1 use.")
    services.obligation_accept(actor=make_user("licensing_officer"), obligation=reports[0])
    make_overdue(reports[1], 3)
    after = by_kind(performance(client_for, licence))["report"]
    assert (after["open"], after["accepted"], after["overdue"]) == (len(reports) - 1, 1, 1)


def test_another_agreements_obligations_are_not_counted(exporter, client_for):
    licence = licence_under_agreement(exporter, revenue_share_percent=Decimal("15"))
    ship(licence, invoice=Decimal("1000000.00"))
    other = f.agreement_in_force("AE", capacity_tpp=1_000_000)
    body = client_for("licensing_officer").get(f"/api/v1/agreements/{other.pk}/performance/").json()
    assert body["revenue_share"]["owed_usd"] == "0.00"
    assert all(row["open"] == 0 for row in body["obligations"])


def test_the_admin_performance_page_shows_obligations_and_the_revenue_share(exporter, client):
    licence = licence_under_agreement(exporter, revenue_share_percent=Decimal("15"))
    ship(licence, invoice=Decimal("1000000.00"))
    client.force_login(make_user("negotiator"))
    page = client.get(reverse("admin:agreements_agreement_performance", args=[licence.allotment.agreement_id]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Revenue share" in text and "150,000.00" in text
    assert "0% of the share owed paid" in text
    assert "Periodic report" in text and "accepted" in text


def test_the_revenue_share_falls_due_the_policys_days_after_shipment(exporter):
    f.agreement_in_force("IN", capacity_tpp=10_000 * 15_832, revenue_share_percent=Decimal("15"))
    f.switch_to_global(lpp_threshold_tpp=0, revenue_share_due_days=45)
    licence = f.licence(exporter, quantity=500)
    shipment = ship(licence, invoice=Decimal("1000000.00"))
    owed = Obligation.objects.get(kind=ObligationKind.REVENUE_SHARE, shipment=shipment)
    assert owed.due_on == timezone.localdate() + datetime.timedelta(days=45)
