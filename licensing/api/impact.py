"""What the policy side's figures look like with licensing's pending applications: the impact of a regime switch
(every pending application, its determination now and under a proposal: GET /api/v1/policy/impact/ for an unsaved
one, GET /api/v1/policy/{id}/impact/ for a proposal on record), and the country and allotment views of agreements
with the pending demand passed in (agreements never imports licensing)."""

from collections.abc import Mapping

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from agreements.api.deal_views import AgreementPerformanceView
from agreements.api.serializers import PolicyPreviewQuerySerializer
from agreements.api.views import AllotmentViewSet, CountryViewSet, MayViewPolicies
from agreements.choices import PolicyKind
from agreements.deal_selectors import ObligationCounts, RevenueShareTotals
from agreements.models import Agreement, Policy
from agreements.selectors import POLICY_PARAMETERS, policy_differences, policy_in_force
from agreements.services import proposed_policy
from licensing import obligation_selectors, selectors
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


class ParameterChangeSerializer(serializers.Serializer):
    parameter = serializers.CharField()
    label = serializers.CharField()
    current = serializers.JSONField()
    proposed = serializers.JSONField()
    changed = serializers.BooleanField()


IMPACT_RESPONSE = inline_serializer(
    "PolicyImpact",
    {
        "summary": ParameterChangeSerializer(many=True, help_text="The regime and each parameter, now and proposed."),
        "changed": serializers.IntegerField(help_text="How many pending applications the proposal would change."),
        "count": serializers.IntegerField(help_text="Pending applications (up to 500, oldest first)."),
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "results": ImpactRowSerializer(many=True),
    },
)


class ImpactPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def impact_response(view: APIView, request, proposal: Policy) -> Response:
    """One answer for both previews: the parameters compared, then the pending applications a page at a time."""
    rows = selectors.policy_impact_rows(proposal)
    paginator = ImpactPagination()
    page = paginator.paginate_queryset(rows, request, view=view)
    return Response(
        {
            "summary": policy_differences(policy_in_force(), proposal),
            "changed": sum(1 for row in rows if row["changed"]),
            "count": paginator.page.paginator.count,
            "next": paginator.get_next_link(),
            "previous": paginator.get_previous_link(),
            "results": page,
        }
    )


class PolicyImpactView(APIView):
    """What an unsaved proposal would do to the applications now pending (up to 500, oldest first): `kind` and
    any policy parameter as a query parameter (the others carry over from the policy in force)."""

    permission_classes = [HasPermission("agreements.view_policy")]  # those who read the policy side

    @extend_schema(
        parameters=[
            OpenApiParameter("kind", str, enum=PolicyKind.values, required=True),
            *[OpenApiParameter(name, str, required=False) for name in POLICY_PARAMETERS],
            OpenApiParameter("page", int, required=False),
            OpenApiParameter("page_size", int, required=False),
        ],
        responses=IMPACT_RESPONSE,
    )
    def get(self, request):
        query = PolicyPreviewQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        proposal = proposed_policy(base=policy_in_force(), **query.validated_data)
        return impact_response(self, request, proposal)


class ProposalImpactView(APIView):
    """What exactly this proposal (a policy row awaiting approval, or any other) would do to pending applications."""

    permission_classes = [MayViewPolicies]

    @extend_schema(
        operation_id="policy_proposal_impact",
        parameters=[OpenApiParameter("page", int, required=False), OpenApiParameter("page_size", int, required=False)],
        responses=IMPACT_RESPONSE,
    )
    def get(self, request, pk: int):
        return impact_response(self, request, get_object_or_404(Policy, pk=pk))


class _PendingDemand:
    def pending_demand(self, allotment_ids: list[int]) -> Mapping[int, int]:
        return selectors.pending_demand(allotment_ids)


class CountryDemandViewSet(_PendingDemand, CountryViewSet):
    """GET /api/v1/countries/: agreements' view, allotment use with pending demand for staff and negotiators."""


class AllotmentDemandViewSet(_PendingDemand, AllotmentViewSet):
    """GET /api/v1/allotments/: agreements' view, with each allotment's pending demand."""


class AgreementShipmentsPerformanceView(AgreementPerformanceView):
    """GET /api/v1/agreements/{id}/performance/: agreements' view, with what was shipped per period and party."""

    def shipped(self, agreement: Agreement) -> Mapping[tuple[int, int | None], int]:
        return selectors.shipped_by_allotment_party(list(agreement.allotments.values_list("pk", flat=True)))

    def obligations(self, agreement: Agreement) -> tuple[list[ObligationCounts], RevenueShareTotals]:
        counts = obligation_selectors.deal_obligation_counts(agreement)
        return counts, obligation_selectors.deal_revenue_share(agreement)
