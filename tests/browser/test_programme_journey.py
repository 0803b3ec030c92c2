"""The H200 walkthrough under the China case-by-case rule (FR Doc 2026-00789) in a browser: the exporter attests
US sales, files with the rule's certifications, staff approve within the US-volume ratio (through the services, as
the admin's buttons do), and the exporter ships with the third-party test report's reference."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from licensing import services
from licensing.choices import ApplicationStatus
from licensing.models import Application, Shipment
from tests.browser.test_exporter_journey import sign_in
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_h200_to_china_filed_with_certifications_approved_within_the_ratio_and_shipped_with_evidence(
    page: Page, live_server
):
    base = live_server.url
    make_user("exporter", username="ada", organisation="Acme AI Systems Inc.")
    officer, approver = make_user("licensing_officer"), make_user("approving_official")
    today = timezone.localdate()
    quarter = f"{today.year}Q{(today.month - 1) // 3 + 1}"

    # US sales first: the base of the 50 % ratio.
    sign_in(page, base, "ada")
    page.get_by_role("link", name="US sales").click()
    page.get_by_label("Product").select_option(label="NVIDIA H200 SXM — 3A090.a, 1.00 H100e")
    page.get_by_label("Calendar quarter").fill(quarter)
    page.get_by_label("Units sold to US customers").fill("1000")
    page.get_by_role("button", name="Attest").click()
    expect(page.get_by_text(f"Attested: 1,000 × NVIDIA H200 SXM sold to US customers in {quarter}.")).to_be_visible()

    # The application: the preview finds the programme and lists the certifications to affirm.
    page.get_by_role("link", name="Applications").first.click()
    page.get_by_role("link", name="New application").click()
    page.get_by_label("Destination country").select_option("CN")
    page.get_by_label("Exported from").select_option("US")
    page.get_by_label("End-use category").select_option("commercial_datacenter")
    page.get_by_label("Specific end use").fill("Inference service for a commercial cloud")
    page.get_by_label("Ultimate consignee: name").fill("Lotus Compute")
    page.get_by_label("Ultimate consignee: address").fill("8 Zhangjiang Road, Shanghai")
    page.get_by_label("Ultimate consignee: country").select_option("CN")
    page.locator("#id_lines-0-product").select_option(label="NVIDIA H200 SXM — 3A090.a, 1.00 H100e")
    page.locator("#id_lines-0-quantity").fill("400")
    preview = page.locator("#preview")
    expect(preview).to_contain_text("FR Doc 2026-00789")
    expect(preview).to_contain_text("Reviewed case by case")
    expect(preview.locator("ul.certifications li")).to_have_count(4)
    expect(preview).to_contain_text("third-party testing in the United States")
    page.get_by_role("button", name="Save draft").click()

    # Submitting asks for each certification; all four ticked, the case goes in.
    expect(page.get_by_role("heading", name=re.compile("Draft application"))).to_be_visible()
    boxes = page.locator("input[name=certifications]")
    expect(boxes).to_have_count(4)
    for index in range(4):
        boxes.nth(index).check()
    page.get_by_label(re.compile("true and complete")).check()
    page.get_by_role("button", name="Submit to the agency").click()
    application = Application.objects.get()
    expect(page.get_by_role("heading", name=f"Application {application.acn} Submitted")).to_be_visible()
    expect(page.get_by_text("Certifications affirmed")).to_be_visible()
    assert application.affirmations.count() == 4

    # Staff decide through the services the admin's buttons call: 400 of the 500 the ratio allows.
    application = services.application_start_review(actor=officer, application=application)
    application = services.application_recommend(
        actor=officer, application=application, recommendation="approve", rationale="Certifications on file."
    )
    application = services.application_approve(actor=approver, application=application)
    assert application.status == ApplicationStatus.APPROVED
    licence = application.licence

    # The exporter ships 100 with the test report's reference; the licence says what each shipment needs.
    page.get_by_role("link", name="Licences").click()
    page.get_by_role("link", name=licence.number).click()
    expect(page.get_by_text("No military end use.")).to_be_visible()
    expect(
        page.get_by_text(re.compile("With every shipment: The report of the independent third-party test"))
    ).to_be_visible()
    page.get_by_label(re.compile("NVIDIA H200 SXM: units shipped")).fill("100")
    page.get_by_label("Evidence reference").fill("TR-2026-0042 (US test laboratory)")
    page.get_by_label("Invoice value (USD)").fill("1000000")  # the rule's 25 % duty is reckoned on it
    page.get_by_role("button", name="Record shipment").click()
    expect(page.get_by_text("Shipment recorded.")).to_be_visible()
    expect(page.get_by_text(re.compile("evidence TR-2026-0042"))).to_be_visible()
    expect(page.get_by_text("Still needs:")).to_have_count(0)
    assert Shipment.objects.get().evidence_reference == "TR-2026-0042 (US test laboratory)"
    expect(page.get_by_text(re.compile("USD 250,000.00"))).to_be_visible()  # the duty it owes
