"""Malware scanning by a real clamd (issue 14): started by tools/clamd_local.py with only the project's EICAR
signature (tests/clamav/eicar.ndb; freshclam off, nothing downloaded). .ci/run installs clamav-daemon, so these
run in CI; they skip only where the clamd binary is absent."""

import pytest
from django.conf import settings
from django_tasks_db.models import DBTaskResult

from licensing.models import Document
from portal import clamd
from portal.models import AuditEvent
from tests.licensing import factories
from tests.licensing.documents import EICAR, PDF, upload
from tests.tasks_for_tests import run_db_worker
from tools import clamd_local

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        clamd_local.clamd_binary() is None, reason="needs clamd (Debian: apt-get install clamav-daemon)"
    ),
]


@pytest.fixture(scope="module")
def clamd_socket():
    server = clamd_local.start()
    assert server is not None
    yield server.socket
    server.stop()


@pytest.fixture
def scanner(settings, clamd_socket):
    settings.CLAMD_SOCKET = clamd_socket
    return clamd_socket


def test_the_client_gets_clamds_verdicts(scanner):
    assert clamd.scan_stream([b"hello"]) == clamd.Verdict(infected=False)
    assert clamd.scan_stream([EICAR[:10], EICAR[10:]]).infected


def attach(client, application, name, content, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/v1/applications/{application.pk}/documents/", {"file": upload(name, content)}, format="multipart"
        )
    assert response.status_code == 201, response.content
    return response.json()


def test_the_eicar_file_is_quarantined_and_never_downloadable(scanner, client_for, django_capture_on_commit_callbacks):
    exporter = client_for("exporter")
    asked = factories.info_requested(exporter.user)
    officer = client_for("licensing_officer")

    document = attach(exporter, asked, "answer.txt", EICAR, django_capture_on_commit_callbacks)
    assert document["scan_status"] == "pending"
    assert DBTaskResult.objects.filter(task_path="licensing.tasks.scan_document").count() == 1
    run_db_worker()

    listed = officer.get(f"/api/v1/applications/{asked.pk}/documents/").json()
    assert [(row["name"], row["scan_status"]) for row in listed] == [("answer.txt", "infected")]
    for reader in (exporter, officer):
        response = reader.get(document["download"])
        assert response.status_code == 409
        assert "quarantined" in response.json()["detail"]
    event = AuditEvent.objects.get(verb="document.infected")
    assert event.payload["signature"].startswith("Eicar-Test-Signature")


def test_until_found_clean_only_the_uploader_may_open_a_file(scanner, client_for, django_capture_on_commit_callbacks):
    exporter = client_for("exporter")
    colleague = client_for("exporter")  # same organisation, not the uploader
    officer = client_for("licensing_officer")
    asked = factories.info_requested(exporter.user)

    document = attach(exporter, asked, "lease.pdf", PDF, django_capture_on_commit_callbacks)

    assert exporter.get(document["download"]).status_code == 200
    for reader in (colleague, officer):
        refused = reader.get(document["download"])
        assert refused.status_code == 409
        assert "only its uploader may open it" in refused.json()["detail"]

    run_db_worker()

    assert Document.objects.get(pk=document["id"]).scan_status == "clean"
    for reader in (exporter, colleague, officer):
        assert reader.get(document["download"]).status_code == 200


def test_an_unreachable_scanner_is_retried_then_marked_failed(settings, client_for, django_capture_on_commit_callbacks):
    settings.CLAMD_SOCKET = str(settings.MEDIA_ROOT.parent / "no-clamd-here.sock")
    settings.TASK_RETRY_DELAY_SECONDS = 0
    exporter = client_for("exporter")
    draft = factories.draft(exporter.user)
    document = attach(exporter, draft, "chart.pdf", PDF, django_capture_on_commit_callbacks)

    run_db_worker()

    scans = DBTaskResult.objects.filter(task_path="licensing.tasks.scan_document")
    assert sorted(scans.values_list("status", flat=True)) == ["FAILED"] * settings.TASK_MAX_ATTEMPTS
    stored = Document.objects.get(pk=document["id"])
    assert (stored.scan_status, stored.scan_detail) == ("error", "clamd did not answer after every attempt")
    assert client_for("exporter").get(document["download"]).status_code == 409  # a colleague: not until clean


def test_scanning_twice_changes_nothing(scanner, client_for, django_capture_on_commit_callbacks):
    from licensing.tasks import scan_document

    exporter = client_for("exporter")
    draft = factories.draft(exporter.user)
    document = attach(exporter, draft, "chart.pdf", PDF, django_capture_on_commit_callbacks)
    run_db_worker()
    scanned_at = Document.objects.get(pk=document["id"]).scanned_at

    assert scan_document.call(document["id"]) == "clean"

    assert Document.objects.get(pk=document["id"]).scanned_at == scanned_at
    assert AuditEvent.objects.filter(verb="document.scanned").count() == 1


def test_without_a_scanner_documents_are_not_scanned_and_open_to_whoever_sees_them(client_for):
    assert not settings.CLAMD_SOCKET
    exporter = client_for("exporter")
    asked = factories.info_requested(exporter.user)

    response = exporter.post(
        f"/api/v1/applications/{asked.pk}/documents/", {"file": upload("a.pdf", PDF)}, format="multipart"
    )

    assert response.json()["scan_status"] == "not_scanned"
    assert not DBTaskResult.objects.filter(task_path="licensing.tasks.scan_document").exists()  # nothing to scan
    assert client_for("licensing_officer").get(response.json()["download"]).status_code == 200
    assert client_for("exporter").get(response.json()["download"]).status_code == 200  # a colleague too
