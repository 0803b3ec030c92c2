"""Decision letters and licence documents (SPEC § 4 Letters, § 6 v2): PDFs kept as documents with their SHA-256,
rendered by a task after the decision commits or on the spot, scoped like their parent."""

import hashlib
import io

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from licensing import services
from licensing.choices import DocumentKind
from licensing.models import Document
from tests.factories import make_user
from tests.licensing import factories as f

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def text_of(response) -> str:
    content = b"".join(response.streaming_content)
    assert content.startswith(b"%PDF")
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def partially_approved(exporter):
    application = f.recommended(exporter, quantity=5000)
    f.tier2_allotment("IN")
    return services.application_approve(
        actor=make_user("approving_official"),
        application=application,
        items=[{"product": f.product(), "quantity": 3000}],
        conditions=["No re-export without a further licence"],
    )


def test_a_partial_approvals_letter_and_licence_name_the_number_the_cut_and_the_conditions(client_for):
    owner = client_for("exporter")
    application = partially_approved(owner.user)
    number = application.licence.number

    letter = owner.get(f"/api/v1/applications/{application.pk}/letter.pdf")
    assert letter.status_code == 200 and letter["Content-Type"] == "application/pdf"
    assert letter["Content-Disposition"].startswith("attachment;")
    text = text_of(letter)
    assert "Approved in part" in text and number in text and application.acn in text
    assert "5,000" in text and "3,000" in text  # requested against approved
    assert "No re-export without a further licence" in text
    assert "Gulf Compute LLC" in text  # the parties

    licence = owner.get(f"/api/v1/licences/{number}/document.pdf")
    assert licence.status_code == 200 and licence["Content-Disposition"].startswith("attachment;")
    text = text_of(licence)
    assert f"Export licence {number}" in text and "No re-export without a further licence" in text
    assert "Valid" in text


def test_another_organisation_gets_404_for_both(client_for):
    application = partially_approved(make_user("exporter"))
    stranger = client_for("exporter", organisation="Other Chips Ltd")
    assert stranger.get(f"/api/v1/applications/{application.pk}/letter.pdf").status_code == 404
    assert stranger.get(f"/api/v1/licences/{application.licence.number}/document.pdf").status_code == 404
    assert not Document.objects.filter(kind__in=[DocumentKind.LETTER, DocumentKind.LICENCE]).exists()


def test_staff_read_them_too(client_for):
    application = partially_approved(make_user("exporter"))
    officer = client_for("licensing_officer")
    assert officer.get(f"/api/v1/applications/{application.pk}/letter.pdf").status_code == 200


def test_an_undecided_application_has_no_letter(client_for):
    owner = client_for("exporter")
    application = f.submitted(owner.user)
    response = owner.get(f"/api/v1/applications/{application.pk}/letter.pdf")
    assert response.status_code == 409
    assert "decision letter" in response.json()["detail"]


def test_a_denial_letter_gives_the_reason(client_for):
    owner = client_for("exporter")
    application = f.recommended(owner.user, recommendation="deny")
    services.application_deny(
        actor=make_user("approving_official"), application=application, reason="End user on the Entity List."
    )
    text = text_of(owner.get(f"/api/v1/applications/{application.pk}/letter.pdf"))
    assert "Denied" in text and "End user on the Entity List." in text


def test_a_returned_application_gets_a_letter(client_for):
    owner = client_for("exporter")
    application = f.under_review(owner.user)
    services.application_return(
        actor=make_user("licensing_officer"), application=application, reason="Wrong destination."
    )
    text = text_of(owner.get(f"/api/v1/applications/{application.pk}/letter.pdf"))
    assert "Returned without action" in text and "Wrong destination." in text


@override_settings(TASKS=IMMEDIATE)
def test_the_task_renders_both_after_the_decision_commits_and_the_download_serves_the_kept_file(
    client_for, django_capture_on_commit_callbacks
):
    owner = client_for("exporter")
    with django_capture_on_commit_callbacks(execute=True):
        application = partially_approved(owner.user)
    letter = Document.objects.get(application=application, kind=DocumentKind.LETTER)
    kept = Document.objects.get(licence=application.licence, kind=DocumentKind.LICENCE)
    with letter.file.open("rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == letter.sha256

    body = b"".join(owner.get(f"/api/v1/applications/{application.pk}/letter.pdf").streaming_content)
    assert hashlib.sha256(body).hexdigest() == letter.sha256
    owner.get(f"/api/v1/licences/{application.licence.number}/document.pdf")
    assert Document.objects.filter(kind__in=[DocumentKind.LETTER, DocumentKind.LICENCE]).count() == 2
    assert kept.content_type == "application/pdf"


def test_letters_are_not_listed_among_the_supporting_documents(client_for):
    owner = client_for("exporter")
    application = partially_approved(owner.user)
    owner.get(f"/api/v1/applications/{application.pk}/letter.pdf")
    assert owner.get(f"/api/v1/applications/{application.pk}/documents/").json() == []


# The pages


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_exporters_page_shows_approved_against_requested_and_does_not_call_a_cut_a_full_approval():
    exporter = make_user("exporter")
    application = partially_approved(exporter)
    with CaptureQueriesContext(connection) as captured:
        page = signed_in(exporter).get(f"/applications/{application.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    # The requested lines are read once, with the case, for both the request and the decision's table.
    assert len([q for q in captured if q["sql"].startswith('SELECT "licensing_applicationline"')]) == 1
    assert "Approved in part" in html
    row = html[html.index('class="line-cut"') :].split("</tr>")[0]
    assert "<td>5000</td><td>3000</td>" in row and "Approved in part by the approving official." in row
    assert "No re-export without a further licence" in html  # the licence's conditions
    assert f"/api/v1/applications/{application.pk}/letter.pdf" in html
    assert f"/api/v1/licences/{application.licence.number}/document.pdf" in html


def test_a_whole_approval_shows_as_approved_with_nothing_cut():
    exporter = make_user("exporter")
    application = f.approved(exporter)
    html = signed_in(exporter).get(f"/applications/{application.pk}/").content.decode()
    assert "Approved in part" not in html and 'class="line-cut"' not in html
    assert "<td>5000</td><td>5000</td>" in html


def test_the_licence_page_and_the_admin_case_link_the_pdfs():
    exporter = make_user("exporter")
    application = partially_approved(exporter)
    number = application.licence.number
    licence_page = signed_in(exporter).get(f"/licences/{number}/").content.decode()
    assert f"/api/v1/licences/{number}/document.pdf" in licence_page
    officer = signed_in(make_user("licensing_officer"))
    case = officer.get(f"/admin/licensing/application/{application.pk}/change/").content.decode()
    assert f"/api/v1/applications/{application.pk}/letter.pdf" in case
    assert f"/api/v1/licences/{number}/document.pdf" in case
    licence_admin = officer.get(f"/admin/licensing/licence/{application.licence.pk}/change/").content.decode()
    assert f"/api/v1/licences/{number}/document.pdf" in licence_admin
