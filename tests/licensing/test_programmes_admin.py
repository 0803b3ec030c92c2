"""Programmes in the staff admin: each with its versions and the cases under it; the queue by programme."""

import html

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import strip_tags

from licensing import services
from licensing.models import Programme, ProgrammeVersion
from tests.factories import make_user
from tests.licensing import factories as f

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:licensing_application_changelist")


def login(role: str) -> Client:
    client = Client()
    client.force_login(make_user(role))
    return client


def text(response) -> str:
    assert response.status_code == 200
    return " ".join(html.unescape(strip_tags(response.content.decode())).split())


def china_case():
    exporter = make_user("exporter")
    application = f.draft(exporter, destination="CN", items=[("H200 SXM", 10)], consignee="Lotus Compute")
    certifications = ProgrammeVersion.objects.get(programme__citation="FR Doc 2026-00789").certifications
    return services.application_submit(
        actor=exporter,
        application=application,
        declaration=True,
        certifications=list(certifications.values_list("pk", flat=True)),
    )


def test_a_programme_page_shows_its_versions_certifications_and_cases():
    case = china_case()
    programme = Programme.objects.get(citation="FR Doc 2026-00789")
    page = text(login("licensing_officer").get(reverse("admin:licensing_programme_change", args=[programme.pk])))
    assert "TPP < 21,000 and DRAM < 6,500 GB/s" in page
    assert "third-party-testing" in page and "No military end use." in page
    assert "25.00 % (Duty on the chips)" in page
    assert "1 case(s)" in page
    assert case.acn


def test_the_queue_filters_by_programme():
    case = china_case()
    other = f.submitted(make_user("exporter"), consignee="Gulf Lab")
    programme = Programme.objects.get(citation="FR Doc 2026-00789")
    page = text(login("licensing_officer").get(QUEUE, {"programme": programme.pk}))
    assert case.acn in page and other.acn not in page


def test_programmes_are_not_edited_in_the_admin():
    programme = Programme.objects.get(citation="FR Doc 2026-00789")
    response = login("policy_admin").post(reverse("admin:licensing_programme_change", args=[programme.pk]), {})
    assert response.status_code == 403
