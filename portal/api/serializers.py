"""Users as a policy administrator sees and writes them (SPEC § 5.1 v2): never a password, token, superuser or
staff flag (the staff flag is derived from the roles)."""

from django.contrib.auth import get_user_model
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal import services
from portal.choices import AgencyCode, Role

User = get_user_model()


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
