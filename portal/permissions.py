"""Permission decided once: every public service asks `require`, the API's permission classes ask `allowed`.

A role is a Django group holding permissions (`portal/roles.py`); nothing outside that table names a role to
decide what a user may do. Superusers get no bypass: they exist for the command line, and hold no role.
"""

from django.contrib.auth.models import AnonymousUser, Permission, User
from django.core.exceptions import PermissionDenied

Actor = User  # who acts: the portal's user model (AUTH_USER_MODEL is auth.User); every service types `actor` so
Viewer = User | AnonymousUser  # who asks to see: a request's user, signed in or not


def allowed(actor: Viewer | None, permission: str) -> bool:
    """Whether `actor` holds `permission` ("app_label.codename") through one of its roles."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return False
    return permission in _role_permissions(actor)


def require(actor: Viewer | None, permission: str, *, action: str = "do this") -> None:
    """Raise PermissionDenied unless `actor` holds `permission`."""
    if not allowed(actor, permission):
        raise PermissionDenied(f"You may not {action}.")


def _role_permissions(actor: Actor) -> frozenset[str]:
    cached: frozenset[str] | None = getattr(actor, "_portal_permissions", None)
    if cached is None:
        rows = Permission.objects.filter(group__user=actor).values_list("content_type__app_label", "codename")
        cached = frozenset(f"{app}.{codename}" for app, codename in rows)
        actor._portal_permissions = cached  # type: ignore[attr-defined]  # cached for the request
    return cached
