"""An application from an exporter's browser to a licence, decided by staff in the admin."""

import re

import pytest
from playwright.sync_api import Page, expect

from agreements.models import Allotment
from licensing.models import Application
from tests.browser.axe import assert_accessible
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "a-strong-test-password"


def sign_in(page: Page, base: str, username: str, *, admin: bool = False) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/admin/login/" if admin else f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Sign in|Log in")).click()


def test_file_decide_ship_and_keep_others_out(page: Page, live_server, shoot, dialogs):
    base = live_server.url
    make_user("exporter", username="ada", organisation="Acme AI Systems Inc.")
    make_user("exporter", username="bob", organisation="Northwind Servers Ltd")
    make_user("licensing_officer", username="olga")
    make_user("approving_official", username="amir")

    # The exporter files an application with two lines and watches the preview follow the lines.
    sign_in(page, base, "ada")
    expect(page.get_by_role("heading", name="Licence applications")).to_be_visible()
    shoot(page, "01-applications")
    assert_accessible(page, "ada: Applications")
    page.get_by_role("link", name="New application").click()
    page.get_by_label("Destination country").select_option("IN")
    page.get_by_label("End-use category").select_option("commercial_datacenter")
    page.get_by_label("Specific end use").fill("Sovereign AI training cluster")
    page.get_by_label("Ultimate consignee: name").fill("Gulf Compute LLC")
    page.get_by_label("Ultimate consignee: address").fill("1 Data Park, Pune")
    page.get_by_label("Ultimate consignee: country").select_option("IN")
    page.locator("#id_lines-0-product").select_option(label="NVIDIA H100 SXM — 3A090.a, 1.00 H100e")
    page.locator("#id_lines-0-quantity").fill("1000")
    preview = page.locator("#preview")
    expect(preview).to_contain_text("Eligible for licence exception LPP")
    expect(preview).to_contain_text("1000.00 H100e")

    page.get_by_role("button", name="Add a line").click()
    page.locator("#id_lines-1-product").select_option(label="NVIDIA HGX H100 8-GPU — 4A090.a, 8.00 H100e")
    page.locator("#id_lines-1-quantity").fill("100")
    expect(preview).to_contain_text("Licence required")
    expect(preview).to_contain_text("1800.00 H100e")
    page.locator("#id_lines-1-quantity").scroll_into_view_if_needed()
    shoot(page, "02-new-application-preview", full_page=False)  # the live form: a full-page capture resizes it
    assert_accessible(page, "ada: New application with its preview")
    page.get_by_role("button", name="Save draft").click()

    expect(page.get_by_role("heading", name=re.compile("Draft application"))).to_be_visible()
    page.get_by_label(re.compile("true and complete")).check()  # the declaration: without it the form will not go
    page.get_by_role("button", name="Submit to the agency").click()
    expect(page.get_by_role("heading", name=re.compile("Application [A-Z]"))).to_be_visible()
    assert "frozen" in dialogs[-1]  # asked first: a submitted application cannot be changed
    application = Application.objects.get()
    assert re.fullmatch(r"[A-Z]\d{6}", application.acn)
    expect(page.get_by_role("heading", name=f"Application {application.acn} Submitted")).to_be_visible()
    shoot(page, "03-application-submitted")
    assert_accessible(page, "ada: Submitted application")

    # A licensing officer takes the case and recommends; an approving official approves it.
    sign_in(page, base, "olga", admin=True)
    page.goto(f"{base}/admin/licensing/application/")
    shoot(page, "04-admin-queue")
    assert_accessible(page, "olga: Case queue")
    page.get_by_role("link", name=application.acn).click()
    page.get_by_role("button", name="Start review").click()
    expect(page.get_by_text(f"{application.acn}: review started.")).to_be_visible()
    page.locator("summary", has_text="Recommend").first.click()
    page.get_by_label("Approve").check()
    page.get_by_label("Rationale").fill("End user verified; site inspected by the embassy.")
    page.locator("form").filter(has=page.get_by_label("Rationale")).get_by_role("button", name="Recommend").click()
    expect(page.locator(".messagelist").get_by_text("recommendation recorded")).to_be_visible()

    sign_in(page, base, "amir", admin=True)
    page.goto(f"{base}/admin/licensing/application/{application.pk}/change/")
    shoot(page, "05-admin-case")
    assert_accessible(page, "amir: Case page")
    page.locator("summary", has_text="Approve").click()
    page.locator("form").filter(has=page.get_by_label("Justification")).get_by_role("button", name="Approve").click()
    # An approval asks first, on a page of its own showing what it draws on the allotment.
    expect(page.get_by_role("heading", name="Check before you confirm")).to_be_visible()
    expect(page.get_by_text("allotment drawn on at once")).to_be_visible()
    expect(page.locator("table.confirm-effect").last).to_contain_text("This draw")
    assert_accessible(page, "amir: Confirm the approval")
    page.get_by_role("button", name="Confirm: approve").click()
    expect(page.locator(".messagelist").get_by_text("approved; the licence is issued")).to_be_visible()
    application.refresh_from_db()
    licence = application.licence
    assert Allotment.objects.get(pk=licence.allotment_id).committed_tpp == licence.reserved_tpp == 1800 * 15_832

    # The exporter sees the licence and reports a shipment.
    sign_in(page, base, "ada")
    page.get_by_role("link", name="Licences").click()
    page.get_by_role("link", name=licence.number).click()
    page.get_by_label(re.compile("NVIDIA H100 SXM: units shipped")).fill("600")
    page.get_by_role("button", name="Record shipment").click()
    expect(page.get_by_text("Shipment recorded.")).to_be_visible()
    assert "cannot be changed" in dialogs[-1]
    expect(page.locator("table").first).to_contain_text("600")
    shoot(page, "06-licence")
    assert_accessible(page, "ada: Licence after a shipment")

    # Another organisation's exporter cannot open any of it.
    sign_in(page, base, "bob")
    for path in (f"/applications/{application.pk}/", f"/licences/{licence.number}/"):
        response = page.goto(f"{base}{path}")
        assert response.status == 404
    page.goto(f"{base}/applications/")
    expect(page.get_by_text(application.acn)).to_have_count(0)


def test_bad_form_input_is_explained_on_the_page(page: Page, live_server):
    make_user("exporter", username="ada")
    sign_in(page, live_server.url, "ada")
    page.goto(f"{live_server.url}/applications/new/")
    page.get_by_label("Destination country").select_option("IN")
    page.get_by_label("Specific end use").fill("Cluster")
    page.locator("#id_lines-0-product").select_option(label="NVIDIA H100 SXM — 3A090.a, 1.00 H100e")
    page.locator("#id_lines-0-quantity").fill("-3")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("#id_lines-0-quantity-errors")).to_contain_text("greater than or equal to 1")
    expect(page.locator("#id_consignee_name-errors")).to_contain_text("required")
    expect(page.get_by_label("Specific end use")).to_have_value("Cluster")
    expect(page.locator("[data-error-summary]")).to_be_focused()
    assert_accessible(page, "ada: New application after a failed submit")
    assert Application.objects.count() == 0
