"""GET/POST /api/v1/users/, GET/PATCH /api/v1/users/{id}/ (policy_admin; SPEC § 5.1 v2)."""

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.models import AuditEvent, Organisation
from portal.selectors import user_roles
from tests.factories import make_user

pytestmark = pytest.mark.django_db

USERS = "/api/v1/users/"
FIELDS = {"id", "username", "email", "first_name", "last_name", "roles", "organisation", "agency", "is_active"}


@pytest.fixture
def admin_api(client_for):
    return client_for("policy_admin", username="pat")


@pytest.fixture
def official():
    return make_user("approving_official", username="olga")


def detail(user) -> str:
    return f"{USERS}{user.pk}/"


def state(user):
    user = User.objects.get(pk=user.pk)
    return (user.is_superuser, user.is_staff, user.password, sorted(user_roles(user)), AuditEvent.objects.count())


def test_policy_admin_lists_users_without_secrets_or_superusers(admin_api, official):
    User.objects.create_superuser("root", "root@example.gov", "root-password-long-1")
    response = admin_api.get(USERS)
    assert response.status_code == 200
    rows = response.json()["results"]
    assert {row["username"] for row in rows} == {"pat", "olga"}
    assert all(set(row) == FIELDS for row in rows)
    olga = next(row for row in rows if row["username"] == "olga")
    assert olga["roles"] == ["approving_official"] and olga["is_active"] is True


def test_listing_takes_the_same_queries_whatever_the_number_of_users(admin_api):
    make_user("exporter")
    admin_api.get(USERS)  # the caller's permissions are read once per user object
    with CaptureQueriesContext(connection) as few:
        assert admin_api.get(USERS).status_code == 200
    for _ in range(6):
        make_user("exporter")
        make_user("agency_reviewer")
    with CaptureQueriesContext(connection) as many:
        assert admin_api.get(USERS).status_code == 200
    assert len(many) == len(few)


def test_filter_by_role(admin_api, official):
    response = admin_api.get(USERS, {"role": "approving_official"})
    assert [row["username"] for row in response.json()["results"]] == ["olga"]


