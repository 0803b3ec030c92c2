"""The session's user, read with the membership that scopes everything they see."""

from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.contrib.auth.models import User


class ModelBackend(DjangoModelBackend):
    """Django's ModelBackend, whose `get_user` (every signed-in request's read of its user) joins the user's
    membership (portal.Membership): every page and scope asks for it, and it came as a query of its own."""

    def get_user(self, user_id: int) -> User | None:
        try:
            user = User._default_manager.select_related("membership").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
