"""Exporter pages under a licence-review programme: the certifications to affirm at submission, the US-sales page,
and what each shipment of a programme licence still needs."""

import html

import pytest
from django.utils import timezone
from django.utils.html import strip_tags

from licensing import services
from licensing.choices import ApplicationStatus
from licensing.models import Application, ProgrammeVersion, UsSalesReport
from tests.factories import make_user
from tests.licensing import factories as f
from tests.licensing.test_exporter_pages import signed_in
from tests.licensing.test_programme_workflow import recommended

pytestmark = pytest.mark.django_db


def text(response) -> str:
    assert response.status_code == 200
    return " ".join(html.unescape(strip_tags(response.content.decode())).split())


def certification_ids() -> list[int]:
    version = ProgrammeVersion.objects.get(programme__citation="FR Doc 2026-00789")
    return list(version.certifications.values_list("pk", flat=True))


def china_form(**overrides):
    data = {
        "destination": "CN",
        "export_from": "US",
        "end_use_category": "commercial_datacenter",
        "end_use": "Inference service",
        "consignee_name": "Lotus Compute",
        "consignee_address": "8 Zhangjiang Road, Shanghai",
        "consignee_country": "CN",
        "end_users-TOTAL_FORMS": "1",
        "end_users-INITIAL_FORMS": "0",
        "end_users-0-name": "",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": str(f.product("H200 SXM").pk),
        "lines-0-quantity": "100",
        "lines-0-unit_price_usd": "30000",
    }
    return data | overrides


def test_a_china_draft_asks_for_each_certification_and_submits_only_with_all_of_them():
    client = signed_in("exporter")
    client.post("/applications/new/", china_form())
    application = Application.objects.get()
    assert application.export_from_id == "US"
    page = text(client.get(f"/applications/{application.pk}/"))
    assert "Certifications you affirm" in page and "third-party testing in the United States" in page

    response = client.post(
        f"/applications/{application.pk}/submit/",
        {"declaration": "true", "certifications": certification_ids()[:3]},
        follow=True,
    )
    assert "requires the exporter to affirm" in text(response)
    assert Application.objects.get().status == ApplicationStatus.DRAFT

    response = client.post(
        f"/applications/{application.pk}/submit/",
        {"declaration": "true", "certifications": certification_ids()},
        follow=True,
    )
    page = text(response)
    assert Application.objects.get().status == ApplicationStatus.SUBMITTED
    assert "Certifications affirmed" in page and "FR Doc 2026-00789" in page


def test_an_exporter_attests_us_sales_on_its_page():
    client = signed_in("exporter")
    today = timezone.localdate()
    quarter = f"{today.year}Q{(today.month - 1) // 3 + 1}"
    response = client.post(
        "/us-sales/", {"product": f.product("H200 SXM").pk, "quarter": quarter, "units": "1000"}, follow=True
    )
    page = text(response)
    assert f"Attested: 1,000 × NVIDIA H200 SXM sold to US customers in {quarter}" in page
    assert UsSalesReport.objects.get().attested_by == client.user
    again = text(client.post("/us-sales/", {"product": f.product("H200 SXM").pk, "quarter": quarter, "units": "5"}))
    assert "already attested" in again


def test_the_licence_page_lists_what_each_shipment_still_needs():
    client = signed_in("exporter")
    exporter = client.user
    today = timezone.localdate()
    services.us_sales_report_file(
        actor=exporter, product=f.product("H200 SXM"), quarter=f"{today.year}Q{(today.month - 1) // 3 + 1}", units=100
    )
    application = f.draft(exporter, destination="CN", items=[("H200 SXM", 20)], consignee="Lotus Compute")
    application = services.application_submit(
        actor=exporter, application=application, declaration=True, certifications=certification_ids()
    )
    licence = services.application_approve(
        actor=make_user("approving_official"), application=recommended(application, make_user("licensing_officer"))
    ).licence
    line = licence.lines.get()
    field = f"quantity_{line.product_id}"
    shipment = {"shipped_on": today.isoformat(), field: "5", "invoice_value_usd": "100000"}
    client.post(f"/licences/{licence.number}/", shipment)
    client.post(f"/licences/{licence.number}/", {**shipment, "evidence_reference": "TR-77"})
    page = text(client.get(f"/licences/{licence.number}/"))
    assert page.count("Still needs:") == 1
    assert "evidence TR-77" in page
    assert "No military end use." in page and "25 % duty on the chips" in page
    assert page.count("USD 25,000.00") == 2  # the duty owed on each shipment, in "What the licence owes"


def test_the_exporter_pays_the_duty_from_the_licence_page():
    client = signed_in("exporter")
    exporter = client.user
    today = timezone.localdate()
    services.us_sales_report_file(
        actor=exporter, product=f.product("H200 SXM"), quarter=f"{today.year}Q{(today.month - 1) // 3 + 1}", units=100
    )
    application = f.draft(exporter, destination="CN", items=[("H200 SXM", 20)], consignee="Lotus Compute")
    application = services.application_submit(
        actor=exporter, application=application, declaration=True, certifications=certification_ids()
    )
    licence = services.application_approve(
        actor=make_user("approving_official"), application=recommended(application, make_user("licensing_officer"))
    ).licence
    field = f"quantity_{licence.lines.get().product_id}"
    refused = client.post(f"/licences/{licence.number}/", {"shipped_on": today.isoformat(), field: "5"})
    assert "invoice value" in text(refused)
    client.post(
        f"/licences/{licence.number}/", {"shipped_on": today.isoformat(), field: "5", "invoice_value_usd": "1000"}
    )
    duty = licence.obligation_set.get(kind="revenue_share")
    client.post(
        f"/licences/{licence.number}/obligations/{duty.pk}/", {"amount_paid_usd": "250.00", "reference": "WIRE-9"}
    )
    duty.refresh_from_db()
    assert duty.status == "submitted" and duty.submissions.get().reference == "WIRE-9"
    assert "Submitted" in text(client.get(f"/licences/{licence.number}/"))
