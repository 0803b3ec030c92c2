"""Supporting documents through the API (issue 14): attached to a draft, to an answer and to a shipment; scoped
exactly like their parent; checked before anything is stored."""

import hashlib

import pytest
from django.conf import settings

from licensing import services
from licensing.models import Document
from portal.models import AuditEvent
from tests.factories import make_user
from tests.licensing import factories
from tests.licensing.documents import DOCX, EXECUTABLE, PDF, PNG, XLSM, XLSX, stored_files, upload

pytestmark = pytest.mark.django_db


def api_as(client_for, user):
    client = client_for()
    client.force_authenticate(user)
    return client


@pytest.fixture
def exporter():
    return make_user("exporter", organisation="Acme AI Systems Inc.")


@pytest.fixture
def rival(client_for):
    return client_for("exporter", organisation="Northwind Servers Ltd")


def post_file(client, url, name, content):
    return client.post(url, {"file": upload(name, content)}, format="multipart")


def test_exporter_attaches_a_pdf_to_a_draft_and_another_to_an_answer_and_a_rival_gets_404(client_for, exporter, rival):
    client = api_as(client_for, exporter)
    draft = factories.draft(exporter)
    asked = factories.info_requested(exporter)

    on_draft = post_file(client, f"/api/v1/applications/{draft.pk}/documents/", "ownership-chart.pdf", PDF)
    on_answer = post_file(client, f"/api/v1/applications/{asked.pk}/documents/", "site-lease.pdf", PDF)

    assert on_draft.status_code == 201, on_draft.content
    assert on_draft.json() | {"id": 0, "uploaded_at": None, "download": None} == {
        "id": 0,
        "name": "ownership-chart.pdf",
        "size": len(PDF),
        "sha256": hashlib.sha256(PDF).hexdigest(),
        "content_type": "application/pdf",
        "scan_status": "not_scanned",
        "attached_to": "application",
        "info_request": None,
        "shipment": None,
        "uploaded_by": exporter.username,
        "uploaded_at": None,
        "download": None,
    }
    assert on_answer.status_code == 201, on_answer.content
    open_request = asked.info_requests.get(answered_at__isnull=True)
    assert (on_answer.json()["attached_to"], on_answer.json()["info_request"]) == ("answer", open_request.pk)

    for document in (on_draft.json(), on_answer.json()):
        assert rival.get(f"/api/v1/documents/{document['id']}/").status_code == 404
    for application in (draft, asked):
        assert rival.get(f"/api/v1/applications/{application.pk}/documents/").status_code == 404
        assert post_file(rival, f"/api/v1/applications/{application.pk}/documents/", "x.pdf", PDF).status_code == 404
    assert Document.objects.count() == 2


def test_the_owner_downloads_the_bytes_as_an_attachment_never_sniffed(client_for, exporter):
    client = api_as(client_for, exporter)
    draft = factories.draft(exporter)
    document = post_file(client, f"/api/v1/applications/{draft.pk}/documents/", "chart.pdf", PDF).json()

    response = client.get(document["download"])

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="chart.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


