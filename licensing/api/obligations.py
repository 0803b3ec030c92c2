"""What licences owe (SPEC § 5.1 v2 `/api/v1/obligations/`): exporters read their organisation's and submit
reports, evidence and payments; licensing officers accept or reject with a reason. Exporter and staff
serializers are separate: staff also see who submitted and who decided."""

from decimal import Decimal

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from licensing import obligation_selectors as selectors
from licensing.choices import ObligationKind, ObligationStatus
from licensing.models import Obligation, ObligationSubmission
from licensing.selectors import sees_internal_fields
from licensing.services import obligations as services
from portal.api.permissions import ActionPermissions, CanView, HasPermission

MONEY = {"max_digits": 16, "decimal_places": 2}


class ExporterSubmissionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ObligationSubmission
        fields = ["id", "submitted_at", "text", "reference", "amount_paid_usd"]


class StaffSubmissionSerializer(ExporterSubmissionSerializer):
    submitted_by = serializers.CharField(source="submitted_by.username")

    class Meta(ExporterSubmissionSerializer.Meta):
        fields = [*ExporterSubmissionSerializer.Meta.fields, "submitted_by"]


class ObligationSerializer(serializers.ModelSerializer):
    """An obligation as its licence's exporter reads it."""

    licence = serializers.CharField(source="licence.number")
    overdue = serializers.BooleanField(source="is_overdue_now", help_text="Past due and not accepted.")
    shipment = serializers.IntegerField(source="shipment_id", allow_null=True)
    submissions = ExporterSubmissionSerializer(many=True)

    class Meta:
        model = Obligation
        fields = [
            "id",
            "licence",
            "kind",
            "basis",
            "percent",
            "shipment",
            "amount_usd",
            "due_on",
            "period_start",
            "period_end",
            "description",
            "source",
            "status",
            "overdue",
            "decision_reason",
            "decided_at",
            "submissions",
        ]


class StaffObligationSerializer(ObligationSerializer):
    decided_by = serializers.CharField(source="decided_by.username", allow_null=True, default=None)
    submissions = StaffSubmissionSerializer(many=True)  # type: ignore[assignment]

    class Meta(ObligationSerializer.Meta):
        fields = [*ObligationSerializer.Meta.fields, "decided_by"]


class LicenceObligationSerializer(serializers.ModelSerializer):
    """An obligation as nested on its licence."""

    overdue = serializers.BooleanField(source="is_overdue_now", help_text="Past due and not accepted.")
    shipment = serializers.IntegerField(source="shipment_id", allow_null=True)

    class Meta:
        model = Obligation
        fields = ["id", "kind", "basis", "shipment", "amount_usd", "due_on", "description", "status", "overdue"]


class ObligationSubmitSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=20000, required=False, allow_blank=True, default="")
    reference = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class PaymentSerializer(serializers.Serializer):
    amount_paid_usd = serializers.DecimalField(**MONEY, min_value=Decimal("0.01"))
    reference = serializers.CharField(max_length=200, help_text="The payment's reference.")


class DecisionSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=8000, required=False, allow_blank=True, default="")


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=8000, help_text="Why, for the exporter to put right.")


class ObligationFilter(filters.FilterSet):
    licence = filters.CharFilter(field_name="licence__number", help_text="Licence number.")
    status = filters.ChoiceFilter(choices=ObligationStatus.choices)
    kind = filters.ChoiceFilter(choices=ObligationKind.choices)
    overdue = filters.BooleanFilter(field_name="is_overdue_now", help_text="Past due and not accepted.")

    class Meta:
        model = Obligation
        fields = ["licence", "status", "kind", "overdue"]


SUBMIT = HasPermission("licensing.submit_obligation")
REVIEW = HasPermission("licensing.review_obligation")


class ObligationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """What licences owe: reports on the terms' cadence, evidence and revenue share per shipment."""

    filterset_class = ObligationFilter
    permission_classes = [ActionPermissions]
    action_permissions = {
        "submit": SUBMIT,
        "record_payment": SUBMIT,
        "accept": REVIEW,
        "reject": REVIEW,
        "*": CanView(Obligation),
    }

    def get_queryset(self):
        return selectors.obligations_for_listing(self.request.user)

    def get_serializer_class(self):
        if sees_internal_fields(self.request.user):
            return StaffObligationSerializer
        return ObligationSerializer

    def _run(self, request, body_serializer, service):
        serializer = body_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        obligation = service(actor=request.user, obligation=self.get_object(), **serializer.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=obligation.pk)).data)

    @extend_schema(request=ObligationSubmitSerializer, responses=ObligationSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._run(request, ObligationSubmitSerializer, services.obligation_submit)

    @extend_schema(request=PaymentSerializer, responses=ObligationSerializer)
    @action(detail=True, methods=["post"], url_path="record-payment")
    def record_payment(self, request, pk=None):
        return self._run(request, PaymentSerializer, services.obligation_record_payment)

    @extend_schema(request=DecisionSerializer, responses=StaffObligationSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._run(request, DecisionSerializer, services.obligation_accept)

    @extend_schema(request=RejectSerializer, responses=StaffObligationSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._run(request, RejectSerializer, services.obligation_reject)
