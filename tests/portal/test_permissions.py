"""What a user may do is read once a request: their roles' permissions and their own, in one statement; and the
signed-in user comes with their membership."""

import pytest
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.choices import Role
from portal.permissions import allowed
from tests.factories import fresh, make_user

pytestmark = pytest.mark.django_db


def test_roles_grant_and_a_users_own_permission_reaches_only_the_admins_checks():
    officer = make_user(Role.LICENSING_OFFICER)
    officer.user_permissions.add(Permission.objects.get(codename="decide_application"))
    user = fresh(officer)
    with CaptureQueriesContext(connection) as read:
        assert allowed(user, "licensing.review_application")  # the officer's role
        assert not allowed(user, "licensing.decide_application")  # their own permission: not a role's
        assert not allowed(user, "agreements.switch_policy")
        assert user.has_perm("licensing.decide_application")  # Django's ModelBackend (the admin) sees it
        assert user.has_perm("licensing.review_application")
    assert len(read.captured_queries) == 1


def test_roles_held_together_grant_each_ones_permissions():
    both = fresh(make_user(Role.LICENSING_OFFICER, Role.NEGOTIATOR))
    assert allowed(both, "licensing.review_application")
    assert allowed(both, "agreements.change_agreement")
    assert not allowed(fresh(make_user(Role.EXPORTER)), "licensing.review_application")


def test_a_role_taken_away_is_gone_by_the_next_request():
    officer = make_user(Role.LICENSING_OFFICER)
    assert allowed(fresh(officer), "licensing.review_application")
    officer.groups.clear()
    assert not allowed(fresh(officer), "licensing.review_application")


def test_a_signed_in_page_reads_the_users_membership_with_the_user(client):
    exporter = make_user(Role.EXPORTER)
    client.force_login(exporter)
    with CaptureQueriesContext(connection) as read:
        assert client.get("/applications/", secure=True).status_code == 200
    statements = [q["sql"] for q in read.captured_queries]
    user_reads = [sql for sql in statements if sql.startswith('SELECT "auth_user"."id"')]
    assert len(user_reads) == 1 and '"portal_membership"' in user_reads[0]
    assert not [sql for sql in statements if 'FROM "portal_membership"' in sql]


def test_a_users_own_permission_is_theirs_alone():
    granted = make_user(Role.LICENSING_OFFICER)
    granted.user_permissions.add(Permission.objects.get(codename="decide_application"))
    other = fresh(make_user(Role.LICENSING_OFFICER))
    assert allowed(other, "licensing.review_application")
    assert not other.has_perm("licensing.decide_application")
    assert fresh(granted).has_perm("licensing.decide_application")


def test_a_superuser_holds_no_role_even_after_djangos_own_permission_checks():
    root = User.objects.create_superuser("root", password="a-strong-test-password")
    root = fresh(root)
    assert root.get_all_permissions()  # Django's ModelBackend grants a superuser everything, and caches it
    assert not allowed(root, "licensing.review_application")
    assert not allowed(fresh(root), "agreements.switch_policy")


def test_a_deactivated_users_session_no_longer_signs_them_in(client):
    exporter = make_user(Role.EXPORTER)
    client.force_login(exporter)
    assert client.get("/applications/", secure=True).status_code == 200
    User.objects.filter(pk=exporter.pk).update(is_active=False)
    response = client.get("/applications/", secure=True)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
