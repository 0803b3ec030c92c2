"""The exporter's declaration at submission (SPEC § 4 v2 Submit): required, and recorded with who, when and the
wording's version."""

import pytest
from rest_framework.test import APIClient

from licensing.choices import ApplicationStatus as S
from licensing.models import Declaration, DeclarationText
from tests.licensing import factories as f

pytestmark = pytest.mark.django_db


def exporter_client(application) -> APIClient:
    client = APIClient()
    client.force_authenticate(application.created_by)
    return client


@pytest.mark.parametrize("body", [{}, {"declaration": False}])
def test_submitting_without_the_declaration_is_refused_with_a_message_and_writes_nothing(body):
    application = f.draft(quantity=5000)
    before = f.db_state()
    response = exporter_client(application).post(f"/api/v1/applications/{application.pk}/submit/", body, format="json")
    assert response.status_code == 400
    assert "true and complete" in response.json()["declaration"][0]
    assert f.db_state() == before
    application.refresh_from_db()
    assert (application.status, application.acn) == (S.DRAFT, None)


def test_the_declaration_is_recorded_with_who_when_and_which_wording():
    application = f.draft(quantity=5000)
    response = exporter_client(application).post(
        f"/api/v1/applications/{application.pk}/submit/", {"declaration": True}, format="json"
    )
    assert response.status_code == 200, response.json()
    declaration = Declaration.objects.get(application=application)
    application.refresh_from_db()
    assert declaration.declared_by == application.created_by
    assert declaration.declared_at == application.submitted_at
    assert declaration.text == DeclarationText.objects.get(version=1)


def test_the_exporter_page_asks_for_the_declaration(client):
    application = f.draft(quantity=5000)
    client.force_login(application.created_by)
    page = client.get(f"/applications/{application.pk}/").content.decode()
    assert DeclarationText.objects.get(version=1).text in page
    response = client.post(f"/applications/{application.pk}/submit/", follow=True)
    assert "true and complete" in response.content.decode()
    application.refresh_from_db()
    assert application.status == S.DRAFT
    client.post(f"/applications/{application.pk}/submit/", {"declaration": "true"})
    application.refresh_from_db()
    assert application.status == S.SUBMITTED
