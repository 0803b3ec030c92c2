"""A request for information can be amended or withdrawn by the officer while unanswered (SPEC § 4 v2): audited,
the exporter told in their inbox; a withdrawn one takes no answer (409), an answered one no amendment (409)."""

import pytest
from django.core import mail
from rest_framework.test import APIClient

from licensing.choices import ApplicationStatus as S
from licensing.models import InfoRequest
from portal.models import AuditEvent, InboxMessage
from tests.factories import make_user
from tests.licensing import factories as f
from tests.tasks_for_tests import run_db_worker

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def url(application, request, verb: str) -> str:
    return f"/api/v1/applications/{application.pk}/info-requests/{request.pk}/{verb}/"


def test_amending_rewords_the_question_audits_the_old_one_and_tells_the_exporter(django_capture_on_commit_callbacks):
    exporter = make_user("exporter")
    exporter.email = "ada@acme.example"
    exporter.save()
    application = f.info_requested(exporter)
    request = application.info_requests.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = api(application.officer).post(url(application, request, "amend"), {"question": "Who owns it?"})
    assert response.status_code == 200, response.json()
    (shown,) = response.json()["info_requests"]
    assert shown["question"] == "Who owns it?" and shown["amended_at"] is not None
    assert response.json()["status"] == S.INFO_REQUESTED
    event = AuditEvent.objects.get(verb="application.info_request_amended")
    assert event.payload["previous_question"] == "Who runs the site?"
    assert event.payload["question"] == "Who owns it?"
    message = InboxMessage.objects.filter(recipient=exporter).latest("id")
    assert "reworded" in message.subject and message.body == "Who owns it?"
    run_db_worker()
    assert any("reworded" in email.subject for email in mail.outbox)
    page = api(exporter).get(f"/api/v1/applications/{application.pk}/").json()
    assert page["info_requests"][0]["question"] == "Who owns it?"


def test_withdrawing_needs_a_reason_resumes_review_and_tells_the_exporter():
    application = f.info_requested()
    request = application.info_requests.get()
    officer = api(application.officer)
    before = f.db_state()
    assert officer.post(url(application, request, "withdraw"), {"reason": " "}).status_code == 400
    assert f.db_state() == before

    response = officer.post(url(application, request, "withdraw"), {"reason": "Found it in the filing."})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == S.UNDER_REVIEW and body["paused_at"] is None
    assert body["info_requests"][0]["withdrawal_reason"] == "Found it in the filing."
    event = AuditEvent.objects.get(verb="application.info_request_withdrawn")
    assert event.payload["reason"] == "Found it in the filing."
    message = InboxMessage.objects.filter(recipient=application.created_by).latest("id")
    assert "withdrew the question" in message.subject and message.body == "Found it in the filing."


def test_answering_a_withdrawn_request_is_409():
    application = f.info_requested()
    request = application.info_requests.get()
    api(application.officer).post(url(application, request, "withdraw"), {"reason": "Not needed."})
    exporter = api(application.created_by)
    named = exporter.post(
        f"/api/v1/applications/{application.pk}/respond/", {"answer": "Us.", "info_request": request.pk}
    )
    assert named.status_code == 409
    assert "withdrew" in named.json()["detail"]
    unnamed = exporter.post(f"/api/v1/applications/{application.pk}/respond/", {"answer": "Us."})
    assert unnamed.status_code == 409
    assert InfoRequest.objects.get(pk=request.pk).answer == ""


def test_amending_or_withdrawing_an_answered_request_is_409():
    application = f.info_requested()
    request = application.info_requests.get()
    answer = api(application.created_by).post(
        f"/api/v1/applications/{application.pk}/respond/", {"answer": "We do.", "info_request": request.pk}
    )
    assert answer.status_code == 200, answer.json()
    # A second question is open; the first, answered, stays as asked.
    officer = api(application.officer)
    assert officer.post(f"/api/v1/applications/{application.pk}/request-info/", {"question": "And?"}).status_code == 200
    amend = officer.post(url(application, request, "amend"), {"question": "Changed"})
    assert amend.status_code == 409
    assert "answered this request" in amend.json()["detail"]
    withdraw = officer.post(url(application, request, "withdraw"), {"reason": "x"})
    assert withdraw.status_code == 409
    assert InfoRequest.objects.get(pk=request.pk).question == "Who runs the site?"


def test_only_the_officers_side_may_amend_and_another_applications_request_is_404():
    application = f.info_requested()
    request = application.info_requests.get()
    exporter = api(application.created_by)
    assert exporter.post(url(application, request, "amend"), {"question": "Mine"}).status_code == 403
    other = f.info_requested()
    wrong = api(application.officer).post(
        f"/api/v1/applications/{other.pk}/info-requests/{request.pk}/amend/", {"question": "x"}
    )
    assert wrong.status_code == 404


@pytest.mark.parametrize("request_id", ["99999999999999999999999", "0"])
def test_an_id_no_row_can_have_is_404_not_an_error(request_id):
    application = f.info_requested()
    response = api(application.officer).post(
        f"/api/v1/applications/{application.pk}/info-requests/{request_id}/amend/", {"question": "x"}
    )
    assert response.status_code == 404
    assert "detail" in response.json()