def test_staff_see_an_answers_documents_but_never_a_drafts(client_for, exporter):
    client = api_as(client_for, exporter)
    draft = factories.draft(exporter)
    asked = factories.info_requested(exporter)
    on_draft = post_file(client, f"/api/v1/applications/{draft.pk}/documents/", "a.pdf", PDF).json()
    on_answer = post_file(client, f"/api/v1/applications/{asked.pk}/documents/", "b.pdf", PDF).json()
    officer = client_for("licensing_officer")

    listed = officer.get(f"/api/v1/applications/{asked.pk}/documents/")

    assert [row["name"] for row in listed.json()] == ["b.pdf"]
    assert officer.get(on_answer["download"]).status_code == 200
    assert officer.get(on_draft["download"]).status_code == 404
    assert officer.get(f"/api/v1/applications/{draft.pk}/documents/").status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("ownership-chart.pdf", EXECUTABLE, "is not a file of an accepted kind"),
        ("macro.xlsx", XLSM, "is not a file of an accepted kind"),
        ("empty.txt", b"", "is empty"),
        ("huge.pdf", PDF + b"0" * (21 * 1024 * 1024), "the largest file accepted is 20 MB"),
    ],
)
def test_a_refused_upload_says_why_and_stores_nothing(client_for, exporter, name, content, message):
    client = api_as(client_for, exporter)
    draft = factories.draft(exporter)
    audit_before = AuditEvent.objects.count()

    response = post_file(client, f"/api/v1/applications/{draft.pk}/documents/", name, content)

    assert response.status_code == 400
    assert message in response.json()["file"][0]
    assert name in response.json()["file"][0]
    assert Document.objects.count() == 0
    assert stored_files(settings.MEDIA_ROOT) == []
    assert AuditEvent.objects.count() == audit_before


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("photo.png", PNG, "image/png"),
        ("photo.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 16, "image/jpeg"),
        ("notes.txt", "Site: Abu Dhabi — fenced, guarded\n".encode(), "text/plain"),
        ("lines.csv", b"product,quantity\nH100,40\n", "text/csv"),
        ("sheet.xlsx", XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("letter.docx", DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("misnamed.pdf", PNG, "image/png"),  # the bytes decide, not the name
    ],
)
def test_each_accepted_kind_is_told_by_its_bytes(client_for, exporter, name, content, content_type):
    client = api_as(client_for, exporter)
    draft = factories.draft(exporter)

    response = post_file(client, f"/api/v1/applications/{draft.pk}/documents/", name, content)

    assert response.status_code == 201, response.content
    assert response.json()["content_type"] == content_type


def test_a_submitted_application_takes_no_more_documents_and_keeps_its_own(client_for, exporter):
    client = api_as(client_for, exporter)
    draft = factories.draft(exporter)
    post_file(client, f"/api/v1/applications/{draft.pk}/documents/", "chart.pdf", PDF)
    services.application_submit(actor=exporter, application=draft, declaration=True)
    files_before = stored_files(settings.MEDIA_ROOT)

    response = post_file(client, f"/api/v1/applications/{draft.pk}/documents/", "late.pdf", PDF)

    assert response.status_code == 409
    assert "documents are attached to a draft" in response.json()["detail"]
    assert list(Document.objects.values_list("name", flat=True)) == ["chart.pdf"]
    assert stored_files(settings.MEDIA_ROOT) == files_before
    # The documents API offers no way to change or delete one.
    document = Document.objects.get()
    for method in ("put", "patch", "delete"):
        assert getattr(client, method)(f"/api/v1/documents/{document.pk}/").status_code == 405


def test_an_answers_documents_stay_with_it_once_answered(client_for, exporter):
    client = api_as(client_for, exporter)
    asked = factories.info_requested(exporter)
    post_file(client, f"/api/v1/applications/{asked.pk}/documents/", "lease.pdf", PDF)
    services.application_respond(actor=exporter, application=asked, answer="The lease is attached.")

    after = post_file(client, f"/api/v1/applications/{asked.pk}/documents/", "more.pdf", PDF)

    assert after.status_code == 409
    answered = asked.info_requests.get()
    assert [document.name for document in answered.documents.all()] == ["lease.pdf"]


def test_a_shipments_documents_are_its_licence_holders(client_for, exporter, rival):
    import datetime

    client = api_as(client_for, exporter)
    licence = factories.licence(exporter)
    shipment = services.shipment_report(
        actor=exporter,
        licence=licence,
        shipped_on=datetime.date.today(),
        items=[{"product": factories.product(), "quantity": 10}],
    )
    url = f"/api/v1/licences/{licence.number}/shipments/{shipment.pk}/documents/"

    created = post_file(client, url, "invoice.pdf", PDF)

    assert created.status_code == 201, created.content
    assert created.json()["attached_to"] == "shipment"
    assert [row["name"] for row in client.get(url).json()] == ["invoice.pdf"]
    assert [row["name"] for row in client.get(f"/api/v1/applications/{licence.application_id}/documents/").json()] == [
        "invoice.pdf"
    ]
    assert rival.get(url).status_code == 404
    assert post_file(rival, url, "x.pdf", PDF).status_code == 404
    assert rival.get(created.json()["download"]).status_code == 404
    assert client_for("approving_official").get(created.json()["download"]).status_code == 200


def test_an_upload_is_audited_on_its_case(client_for, exporter):
    client = api_as(client_for, exporter)
    draft = factories.draft(exporter)

    document = post_file(client, f"/api/v1/applications/{draft.pk}/documents/", "chart.pdf", PDF).json()

    event = AuditEvent.objects.get(verb="document.uploaded")
    assert (event.target_type, event.target_id, event.actor_id) == ("licensing.application", str(draft.pk), exporter.pk)
    assert event.payload["sha256"] == document["sha256"]
