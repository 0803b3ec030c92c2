"""Cross-cutting reads: who holds which role, and where a user belongs. What a user may do or see is not
decided here: `portal.permissions` (permissions) and `portal.scoping` (rows) decide it."""

from django.db import connection
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


def audit_events_for(*, target_type: str, target_id: str | int) -> QuerySet[AuditEvent]:
    """A record's audit events; the caller joins what it shows (the admin's history panel: the actors)."""
    return AuditEvent.objects.filter(target_type=target_type, target_id=str(target_id))


# The values a column of the audit trail takes, for the admin's filters. DISTINCT over half a million events
# reads them all (~200 ms at 521,000); walking an index from one value to the next ("loose index scan", a
# recursive query) costs one index probe per distinct value instead.
_DISTINCT_BY_INDEX = """
WITH RECURSIVE walk(value) AS (
    SELECT MIN({column}) FROM {table}
    UNION ALL
    SELECT (SELECT MIN({column}) FROM {table} WHERE {column} > walk.value) FROM walk WHERE walk.value IS NOT NULL
)
SELECT value FROM walk WHERE value IS NOT NULL
"""
AUDIT_FILTER_COLUMNS = ("verb", "target_type")  # each leads an index of AuditEvent


def audit_distinct_values(column: str) -> list[str]:
    """Every value of `column` (one of AUDIT_FILTER_COLUMNS) in the audit trail, in order."""
    if column not in AUDIT_FILTER_COLUMNS:
        raise ValueError(f"{column} is not an indexed audit column")
    sql = _DISTINCT_BY_INDEX.format(column=column, table=AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [row[0] for row in cursor.fetchall()]
