import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from agreements.models import Agreement
from licensing.choices import ApplicationStatus, LicenceStatus
from licensing.models import Application, Licence, LppNotification
from portal.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_demo_world_has_every_state_and_loads_idempotently():
    call_command("seed_demo")
    counts = (Application.objects.count(), Licence.objects.count(), LppNotification.objects.count())
    events = AuditEvent.objects.count()
    call_command("seed_demo")
    assert (Application.objects.count(), Licence.objects.count(), LppNotification.objects.count()) == counts
    assert AuditEvent.objects.count() - events == 11  # the second run only re-saves the eleven demo users

    assert set(Application.objects.values_list("status", flat=True)) == set(ApplicationStatus.values)
    assert {LicenceStatus.ACTIVE, LicenceStatus.EXHAUSTED, LicenceStatus.REVOKED} <= set(
        Licence.objects.values_list("status", flat=True)
    )
    assert dict(Agreement.objects.values_list("country_id", "status")) == {
        "AE": "in_force",
        "SA": "signed",
        "IN": "negotiating",
    }
    assert (
        authenticate(RequestFactory().post("/accounts/login/"), username="officer", password="demo-pass-2026")
        is not None
    )


def test_the_demo_policy_administrators_can_switch_the_regime_together():
    """A switch takes two people (SPEC § 4): `policy` proposes, `policy2` approves, and it is in force."""
    from rest_framework.test import APIClient

    call_command("seed_demo")
    clients = {}
    for username in ("policy", "policy2"):
        client = APIClient()
        token = client.post("/api/v1/auth/token/", {"username": username, "password": "demo-pass-2026"}).json()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token['token']}")
        clients[username] = client
    proposal = clients["policy"].post(
        "/api/v1/policy/", {"kind": "global", "reason": "Global licensing adopted"}, format="json"
    )
    assert proposal.status_code == 201 and proposal.json()["status"] == "proposed"
    assert clients["policy"].post(f"/api/v1/policy/{proposal.json()['id']}/approve/").status_code == 409
    approved = clients["policy2"].post(f"/api/v1/policy/{proposal.json()['id']}/approve/")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert clients["policy"].get("/api/v1/policy/").json()["kind"] == "global"


def test_the_demo_deals_are_the_real_ones_of_domain_section_5():
    """UAE in chips and H100e with G42's 20 % (35,000 GB300-equivalent in 2026), Humain's 35,000 GB300 under the
    Saudi agreement, security and quarterly reporting conditions, an investment milestone."""
    import datetime

    from agreements.models import Allotment, TermsPartyCap
    from agreements.selectors import terms_in_force
    from agreements.units import tpp_from_h100e
    from licensing.models import Product

    call_command("seed_demo")
    gb300 = Product.objects.get(name="GB300 (Blackwell Ultra GPU)").tpp
    uae = Agreement.objects.get(reference="G2G-AE-2025")
    caps = {
        a.period_start.year: (a.capacity_tpp, {c.party.name: c.capacity_tpp for c in a.party_caps.all()})
        for a in Allotment.objects.filter(agreement=uae)
    }
    yearly = tpp_from_h100e(1_150_000)  # 500,000 chips × 2.3 H100e
    assert caps == {
        2025: (yearly, {"G42": yearly // 5}),
        2026: (yearly, {"G42": 35_000 * gb300}),
        2027: (yearly, {"G42": yearly // 5}),
    }
    terms = terms_in_force(uae, datetime.date(2026, 6, 1))
    assert terms.reporting_cadence == "quarterly" and len(terms.security_conditions) == 3
    assert uae.milestones.count() == 1
    humain = TermsPartyCap.objects.get(party__name="Humain", period__terms__agreement__reference="G2G-SA-2025")
    assert humain.capacity_tpp == 35_000 * gb300 and humain.period.period_start.year == 2026


def test_the_demo_exporter_is_emailed_when_information_is_requested(mailoutbox, django_capture_on_commit_callbacks):
    from tests.tasks_for_tests import run_db_worker

    """Messages go by e-mail only to users with an address; the demo users have one, so the demo shows it."""
    from django.contrib.auth import get_user_model
    from rest_framework.test import APIClient

    call_command("seed_demo")
    assert not get_user_model().objects.filter(username__in=["exporter", "officer", "approver"], email="").exists()
    case = Application.objects.filter(
        organisation__name="Acme AI Systems Inc.", status=ApplicationStatus.UNDER_REVIEW
    ).first()
    officer = APIClient()
    officer.force_authenticate(get_user_model().objects.get(username="officer"))
    with django_capture_on_commit_callbacks(execute=True):
        response = officer.post(f"/api/v1/applications/{case.pk}/request-info/", {"question": "Ownership chart?"})
    assert response.status_code == 200, response.content
    run_db_worker()
    assert "exporter@demo.example" in [address for mail in mailoutbox for address in mail.to]
