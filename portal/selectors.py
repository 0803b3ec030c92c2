"""Cross-cutting reads: who holds which role, and where a user belongs. What a user may do or see is not
decided here: `portal.permissions` (permissions) and `portal.scoping` (rows) decide it."""

from django.db.models import QuerySet

from portal.choices import Role
from portal.models import AuditEvent, Membership
from portal.permissions import Actor


def user_roles(user: Actor) -> frozenset[str]:
    """The user's role names, cached on the user object for the request."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_portal_roles", None)
    if cached is None:
        cached = frozenset(user.groups.filter(name__in=Role.values).values_list("name", flat=True))
        user._portal_roles = cached  # type: ignore[attr-defined]  # cached for the request
    return cached


def user_membership(user: Actor) -> Membership | None:
    if not user.is_authenticated:
        return None
    try:
        return user.membership
    except Membership.DoesNotExist:
        return None


def user_organisation_id(user: Actor) -> int | None:
    membership = user_membership(user)
    return membership.organisation_id if membership else None


def user_agency_code(user: Actor) -> str | None:
    membership = user_membership(user)
    return membership.agency.code if membership and membership.agency else None


def audit_events_for(*, target_type: str, target_id: str) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(target_type=target_type, target_id=str(target_id)).select_related("actor")
