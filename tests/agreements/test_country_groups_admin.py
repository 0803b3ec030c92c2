"""EAR Country Group membership in the admin: policy administrators maintain it through the audited service; other
staff read it."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from agreements.models import CountryGroupMembership
from agreements.selectors import country_groups_on
from portal.choices import Role
from portal.models import AuditEvent
from tests.factories import make_user

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:agreements_countrygroupmembership_changelist")
ADD = reverse("admin:agreements_countrygroupmembership_add")


def login(*roles: str) -> Client:
    client = Client()
    client.user = make_user(*roles)
    client.force_login(client.user)
    return client


def test_staff_read_the_memberships_with_their_dates():
    response = login(Role.LICENSING_OFFICER).get(CHANGELIST, {"q": "Cambodia"})
    assert response.status_code == 200
    assert "3 Feb 2026" in response.content.decode()  # Cambodia left D:5


def test_only_a_policy_admin_may_add_one():
    assert login(Role.LICENSING_OFFICER).get(ADD).status_code == 403
    assert login(Role.POLICY_ADMIN).get(ADD).status_code == 200


def test_a_policy_admin_adds_a_membership_through_the_service():
    admin = login(Role.POLICY_ADMIN)
    body = {
        "country": "YE",
        "group": "D:5",
        "effective_from": "2027-01-01",
        "effective_until": "",
        "review_on": "",
        "source": "Hypothetical: State adds Yemen to ITAR § 126.1.",
    }
    response = admin.post(ADD, body)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert CountryGroupMembership.objects.filter(country_id="YE", group="D:5").exists()
    assert AuditEvent.objects.filter(verb="country_group.set", target_id="YE", actor=admin.user).exists()


def test_ending_a_membership_is_a_correction_that_is_audited():
    admin = login(Role.POLICY_ADMIN)
    membership = CountryGroupMembership.objects.get(country_id="CY", group="D:5")
    url = reverse("admin:agreements_countrygroupmembership_change", args=[membership.pk])
    body = {"effective_until": "2027-01-01", "review_on": "", "source": membership.source + " Ended (test)."}
    assert admin.post(url, body).status_code == 302
    assert "D:5" in country_groups_on("CY", datetime.date(2026, 12, 31))
    assert "D:5" not in country_groups_on("CY", datetime.date(2027, 1, 1))
    event = AuditEvent.objects.get(verb="country_group.corrected", target_id="CY")
    assert (event.payload["before"]["effective_until"], event.payload["after"]["effective_until"]) == (
        None,
        "2027-01-01",
    )


def test_memberships_are_never_deleted_in_the_admin():
    membership = CountryGroupMembership.objects.get(country_id="CY", group="D:5")
    url = reverse("admin:agreements_countrygroupmembership_delete", args=[membership.pk])
    assert login(Role.POLICY_ADMIN).get(url).status_code == 403
