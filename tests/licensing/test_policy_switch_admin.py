"""The admin's regime switch, two people: the form, a confirmation page with the impact on pending cases that
proposes, then the proposal's page (its impact again) where another policy administrator approves or anyone
withdraws."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from agreements.choices import PolicyStatus
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
        "effective_from_0": "",
        "effective_from_1": "",
        "reason": "Global licensing regime adopted",
        "lpp_threshold_tpp": "0",
        "tier2_allocation_tpp": f"{current.tier2_allocation_tpp:,}",  # as the form shows it
        "tier2_period_start": str(current.tier2_period_start),
        "tier2_period_end": str(current.tier2_period_end),
        "g2g_uplift": str(current.g2g_uplift),
        "licence_validity_days": str(current.licence_validity_days),
        "grace_days": str(current.grace_days),
        "revenue_share_due_days": str(current.revenue_share_due_days),
    }
    for number, band in enumerate(current.size_bands, start=1):
        data[f"band_{number}_h100e"] = str(band["h100e"])
        data[f"band_{number}_condition"] = band["condition"]
    data.update(overrides)
    return data


def signed_in(role="policy_admin"):
    client = Client()
    client.user = make_user(role)
    client.force_login(client.user)
    return client


@pytest.fixture
def policy_admin():
    return signed_in()


def test_the_form_speaks_in_words_with_grouped_numbers_and_bands_as_rows(policy_admin):
    page = policy_admin.get(URL).content.decode()
    assert "LPP threshold (TPP" in page and "Lpp threshold tpp" not in page
    assert 'value="790,000,000"' in page  # the Tier 2 allocation, with thousands separators
    assert "Band 1: from (H100e installed)" in page and "Band 3: condition" in page
    assert 'name="effective_from_0"' in page and 'name="effective_from_0" value=' not in page  # empty: no stale time
    assert "Leave empty: in force from the moment another policy administrator approves it" in page


def test_the_form_leads_to_a_confirmation_listing_the_impact_and_writes_nothing(policy_admin):
    pending = submitted(destination="IN", quantity=10)
    response = policy_admin.post(URL, form())
    page = response.content.decode()
    assert response.status_code == 200
    assert "Propose the switch" in page and "From the moment it is approved" in page
    assert pending.acn in page
    assert "1 would change" in page  # India has no agreement in force: denial under the global regime
    assert Policy.objects.count() == 1
    assert not AuditEvent.objects.filter(verb__startswith="policy.").exists()


def test_confirming_proposes_and_nothing_is_in_force_until_another_admin_approves(policy_admin):
    response = policy_admin.post(URL, {**form(), "confirm": "1"})
    proposal = Policy.objects.get(status=PolicyStatus.PROPOSED)
    assert response.status_code == 302 and response.url == reverse("admin:agreements_policy_change", args=[proposal.pk])
    assert (proposal.proposed_from, proposal.lpp_threshold_tpp, proposal.set_by) == (None, 0, policy_admin.user)
    assert policy_in_force().kind == "tiered"
    assert AuditEvent.objects.get(verb="policy.proposed").payload["reason"] == "Global licensing regime adopted"

    own = policy_admin.get(response.url).content.decode()
    assert "another policy administrator must approve it" in own
    assert 'value="Approve"' not in own and 'value="Withdraw"' in own
    approve = reverse("admin:agreements_policy_approve", args=[proposal.pk])
    policy_admin.post(approve)  # refused: shown as a message, nothing changes
    assert Policy.objects.get(pk=proposal.pk).status == PolicyStatus.PROPOSED

    second = signed_in()
    page = second.get(response.url).content.decode()
    assert 'value="Approve"' in page and "No application is pending." in page
    assert second.post(approve).status_code == 302
    assert policy_in_force().pk == proposal.pk and policy_in_force().kind == "global"
    assert AuditEvent.objects.get(verb="policy.approved").actor == second.user


def test_a_proposal_can_be_withdrawn_from_its_page(policy_admin):
    policy_admin.post(URL, {**form(), "confirm": "1"})
    proposal = Policy.objects.get(status=PolicyStatus.PROPOSED)
    withdraw = reverse("admin:agreements_policy_withdraw", args=[proposal.pk])
    policy_admin.post(withdraw, {"reason": "Premature"})
    assert Policy.objects.get(pk=proposal.pk).status == PolicyStatus.WITHDRAWN
    assert AuditEvent.objects.get(verb="policy.withdrawn").payload["reason"] == "Premature"
    assert policy_in_force().kind == "tiered"


def test_a_typed_instant_long_past_is_refused_but_an_empty_one_is_never_stale(policy_admin):
    refused = policy_admin.post(URL, form(effective_from_0="2020-01-01", effective_from_1="00:00:00"))
    assert "never in the past" in refused.content.decode()
    assert policy_admin.post(URL, {**form(), "confirm": "1"}).status_code == 302  # empty: from its approval


def test_a_refused_proposal_is_explained_and_writes_nothing(policy_admin):
    response = policy_admin.post(URL, {**form(reason=""), "confirm": "1"})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert Policy.objects.count() == 1


def test_bands_that_do_not_increase_are_refused_on_the_form(policy_admin):
    response = policy_admin.post(URL, form(band_2_h100e="1"))
    assert "strictly increase" in response.content.decode()
    assert Policy.objects.count() == 1


def test_only_policy_admins_may_propose_approve_or_withdraw(policy_admin):
    policy_admin.post(URL, {**form(), "confirm": "1"})
    proposal = Policy.objects.get(status=PolicyStatus.PROPOSED)
    officer = signed_in("licensing_officer")
    assert officer.post(URL, {**form(), "confirm": "1"}).status_code == 403
    officer.post(reverse("admin:agreements_policy_approve", args=[proposal.pk]))
    officer.post(reverse("admin:agreements_policy_withdraw", args=[proposal.pk]))
    assert Policy.objects.count() == 2 and Policy.objects.get(pk=proposal.pk).status == PolicyStatus.PROPOSED
    assert (
        'value="Approve"'
        not in officer.get(reverse("admin:agreements_policy_change", args=[proposal.pk])).content.decode()
    )


def test_a_superuser_without_a_role_may_not_propose_nor_is_offered_approve(policy_admin):
    """Superusers hold no role (portal.permissions): the policy pages treat them like anyone without one."""
    policy_admin.post(URL, {**form(), "confirm": "1"})
    proposal = Policy.objects.get(status=PolicyStatus.PROPOSED)
    root = Client()
    root.force_login(get_user_model().objects.create_superuser("root", "root@example.gov", "root-password-long-1"))
    events = AuditEvent.objects.count()
    assert root.post(URL, {**form(), "confirm": "1"}).status_code == 403
    response = root.get(reverse("admin:agreements_policy_change", args=[proposal.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="Approve"' not in page and 'value="Withdraw"' not in page
    root.post(reverse("admin:agreements_policy_approve", args=[proposal.pk]))
    assert Policy.objects.get(pk=proposal.pk).status == PolicyStatus.PROPOSED and AuditEvent.objects.count() == events
