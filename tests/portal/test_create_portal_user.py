import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from portal.models import AuditEvent, Organisation
from portal.selectors import user_agency_code, user_organisation_id, user_roles

pytestmark = pytest.mark.django_db


def test_creates_an_exporter_with_a_new_organisation():
    call_command(
        "create_portal_user",
        "alice",
        "--password",
        "pw-alice-123",
        "--role",
        "exporter",
        "--organisation",
        "Fresh Chips LLC",
    )
    user = authenticate(RequestFactory().post("/accounts/login/"), username="alice", password="pw-alice-123")
    assert user is not None
    assert user_roles(user) == {"exporter"}
    assert user_organisation_id(user) == Organisation.objects.get(name="Fresh Chips LLC").pk
    assert not user.is_staff
    assert AuditEvent.objects.filter(verb="user.created", target_id=str(user.pk)).exists()


def test_updates_roles_and_keeps_password_when_none_given():
    call_command("create_portal_user", "bob", "--password", "pw-bob-123", "--role", "licensing_officer")
    call_command(
        "create_portal_user",
        "bob",
        "--role",
        "licensing_officer",
        "--role",
        "approving_official",
        "--agency",
        "commerce",
    )
    user = authenticate(RequestFactory().post("/accounts/login/"), username="bob", password="pw-bob-123")
    assert user_roles(user) == {"licensing_officer", "approving_official"}
    assert user_agency_code(user) == "commerce"
    assert user.is_staff


def test_an_organisation_named_again_is_reused():
    call_command("create_portal_user", "e1", "--role", "exporter", "--organisation", "Same Co")
    call_command("create_portal_user", "e2", "--role", "exporter", "--organisation", "Same Co")
    assert Organisation.objects.filter(name="Same Co").count() == 1


@pytest.mark.parametrize(
    "args, message",
    [
        (["--role", "exporter"], "organisation"),
        (["--role", "agency_reviewer"], "agency"),
    ],
    ids=["exporter-without-organisation", "reviewer-without-agency"],
)
def test_refuses_incomplete_memberships_and_writes_nothing(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("create_portal_user", "carol", *args)
    assert not AuditEvent.objects.filter(verb="user.created").exists()
    from django.contrib.auth.models import User

    assert not User.objects.filter(username="carol").exists()


def test_refuses_unknown_role():
    with pytest.raises(CommandError):
        call_command("create_portal_user", "dave", "--role", "emperor")


@pytest.mark.parametrize(
    "password, message",
    [("1", "too short"), ("password123", "too common"), ("83920174651", "entirely numeric"), ("carol2026", "similar")],
)
def test_refuses_a_weak_password_and_writes_nothing(password, message):
    with pytest.raises(CommandError, match=message):
        call_command("create_portal_user", "carol", "--password", password, "--role", "licensing_officer")
    from django.contrib.auth.models import User

    assert not User.objects.filter(username="carol").exists()
    assert not AuditEvent.objects.filter(verb="user.created").exists()


def test_a_weak_password_leaves_an_existing_users_password_alone():
    call_command("create_portal_user", "bob", "--password", "pw-bob-123", "--role", "licensing_officer")
    with pytest.raises(CommandError, match="too short"):
        call_command("create_portal_user", "bob", "--password", "1", "--role", "licensing_officer")
    assert authenticate(RequestFactory().post("/accounts/login/"), username="bob", password="pw-bob-123") is not None
