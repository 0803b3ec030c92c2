"""What the policy side's figures look like with licensing's pending applications: the impact of a regime switch
(every pending application, its determination now and under a proposal: GET /api/v1/policy/impact/ for an unsaved
one, GET /api/v1/policy/{id}/impact/ for a proposal on record), and the country and allotment views of agreements
with the pending demand passed in (agreements never imports licensing)."""

from collections.abc import Mapping

from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
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
from licensing import determination as engine
from licensing import impact, obligation_selectors, selectors
from licensing.api.determinations import DeterminationSerializer
from portal.api.permissions import HasPermission


class ProposedAllotmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True, help_text="Null: a Tier 2 allocation the proposal would open.")
    remaining_tpp = serializers.IntegerField()
    remaining_h100e = serializers.CharField()
    hypothetical = serializers.BooleanField(required=False)
    period_start = serializers.DateField(required=False)
    period_end = serializers.DateField(required=False)


class ProposedDeterminationSerializer(DeterminationSerializer):
    allotment = ProposedAllotmentSerializer(allow_null=True)


class ImpactRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    acn = serializers.CharField()
    status = serializers.CharField()
    organisation = serializers.CharField()
    destination = serializers.CharField()
    requested_tpp = serializers.IntegerField()
    current = DeterminationSerializer()
    proposed = ProposedDeterminationSerializer()
    changed = serializers.BooleanField()


class ParameterChangeSerializer(serializers.Serializer):
    parameter = serializers.CharField()
    label = serializers.CharField()
    current = serializers.JSONField()
    proposed = serializers.JSONField()
    changed = serializers.BooleanField()


class AnswerSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=[o.value for o in engine.Outcome])
    presumption = serializers.ChoiceField(choices=[p.value for p in engine.Presumption], allow_null=True)


class ChangeSerializer(serializers.Serializer):
    current = AnswerSerializer()
    proposed = AnswerSerializer()
    changed = serializers.BooleanField()
    applications = serializers.IntegerField()
    requested_tpp = serializers.IntegerField()
    requested_h100e = serializers.CharField()


class DestinationChangeSerializer(ChangeSerializer):
    destination = serializers.CharField()


IMPACT_RESPONSE = inline_serializer(
    "PolicyImpact",
    {
        "summary": ParameterChangeSerializer(many=True, help_text="The regime and each parameter, now and proposed."),
        "pending": serializers.IntegerField(help_text="Every pending application, all of them determined."),
        "changed": serializers.IntegerField(help_text="How many pending applications the proposal would change."),
        "changes": ChangeSerializer(many=True, help_text="Per change of outcome and presumption: cases and TPP."),
        "destinations": DestinationChangeSerializer(
            many=True, help_text="Per destination and change of outcome and presumption: cases and TPP."
        ),
        "count": serializers.IntegerField(help_text="Rows matching the filters (`changed`, `destination`)."),
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "results": ImpactRowSerializer(many=True),
    },
)

ROW_FILTERS = [
    OpenApiParameter("page", int, required=False),
    OpenApiParameter("page_size", int, required=False),
    OpenApiParameter("changed", bool, required=False, description="Only the rows that change (true) or not."),
    OpenApiParameter("destination", str, required=False, description="Only the rows to this country (alpha-2)."),
]
CSV_RESPONSE = {(200, "text/csv"): OpenApiTypes.STR}


class ImpactPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class ImpactFilterSerializer(serializers.Serializer):
    changed = serializers.BooleanField(required=False, allow_null=True, default=None)
    destination = serializers.CharField(required=False, allow_blank=True, max_length=2, default="")


def _filtered(request, preview: impact.ImpactPreview) -> list[impact.ImpactRow]:
    filters = ImpactFilterSerializer(data=request.query_params)
    filters.is_valid(raise_exception=True)
    destination = (filters.validated_data["destination"] or "").upper() or None
    return preview.selected(changed=filters.validated_data["changed"], destination=destination)


def impact_response(view: APIView, request, proposal: Policy) -> Response:
    """One answer for both previews: the parameters compared, the summary of EVERY pending application, then
    the rows a page at a time (only the page's determinations are written out in full)."""
    preview = impact.impact_preview(proposal)
    rows = _filtered(request, preview)
    paginator = ImpactPagination()
    page = paginator.paginate_queryset(rows, request, view=view) or []
    return Response(
        {
            "summary": policy_differences(policy_in_force(), proposal),
            "pending": len(preview.rows),
            "changed": preview.changed,
            "changes": preview.changes(),
            "destinations": preview.destinations(),
            "count": paginator.page.paginator.count,
            "next": paginator.get_next_link(),
            "previous": paginator.get_previous_link(),
            "results": [row.as_dict() for row in page],
        }
    )


def impact_csv(request, proposal: Policy, name: str) -> StreamingHttpResponse:
    preview = impact.impact_preview(proposal)
    response = StreamingHttpResponse(impact.csv_lines(_filtered(request, preview)), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{name}-{preview.at:%Y%m%d-%H%M}.csv"'
    return response


def _unsaved_proposal(request) -> Policy:
    query = PolicyPreviewQuerySerializer(data=request.query_params.dict())
    query.is_valid(raise_exception=True)
    return proposed_policy(base=policy_in_force(), **query.validated_data)


PREVIEW_PARAMETERS = [
    OpenApiParameter("kind", str, enum=PolicyKind.values, required=True),
    *[OpenApiParameter(name, str, required=False) for name in POLICY_PARAMETERS],
]


class PolicyImpactView(APIView):
    """What an unsaved proposal would do to every application now pending (oldest first): `kind` and any policy
    parameter as a query parameter (the others carry over from the policy in force)."""

    permission_classes = [HasPermission("agreements.view_policy")]  # those who read the policy side

    @extend_schema(parameters=[*PREVIEW_PARAMETERS, *ROW_FILTERS], responses=IMPACT_RESPONSE)
    def get(self, request):
        return impact_response(self, request, _unsaved_proposal(request))


class PolicyImpactCsvView(APIView):
    """The detail of the unsaved proposal's impact, every pending application, as CSV."""

    permission_classes = [HasPermission("agreements.view_policy")]

    @extend_schema(
        operation_id="policy_impact_csv", parameters=[*PREVIEW_PARAMETERS, *ROW_FILTERS[2:]], responses=CSV_RESPONSE
    )
    def get(self, request):
        return impact_csv(request, _unsaved_proposal(request), "policy-impact")


class ProposalImpactView(APIView):
    """What exactly this proposal (a policy row awaiting approval, or any other) would do to pending applications."""

    permission_classes = [MayViewPolicies]

    @extend_schema(operation_id="policy_proposal_impact", parameters=ROW_FILTERS, responses=IMPACT_RESPONSE)
    def get(self, request, pk: int):
        return impact_response(self, request, get_object_or_404(Policy, pk=pk))


class ProposalImpactCsvView(APIView):
    """The detail of this proposal's impact, every pending application, as CSV."""

    permission_classes = [MayViewPolicies]

    @extend_schema(operation_id="policy_proposal_impact_csv", parameters=ROW_FILTERS[2:], responses=CSV_RESPONSE)
    def get(self, request, pk: int):
        return impact_csv(request, get_object_or_404(Policy, pk=pk), f"policy-{pk}-impact")


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
