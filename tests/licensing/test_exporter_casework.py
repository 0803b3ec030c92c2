"""The exporter's side of casework (issue 15): removing an item or an end user of a draft with a POST button
(refused once submitted), the draft's name through the API, and why each cut line got less than requested."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from licensing import services
from licensing.models import ApplicationLine, ApplicationParty
from licensing.vocabulary import RULES
from portal.models import AuditEvent
from tests.factories import make_user
from tests.licensing import factories as f

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def two_end_user_draft(exporter):
    body = f.application_body()
    body["parties"]["end_users"].append({"name": "Second Lab", "address": "2 Lab Road", "country": "IN"})
    body["items"].append({"product": f.product("H200 SXM").pk, "quantity": 10})
    response = api(exporter).post("/api/v1/applications/", body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def test_the_draft_page_removes_an_item_and_an_end_user_by_post_and_audits_it():
    exporter = make_user("exporter")
    pk = two_end_user_draft(exporter)
    page = signed_in(exporter)
    line = ApplicationLine.objects.get(application_id=pk, product=f.product("H200 SXM"))
    second = ApplicationParty.objects.get(application_id=pk, name="Second Lab")
    html = page.get(f"/applications/{pk}/").content.decode()
    assert f"/applications/{pk}/items/{line.pk}/remove/" in html
    assert f"/applications/{pk}/end-users/{second.pk}/remove/" in html

    assert page.get(f"/applications/{pk}/items/{line.pk}/remove/").status_code == 405  # never by a link
    assert ApplicationLine.objects.filter(pk=line.pk).exists()

    done = page.post(f"/applications/{pk}/items/{line.pk}/remove/", follow=True)
    assert "Item removed from the draft." in done.content.decode()
    assert not ApplicationLine.objects.filter(pk=line.pk).exists()
    page.post(f"/applications/{pk}/end-users/{second.pk}/remove/")
    assert not ApplicationParty.objects.filter(pk=second.pk).exists()
    payloads = [e.payload for e in AuditEvent.objects.filter(verb="application.changed", target_id=str(pk))]
    assert any("removed_items" in p for p in payloads) and any("removed_end_user" in p for p in payloads)


def test_the_last_item_stays_and_a_submitted_application_refuses_removal():
    exporter = make_user("exporter")
    application = f.draft(exporter)
    line = application.lines.get()
    page = signed_in(exporter)
    refused = page.post(f"/applications/{application.pk}/items/{line.pk}/remove/", follow=True)
    assert "keeps at least one item" in refused.content.decode()
    assert ApplicationLine.objects.filter(pk=line.pk).exists()

    submitted = f.submitted(exporter, items=[("H100 SXM", 5000), ("H200 SXM", 10)])
    line = submitted.lines.last()
    end_user = submitted.parties.get(role="end_user")
    html = page.get(f"/applications/{submitted.pk}/").content.decode()
    assert "/remove/" not in html
    before = f.db_state()
    page.post(f"/applications/{submitted.pk}/items/{line.pk}/remove/")
    page.post(f"/applications/{submitted.pk}/end-users/{end_user.pk}/remove/")
    assert f.db_state() == before


def test_another_organisations_draft_rows_are_not_found():
    application = f.draft(make_user("exporter"))
    line = application.lines.get()
    outsider = signed_in(make_user("exporter", organisation="Other Corp"))
    assert outsider.post(f"/applications/{application.pk}/items/{line.pk}/remove/").status_code == 404
    assert ApplicationLine.objects.filter(pk=line.pk).exists()


def test_the_exporter_api_creates_updates_and_reads_the_drafts_name():
    exporter = make_user("exporter")
    client = api(exporter)
    created = client.post("/api/v1/applications/", {**f.application_body(), "name": "Mumbai phase 1"}, format="json")
    assert created.status_code == 201 and created.json()["name"] == "Mumbai phase 1"
    pk = created.json()["id"]
    changed = client.patch(f"/api/v1/applications/{pk}/", {"name": "Mumbai phase 2"}, format="json")
    assert changed.status_code == 200 and changed.json()["name"] == "Mumbai phase 2"
    kept = client.patch(f"/api/v1/applications/{pk}/", {"end_use": "Inference"}, format="json")
    assert kept.json()["name"] == "Mumbai phase 2"  # a field left out stays as it was
    assert client.get(f"/api/v1/applications/{pk}/").json()["name"] == "Mumbai phase 2"


def _cut_note(application) -> str:
    html = signed_in(application.created_by).get(f"/applications/{application.pk}/").content.decode()
    row = html[html.index('class="line-cut"') :].split("</tr>")[0]
    return row


def test_a_cut_to_the_officers_proposal_says_so():
    application = f.under_review()
    services.application_recommend(
        actor=application.officer,
        application=application,
        recommendation="approve",
        rationale="Fine at 3,000.",
        items=[{"product": f.product(), "quantity": 3000}],
    )
    services.application_approve(
        actor=make_user("approving_official"),
        application=application,
        items=[{"product": f.product(), "quantity": 3000}],
    )
    row = _cut_note(application)
    assert "<td>5000</td><td>3000</td>" in row and RULES["decision.officer_proposal"] in row


def test_a_cut_to_fit_the_allotment_says_so():
    allotment = f.tier2_allotment("IN")
    f.shrink_allotment(allotment, leave_tpp=1000 * f.product().tpp)
    application = f.recommended(quantity=5000)  # the determination finds the allocation short
    rules = [r["rule"] for r in application.determination["reasons"]]
    assert "tiered.allocation_exhausted" in rules, rules
    services.application_approve(
        actor=make_user("approving_official"),
        application=application,
        items=[{"product": f.product(), "quantity": 1000}],
        justification="Within what remains.",
    )
    assert RULES["decision.allotment_remaining"] in _cut_note(application)


def test_an_approvers_own_cut_is_worded_as_theirs():
    application = f.recommended()
    services.application_approve(
        actor=make_user("approving_official"), application=application, items=[{"product": f.product(), "quantity": 1}]
    )
    assert RULES["decision.approver_cut"] in _cut_note(application)


def test_answering_a_question_withdrawn_since_the_page_was_shown_is_refused_saying_so():
    application = f.info_requested()
    request = application.info_requests.get()
    page = signed_in(application.created_by)
    html = page.get(f"/applications/{application.pk}/").content.decode()
    assert f'name="info_request" value="{request.pk}"' in html
    services.info_request_withdraw(actor=application.officer, application=application, reason="Not needed.")
    response = page.post(
        f"/applications/{application.pk}/respond/", {"answer": "We do.", "info_request": request.pk}, follow=True
    )
    text = response.content.decode()
    assert "withdrew this request for information" in text and "Not needed." in text
    request.refresh_from_db()
    assert request.answer == "" and request.answered_at is None
    assert "The officer withdrew the question" in text  # the timeline says so too
