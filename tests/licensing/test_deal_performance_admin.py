"""The deal performance page in the admin: bars per period and capped party with licensing's shipped figures, a CSV
of one row per period × party, and the negotiators' milestone forms calling the same services as the API."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from agreements.models import InvestmentMilestone
from licensing import services
from portal.models import AuditEvent
from tests.factories import make_user
from tests.licensing import factories as f
from tests.licensing.test_party_caps import _caps_agreement

pytestmark = pytest.mark.django_db


@pytest.fixture
def capped():
    f.switch_to_global()
    agreement = _caps_agreement()
    InvestmentMilestone.objects.create(
        agreement=agreement,
        terms=agreement.terms_versions.order_by("-version").first(),
        description="First US data-centre phase",
        amount_usd=Decimal("500000000.00"),
        due_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    exporter = make_user("exporter")
    application = f.recommended(exporter, destination="QA", consignee="Falcon Compute", quantity=1_000)
    licence = services.application_approve(
        actor=make_user("approving_official"), application=application, justification="Milestone paperwork late."
    ).licence
    services.shipment_report(
        actor=exporter,
        licence=licence,
        shipped_on=licence.valid_from,
        items=[{"product": f.product(), "quantity": 400}],
    )
    return agreement


def _login(client, role: str):
    user = make_user(role)
    client.force_login(user)
    return user


def test_the_page_shows_periods_capped_parties_shipped_and_overdue_milestones(client, capped):
    _login(client, "negotiator")

    page = client.get(reverse("admin:agreements_agreement_performance", args=[capped.pk]))

    assert page.status_code == 200
    text = page.content.decode()
    assert "Falcon Compute" in text and 'role="img"' in text
    assert ">400<" in text  # shipped H100e
    assert "Overdue: new draws are denied" in text


def test_the_csv_has_one_row_per_period_and_party(client, capped):
    _login(client, "licensing_officer")

    response = client.get(reverse("admin:agreements_agreement_performance_csv", args=[capped.pk]))

    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["party"] for row in rows] == ["", "Falcon Compute"]
    assert rows[1]["shipped_h100e"] == "400.00" and rows[1]["remaining_h100e"] == "1000.00"


def test_a_negotiator_records_verification_and_only_a_negotiator_may(client, capped):
    milestone = InvestmentMilestone.objects.get(agreement=capped)
    url = reverse("admin:agreements_agreement_milestone", args=[capped.pk, milestone.pk, "record"])
    body = {"delivered_usd": "500,000,000", "verified_usd": "500000000"}

    _login(client, "licensing_officer")
    assert client.post(url, body).status_code == 403
    negotiator = _login(client, "negotiator")
    response = client.post(url, body)

    assert response.status_code == 302
    milestone.refresh_from_db()
    assert milestone.verified_usd == Decimal("500000000.00") and milestone.verified_by == negotiator
    assert AuditEvent.objects.filter(verb="milestone.recorded", actor=negotiator).count() == 1
    bad = client.post(url, {"delivered_usd": "1", "verified_usd": "lots"}, follow=True)
    assert "Write amounts in USD" in bad.content.decode()
