"""Who may call a service of the policy side: one check, the same for every public service here."""

from typing import Final

from portal.permissions import Actor, require

# The system actor: daily maintenance commands and data seeding act as nobody in particular. Call sites spell it
# `SYSTEM`; the API and the admin always pass `request.user`, which is never None, so only code can act as it.
# The workflow table treats it the same way (portal.workflow.Workflow.check skips the permission for None).
SYSTEM: Final = None

NEGOTIATE = "agreements.negotiate_agreement"
SWITCH_POLICY = "agreements.switch_policy"
SET_TIER = "agreements.add_tiermembership"


def authorize(actor: Actor | None, permission: str, *, action: str) -> None:
    """Raise PermissionDenied unless `actor` is the system or holds `permission`."""
    if actor is SYSTEM:
        return
    require(actor, permission, action=action)
