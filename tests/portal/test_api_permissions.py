"""Permission decided once: the API's gates are built from permissions, so the role table in portal/roles.py is
the one place that says who may call what — editing it changes API access, in both directions."""

import pathlib
import re

import pytest

from portal.choices import Role
from portal.roles import ROLE_PERMISSIONS, sync_roles
from tests.licensing import factories as f

pytestmark = pytest.mark.django_db

IMPACT = "/api/v1/policy/impact/?kind=global&lpp_threshold_tpp=0"

# (endpoint, a role that may GET it today, the permission that lets it)
GRANTED = [
    ("/api/v1/audit-events/", Role.LICENSING_OFFICER, "portal.view_auditevent"),
    ("/api/v1/applications/", Role.EXPORTER, "licensing.file_application"),
    ("/api/v1/applications/", Role.LICENSING_OFFICER, "licensing.view_application"),
    ("/api/v1/licences/", Role.APPROVING_OFFICIAL, "licensing.view_licence"),
    ("/api/v1/notifications/", Role.EXPORTER, "licensing.file_notification"),
    ("/api/v1/agreements/", Role.NEGOTIATOR, "agreements.view_agreement"),
    ("/api/v1/allotments/", Role.POLICY_ADMIN, "agreements.view_allotment"),
    (IMPACT, Role.NEGOTIATOR, "agreements.view_policy"),
]


def _set_role(monkeypatch, role: str, permissions: list[str]) -> None:
    """Edit the role table as a maintainer would, and sync the groups as `migrate` does."""
    monkeypatch.setitem(ROLE_PERMISSIONS, role, permissions)
    sync_roles()


@pytest.mark.parametrize(("url", "role", "permission"), GRANTED, ids=[f"{r} {u}" for u, r, _ in GRANTED])
def test_removing_a_permission_from_a_role_removes_that_api_access(monkeypatch, client_for, url, role, permission):
    assert client_for(role).get(url).status_code == 200
    _set_role(monkeypatch, role, [p for p in ROLE_PERMISSIONS[role] if p != permission])
    response = client_for(role).get(url)
    assert response.status_code == 403
    assert "permission" in response.json()["detail"]


@pytest.mark.parametrize(
    ("url", "role", "permission"),
    [
        ("/api/v1/audit-events/", Role.NEGOTIATOR, "portal.view_auditevent"),
        ("/api/v1/agreements/", Role.EXPORTER, "agreements.view_agreement"),
        (IMPACT, Role.AGENCY_REVIEWER, "agreements.view_policy"),
    ],
)
def test_adding_a_permission_to_a_role_grants_that_api_access(monkeypatch, client_for, url, role, permission):
    assert client_for(role).get(url).status_code == 403
    _set_role(monkeypatch, role, [*ROLE_PERMISSIONS[role], permission])
    assert client_for(role).get(url).status_code == 200


def test_a_granted_view_permission_opens_the_records_too(monkeypatch, client_for):
    """Scope follows the same table: an agency reviewer given view_licence reads every licence."""
    licence = f.licence()
    assert client_for(Role.AGENCY_REVIEWER).get("/api/v1/licences/").status_code == 403
    _set_role(monkeypatch, Role.AGENCY_REVIEWER, [*ROLE_PERMISSIONS[Role.AGENCY_REVIEWER], "licensing.view_licence"])
    response = client_for(Role.AGENCY_REVIEWER).get("/api/v1/licences/")
    assert [row["number"] for row in response.json()["results"]] == [licence.number]


def test_removing_a_decision_permission_removes_the_decision(monkeypatch, client_for):
    """An action the API opens to whoever sees the case is still decided by the same permission (the service)."""
    application = f.recommended()
    kept = [p for p in ROLE_PERMISSIONS[Role.APPROVING_OFFICIAL] if p != "licensing.decide_application"]
    _set_role(monkeypatch, Role.APPROVING_OFFICIAL, kept)
    response = client_for(Role.APPROVING_OFFICIAL).post(f"/api/v1/applications/{application.pk}/approve/", {})
    assert response.status_code == 403
    application.refresh_from_db()
    assert application.status == "under_review"


def test_no_api_view_decides_by_role_name():
    root = pathlib.Path(__file__).resolve().parents[2]
    offenders = [
        str(path.relative_to(root))
        for app in ("portal", "agreements", "licensing")
        for path in (root / app / "api").glob("*.py")
        if path.name != "serializers.py" and re.search(r"\bRole\.|roles_required|user_has_role", path.read_text())
    ]
    assert offenders == []
