from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from agreements import selectors, services
from agreements.api.serializers import CountrySerializer, PolicySerializer, PolicySwitchSerializer
from portal.api.permissions import roles_required
from portal.choices import Role


class CountryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Every ISO 3166-1 country with its tier today."""

    serializer_class = CountrySerializer
    lookup_field = "code"
    lookup_value_regex = "[A-Za-z]{2}"
    pagination_class = None  # a bounded reference list (249 rows)

    def get_queryset(self):
        return selectors.countries_with_tier(timezone.localdate()).order_by("code")

    def get_object(self):
        self.kwargs["code"] = self.kwargs["code"].upper()
        return super().get_object()


class PolicyView(APIView):
    """GET: the policy in force. POST (policy_admin): switch to a new policy from an instant."""

    def get_permissions(self):
        if self.request.method == "POST":
            return [roles_required(Role.POLICY_ADMIN)()]
        return super().get_permissions()

    @extend_schema(responses=PolicySerializer)
    def get(self, request):
        return Response(PolicySerializer(selectors.policy_in_force()).data)

    @extend_schema(request=PolicySwitchSerializer, responses={201: PolicySerializer})
    def post(self, request):
        serializer = PolicySwitchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        policy = services.policy_switch(actor=request.user, **serializer.validated_data)
        return Response(PolicySerializer(policy).data, status=status.HTTP_201_CREATED)
