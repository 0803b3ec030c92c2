"""The user admin: every add and change goes through the audited user services; no superuser, staff, password,
permission or token field anywhere; groups are read-only roles."""

import pytest
from django.contrib.auth.models import Group, User
from django.core import mail
from django.test import Client
from django.urls import NoReverseMatch, reverse

from portal.models import AuditEvent
from portal.selectors import user_roles
from tests.factories import make_user

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:auth_user_changelist")
ADD = reverse("admin:auth_user_add")
FORBIDDEN_INPUTS = ('name="is_superuser"', 'name="is_staff"', 'name="password', 'name="user_permissions"')


@pytest.fixture
def pat() -> Client:
    client = Client()
    client.user = make_user("policy_admin", username="pat")
    client.force_login(client.user)
    return client


@pytest.fixture
def official():
    user = make_user("approving_official", username="olga")
    User.objects.filter(pk=user.pk).update(email="olga@example.gov")
    return User.objects.get(pk=user.pk)


def change_url(user) -> str:
    return reverse("admin:auth_user_change", args=[user.pk])


def form_data(user=None, **overrides):
    data = {"email": "olga@example.gov", "first_name": "", "last_name": "", "agency": "", "is_active": "on"}
    if user is not None:
        data["roles"] = sorted(user_roles(User.objects.get(pk=user.pk)))
    return {**data, **overrides}


def state(user):
    user = User.objects.get(pk=user.pk)
    return (user.is_superuser, user.is_staff, user.password, sorted(user_roles(user)), AuditEvent.objects.count())


def test_the_pages_have_no_superuser_staff_password_or_permission_inputs(pat, official):
    for url in (ADD, change_url(official)):
        page = pat.get(url)
        assert page.status_code == 200
        html = page.content.decode()
        assert not [name for name in FORBIDDEN_INPUTS if name in html], url
        assert 'name="roles"' in html


def test_the_stock_password_page_is_gone(pat, official):
    with pytest.raises(NoReverseMatch):
        reverse("admin:auth_user_password_change", args=[official.pk])
    assert pat.get(f"/admin/auth/user/{official.pk}/password/", follow=True).status_code == 404


def test_no_admin_shows_api_tokens(pat):
    with pytest.raises(NoReverseMatch):
        reverse("admin:authtoken_tokenproxy_changelist")
    assert pat.get("/admin/authtoken/tokenproxy/").status_code == 404


def test_adding_a_user_goes_through_the_service(pat, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = pat.post(
            ADD,
            {
                "username": "lee",
                "email": "lee@example.gov",
                "first_name": "Lee",
                "last_name": "Officer",
                "roles": ["licensing_officer"],
                "agency": "commerce",
                "is_superuser": "on",  # not a field of the form: ignored
                "is_staff": "on",
                "password1": "chosen-by-the-admin-1",
            },
        )
    user = User.objects.get(username="lee")
    assert response.status_code == 302 and response.url == change_url(user)
    assert not user.is_superuser and not user.has_usable_password()
    assert user.is_staff  # from the role, not from the form
    assert mail.outbox[0].to == ["lee@example.gov"]
    assert AuditEvent.objects.filter(verb="user.created", target_id=str(user.pk), actor=pat.user).exists()


def test_a_refused_add_shows_the_reason_and_writes_nothing(pat):
    before = (User.objects.count(), AuditEvent.objects.count())
    response = pat.post(ADD, {"username": "rex", "email": "rex@example.gov", "roles": ["agency_reviewer"]})
    assert response.status_code == 200
    assert "An agency reviewer must belong to an agency." in response.content.decode()
    assert (User.objects.count(), AuditEvent.objects.count()) == before


def test_ticking_superuser_or_granting_oneself_a_role_is_refused_with_nothing_written(pat):
    before = state(pat.user)
    response = pat.post(
        change_url(pat.user),
        form_data(roles=["policy_admin", "approving_official"], is_superuser="on", is_staff="on"),
    )
    assert response.status_code == 200
    assert "You may not change your own roles" in response.content.decode()
    assert state(pat.user) == before


def test_another_users_password_and_email_cannot_be_set(pat, official):
    before = state(official)
    response = pat.post(
        change_url(official),
        form_data(official, email="pat@attacker.example", password="chosen-by-the-admin-1", password1="x"),
    )
    assert response.status_code == 302  # nothing the form knows changed: saved as it was
    assert state(official) == before
    assert User.objects.get(pk=official.pk).email == "olga@example.gov"
    assert User.objects.get(pk=official.pk).check_password("a-strong-test-password")


def test_changing_roles_from_the_change_page_goes_through_the_service(pat):
    user = make_user("exporter", username="erin", organisation="Acme AI Systems Inc.")
    response = pat.post(
        change_url(user),
        {"roles": ["exporter", "negotiator"], "organisation": user.membership.organisation_id, "is_active": "on"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user_roles(User.objects.get(pk=user.pk)) == {"exporter", "negotiator"} and user.is_staff
    granted = AuditEvent.objects.get(verb="user.role_granted", target_id=str(user.pk), actor=pat.user)
    assert granted.payload == {"role": "Negotiator"}


def test_deactivate_action_is_audited_and_refuses_oneself(pat, official):
    response = pat.post(
        CHANGELIST, {"action": "deactivate", "_selected_action": [official.pk, pat.user.pk]}, follow=True
    )
    assert response.status_code == 200
    assert not User.objects.get(pk=official.pk).is_active
    assert User.objects.get(pk=pat.user.pk).is_active
    assert AuditEvent.objects.filter(verb="user.deactivated", target_id=str(official.pk), actor=pat.user).exists()
    assert "You may not change your own" in response.content.decode()


def test_superusers_are_not_listed_nor_editable(pat):
    root = User.objects.create_superuser("root", "root@example.gov", "root-password-long-1")
    assert "root@example.gov" not in pat.get(CHANGELIST).content.decode()
    assert pat.get(change_url(root)).status_code == 404
    assert pat.post(change_url(root), form_data(email="pat@attacker.example")).status_code == 404


def test_users_cannot_be_deleted(pat, official):
    assert pat.get(reverse("admin:auth_user_delete", args=[official.pk])).status_code == 403


@pytest.mark.parametrize("role", ["licensing_officer", "approving_official", "negotiator"])
def test_other_staff_cannot_open_the_user_admin(role, official):
    client = Client()
    client.force_login(make_user(role))
    assert client.get(CHANGELIST).status_code == 403
    assert client.post(change_url(official), form_data(official, roles=[])).status_code == 403
    assert user_roles(User.objects.get(pk=official.pk)) == {"approving_official"}


def test_roles_are_read_only_in_the_admin(pat):
    group = Group.objects.get(name="policy_admin")
    page = pat.get(reverse("admin:auth_group_change", args=[group.pk]))
    assert page.status_code == 200
    assert 'name="permissions"' not in page.content.decode()
    assert pat.post(reverse("admin:auth_group_change", args=[group.pk]), {"name": "emperor"}).status_code == 403
    assert pat.get(reverse("admin:auth_group_add")).status_code == 403
    assert Group.objects.filter(name="policy_admin").exists()
