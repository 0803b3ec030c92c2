"""Inbox messages (SPEC § 4 v2 Messages): written with the event they report, e-mailed by a task, one's own only;
the approver's "Awaiting my decision" queue."""

import pytest
from django.core import mail
from django.utils import timezone
from rest_framework.test import APIClient

from licensing import services
from portal.models import InboxMessage
from tests.factories import make_user
from tests.licensing import factories as f
from tests.tasks_for_tests import run_db_worker

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_request_for_information_reaches_the_exporters_inbox_at_once_and_their_mail_after_the_task(
    django_capture_on_commit_callbacks,
):
    exporter = make_user("exporter")
    exporter.email = "ada@acme.example"
    exporter.save()
    officer = make_user("licensing_officer")
    application = f.under_review(exporter, officer=officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = api(officer).post(
            f"/api/v1/applications/{application.pk}/request-info/", {"question": "Who operates the site?"}
        )
    assert response.status_code == 200, response.json()

    (message,) = api(exporter).get("/api/v1/inbox/").json()["results"]
    assert message["subject"] == f"Application {application.acn}: the licensing officer asks for information"
    assert message["body"] == "Who operates the site?"
    assert message["about"] == {"type": "licensing.application", "id": str(application.pk)}
    assert message["read"] is False
    assert mail.outbox == []  # the e-mail is the task's work

    run_db_worker()
    (email,) = mail.outbox
    assert email.to == ["ada@acme.example"] and "asks for information" in email.subject
    assert "Who operates the site?" in email.body
    run_db_worker()
    assert len(mail.outbox) == 1  # a message is e-mailed once

    read = api(exporter).post(f"/api/v1/inbox/{message['id']}/read/")
    assert read.status_code == 200 and read.json()["read"] is True


def test_an_inbox_holds_ones_own_messages_only():
    exporter = make_user("exporter")
    application = f.info_requested(exporter)
    (message,) = InboxMessage.objects.filter(recipient=exporter)
    rival = make_user("exporter", organisation="Rival Compute Ltd")
    colleague_officer = make_user("licensing_officer")
    for other in (rival, colleague_officer):
        assert api(other).get("/api/v1/inbox/").json()["results"] == []
        assert api(other).post(f"/api/v1/inbox/{message.pk}/read/").status_code == 404
    assert application.pk


def test_the_exporters_pages_show_the_inbox_with_its_unread_count_and_flag_the_case_awaiting_an_answer(client):
    exporter = make_user("exporter")
    application = f.info_requested(exporter)
    client.force_login(exporter)
    listing = client.get("/applications/").content.decode()
    assert "Inbox (1 unread)" in listing
    assert "Your answer is needed" in listing
    page = client.get("/inbox/").content.decode()
    assert "asks for information" in page and "Who runs the site?" in page
    message = InboxMessage.objects.get(recipient=exporter)
    opened = client.post(f"/inbox/{message.pk}/read/")
    assert opened.status_code == 302 and opened["Location"] == f"/applications/{application.pk}/"
    assert "Inbox (1 unread)" not in client.get("/applications/").content.decode()


def test_the_answer_tells_the_officer_and_a_decision_tells_the_exporter():
    exporter, officer = make_user("exporter"), make_user("licensing_officer")
    application = f.info_requested(exporter, officer=officer)
    services.application_respond(actor=exporter, application=application, answer="Our own staff.")
    (to_officer,) = InboxMessage.objects.filter(recipient=officer)
    assert "answered" in to_officer.subject and to_officer.body == "Our own staff."

    approver = make_user("approving_official")
    application = f.recommended(exporter, officer=officer)
    services.application_deny(actor=approver, application=application, reason="End user unverified.")
    decided = InboxMessage.objects.filter(recipient=exporter, about_id=str(application.pk)).get()
    assert decided.subject == f"Application {application.acn} denied"
    assert decided.body == "End user unverified."


def test_a_referral_tells_the_agencys_reviewers_only():
    defense, energy = make_user("agency_reviewer", agency="defense"), make_user("agency_reviewer", agency="energy")
    application = f.referred(agencies=("defense",))
    (message,) = InboxMessage.objects.filter(recipient=defense)
    assert message.subject == f"Application {application.acn} referred to your agency"
    assert not InboxMessage.objects.filter(recipient=energy).exists()


def test_a_recommendation_puts_the_case_in_awaiting_my_decision_for_approvers_not_for_its_author(client):
    approver = make_user("approving_official")
    author = make_user("approving_official", "licensing_officer")
    waiting = f.under_review()
    assert waiting.acn
    recommended = f.recommended(officer=author)
    assert InboxMessage.objects.filter(recipient=approver, about_id=str(recommended.pk)).exists()
    assert not InboxMessage.objects.filter(recipient=author).exists()

    client.force_login(approver)
    page = client.get("/admin/licensing/application/?decision=mine").content.decode()
    assert recommended.acn in page and waiting.acn not in page
    assert "Recommended: Approve" in page  # the recommendation, under the status

    client.force_login(author)
    page = client.get("/admin/licensing/application/?decision=mine").content.decode()
    assert recommended.acn not in page  # never one's own recommendation


def test_staff_read_their_own_messages_in_the_admin(client):
    approver = make_user("approving_official")
    f.recommended()
    client.force_login(approver)
    listing = client.get("/admin/portal/inboxmessage/")
    assert listing.status_code == 200 and "awaits your decision" in listing.content.decode()
    message = InboxMessage.objects.get(recipient=approver)
    assert client.get(f"/admin/portal/inboxmessage/{message.pk}/change/").status_code == 200
    message.refresh_from_db()
    assert message.read_at is not None
    other = InboxMessage.objects.exclude(recipient=approver).first()
    if other is not None:
        assert client.get(f"/admin/portal/inboxmessage/{other.pk}/change/").status_code in (302, 404)


def test_the_inbox_page_shows_25_messages_a_page_and_reaches_every_one(client):
    """A bulk exporter's inbox holds hundreds of messages: a page at a time, newest first, none out of reach."""
    exporter = make_user("exporter")
    for number in range(30):
        InboxMessage.objects.create(
            recipient=exporter,
            about_type="licensing.application",
            about_id="1",
            subject=f"Message {number:02d}",
            created_at=timezone.now(),
        )
    client.force_login(exporter)
    first = client.get("/inbox/").content.decode()
    assert "Message 29" in first and "Message 05" in first and "Message 04" not in first
    assert "1–25 of 30" in first and "Page 1 of 2" in first
    second = client.get("/inbox/?page=2").content.decode()
    assert "Message 04" in second and "Message 00" in second and "Message 05" not in second
