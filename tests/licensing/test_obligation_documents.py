"""Documents on obligation reports (SPEC § 2 Document, § 4 Obligations): the exporter attaches files when submitting
a report or recording a payment; they hang on the submission, scoped like it (another organisation: 404), are
checked before anything is written, never change afterwards, and staff see them with their scan status."""

import hashlib
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from rest_framework.test import APIClient

from licensing.choices import ObligationKind, ObligationStatus, ScanStatus
from licensing.models import Document, Obligation, ObligationSubmission
from portal.models import AuditEvent
from tests.factories import make_user
from tests.licensing.documents import EXECUTABLE, PDF, PNG, stored_files, upload
from tests.licensing.test_obligations import licence_under_agreement, ship

pytestmark = pytest.mark.django_db


@pytest.fixture
def exporter():
    return make_user("exporter", organisation="Acme AI Systems Inc.")


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def first_report(exporter) -> Obligation:
    licence = licence_under_agreement(exporter)
    return licence.obligation_set.filter(kind=ObligationKind.REPORT).order_by("due_on").first()


def test_a_report_submitted_with_two_files_carries_them_and_staff_and_its_exporter_see_them(exporter, client_for):
    report = first_report(exporter)
    response = api(exporter).post(
        f"/api/v1/obligations/{report.pk}/submit/",
        {"text": "Q1 use.", "files": [upload("q1-report.pdf", PDF), upload("site-photo.png", PNG)]},
        format="multipart",
    )
    assert response.status_code == 200, response.content
    (submission,) = response.json()["submissions"]
    assert [(d["name"], d["attached_to"], d["scan_status"]) for d in submission["documents"]] == [
        ("q1-report.pdf", "obligation_report", "not_scanned"),
        ("site-photo.png", "obligation_report", "not_scanned"),
    ]
    assert submission["documents"][0]["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert response.json()["status"] == "submitted"

    staff = client_for("licensing_officer").get(f"/api/v1/obligations/{report.pk}/").json()
    assert [d["name"] for d in staff["submissions"][0]["documents"]] == ["q1-report.pdf", "site-photo.png"]
    document = Document.objects.get(name="q1-report.pdf")
    assert document.obligation_submission.obligation == report
    download = client_for("licensing_officer").get(f"/api/v1/documents/{document.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    event = AuditEvent.objects.get(verb="obligation.submitted", target_id=str(report.pk))
    assert [d["name"] for d in event.payload["documents"]] == ["q1-report.pdf", "site-photo.png"]


def test_another_organisation_gets_404_on_the_report_and_its_documents(exporter, client_for):
    report = first_report(exporter)
    api(exporter).post(
        f"/api/v1/obligations/{report.pk}/submit/", {"files": [upload("q1.pdf", PDF)]}, format="multipart"
    )
    document = Document.objects.get(name="q1.pdf")
    rival = client_for("exporter", organisation="Northwind Servers Ltd")
    assert rival.get(f"/api/v1/documents/{document.pk}/").status_code == 404
    assert rival.get(f"/api/v1/obligations/{report.pk}/").status_code == 404
    assert not Document.objects.restrict(rival.user, "view").exists()
    assert api(exporter).get(f"/api/v1/documents/{document.pk}/").status_code == 200


def test_a_refused_file_writes_nothing_not_the_submission_nor_any_file(exporter):
    report = first_report(exporter)
    before = stored_files(settings.MEDIA_ROOT)
    response = api(exporter).post(
        f"/api/v1/obligations/{report.pk}/submit/",
        {"text": "Q1 use.", "files": [upload("q1.pdf", PDF), upload("setup.exe", EXECUTABLE)]},
        format="multipart",
    )
    assert response.status_code == 400 and "setup.exe" in str(response.json())
    report.refresh_from_db()
    assert report.status == ObligationStatus.OPEN
    assert not ObligationSubmission.objects.exists() and not Document.objects.exists()
    assert stored_files(settings.MEDIA_ROOT) == before


def test_a_submitted_reports_documents_never_change_a_second_submit_is_refused(exporter):
    report = first_report(exporter)
    client = api(exporter)
    client.post(f"/api/v1/obligations/{report.pk}/submit/", {"files": [upload("q1.pdf", PDF)]}, format="multipart")
    again = client.post(
        f"/api/v1/obligations/{report.pk}/submit/", {"files": [upload("other.pdf", PDF)]}, format="multipart"
    )
    assert again.status_code == 409
    assert list(Document.objects.values_list("name", flat=True)) == ["q1.pdf"]


def test_after_a_rejection_the_new_report_brings_its_own_files_and_the_first_stay(exporter, client_for):
    report = first_report(exporter)
    client = api(exporter)
    client.post(f"/api/v1/obligations/{report.pk}/submit/", {"files": [upload("q1.pdf", PDF)]}, format="multipart")
    client_for("licensing_officer").post(
        f"/api/v1/obligations/{report.pk}/reject/", {"reason": "Name the end users."}, format="json"
    )
    second = client.post(
        f"/api/v1/obligations/{report.pk}/submit/",
        {"text": "End users named.", "files": [upload("q1-v2.pdf", PDF)]},
        format="multipart",
    )
    assert second.status_code == 200, second.content
    assert [[d["name"] for d in s["documents"]] for s in second.json()["submissions"]] == [["q1.pdf"], ["q1-v2.pdf"]]


def test_a_payment_carries_its_proof_as_a_document(exporter):
    licence = licence_under_agreement(exporter, revenue_share_percent=Decimal("15"))
    ship(licence, invoice=Decimal("1000000.00"))
    owed = Obligation.objects.get(kind=ObligationKind.REVENUE_SHARE)
    response = api(exporter).post(
        f"/api/v1/obligations/{owed.pk}/record-payment/",
        {"amount_paid_usd": "150000.00", "reference": "WIRE-1", "files": [upload("wire.pdf", PDF)]},
        format="multipart",
    )
    assert response.status_code == 200, response.content
    assert response.json()["submissions"][0]["documents"][0]["name"] == "wire.pdf"


def test_json_submit_without_files_still_works(exporter):
    report = first_report(exporter)
    response = api(exporter).post(f"/api/v1/obligations/{report.pk}/submit/", {"text": "Q1 use."}, format="json")
    assert response.status_code == 200 and response.json()["submissions"][0]["documents"] == []


def test_the_exporter_page_uploads_with_the_report_and_the_admin_shows_the_scan_status(exporter, client):
    report = first_report(exporter)
    client.force_login(exporter)
    page = client.get(reverse("exporter:licence", args=[report.licence.number]))
    assert 'type="file" name="files"' in page.content.decode()
    posted = client.post(
        reverse("exporter:obligation_submit", args=[report.licence.number, report.pk]),
        {"text": "Q1 use.", "reference": "", "files": [upload("q1-report.pdf", PDF)]},
    )
    assert posted.status_code == 302
    assert Document.objects.get().obligation_submission.obligation_id == report.pk
    assert "q1-report.pdf" in client.get(reverse("exporter:licence", args=[report.licence.number])).content.decode()

    Document.objects.update(scan_status=ScanStatus.PENDING)
    client.force_login(make_user("licensing_officer"))
    admin_page = client.get(reverse("admin:licensing_obligation_change", args=[report.pk])).content.decode()
    assert "q1-report.pdf" in admin_page and "malware scan: Scan pending" in admin_page
    assert reverse("document-download", args=[Document.objects.get().pk]) not in admin_page  # not clean yet


def test_uploading_to_the_obligations_documents_submits_the_report_with_it(exporter, client_for):
    report = first_report(exporter)
    client = api(exporter)
    url = f"/api/v1/obligations/{report.pk}/documents/"
    rival = client_for("exporter", organisation="Northwind Servers Ltd")
    assert rival.post(url, {"file": upload("x.pdf", PDF)}, format="multipart").status_code == 404
    assert rival.get(url).status_code == 404

    created = client.post(url, {"file": upload("q1.pdf", PDF), "text": "Q1 use."}, format="multipart")
    assert created.status_code == 201, created.content
    assert created.json()["name"] == "q1.pdf" and created.json()["attached_to"] == "obligation_report"
    report.refresh_from_db()
    assert report.status == ObligationStatus.SUBMITTED and report.submissions.get().text == "Q1 use."
    assert [d["name"] for d in client.get(url).json()] == ["q1.pdf"]
    assert [d["name"] for d in client_for("licensing_officer").get(url).json()] == ["q1.pdf"]

    again = client.post(url, {"file": upload("late.pdf", PDF)}, format="multipart")
    assert again.status_code == 409  # a submitted report's documents never change
    assert list(Document.objects.values_list("name", flat=True)) == ["q1.pdf"]


def test_a_revenue_share_takes_its_documents_with_the_payment_not_alone(exporter):
    licence = licence_under_agreement(exporter, revenue_share_percent=Decimal("15"))
    ship(licence, invoice=Decimal("1000000.00"))
    owed = Obligation.objects.get(kind=ObligationKind.REVENUE_SHARE)
    response = api(exporter).post(
        f"/api/v1/obligations/{owed.pk}/documents/", {"file": upload("wire.pdf", PDF)}, format="multipart"
    )
    assert response.status_code == 400 and "payment" in str(response.json())
    assert not Document.objects.exists()
