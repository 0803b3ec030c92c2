"""Users and their roles (policy_admin, SPEC § 5.1 v2). Every write is a call to the portal's user services.

Never exposed or accepted here: passwords, tokens, the superuser flag, the staff flag (derived from the roles).
"""

from django.contrib.auth import get_user_model
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from portal import services
from portal.choices import AgencyCode, Role
from portal.permissions import allowed

User = get_user_model()
_PERMISSION_FOR_METHOD = {"GET": services.VIEW_USERS, "POST": services.ADD_USERS, "PATCH": services.CHANGE_USERS}


class ManagesUsers(BasePermission):
    message = "Only a policy administrator manages users."

    def has_permission(self, request, view) -> bool:
        permission = _PERMISSION_FOR_METHOD.get(request.method, services.VIEW_USERS)
        return allowed(request.user, permission) and allowed(request.user, services.VIEW_USERS)


class UserSerializer(serializers.ModelSerializer):
    """A user as a policy administrator sees one."""

    roles = serializers.SerializerMethodField()
    organisation = serializers.SerializerMethodField()
    agency = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "email", "first_name", "last_name", "roles", "organisation", "agency", "is_active"]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=Role.choices)))
    def get_roles(self, user) -> list[str]:
        return sorted(group.name for group in user.groups.all() if group.name in Role.values)

    def get_organisation(self, user) -> str | None:
        membership = getattr(user, "membership", None)
        return membership.organisation.name if membership and membership.organisation_id else None

    @extend_schema_field(serializers.ChoiceField(choices=AgencyCode.choices, allow_null=True))
    def get_agency(self, user) -> str | None:
        membership = getattr(user, "membership", None)
        return membership.agency.code if membership and membership.agency_id else None


class _UserWriteSerializer(serializers.Serializer):
    """Checks types and refuses, with a reason, every field a policy administrator may not set."""

    email = serializers.EmailField(max_length=254)
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    roles = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices), required=False)
    organisation = serializers.CharField(max_length=200, required=False, allow_null=True, allow_blank=True)
    agency = serializers.ChoiceField(choices=AgencyCode.choices, required=False, allow_null=True)

    def validate(self, attrs):
        refused = {
            name: [services.REFUSED_FIELDS.get(name, "Unknown field.")]
            for name in getattr(self, "initial_data", {})
            if name not in self.fields
        }
        if refused:
            raise serializers.ValidationError(refused)
        return attrs


class UserCreateSerializer(_UserWriteSerializer):
    username = serializers.CharField(max_length=150)


class UserUpdateSerializer(_UserWriteSerializer):
    email = serializers.EmailField(max_length=254, required=False)
    is_active = serializers.BooleanField(required=False)


class UserFilter(filters.FilterSet):
    role = filters.ChoiceFilter(choices=Role.choices, field_name="groups__name", label="Holds this role")
    is_active = filters.BooleanFilter()

    class Meta:
        model = User
        fields = ["role", "is_active"]


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
    permission_classes = [ManagesUsers]
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
