"""Permission decided once: every public service asks `require`, the API's permission classes ask `allowed`.

A role is a Django group holding permissions (`portal/roles.py`); nothing outside that table names a role to
decide what a user may do. Superusers get no bypass: they exist for the command line, and hold no role.
"""

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db import connection

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
        cached = _read_permissions(actor)
        actor._portal_permissions = cached  # type: ignore[attr-defined]  # cached for the request
    return cached


# The roles' permissions and the user's own, in one statement. Built by the ORM (a union of two annotated
# querysets) this cost every signed-in request about 1.1 ms of CPU before it reached the database, against 0.4 ms
# written out (docs/performance.md); its tables are Django's own, named as django.contrib.auth names them.
_PERMISSIONS = """
SELECT ct.app_label, p.codename, 'group' FROM auth_permission p
  JOIN auth_group_permissions gp ON gp.permission_id = p.id
  JOIN auth_user_groups ug ON ug.group_id = gp.group_id
  JOIN django_content_type ct ON ct.id = p.content_type_id
 WHERE ug.user_id = %s
UNION ALL
SELECT ct.app_label, p.codename, 'user' FROM auth_permission p
  JOIN auth_user_user_permissions up ON up.permission_id = p.id
  JOIN django_content_type ct ON ct.id = p.content_type_id
 WHERE up.user_id = %s
"""


def _read_permissions(actor: Actor) -> frozenset[str]:
    """The roles' permissions, and in the same query the user's own, handed to Django's ModelBackend as the
    caches it would fill with two queries of its own (`_group_perm_cache`, `_user_perm_cache`: the admin's
    `has_perm` reads them). Only the roles' count here. A superuser's are left to ModelBackend (it grants them
    every permission; the portal grants them none, even once ModelBackend has cached its grant on them)."""
    shared = None if actor.is_superuser else getattr(actor, "_group_perm_cache", None)
    if shared is not None:
        return frozenset(shared)
    found: dict[str, set[str]] = {"group": set(), "user": set()}
    with connection.cursor() as cursor:
        cursor.execute(_PERMISSIONS, [actor.pk, actor.pk])
        for app, codename, source in cursor.fetchall():
            found[source].add(f"{app}.{codename}")
    if not actor.is_superuser:
        actor._group_perm_cache = found["group"]  # type: ignore[attr-defined]
        actor._user_perm_cache = found["user"]  # type: ignore[attr-defined]
    return frozenset(found["group"])
