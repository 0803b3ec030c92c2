"""The API's permission classes, built from permissions (`portal.permissions.allowed`), never from role names.

A role grants an endpoint by holding its permission in `portal/roles.py`; editing that table is the one way to
change who may call what. Scope (which records) is the queryset's business (`portal.scoping`): a caller who
may use an endpoint but asks for a record outside their scope gets 404, and the services refuse what the
workflow table does not allow the caller (403).
"""

from collections.abc import Mapping

from django.db import models
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from portal.permissions import allowed
from portal.scoping import scope_of


def HasPermission(*permissions: str) -> type[BasePermission]:  # noqa: N802 — used like a class
    """A DRF permission class admitting authenticated users holding any of `permissions` ("app.codename")."""
    if not permissions:
        raise ValueError("HasPermission needs at least one permission.")

    class _HasPermission(BasePermission):
        message = "You do not have the permission this needs."
        required = permissions

        def has_permission(self, request: Request, view: APIView) -> bool:
            return any(allowed(request.user, permission) for permission in self.required)

    _HasPermission.__name__ = "HasPermission_" + "_".join(p.replace(".", "_") for p in permissions)
    return _HasPermission


def CanView(model: type[models.Model]) -> type[BasePermission]:  # noqa: N802 — used like a class
    """Admits whoever the model's Scope opens some records to (its view, owner or agency permission)."""
    return HasPermission(*scope_of(model).permissions(model, "view"))


class ActionPermissions(BasePermission):
    """Per-action gates declared on the viewset: `action_permissions = {"create": HasPermission(...), ...}`,
    with the key "*" for every action not named. An action with no entry and no "*" is refused."""

    message = "You do not have the permission this needs."

    def has_permission(self, request: Request, view: APIView) -> bool:
        gates: Mapping[str, type[BasePermission]] = getattr(view, "action_permissions", {})
        action = getattr(view, "action", None) or ""
        gate = gates.get(action, gates.get("*"))
        if gate is None:
            return False
        permission = gate()
        if not permission.has_permission(request, view):
            self.message = getattr(permission, "message", self.message)
            return False
        return True