def test_create_sends_a_link_and_never_a_password(admin_api, django_capture_on_commit_callbacks):
    Organisation.objects.create(name="Fresh Chips LLC")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_api.post(
            USERS,
            {
                "username": "erin",
                "email": "erin@freshchips.example",
                "first_name": "Erin",
                "last_name": "Exporter",
                "roles": ["exporter"],
                "organisation": "Fresh Chips LLC",
            },
            format="json",
        )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == FIELDS
    assert body["organisation"] == "Fresh Chips LLC" and body["roles"] == ["exporter"]
    user = User.objects.get(username="erin")
    assert not user.has_usable_password() and not user.is_staff
    assert mail.outbox[0].to == ["erin@freshchips.example"]
    assert AuditEvent.objects.filter(verb="user.created", target_id=str(user.pk), actor=admin_api.user).exists()


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"email": "x@example.gov"}, "username"),
        ({"username": "x"}, "email"),
        ({"username": "x", "email": "nope"}, "email"),
        ({"username": "x", "email": "x@example.gov", "roles": ["emperor"]}, "roles"),
        ({"username": "x", "email": "x@example.gov", "roles": "policy_admin"}, "roles"),
        ({"username": "x", "email": "x@example.gov", "roles": ["exporter"]}, "organisation"),
        ({"username": "x", "email": "x@example.gov", "roles": ["agency_reviewer"], "agency": "mars"}, "agency"),
        ({"username": "x", "email": "x@example.gov", "is_superuser": True}, "is_superuser"),
        ({"username": "x", "email": "x@example.gov", "is_staff": True}, "is_staff"),
        ({"username": "x", "email": "x@example.gov", "password": "chosen-by-admin-1"}, "password"),
    ],
    ids=[
        "no-username",
        "no-email",
        "bad-email",
        "unknown-role",
        "roles-not-a-list",
        "exporter-without-org",
        "unknown-agency",
        "superuser",
        "staff",
        "password",
    ],
)
def test_bad_or_escalating_create_is_400_with_the_field_and_writes_nothing(admin_api, payload, field):
    before = (User.objects.count(), AuditEvent.objects.count())
    response = admin_api.post(USERS, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert (User.objects.count(), AuditEvent.objects.count()) == before
    assert mail.outbox == []


@pytest.mark.parametrize(
    "payload",
    [
        {"is_superuser": True},
        {"is_staff": True},
        {"password": "chosen-by-admin-1"},
        {"token": "abc"},
        {"user_permissions": [1]},
        {"username": "renamed"},
    ],
    ids=["superuser", "staff", "password", "token", "permissions", "username"],
)
@pytest.mark.parametrize("whose", ["own", "another's"])
def test_escalating_patch_is_400_and_writes_nothing(admin_api, official, payload, whose):
    target = admin_api.user if whose == "own" else official
    before = state(target)
    response = admin_api.patch(detail(target), payload, format="json")
    assert response.status_code == 400
    assert set(response.json()) == set(payload)
    assert state(target) == before


def test_granting_oneself_a_role_is_403_and_writes_nothing(admin_api):
    before = state(admin_api.user)
    response = admin_api.patch(detail(admin_api.user), {"roles": ["policy_admin", "approving_official"]}, format="json")
    assert response.status_code == 403
    assert "own roles" in response.json()["detail"]
    assert state(admin_api.user) == before


def test_removing_ones_own_policy_admin_role_is_403(admin_api):
    before = state(admin_api.user)
    assert admin_api.patch(detail(admin_api.user), {"roles": []}, format="json").status_code == 403
    assert state(admin_api.user) == before


def test_patch_grants_and_removes_roles_and_deactivates_with_an_event_each(admin_api, official):
    response = admin_api.patch(detail(official), {"roles": ["licensing_officer"], "is_active": False}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["roles"] == ["licensing_officer"]
    assert response.json()["is_active"] is False
    verbs = set(AuditEvent.objects.filter(target_id=str(official.pk)).values_list("verb", flat=True))
    assert {"user.role_granted", "user.role_removed", "user.deactivated"} <= verbs


def test_a_superuser_does_not_exist_for_the_api(admin_api):
    root = User.objects.create_superuser("root", "root@example.gov", "root-password-long-1")
    assert admin_api.get(detail(root)).status_code == 404
    assert admin_api.patch(detail(root), {"is_active": False}, format="json").status_code == 404
    root.refresh_from_db()
    assert root.is_active


def test_put_is_not_offered(admin_api, official):
    assert admin_api.put(detail(official), {"email": "x@example.gov"}, format="json").status_code == 405


@pytest.mark.parametrize(
    "role", ["exporter", "licensing_officer", "approving_official", "agency_reviewer", "negotiator"]
)
def test_only_a_policy_admin_manages_users(client_for, official, role):
    api = client_for(role)
    before = state(official)
    assert api.get(USERS).status_code == 403
    assert api.get(detail(official)).status_code == 403
    assert api.post(USERS, {"username": "x", "email": "x@example.gov"}, format="json").status_code == 403
    assert api.patch(detail(official), {"roles": []}, format="json").status_code == 403
    assert state(official) == before


def test_anonymous_is_401(api):
    assert api.get(USERS).status_code == 401


def test_the_schema_documents_the_users_endpoints_without_secrets(admin_api):
    schema = admin_api.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    assert {"get", "post"} <= set(schema["paths"]["/api/v1/users/"])
    assert {"get", "patch"} <= set(schema["paths"]["/api/v1/users/{id}/"])
    assert "put" not in schema["paths"]["/api/v1/users/{id}/"]
    for name in ("User", "UserCreateRequest", "PatchedUserUpdateRequest"):
        properties = set(schema["components"]["schemas"][name]["properties"])
        assert not properties & {"password", "token", "is_superuser", "is_staff"}, name
