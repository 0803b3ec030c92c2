"""User and role management (SPEC § 1, "Nobody holds the keys alone"): every act audited, no escalation."""

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.test import TestCase

from portal import services
from portal.models import AuditEvent, Organisation
from portal.selectors import user_agency_code, user_organisation_id, user_roles
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user():
    return make_user("policy_admin", username="pat")


@pytest.fixture
def official():
    return make_user("approving_official", username="olga")


def events(user, verb=None):
    found = AuditEvent.objects.filter(target_type="auth.user", target_id=str(user.pk))
    return found.filter(verb=verb) if verb else found


def snapshot(user):
    """Everything about an account a refused call must leave as it was."""
    user = User.objects.get(pk=user.pk)
    return (
        user.is_superuser,
        user.is_staff,
        user.is_active,
        user.password,
        user.email,
        sorted(user_roles(user)),
        user_organisation_id(user),
        user_agency_code(user),
        AuditEvent.objects.count(),
    )


def create(actor, **overrides):
    arguments = {
        "username": "newbie",
        "email": "newbie@example.gov",
        "first_name": "Nora",
        "last_name": "Newbie",
        "roles": ["licensing_officer"],
        **overrides,
    }
    with services_captured_on_commit():
        return services.user_create(actor=actor, **arguments)


def services_captured_on_commit():
    return TestCase.captureOnCommitCallbacks(execute=True)


def test_a_new_user_has_roles_no_password_derived_staff_flag_and_an_email_link(admin_user):
    user = create(admin_user)
    assert user_roles(user) == {"licensing_officer"}
    assert user.is_staff and not user.is_superuser
    assert not user.has_usable_password()
    assert [m.to for m in mail.outbox] == [["newbie@example.gov"]]
    assert "/accounts/password-reset/" in mail.outbox[0].body
    created = events(user, "user.created").get()
    assert created.actor == admin_user
    assert created.payload["roles"] == ["Licensing officer"]
    assert created.payload["name"] == "Nora Newbie"
    assert events(user, "user.role_granted").get().payload == {"role": "Licensing officer"}


