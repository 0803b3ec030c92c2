"""Supporting documents on the exporter pages and the admin's case page (issue 14)."""

import datetime

import pytest
from django.conf import settings

from licensing import services
from licensing.models import Document
from licensing.services.documents import document_attach_to_application
from tests.factories import make_user
from tests.licensing import factories
from tests.licensing.documents import EXECUTABLE, PDF, stored_files, upload

pytestmark = pytest.mark.django_db


def test_an_exporter_attaches_a_file_to_a_draft_on_its_page(client):
    exporter = make_user("exporter")
    draft = factories.draft(exporter)
    client.force_login(exporter)

    page = client.post(f"/applications/{draft.pk}/documents/", {"file": upload("chart.pdf", PDF)}, follow=True)

    text = page.content.decode()
    assert "chart.pdf attached (not scanned)." in text
    assert "Supporting documents" in text
    assert f'href="/api/v1/documents/{Document.objects.get().pk}/"' in text
    assert "Not scanned" in text


def test_a_refused_file_is_explained_on_the_page_and_not_stored(client):
    exporter = make_user("exporter")
    draft = factories.draft(exporter)
    client.force_login(exporter)

    page = client.post(f"/applications/{draft.pk}/documents/", {"file": upload("chart.pdf", EXECUTABLE)}, follow=True)

    assert "chart.pdf is not a file of an accepted kind" in page.content.decode()
    assert Document.objects.count() == 0
    assert stored_files(settings.MEDIA_ROOT) == []


def test_the_answer_form_offers_an_upload_while_information_is_requested(client):
    exporter = make_user("exporter")
    asked = factories.info_requested(exporter)
    client.force_login(exporter)

    page = client.get(f"/applications/{asked.pk}/").content.decode()

    assert "Attached with your answer to the officer&#x27;s question." in page
    assert f'action="/applications/{asked.pk}/documents/"' in page


def test_a_submitted_case_shows_its_documents_without_an_upload_form(client):
    exporter = make_user("exporter")
    draft = factories.draft(exporter)
    document_attach_to_application(actor=exporter, application=draft, upload=upload("chart.pdf", PDF))
    services.application_submit(actor=exporter, application=draft, declaration=True)
    client.force_login(exporter)

    page = client.get(f"/applications/{draft.pk}/").content.decode()

    assert "chart.pdf" in page
    assert f'action="/applications/{draft.pk}/documents/"' not in page


def test_a_shipment_takes_documents_on_the_licence_page(client):
    exporter = make_user("exporter")
    licence = factories.licence(exporter)
    shipment = services.shipment_report(
        actor=exporter,
        licence=licence,
        shipped_on=datetime.date.today(),
        items=[{"product": factories.product(), "quantity": 5}],
    )
    client.force_login(exporter)

    page = client.post(
        f"/licences/{licence.number}/shipments/{shipment.pk}/documents/",
        {"file": upload("invoice.pdf", PDF)},
        follow=True,
    )

    assert "invoice.pdf attached" in page.content.decode()
    assert Document.objects.get().shipment == shipment


def test_staff_see_a_cases_documents_with_their_scan_status_in_the_admin(client):
    exporter = make_user("exporter")
    asked = factories.info_requested(exporter)
    document = document_attach_to_application(actor=exporter, application=asked, upload=upload("lease.pdf", PDF))
    client.force_login(make_user("licensing_officer"))

    page = client.get(f"/admin/licensing/application/{asked.pk}/change/").content.decode()

    assert "Supporting documents" in page
    assert "lease.pdf" in page
    assert "Not scanned" in page
    assert f'href="/api/v1/documents/{document.pk}/"' in page
    assert "Answer to the question of" in page
