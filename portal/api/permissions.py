from rest_framework.permissions import BasePermission

from portal.choices import Role
from portal.selectors import user_has_role


def roles_required(*roles: Role) -> type[BasePermission]:
    """A DRF permission class admitting authenticated users holding any of `roles`."""

    class HasRole(BasePermission):
        message = f"This needs one of the roles: {', '.join(roles)}."

        def has_permission(self, request, view) -> bool:
            return bool(request.user and request.user.is_authenticated and user_has_role(request.user, *roles))

    HasRole.__name__ = "HasRole_" + "_".join(roles)
    return HasRole
