"""Drafts can be deleted by their organisation (only drafts, audited); the exporter's lists are paginated with
search and filters, never silently cut at 200 rows (issue 15)."""

import pytest
from django.test import Client

from licensing.choices import ApplicationStatus
from licensing.models import Application, ApplicationLine, Document
from licensing.web.lists import PER_PAGE
from portal.models import AuditEvent
from tests.factories import make_user
from tests.licensing import factories as f

pytestmark = pytest.mark.django_db


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_draft_is_deleted_through_the_api_and_audited(client_for):
    owner = client_for("exporter")
    draft = f.draft(owner.user)
    response = owner.delete(f"/api/v1/applications/{draft.pk}/")
    assert response.status_code == 204
    assert not Application.objects.filter(pk=draft.pk).exists()
    assert not ApplicationLine.objects.filter(application_id=draft.pk).exists()
    event = AuditEvent.objects.get(verb="application.draft_deleted", target_id=str(draft.pk))
    assert event.actor == owner.user and event.payload["destination"] == "IN"


def test_deleting_a_submitted_application_is_refused_and_nothing_changes(client_for):
    owner = client_for("exporter")
    application = f.submitted(owner.user)
    before = f.db_state()
    response = owner.delete(f"/api/v1/applications/{application.pk}/")
    assert response.status_code == 409
    assert "only a draft can be deleted" in response.json()["detail"]
    assert f.db_state() == before
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_another_organisations_draft_is_not_found(client_for):
    draft = f.draft(make_user("exporter"))
    stranger = client_for("exporter", organisation="Other Chips Ltd")
    assert stranger.delete(f"/api/v1/applications/{draft.pk}/").status_code == 404
    assert client_for("licensing_officer").delete(f"/api/v1/applications/{draft.pk}/").status_code in (403, 404)
    assert Application.objects.filter(pk=draft.pk).exists()


def test_the_page_deletes_a_draft_with_its_documents(client_for):
    owner = client_for("exporter")
    draft = f.draft(owner.user)
    owner.post(f"/api/v1/applications/{draft.pk}/documents/", {"file": _text_file()}, format="multipart")
    assert Document.objects.filter(application=draft).count() == 1
    page = signed_in(owner.user)
    assert "Delete draft" in page.get(f"/applications/{draft.pk}/").content.decode()
    response = page.post(f"/applications/{draft.pk}/delete/", follow=True)
    assert "was deleted" in response.content.decode()
    assert not Application.objects.filter(pk=draft.pk).exists() and not Document.objects.exists()


def test_the_page_offers_no_deletion_once_submitted_and_refuses_one():
    exporter = make_user("exporter")
    application = f.submitted(exporter)
    page = signed_in(exporter)
    assert "Delete draft" not in page.get(f"/applications/{application.pk}/").content.decode()
    response = page.post(f"/applications/{application.pk}/delete/", follow=True)
    assert "only a draft can be deleted" in response.content.decode()
    assert Application.objects.filter(pk=application.pk).exists()


def _text_file():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("notes.txt", b"Site plan and end-user statement.\n", content_type="text/plain")


def test_the_application_list_pages_past_the_old_cap_and_searches(settings):
    exporter = make_user("exporter")
    first = f.draft(exporter, consignee="Nordic Compute AB")
    for _ in range(PER_PAGE):
        f.draft(exporter)
    page = signed_in(exporter)
    html = page.get("/applications/").content.decode()
    assert f"1–{PER_PAGE} of {PER_PAGE + 1}" in html and "page=2" in html
    assert f"/applications/{first.pk}/" in page.get("/applications/?page=2").content.decode()
    found = page.get("/applications/?q=nordic").content.decode()
    assert f"/applications/{first.pk}/" in found and "1–1 of 1" in found
    assert "No applications match." in page.get("/applications/?status=approved").content.decode()


def test_staff_export_the_selected_licences_and_applications_as_csv():
    licence = f.licence(make_user("exporter"))
    officer = signed_in(make_user("licensing_officer"))
    response = officer.post("/admin/licensing/licence/", {"action": "export_csv", "_selected_action": [licence.pk]})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    header, row = response.content.decode().splitlines()[:2]
    assert "Number" in header and licence.number in row and "Active" in row
    waiting = f.submitted(make_user("exporter"))  # the queue lists open cases by default
    response = officer.post("/admin/licensing/application/", {"action": "export_csv", "_selected_action": [waiting.pk]})
    header, row = response.content.decode().splitlines()[:2]
    assert header.startswith("ACN,Exporter,Destination,Status") and row.startswith(f"{waiting.acn},")
    assert "Submitted" in row


def test_a_draft_takes_a_name_on_its_form_and_is_found_by_it():
    exporter = make_user("exporter")
    draft = f.draft(exporter)
    page = signed_in(exporter)
    form = page.get(f"/applications/{draft.pk}/edit/")
    assert 'name="name"' in form.content.decode()
    from licensing import services

    services.application_update(actor=exporter, application=draft, name="Mumbai cluster phase 2")
    draft.refresh_from_db()
    assert draft.name == "Mumbai cluster phase 2"
    assert "Mumbai cluster phase 2" in page.get("/applications/?q=mumbai").content.decode()
    assert "Mumbai cluster phase 2" in page.get(f"/applications/{draft.pk}/").content.decode()