def test_an_exporter_belongs_to_an_existing_organisation_and_is_not_staff(admin_user):
    Organisation.objects.create(name="Acme AI Systems Inc.")
    user = create(admin_user, roles=["exporter"], organisation="acme ai systems inc.")  # any case
    assert user_organisation_id(user) == Organisation.objects.get(name="Acme AI Systems Inc.").pk
    assert not user.is_staff
    assert events(user, "user.created").get().payload["organisation"] == "Acme AI Systems Inc."


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"roles": ["exporter"]}, "organisation"),
        ({"roles": ["exporter"], "organisation": "Nobody Ltd"}, "organisation"),
        ({"roles": ["agency_reviewer"]}, "agency"),
        ({"roles": ["emperor"]}, "roles"),
        ({"email": ""}, "email"),
        ({"email": "not-an-address"}, "email"),
        ({"username": "has spaces!"}, "username"),
        ({"username": "PAT"}, "username"),  # look-alike of an existing username
    ],
    ids=["no-org", "unknown-org", "no-agency", "unknown-role", "no-email", "bad-email", "bad-username", "lookalike"],
)
def test_bad_input_is_refused_per_field_and_nothing_is_written(admin_user, overrides, field):
    before = (User.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as refused:
        create(admin_user, **overrides)
    assert field in refused.value.message_dict
    assert (User.objects.count(), AuditEvent.objects.count()) == before
    assert mail.outbox == []


def test_an_email_address_already_in_use_is_refused(admin_user):
    create(admin_user)
    with pytest.raises(ValidationError, match="already uses"):
        create(admin_user, username="other", email="NEWBIE@example.gov".lower())


@pytest.mark.parametrize("role", ["licensing_officer", "approving_official", "negotiator", "exporter"])
def test_only_a_policy_admin_creates_users(role):
    outsider = make_user(role)
    before = User.objects.count()
    with pytest.raises(PermissionDenied):
        create(outsider)
    assert User.objects.count() == before


@pytest.mark.parametrize(
    "field, value",
    [
        ("is_superuser", True),
        ("is_staff", True),
        ("password", "chosen-by-the-admin-1"),
        ("token", "abc"),
        ("user_permissions", ["licensing.decide_application"]),
        ("groups", ["approving_official"]),
        ("username", "renamed"),
    ],
)
@pytest.mark.parametrize("whose", ["own", "another's"])
def test_escalation_fields_are_refused_with_nothing_written(admin_user, official, field, value, whose):
    target = admin_user if whose == "own" else official
    before = snapshot(target)
    with pytest.raises(ValidationError) as refused:
        services.user_update(actor=admin_user, user=target, **{field: value})
    assert field in refused.value.message_dict
    assert snapshot(target) == before


def test_a_policy_admin_cannot_grant_itself_a_role(admin_user):
    before = snapshot(admin_user)
    with pytest.raises(PermissionDenied, match="your own roles"):
        services.user_role_grant(actor=admin_user, user=admin_user, role="approving_official")
    assert snapshot(admin_user) == before


@pytest.mark.parametrize(
    "changes",
    [{"roles": []}, {"is_active": False}, {"agency": "defense"}, {"organisation": "Acme AI Systems Inc."}],
    ids=["drop-own-policy-admin", "deactivate-self", "own-agency", "own-organisation"],
)
def test_a_policy_admin_cannot_change_its_own_standing(admin_user, changes):
    before = snapshot(admin_user)
    with pytest.raises(PermissionDenied):
        services.user_update(actor=admin_user, user=admin_user, **changes)
    assert snapshot(admin_user) == before


def test_superuser_accounts_are_out_of_reach(admin_user):
    root = User.objects.create_superuser("root", "root@example.gov", "root-password-long-1")
    with pytest.raises(User.DoesNotExist):
        services.user_update(actor=admin_user, user=root, is_active=False)
    with pytest.raises(User.DoesNotExist):
        services.user_password_reset_send(actor=admin_user, user=root)
    root.refresh_from_db()
    assert root.is_active


def test_granting_and_removing_roles_is_audited_and_staff_follows(admin_user):
    exporter = make_user("exporter", username="erin")
    assert not exporter.is_staff
    services.user_role_grant(actor=admin_user, user=exporter, role="negotiator")
    exporter.refresh_from_db()
    assert exporter.is_staff
    assert user_roles(User.objects.get(pk=exporter.pk)) == {"exporter", "negotiator"}
    services.user_role_remove(actor=admin_user, user=exporter, role="negotiator")
    exporter.refresh_from_db()
    assert not exporter.is_staff
    assert [e.payload for e in events(exporter, "user.role_granted")] == [{"role": "Negotiator"}]
    assert [e.payload for e in events(exporter, "user.role_removed")] == [{"role": "Negotiator"}]
    assert [e.payload["admin_access"] for e in events(exporter, "user.staff_access_changed")] == [
        "removed",
        "granted",
    ]  # newest first
    assert {e.actor for e in events(exporter).exclude(verb="user.created")} == {admin_user}


def test_removing_a_role_another_policy_admin_holds_is_allowed_and_audited(admin_user):
    colleague = make_user("policy_admin", username="paula")
    services.user_role_remove(actor=admin_user, user=colleague, role="policy_admin")
    assert user_roles(User.objects.get(pk=colleague.pk)) == set()
    assert events(colleague, "user.role_removed").get().actor == admin_user


def test_membership_change_is_audited_in_names(admin_user):
    reviewer = make_user("agency_reviewer", agency="defense", username="rita")
    services.user_update(actor=admin_user, user=reviewer, agency="energy")
    assert user_agency_code(User.objects.get(pk=reviewer.pk)) == "energy"
    payload = events(reviewer, "user.membership_changed").get().payload
    assert payload == {"agency": {"from": "Department of Defense", "to": "Department of Energy"}}


def test_a_reviewer_cannot_lose_its_agency(admin_user):
    reviewer = make_user("agency_reviewer", agency="defense")
    before = snapshot(reviewer)
    with pytest.raises(ValidationError, match="agency"):
        services.user_update(actor=admin_user, user=reviewer, agency=None)
    assert snapshot(reviewer) == before


def test_deactivate_and_reactivate_are_audited_and_stop_sign_in(admin_user, official, client):
    services.user_deactivate(actor=admin_user, user=official)
    assert not client.login(request=HttpRequest(), username="olga", password="a-strong-test-password")
    services.user_reactivate(actor=admin_user, user=official)
    assert client.login(request=HttpRequest(), username="olga", password="a-strong-test-password")
    assert [e.verb for e in events(official).filter(verb__in=["user.deactivated", "user.reactivated"])] == [
        "user.reactivated",
        "user.deactivated",
    ]


def test_several_changes_in_one_update_leave_one_event_each_or_none_at_all(admin_user, official):
    before = snapshot(official)
    with pytest.raises(ValidationError):  # the reviewer role needs an agency: the whole update is refused
        services.user_update(actor=admin_user, user=official, first_name="Olga", roles=["agency_reviewer"])
    assert snapshot(official) == before
    services.user_update(actor=admin_user, user=official, first_name="Olga", roles=["licensing_officer"])
    assert set(events(official).exclude(verb="user.created").values_list("verb", flat=True)) == {
        "user.details_changed",
        "user.role_granted",
        "user.role_removed",
    }


def test_the_email_of_an_account_in_use_cannot_be_redirected(admin_user, official):
    """A reset link sent to an address the admin chose would hand the official's account to the admin."""
    before = snapshot(official)
    with pytest.raises(ValidationError) as refused:
        services.user_update(actor=admin_user, user=official, email="pat@attacker.example")
    assert "email" in refused.value.message_dict
    assert snapshot(official) == before


def test_the_email_of_an_invitation_not_yet_taken_up_can_be_corrected(admin_user):
    user = create(admin_user, email="typo@exmaple.gov")
    services.user_update(actor=admin_user, user=user, email="right@example.gov")
    assert User.objects.get(pk=user.pk).email == "right@example.gov"
    assert events(user, "user.details_changed").get().payload == {
        "email": {"from": "typo@exmaple.gov", "to": "right@example.gov"}
    }


def test_a_password_reset_link_goes_to_the_user_only_and_is_audited(admin_user, official):
    official.email = "olga@example.gov"
    official.save()
    with services_captured_on_commit():
        services.user_password_reset_send(actor=admin_user, user=official)
    assert [m.to for m in mail.outbox] == [["olga@example.gov"]]
    assert events(official, "user.password_reset_sent").get().actor == admin_user
    assert User.objects.get(pk=official.pk).check_password("a-strong-test-password")  # unchanged until they act


def test_an_unchanged_update_writes_no_event(admin_user, official):
    before = AuditEvent.objects.count()
    services.user_update(actor=admin_user, user=official, roles=["approving_official"])
    assert AuditEvent.objects.count() == before
