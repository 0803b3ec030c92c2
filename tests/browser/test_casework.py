"""Casework in the browser (issue 15): the officer proposes quantities and conditions, then amends and withdraws a
question; the approver's form starts from the proposal and confirms on a page showing the allotment effect; the
exporter removes a draft's row and reads why a line was cut. Every page visited is checked with axe."""

import re

import pytest
from playwright.sync_api import Page, expect

from agreements.models import Allotment
from licensing import services
from licensing.choices import ApplicationStatus as S
from licensing.models import Application, ApplicationLine
from licensing.vocabulary import RULES
from tests.browser.axe import assert_accessible
from tests.factories import make_user
from tests.licensing import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "a-strong-test-password"


def sign_in(page: Page, base: str, username: str, *, admin: bool = False) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/admin/login/" if admin else f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Sign in|Log in")).click()


def test_proposal_question_changes_confirmed_approval_and_the_cut_explained(page: Page, live_server, dialogs):
    base = live_server.url
    exporter = make_user("exporter", username="ada", organisation="Acme AI Systems Inc.")
    officer = make_user("licensing_officer", username="olga")
    make_user("approving_official", username="amir")
    case = f.under_review(exporter, officer=officer)
    services.application_request_info(actor=officer, application=case, question="Who runs the site?")
    change = f"{base}/admin/licensing/application/{case.pk}/change/"

    # The officer rewords the question, then withdraws it with a reason.
    sign_in(page, base, "olga", admin=True)
    page.goto(change)
    assert_accessible(page, "olga: Case with an open question")
    page.locator("summary", has_text="Amend the question").click()
    page.get_by_label("Amended question").fill("Who owns and runs the site?")
    page.get_by_role("button", name="Amend the question").click()
    expect(page.locator(".messagelist").get_by_text("question amended")).to_be_visible()
    page.locator("summary", has_text="Withdraw the question").click()
    page.locator("form").filter(has=page.get_by_text("Told to the exporter, who then need not answer")).get_by_label(
        "Reason"
    ).fill("The filing already says it.")
    page.get_by_role("button", name="Withdraw the question").click()
    expect(page.locator(".messagelist").get_by_text("question withdrawn")).to_be_visible()
    expect(page.get_by_text("The filing already says it.").first).to_be_visible()
    assert_accessible(page, "olga: Case after the question was withdrawn")

    # The officer recommends approval of 3,000 of the 5,000 with a condition.
    page.locator("summary", has_text="Recommend").first.click()
    page.get_by_label("Approve", exact=True).check()
    page.get_by_label("Rationale").fill("End user verified; 3,000 fits the site's power.")
    page.get_by_label(re.compile("proposed quantity")).fill("3000")
    page.get_by_label("Proposed conditions").fill("Quarterly site visits")
    page.locator("form").filter(has=page.get_by_label("Rationale")).get_by_role("button", name="Recommend").click()
    expect(page.locator(".messagelist").get_by_text("recommendation recorded")).to_be_visible()

    # The approver's form starts from the proposal; the confirmation page shows the allotment effect.
    sign_in(page, base, "amir", admin=True)
    page.goto(change)
    assert_accessible(page, "amir: Case with the officer's proposal")
    page.locator("summary", has_text="Approve").click()
    expect(page.get_by_label(re.compile("approved quantity"))).to_have_value("3000")
    expect(page.get_by_label("Extra conditions")).to_have_value("Quarterly site visits")
    page.locator("form").filter(has=page.get_by_label("Justification")).get_by_role("button", name="Approve").click()
    expect(page.get_by_role("heading", name="Check before you confirm")).to_be_visible()
    effect = page.locator("table.confirm-effect").last
    for header in ("Capacity", "Committed now", "This draw", "After"):
        expect(effect).to_contain_text(header)
    expect(effect).to_contain_text("47,496,000 TPP")  # 3,000 × 15,832 TPP
    assert Application.objects.get(pk=case.pk).status == S.UNDER_REVIEW  # showing it decided nothing
    assert_accessible(page, "amir: Confirm the approval")
    page.get_by_role("button", name="Confirm: approve").click()
    expect(page.locator(".messagelist").get_by_text("approved; the licence is issued")).to_be_visible()
    licence = Application.objects.get(pk=case.pk).licence
    assert licence.lines.get().approved_quantity == 3000 and "Quarterly site visits" in licence.conditions
    assert Allotment.objects.get(pk=licence.allotment_id).committed_tpp == licence.reserved_tpp

    # The exporter reads why the line was cut.
    sign_in(page, base, "ada")
    page.goto(f"{base}/applications/{case.pk}/")
    expect(page.locator("tr.line-cut")).to_contain_text(RULES["decision.officer_proposal"])
    assert_accessible(page, "ada: Application approved in part, with the reason")


def test_the_exporter_removes_an_item_of_a_draft(page: Page, live_server, dialogs):
    base = live_server.url
    exporter = make_user("exporter", username="ada", organisation="Acme AI Systems Inc.")
    draft = f.draft(exporter, items=[("H100 SXM", 5000), ("H200 SXM", 10)])
    sign_in(page, base, "ada")
    page.goto(f"{base}/applications/{draft.pk}/")
    assert_accessible(page, "ada: Draft with two items")
    page.get_by_role("button", name=re.compile("Remove item .*H200")).click()
    expect(page.get_by_text("Item removed from the draft.")).to_be_visible()
    assert "Remove" in dialogs[-1]
    assert list(ApplicationLine.objects.filter(application=draft).values_list("product__name", flat=True)) == [
        "H100 SXM"
    ]
    expect(page.get_by_text("Last item")).to_be_visible()
    assert_accessible(page, "ada: Draft after removing an item")
