"""An agreement's investment milestones (negotiators record deliveries and waive) and its performance.

GET /api/v1/agreements/{id}/performance/ is routed by licensing.api.urls: its shipped figures are licensing's,
passed in by the subclass there (licensing.api.impact.AgreementShipmentsPerformanceView); this view reports
none (null)."""

from collections.abc import Mapping

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from agreements import deal_selectors
from agreements.api.deal_serializers import (
    MilestoneRecordSerializer,
    MilestoneSerializer,
    MilestoneWaiveSerializer,
    PerformanceSerializer,
)
from agreements.models import Agreement, InvestmentMilestone
from agreements.services import deals
from portal.api.permissions import ActionPermissions, CanView, HasPermission


def _agreement(request, pk: int) -> Agreement:
    """The agreement, if the user's scope holds it (404 otherwise)."""
    return get_object_or_404(Agreement.objects.restrict(request.user, "view"), pk=pk)


class AgreementMilestoneViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """An agreement's investment milestones, by due date; negotiators record delivered and verified amounts
    (to date) or waive one with a reason. A milestone past due and neither verified nor waived turns the
    agreement's new draws to denial (rule terms.investment_overdue)."""

    serializer_class = MilestoneSerializer
    pagination_class = None  # a handful per agreement
    permission_classes = [ActionPermissions]
    action_permissions = {
        **dict.fromkeys(("list", "metadata"), CanView(Agreement)),
        "*": HasPermission("agreements.negotiate_agreement"),
    }

    def get_queryset(self) -> QuerySet[InvestmentMilestone]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator: no agreement in the path
            return InvestmentMilestone.objects.none()
        agreement = _agreement(self.request, self.kwargs["agreement_pk"])
        return agreement.milestones.select_related("terms", "verified_by", "waived_by").order_by("due_on", "id")

    def _show(self, milestone: InvestmentMilestone) -> Response:
        return Response(MilestoneSerializer(self.get_queryset().get(pk=milestone.pk)).data)

    @extend_schema(request=MilestoneRecordSerializer, responses=MilestoneSerializer)
    @action(detail=True, methods=["post"])
    def record(self, request, agreement_pk=None, pk=None):
        milestone = self.get_object()
        body = MilestoneRecordSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._show(deals.milestone_record(actor=request.user, milestone_id=milestone.pk, **body.validated_data))

    @extend_schema(request=MilestoneWaiveSerializer, responses=MilestoneSerializer)
    @action(detail=True, methods=["post"])
    def waive(self, request, agreement_pk=None, pk=None):
        milestone = self.get_object()
        body = MilestoneWaiveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._show(deals.milestone_waive(actor=request.user, milestone_id=milestone.pk, **body.validated_data))


class AgreementPerformanceView(APIView):
    """A deal's performance: for each allotment period and each capped party in it, capacity, committed, shipped
    and remaining (TPP and H100e); and each investment milestone with what was delivered and verified."""

    permission_classes = [CanView(Agreement)]

    def shipped(self, agreement: Agreement) -> Mapping[tuple[int, int | None], int] | None:
        """(allotment id, party id or None) → TPP shipped: licensing's figure, which this view does not know."""
        return None

    def obligations(
        self, agreement: Agreement
    ) -> tuple[list[deal_selectors.ObligationCounts], deal_selectors.RevenueShareTotals]:
        """What the agreement's licences owe: licensing's figures, which this view does not know (none)."""
        return [], deal_selectors.RevenueShareTotals()

    @extend_schema(responses=PerformanceSerializer, operation_id="agreement_performance")
    def get(self, request, pk: int):
        agreement = _agreement(request, pk)
        counts, revenue_share = self.obligations(agreement)
        data = {
            "agreement": agreement,
            "periods": deal_selectors.agreement_performance(agreement, shipped=self.shipped(agreement)),
            "obligations": counts,
            "revenue_share": revenue_share,
            "milestones": deal_selectors.agreement_milestones(agreement, timezone.now()),
        }
        return Response(PerformanceSerializer(data).data)
