import itertools

from django.contrib.auth import get_user_model

from portal.choices import Role
from portal.services import portal_user_upsert

_counter = itertools.count(1)


def make_user(*roles: str, organisation: str | None = None, agency: str | None = None, username: str | None = None):
    """A portal user through the same service the admin and command use."""
    roles = list(roles)
    if Role.EXPORTER in roles and organisation is None:
        organisation = "Acme AI Systems Inc."
    if Role.AGENCY_REVIEWER in roles and agency is None:
        agency = "defense"
    return portal_user_upsert(
        username=username or f"user{next(_counter)}",
        password="a-strong-test-password",
        roles=roles,
        organisation=organisation,
        agency=agency,
    )


def fresh(user):
    """The user read again: nothing cached on the instance (permissions, membership) nor from another thread's
    connection."""
    return get_user_model().objects.get(pk=user.pk)
