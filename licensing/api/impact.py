"""What the policy side's figures look like with licensing's pending applications: GET /api/v1/policy/impact/
(every pending application, its determination now and under a proposed policy), and the country and allotment
views of agreements with the pending demand passed in (agreements never imports licensing)."""

from collections.abc import Mapping

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from agreements.api.serializers import PolicySwitchSerializer
from agreements.api.views import AllotmentViewSet, CountryViewSet
from agreements.selectors import policy_in_force
from agreements.services import proposed_policy
from licensing import selectors
from portal.api.permissions import HasPermission


class ImpactRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    acn = serializers.CharField()
    status = serializers.CharField()
    organisation = serializers.CharField()
    destination = serializers.CharField()
    requested_tpp = serializers.IntegerField()
    current = serializers.DictField()
    proposed = serializers.DictField()
    changed = serializers.BooleanField()


class PolicyImpactView(APIView):
    """What a regime switch would do to the applications now pending (up to 500, oldest first)."""

    permission_classes = [HasPermission("agreements.view_policy")]  # those who read the policy side

    @extend_schema(
        parameters=[
            OpenApiParameter("kind", str, enum=["tiered", "global"], required=True),
            OpenApiParameter("lpp_threshold_tpp", int, required=False),
        ],
        responses=ImpactRowSerializer(many=True),
    )
    def get(self, request):
        body = {"reason": "impact preview", **request.query_params.dict()}
        serializer = PolicySwitchSerializer(data=body)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("reason"), data.pop("effective_from", None)
        proposal = proposed_policy(base=policy_in_force(), **data)
        return Response(selectors.policy_impact_rows(proposal))


class _PendingDemand:
    def pending_demand(self, allotment_ids: list[int]) -> Mapping[int, int]:
        return selectors.pending_demand(allotment_ids)


class CountryDemandViewSet(_PendingDemand, CountryViewSet):
    """GET /api/v1/countries/: agreements' view, allotment use with pending demand for staff and negotiators."""


class AllotmentDemandViewSet(_PendingDemand, AllotmentViewSet):
    """GET /api/v1/allotments/: agreements' view, with each allotment's pending demand."""
