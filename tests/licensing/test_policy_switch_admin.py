"""The admin's policy switch: a confirmation page with the impact on pending cases, then the switch."""

import json

import pytest
from django.test import Client
from django.utils import timezone

from agreements.models import Policy
from agreements.selectors import policy_in_force
from portal.models import AuditEvent
from tests.factories import make_user
from tests.licensing.factories import submitted

pytestmark = pytest.mark.django_db

URL = "/admin/agreements/policy/add/"


def form(**overrides):
    current = policy_in_force()
    data = {
        "kind": "global",
        "effective_from_0": timezone.now().strftime("%Y-%m-%d"),
        "effective_from_1": timezone.now().strftime("%H:%M:%S"),
        "reason": "Global licensing regime adopted",
        "lpp_threshold_tpp": "0",
        "tier2_allocation_tpp": str(current.tier2_allocation_tpp),
        "tier2_period_start": str(current.tier2_period_start),
        "tier2_period_end": str(current.tier2_period_end),
        "g2g_uplift": str(current.g2g_uplift),
        "licence_validity_days": str(current.licence_validity_days),
        "size_bands": json.dumps(current.size_bands),
    }
    data.update(overrides)
    return data


@pytest.fixture
def policy_admin():
    client = Client()
    client.force_login(make_user("policy_admin"))
    return client


def test_the_form_leads_to_a_confirmation_listing_the_impact_and_writes_nothing(policy_admin):
    pending = submitted(destination="IN", quantity=10)
    response = policy_admin.post(URL, form())
    page = response.content.decode()
    assert response.status_code == 200
    assert "Confirm the switch" in page
    assert pending.acn in page
    assert "1 would change" in page  # India has no agreement in force: denial under the global regime
    assert Policy.objects.count() == 1
    assert not AuditEvent.objects.filter(verb="policy.switched").exists()


def test_confirming_switches_the_regime_and_audits_it(policy_admin):
    response = policy_admin.post(URL, {**form(), "confirm": "1"})
    assert response.status_code == 302
    assert policy_in_force().kind == "global"
    assert policy_in_force().lpp_threshold_tpp == 0
    assert AuditEvent.objects.get(verb="policy.switched").payload["reason"] == "Global licensing regime adopted"


def test_a_refused_switch_is_explained_and_writes_nothing(policy_admin):
    response = policy_admin.post(URL, {**form(reason=""), "confirm": "1"})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert Policy.objects.count() == 1


def test_only_policy_admins_may_switch():
    client = Client()
    client.force_login(make_user("licensing_officer"))
    assert client.post(URL, {**form(), "confirm": "1"}).status_code == 403
    assert Policy.objects.count() == 1
