"""Supporting documents in the browser (issue 14): an exporter attaches a PDF to a draft and another with an
answer; a refused file is explained; another organisation cannot open either; the officer sees the answer's."""

import pytest
from playwright.sync_api import Page, expect

from licensing.models import Document
from tests.browser.test_exporter_journey import sign_in
from tests.factories import make_user
from tests.licensing import factories
from tests.licensing.documents import EXECUTABLE, PDF

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def attach(page: Page, section: str, name: str, content: bytes, mime: str = "application/pdf") -> None:
    region = page.get_by_role("region", name=section)
    region.get_by_label("Attach a document").set_input_files({"name": name, "mimeType": mime, "buffer": content})
    region.get_by_role("button", name="Upload", exact=True).click()


def test_attach_to_a_draft_and_an_answer_and_keep_others_out(page: Page, live_server, shoot):
    base = live_server.url
    ada = make_user("exporter", username="ada", organisation="Acme AI Systems Inc.")
    make_user("exporter", username="bob", organisation="Northwind Servers Ltd")
    make_user("licensing_officer", username="olga")
    draft = factories.draft(ada)
    asked = factories.info_requested(ada)

    sign_in(page, base, "ada")
    page.goto(f"{base}/applications/{draft.pk}/")
    attach(page, "Supporting documents", "ownership-chart.pdf", PDF)
    expect(page.get_by_text("ownership-chart.pdf attached (not scanned).")).to_be_visible()
    documents = page.get_by_role("region", name="Supporting documents")
    expect(documents.get_by_role("link", name="ownership-chart.pdf")).to_be_visible()
    expect(documents).to_contain_text("Not scanned")

    attach(page, "Supporting documents", "setup.pdf", EXECUTABLE)
    expect(page.get_by_text("setup.pdf is not a file of an accepted kind")).to_be_visible()

    page.goto(f"{base}/applications/{asked.pk}/")
    expect(page.get_by_role("region", name="Supporting documents")).to_contain_text("Attached with your answer")
    attach(page, "Supporting documents", "site-lease.pdf", PDF)
    expect(page.get_by_text("site-lease.pdf attached")).to_be_visible()
    shoot(page, "08-answer-with-document")
    page.get_by_label("Your answer").fill("The lease is attached.")
    page.get_by_role("button", name="Send answer").click()
    expect(page.get_by_role("region", name="Supporting documents")).to_contain_text("Answer to the question of")

    on_draft, on_answer = Document.objects.order_by("id")
    assert sorted(Document.objects.values_list("name", flat=True)) == ["ownership-chart.pdf", "site-lease.pdf"]

    sign_in(page, base, "bob")
    for document in (on_draft, on_answer):
        assert page.request.get(f"{base}/api/v1/documents/{document.pk}/").status == 404
    assert page.request.get(f"{base}/applications/{draft.pk}/").status == 404

    sign_in(page, base, "olga", admin=True)
    page.goto(f"{base}/admin/licensing/application/{asked.pk}/change/")
    staff_view = page.get_by_role("group", name="Supporting documents")
    expect(staff_view).to_contain_text("site-lease.pdf")
    expect(staff_view).to_contain_text("Not scanned")
    download = page.request.get(f"{base}/api/v1/documents/{on_answer.pk}/")
    assert download.status == 200
    assert download.headers["content-disposition"] == 'attachment; filename="site-lease.pdf"'
    assert download.headers["x-content-type-options"] == "nosniff"
    assert page.request.get(f"{base}/api/v1/documents/{on_draft.pk}/").status == 404  # a draft is the exporter's
