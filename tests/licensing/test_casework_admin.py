"""Casework in the admin (issue 15): the officer's proposals on the recommend form, the approver's form starting
from them, approve and deny confirmed on a page of their own that shows the allotment effect first, and a
question amended or withdrawn while unanswered."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from agreements import selectors as agreements_selectors
from agreements.models import Allotment
from agreements.units import H100_TPP, tpp_and_h100e
from licensing import services
from licensing.choices import ApplicationStatus as S
from licensing.models import Application, InfoRequest, RecommendationEntry
from portal.choices import Role
from portal.models import InboxMessage
from tests.factories import make_user
from tests.licensing import factories as f

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def action_url(application: Application, name: str) -> str:
    return reverse("admin:licensing_application_action", args=[application.pk, name])


def confirm_url(application: Application, name: str) -> str:
    return reverse("admin:licensing_application_action_confirm", args=[application.pk, name])


def words(response) -> str:
    return " ".join(strip_tags(response.content.decode()).split())


def test_the_officer_proposes_quantities_and_conditions_on_the_recommend_form():
    case = f.under_review(items=[("H100 SXM", 5000), ("H200 SXM", 1000)])
    h100_line, h200_line = case.lines.order_by("id")
    officer = login(case.officer)
    form = words(officer.get(action_url(case, "recommend")))
    assert "Line 1, " in form and "H100 SXM — proposed quantity" in form and "5,000 requested" in form
    response = officer.post(
        action_url(case, "recommend"),
        {
            "recommendation": "approve",
            "rationale": "Site checked.",
            f"line_{h100_line.pk}": "4000",
            f"line_{h200_line.pk}": "",
            "conditions": "Quarterly site visits\n\nNo re-export",
        },
    )
    assert response.status_code == 302, words(response)
    entry = RecommendationEntry.objects.get(application=case, kind="officer")
    assert entry.proposed_quantities == {str(h100_line.product_id): 4000}
    assert entry.conditions == ["Quarterly site visits", "No re-export"]
    page = words(
        login(make_user(Role.APPROVING_OFFICIAL)).get(reverse("admin:licensing_application_change", args=[case.pk]))
    )
    assert "H100 SXM: 4,000 of 5,000 requested" in page
    assert "the officer recommends approve (proposing " in page  # where the case stands says it too


def test_a_proposal_beyond_the_request_is_refused_on_the_form_naming_the_line():
    case = f.under_review(items=[("H100 SXM", 5000), ("H200 SXM", 1000)])
    h200_line = case.lines.order_by("id").last()
    before = f.db_state()
    response = login(case.officer).post(
        action_url(case, "recommend"),
        {"recommendation": "approve", "rationale": "x", f"line_{h200_line.pk}": "1500"},
    )
    assert response.status_code == 200
    assert "Line 2 (" in words(response) and "H200 SXM): 1,500 proposed exceeds the 1,000 requested" in words(response)
    assert f.db_state() == before


def test_the_approvers_form_starts_from_the_officers_proposal_and_lists_the_agencies_conditions():
    case = f.referred(agencies=("defense",))
    services.application_agency_recommend(
        actor=make_user("agency_reviewer", agency="defense"),
        application=case,
        recommendation="approve_with_conditions",
        conditions=["No military end use"],
    )
    line = case.lines.get()
    services.application_recommend(
        actor=case.officer,
        application=case,
        recommendation="approve",
        rationale="Fine at 3,000.",
        items=[{"product": line.product, "quantity": 3000}],
        conditions=["Quarterly site visits"],
    )
    response = login(make_user(Role.APPROVING_OFFICIAL)).get(action_url(case, "approve"))
    html = response.content.decode()
    assert f'name="line_{line.pk}" value="3000"' in html
    assert "Quarterly site visits</textarea>" in html
    text = words(response)
    assert "The officer proposes 3,000" in text
    assert "The agencies ask for: Department of Defense: No military end use" in text or (
        "No military end use" in text and "agencies ask for" in text
    )


def test_approve_asks_for_confirmation_on_a_page_showing_the_allotment_effect_then_approves():
    case = f.recommended()
    allotment = f.tier2_allotment()
    committed = allotment.committed_tpp
    line = case.lines.get()
    approver = login(make_user(Role.APPROVING_OFFICIAL))
    before = f.db_state()

    shown = approver.post(action_url(case, "approve"), {f"line_{line.pk}": "4000", "conditions": "No re-export"})
    assert shown.status_code == 200  # the confirmation page, in answer to the form: nothing decided yet
    text = words(shown)
    draw = 4000 * line.product.tpp
    for header in ("Capacity", "Committed now", "This draw", "After"):
        assert header in text
    assert tpp_and_h100e(committed) in text
    assert tpp_and_h100e(draw) in text
    assert tpp_and_h100e(committed + draw) in text
    assert "5,000" in text and "4,000" in text  # requested against approved
    assert f.db_state() == before  # showing the effect writes nothing

    html = shown.content.decode()
    assert f'type="hidden" name="line_{line.pk}" value="4000"' in html
    assert f'action="{confirm_url(case, "approve")}"' in html  # the inputs travel in the form, never in a URL
    done = approver.post(confirm_url(case, "approve"), {f"line_{line.pk}": "4000", "conditions": "No re-export"})
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.status == S.APPROVED
    assert case.licence.lines.get().approved_quantity == 4000
    assert "No re-export" in case.licence.conditions
    assert Allotment.objects.get(pk=allotment.pk).committed_tpp == committed + draw


def test_deny_shows_that_nothing_is_drawn_before_it_is_confirmed():
    case = f.recommended()
    allotment = f.tier2_allotment()
    approver = login(make_user(Role.APPROVING_OFFICIAL))
    first = approver.post(action_url(case, "deny"), {"reason": "Diversion risk."})
    assert first.status_code == 200
    text = words(first)
    assert "Denying draws nothing on any allotment." in text
    assert tpp_and_h100e(0) in text and tpp_and_h100e(allotment.committed_tpp) in text
    assert "Diversion risk." in text
    case.refresh_from_db()
    assert case.status == S.UNDER_REVIEW
    assert approver.post(confirm_url(case, "deny"), {"reason": "Diversion risk."}).status_code == 302
    case.refresh_from_db()
    assert case.status == S.DENIED


def test_an_export_that_draws_on_no_allotment_says_so():
    f.switch_to_baseline()
    today = timezone.localdate()
    groups = agreements_selectors.countries_in_groups
    # Baseline § 742.6(a)(6)(iii) without an agreement: a licence is required, reviewed case by case, no allotment.
    destination = sorted(groups({"D:1", "D:4"}, today) - groups({"D:5", "A:5", "A:6"}, today))[0]
    case = f.recommended(destination=destination)
    line = case.lines.get()
    text = words(login(make_user(Role.APPROVING_OFFICIAL)).post(action_url(case, "approve"), {f"line_{line.pk}": "10"}))
    assert "No allotment applies" in text


def test_the_confirmation_shows_the_party_cap():
    f.switch_to_global()
    f.capped_agreement("QA")
    case = f.recommended(destination="QA", consignee="Falcon Compute", quantity=100)
    line = case.lines.get()
    text = words(
        login(make_user(Role.APPROVING_OFFICIAL)).post(action_url(case, "approve"), {f"line_{line.pk}": "100"})
    )
    assert "Party cap: Falcon Compute" in text
    assert tpp_and_h100e(2_000 * H100_TPP) in text


def test_invalid_inputs_on_the_confirmation_page_go_back_to_the_form():
    case = f.recommended()
    line = case.lines.get()
    approver = login(make_user(Role.APPROVING_OFFICIAL))
    before = f.db_state()
    response = approver.post(confirm_url(case, "approve"), {f"line_{line.pk}": "-3"})
    assert response.status_code == 200
    assert "Nothing was changed" in words(response)
    assert f.db_state() == before


def test_the_confirmation_takes_no_inputs_from_a_url():
    case = f.recommended()
    line = case.lines.get()
    approver = login(make_user(Role.APPROVING_OFFICIAL))
    before = f.db_state()
    query = {f"line_{line.pk}": "10", "justification": "Strategic partner."}
    response = approver.get(confirm_url(case, "approve"), query)
    assert response.status_code == 303 and response["Location"] == action_url(case, "approve")
    assert f.db_state() == before


def test_the_officer_amends_then_withdraws_a_question_in_the_admin():
    case = f.info_requested()
    officer = login(case.officer)
    form = officer.get(action_url(case, "amend_info_request")).content.decode()
    assert "Who runs the site?</textarea>" in form
    assert officer.post(action_url(case, "amend_info_request"), {"question": "Who owns the site?"}).status_code == 302
    assert InfoRequest.objects.get(application=case).question == "Who owns the site?"
    assert officer.post(action_url(case, "withdraw_info_request"), {"reason": ""}).status_code == 200
    done = officer.post(action_url(case, "withdraw_info_request"), {"reason": "Answered in the filing."})
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.status == S.UNDER_REVIEW
    page = words(officer.get(reverse("admin:licensing_application_change", args=[case.pk])))
    assert "Withdrawn" in page and "Answered in the filing." in page
    subjects = list(InboxMessage.objects.filter(recipient=case.created_by).values_list("subject", flat=True))
    assert any("reworded" in s for s in subjects) and any("withdrew" in s for s in subjects)


def test_the_confirmation_warns_when_the_draw_exceeds_what_remains_and_confirming_changes_nothing():
    case = f.recommended()
    allotment = f.tier2_allotment()
    f.shrink_allotment(allotment, leave_tpp=1000 * f.product().tpp)
    line = case.lines.get()
    approver = login(make_user(Role.APPROVING_OFFICIAL))
    shown = words(approver.post(action_url(case, "approve"), {f"line_{line.pk}": "5000"}))
    assert "exceeds what the allotment has left" in shown
    before = f.db_state()
    refused = approver.post(confirm_url(case, "approve"), {f"line_{line.pk}": "5000"})
    assert refused.status_code == 200 and "Nothing was changed" in words(refused)
    assert f.db_state() == before


def test_approving_more_than_requested_is_refused_on_the_form_naming_the_requested_quantity():
    """Not a warning about the allotment (which has room): the quantity itself is wrong, and the form says so."""
    case = f.recommended()
    line = case.lines.get()
    approver = login(make_user(Role.APPROVING_OFFICIAL))
    before = f.db_state()
    for url in (action_url(case, "approve"), confirm_url(case, "approve")):
        shown = words(approver.post(url, {f"line_{line.pk}": "999999"}))
        assert "5,000 requested: approve at most that" in shown, url
        assert "exceeds what the allotment has left" not in shown
        assert "Effect on the allotment" not in shown  # no confirmation page for a form in error
    assert f.db_state() == before


def test_the_approve_form_asks_on_its_confirmation_page_not_in_a_dialog_too():
    """An action with a confirmation page does not also ask in a browser dialog (which said the licence is issued
    at once, while the page that follows shows the effect first); one without a page still does."""
    case = f.recommended()
    approver = login(make_user(Role.APPROVING_OFFICIAL))
    form = approver.get(action_url(case, "approve")).content.decode()
    assert "data-confirm" not in form and "Nothing is done yet: the next page shows what" in form
    panel = approver.get(reverse("admin:licensing_application_change", args=[case.pk])).content.decode()
    assert "Approve it? The licence is issued" not in panel
    submitted = f.submitted()
    officer = login(make_user(Role.LICENSING_OFFICER))
    assert 'data-confirm="Return it?' in officer.get(action_url(submitted, "return")).content.decode()
