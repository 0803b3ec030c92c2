"""Decision letters and licence documents on the API (SPEC § 5.1 v2), as PDF attachments:

    GET /api/v1/applications/{id}/letter.pdf       a decided application's decision letter
    GET /api/v1/licences/{number}/document.pdf     the licence document

Scoped like the parent (outside it: 404); rendered on the spot when the task has not run yet
(licensing/services/letters.py); an application not decided yet has no letter (409).
"""

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.views import APIView

from licensing.api.documents import attachment
from licensing.models import Application, Licence
from licensing.services import letters as services
from portal.api.permissions import CanView

PDF = {
    (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The PDF, as an attachment."),
}


class ApplicationLetterView(APIView):
    permission_classes = [CanView(Application)]

    @extend_schema(
        responses={
            **PDF,
            404: OpenApiResponse(description="No such application in your scope."),
            409: OpenApiResponse(description="Not decided yet: no letter."),
        }
    )
    def get(self, request: Request, pk: int) -> FileResponse:
        application = generics.get_object_or_404(Application.objects.restrict(request.user, "view"), pk=pk)
        return attachment(services.letter_for(actor=request.user, application=application))


class LicenceDocumentView(APIView):
    permission_classes = [CanView(Licence)]

    @extend_schema(responses={**PDF, 404: OpenApiResponse(description="No such licence in your scope.")})
    def get(self, request: Request, number: str) -> FileResponse:
        licence = generics.get_object_or_404(Licence.objects.restrict(request.user, "view"), number=number)
        return attachment(services.licence_document_for(actor=request.user, licence=licence))
