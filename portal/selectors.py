"""Cross-cutting reads: who holds which role, and where a user belongs. What a user may do or see is not
decided here: `portal.permissions` (permissions) and `portal.scoping` (rows) decide it."""

from django.contrib.auth.models import AbstractBaseUser

from portal.choices import Role
from portal.models import AuditEvent, Membership


def user_roles(user: AbstractBaseUser) -> frozenset[str]:
    """The user's role names, cached on the user object for the request."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_portal_roles", None)
    if cached is None:
        cached = frozenset(user.groups.filter(name__in=Role.values).values_list("name", flat=True))
        user._portal_roles = cached
    return cached


def user_membership(user: AbstractBaseUser) -> Membership | None:
    if not user.is_authenticated:
        return None
    try:
        return user.membership
    except Membership.DoesNotExist:
        return None


def user_organisation_id(user: AbstractBaseUser) -> int | None:
    membership = user_membership(user)
    return membership.organisation_id if membership else None


def user_agency_code(user: AbstractBaseUser) -> str | None:
    membership = user_membership(user)
    return membership.agency.code if membership and membership.agency_id else None


def audit_events_for(*, target_type: str, target_id: str):
    return AuditEvent.objects.filter(target_type=target_type, target_id=str(target_id)).select_related("actor")
