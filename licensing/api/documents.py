"""Supporting documents on the API (SPEC § 5.1 v2): upload to and list an application's or a shipment's
documents, and download one. Thin: the services check, store and decide who may open what.

    GET/POST /api/v1/applications/{id}/documents/                      (multipart field "file")
    GET/POST /api/v1/licences/{number}/shipments/{id}/documents/
    GET      /api/v1/documents/{id}/        the bytes, as an attachment, with nosniff

Scope is the parent's: an application or licence outside the caller's is a 404, and so is a document of one.
One serializer for every reader: a document carries no internal field (its uploader is the exporter's own).
"""

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from licensing import document_selectors
from licensing.choices import ScanStatus
from licensing.models import Application, Document, Licence, Shipment
from licensing.services import documents as services
from portal.api.permissions import ActionPermissions, CanView, HasPermission


class DocumentSerializer(serializers.ModelSerializer):
    scan_status = serializers.ChoiceField(choices=ScanStatus.choices, read_only=True)
    attached_to = serializers.SerializerMethodField(help_text="application | answer | shipment | obligation_report")
    info_request = serializers.IntegerField(source="info_request_id", read_only=True, allow_null=True)
    shipment = serializers.IntegerField(source="shipment_id", read_only=True, allow_null=True)
    uploaded_by = serializers.CharField(source="uploaded_by.username", read_only=True)
    download = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = [
            "id",
            "name",
            "size",
            "sha256",
            "content_type",
            "scan_status",
            "attached_to",
            "info_request",
            "shipment",
            "uploaded_by",
            "uploaded_at",
            "download",
        ]
        read_only_fields = fields

    def get_attached_to(self, document: Document) -> str:
        if document.info_request_id:
            return "answer"
        if document.obligation_submission_id:
            return "obligation_report"
        return "shipment" if document.shipment_id else "application"

    def get_download(self, document: Document) -> str:
        return f"/api/v1/documents/{document.pk}/"


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        allow_empty_file=True, help_text="PDF, PNG, JPEG, plain text, CSV, XLSX or DOCX; at most 20 MB."
    )


class _DocumentsView(generics.GenericAPIView):
    serializer_class = DocumentSerializer
    queryset = Document.objects.none()  # for the schema; get_queryset scopes
    pagination_class = None  # a case's documents: a handful
    permission_classes = [ActionPermissions]

    @property
    def action(self) -> str:
        return "create" if self.request.method == "POST" else "list"

    def _created(self, document: Document) -> Response:
        document = Document.objects.select_related("uploaded_by").get(pk=document.pk)
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)

    def _upload(self, request: Request):
        serializer = UploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data["file"]


class ApplicationDocumentsView(_DocumentsView):
    """An application's documents: the exporter uploads to a draft, or with an answer while information is
    requested (the upload attaches to the open request). Staff and referred agencies read them once sent."""

    parser_classes = [MultiPartParser]
    action_permissions = {
        "create": HasPermission("licensing.file_application"),
        "list": CanView(Application),
    }

    def application(self) -> Application:
        return generics.get_object_or_404(Application.objects.restrict(self.request.user, "view"), pk=self.kwargs["pk"])

    def get_queryset(self):
        return document_selectors.documents_of_application(self.request.user, self.application())

    @extend_schema(responses=DocumentSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        return Response(DocumentSerializer(self.get_queryset(), many=True).data)

    @extend_schema(request={"multipart/form-data": UploadSerializer}, responses={201: DocumentSerializer})
    def post(self, request: Request, pk: int) -> Response:
        application = self.application()
        upload = self._upload(request)
        document = services.document_attach_to_application(actor=request.user, application=application, upload=upload)
        return self._created(document)


class ShipmentDocumentsView(_DocumentsView):
    """A shipment's documents (invoices, evidence): uploaded by the licence holder, read by whoever sees it."""

    parser_classes = [MultiPartParser]
    action_permissions = {"create": HasPermission("licensing.report_shipment"), "list": CanView(Licence)}

    def shipment(self) -> Shipment:
        licences = Licence.objects.restrict(self.request.user, "view")
        licence = generics.get_object_or_404(licences, number=self.kwargs["number"])
        return generics.get_object_or_404(Shipment.objects.filter(licence=licence), pk=self.kwargs["pk"])

    def get_queryset(self):
        return document_selectors.documents_of_shipment(self.request.user, self.shipment())

    @extend_schema(responses=DocumentSerializer(many=True))
    def get(self, request: Request, number: str, pk: int) -> Response:
        return Response(DocumentSerializer(self.get_queryset(), many=True).data)

    @extend_schema(request={"multipart/form-data": UploadSerializer}, responses={201: DocumentSerializer})
    def post(self, request: Request, number: str, pk: int) -> Response:
        shipment = self.shipment()
        upload = self._upload(request)
        document = services.document_attach_to_shipment(actor=request.user, shipment=shipment, upload=upload)
        return self._created(document)


def attachment(document: Document) -> FileResponse:
    """The stored bytes as a download: never rendered by the browser, never sniffed into another type."""
    response = FileResponse(
        document.file.open("rb"), as_attachment=True, filename=document.name, content_type=document.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


class DocumentDownloadView(APIView):
    """The document's bytes, to whoever sees its parent — unless it is quarantined (never), or not yet found
    clean by the malware scan (then its uploader only): 409 with the reason."""

    permission_classes = [CanView(Document)]

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file, as an attachment, in its sniffed content type."
            )
        }
    )
    def get(self, request: Request, pk: int) -> FileResponse:
        document = generics.get_object_or_404(Document.objects.restrict(request.user, "view"), pk=pk)
        return attachment(services.document_for_download(actor=request.user, document=document))
