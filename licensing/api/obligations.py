"""What licences owe (SPEC § 5.1 v2 `/api/v1/obligations/`): exporters read their organisation's and submit
reports, evidence and payments; licensing officers accept or reject with a reason. Exporter and staff
serializers are separate: staff also see who submitted and who decided."""

from decimal import Decimal

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from licensing import document_selectors
from licensing import obligation_selectors as selectors
from licensing.api.documents import DocumentSerializer, UploadSerializer, _DocumentsView
from licensing.choices import ObligationKind, ObligationStatus
from licensing.models import Document, Obligation, ObligationSubmission
from licensing.selectors import sees_internal_fields
from licensing.services import obligations as services
from portal.api.permissions import ActionPermissions, CanView, HasPermission

MONEY = {"max_digits": 16, "decimal_places": 2}


class ExporterSubmissionSerializer(serializers.ModelSerializer):
    documents = DocumentSerializer(many=True, read_only=True, help_text="Uploaded with it; never changed.")

    class Meta:
        model = ObligationSubmission
        fields = ["id", "submitted_at", "text", "reference", "amount_paid_usd", "documents"]


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


FILES_HELP = "The report's documents (multipart, the field repeated): PDF, PNG, JPEG, plain text, CSV, XLSX or DOCX; "
FILES_HELP += "at most 20 MB each. Stored with the submission and never changed."
MAX_FILES = 20
UPLOAD_PARSERS = [JSONParser, MultiPartParser, FormParser]


def _files() -> serializers.ListField:
    """The documents sent with a report or a payment (multipart/form-data), checked before anything is written."""
    return serializers.ListField(
        child=serializers.FileField(allow_empty_file=True),
        required=False,
        default=list,
        max_length=MAX_FILES,
        help_text=FILES_HELP,
    )


class ObligationSubmitSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=20000, required=False, allow_blank=True, default="")
    reference = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ObligationSubmitUploadSerializer(ObligationSubmitSerializer):
    """The same as multipart/form-data, with the documents."""

    files = _files()


class PaymentSerializer(serializers.Serializer):
    amount_paid_usd = serializers.DecimalField(**MONEY, min_value=Decimal("0.01"))
    reference = serializers.CharField(max_length=200, help_text="The payment's reference.")


class PaymentUploadSerializer(PaymentSerializer):
    """The same as multipart/form-data, with proof of payment."""

    files = _files()


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

    def _run(self, request, body_serializer, service, upload_serializer=None):
        if upload_serializer is not None and request.content_type.startswith("multipart/"):
            body_serializer = upload_serializer
        serializer = body_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        obligation = service(actor=request.user, obligation=self.get_object(), **serializer.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=obligation.pk)).data)

    @extend_schema(
        request={
            "application/json": ObligationSubmitSerializer,
            "multipart/form-data": ObligationSubmitUploadSerializer,
        },
        responses=ObligationSerializer,
    )
    @action(detail=True, methods=["post"], parser_classes=UPLOAD_PARSERS)
    def submit(self, request, pk=None):
        """A report or evidence: text, reference, and (multipart) its documents, checked before anything is written."""
        return self._run(
            request, ObligationSubmitSerializer, services.obligation_submit, ObligationSubmitUploadSerializer
        )

    @extend_schema(
        request={"application/json": PaymentSerializer, "multipart/form-data": PaymentUploadSerializer},
        responses=ObligationSerializer,
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="record-payment",
        parser_classes=[JSONParser, MultiPartParser, FormParser],
    )
    def record_payment(self, request, pk=None):
        return self._run(request, PaymentSerializer, services.obligation_record_payment, PaymentUploadSerializer)

    @extend_schema(request=DecisionSerializer, responses=StaffObligationSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._run(request, DecisionSerializer, services.obligation_accept)

    @extend_schema(request=RejectSerializer, responses=StaffObligationSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._run(request, RejectSerializer, services.obligation_reject)


class ObligationDocumentUploadSerializer(UploadSerializer):
    text = serializers.CharField(max_length=20000, required=False, allow_blank=True, default="")
    reference = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ObligationDocumentsView(_DocumentsView):
    """GET: the documents of every report submitted against the obligation. POST (multipart `file`, optional
    `text` and `reference`): submit the report with this document — a submitted report's documents never change,
    so several files go together through `submit` (`files`), and a revenue share's proof with `record-payment`."""

    parser_classes = [MultiPartParser]
    action_permissions = {"create": SUBMIT, "list": CanView(Obligation)}

    def obligation(self) -> Obligation:
        return generics.get_object_or_404(Obligation.objects.restrict(self.request.user, "view"), pk=self.kwargs["pk"])

    def get_queryset(self):
        return document_selectors.documents_of_obligation(self.request.user, self.obligation())

    @extend_schema(responses=DocumentSerializer(many=True), operation_id="obligation_documents_list")
    def get(self, request, pk: int) -> Response:
        return Response(DocumentSerializer(self.get_queryset(), many=True).data)

    @extend_schema(
        request={"multipart/form-data": ObligationDocumentUploadSerializer},
        responses={201: DocumentSerializer},
        operation_id="obligation_documents_create",
    )
    def post(self, request, pk: int) -> Response:
        obligation = self.obligation()
        body = ObligationDocumentUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        services.obligation_submit(
            actor=request.user,
            obligation=obligation,
            text=data["text"],
            reference=data["reference"],
            files=[data["file"]],
        )
        submission = obligation.submissions.latest("id")
        return self._created(Document.objects.get(obligation_submission=submission))
