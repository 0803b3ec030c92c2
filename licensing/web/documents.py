"""Exporter pages for supporting documents: the upload forms of the application and licence pages (the files
are downloaded through the API's scoped view, /api/v1/documents/{id}/, which applies the same rules)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from licensing.models import Application, Licence, Shipment
from licensing.services import documents as services
from licensing.web.views import exporter_required
from portal.refusals import REFUSALS, refusal_text


def _attach(request, service, **parent) -> None:
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "Choose a file to attach.")
        return
    try:
        document = service(actor=request.user, upload=upload, **parent)
    except REFUSALS as refusal:
        messages.error(request, refusal_text(refusal))
        return
    messages.success(request, f"{document.name} attached ({document.get_scan_status_display().lower()}).")


@exporter_required
@require_POST
def application_document_upload(request, pk):
    application = get_object_or_404(Application.objects.restrict(request.user, "view"), pk=pk)
    _attach(request, services.document_attach_to_application, application=application)
    return redirect("exporter:application", pk=pk)


@exporter_required
@require_POST
def shipment_document_upload(request, number, pk):
    licence = get_object_or_404(Licence.objects.restrict(request.user, "view"), number=number)
    shipment = get_object_or_404(Shipment.objects.filter(licence=licence), pk=pk)
    _attach(request, services.document_attach_to_shipment, shipment=shipment)
    return redirect("exporter:licence", number=number)
