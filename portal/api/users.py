"""Users and their roles (policy_admin, SPEC § 5.1 v2). Every write is a call to the portal's user services.

Never exposed or accepted here: passwords, tokens, the superuser flag, the staff flag (derived from the roles).
"""

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from portal import services
from portal.api.permissions import ActionPermissions, HasPermission
from portal.api.serializers import UserCreateSerializer, UserFilter, UserSerializer, UserUpdateSerializer

User = get_user_model()


@extend_schema_view(
    list=extend_schema(summary="Users and their roles"),
    retrieve=extend_schema(summary="One user"),
    create=extend_schema(
        summary="Create a user",
        description="The new user has no password: a link to set one is e-mailed to them.",
        request=UserCreateSerializer,
        responses={201: UserSerializer},
    ),
    partial_update=extend_schema(
        summary="Change a user's details, roles, organisation, agency or active flag",
        description="`roles` is the complete new set. Nobody changes their own roles, membership or active flag.",
        request=UserUpdateSerializer,
        responses={200: UserSerializer},
    ),
)
class UserViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Users (policy_admin). Superuser accounts belong to the command line and are not listed."""

    serializer_class = UserSerializer
    permission_classes = [ActionPermissions]
    action_permissions = {
        "*": HasPermission(services.VIEW_USERS),  # reads, OPTIONS, and a PUT that is answered 405
        "create": HasPermission(services.ADD_USERS),
        "partial_update": HasPermission(services.CHANGE_USERS),
    }
    filterset_class = UserFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return (
            User.objects.filter(is_superuser=False)
            .select_related("membership__organisation", "membership__agency")
            .prefetch_related("groups")
            .distinct()
        )

    def create(self, request, *args, **kwargs):
        data = self._valid(UserCreateSerializer, request)
        user = services.user_create(actor=request.user, **data)
        return Response(UserSerializer(self.get_queryset().get(pk=user.pk)).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        user = self.get_object()
        data = self._valid(UserUpdateSerializer, request)
        services.user_update(actor=request.user, user=user, **data)
        return Response(UserSerializer(self.get_queryset().get(pk=user.pk)).data)

    @staticmethod
    def _valid(serializer_class, request) -> dict:
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "organisation" in data:
            data["organisation"] = data["organisation"] or None
        return data
