"""`{% application_documents application %}` and `{% shipment_documents shipment %}`: a record's documents with
their scan status, and the upload form where the viewer may attach one now (the pages' views stay as they are)."""

from django import template
from django.urls import reverse

from licensing import document_selectors
from licensing.choices import ApplicationStatus
from licensing.filetypes import ACCEPTED_LABEL
from portal.permissions import allowed

register = template.Library()

ACCEPT = ".pdf,.png,.jpg,.jpeg,.txt,.csv,.xlsx,.docx"


@register.inclusion_tag("exporter/_documents.html", takes_context=True)
def application_documents(context, application):
    user = context["request"].user
    attachable = application.status in (ApplicationStatus.DRAFT, ApplicationStatus.INFO_REQUESTED)
    return {
        "documents": document_selectors.documents_of_application(user, application),
        "upload_url": reverse("exporter:application_documents", args=[application.pk])
        if attachable and allowed(user, "licensing.file_application")
        else None,
        "hint": "Attached with your answer to the officer's question."
        if application.status == ApplicationStatus.INFO_REQUESTED
        else "Attached to this draft; fixed once you submit it.",
        "heading_id": f"documents-{application.pk}",
        "heading": "Supporting documents",
        "accept": ACCEPT,
        "accepted": ACCEPTED_LABEL,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("exporter/_documents.html", takes_context=True)
def shipment_documents(context, shipment):
    user = context["request"].user
    return {
        "documents": document_selectors.documents_of_shipment(user, shipment),
        "upload_url": reverse("exporter:shipment_documents", args=[shipment.licence.number, shipment.pk])
        if allowed(user, "licensing.report_shipment")
        else None,
        "hint": "Invoices, evidence or transport papers for this shipment.",
        "heading_id": f"shipment-documents-{shipment.pk}",
        "heading": f"Documents for the shipment of {shipment.shipped_on:%Y-%m-%d}",
        "accept": ACCEPT,
        "accepted": ACCEPTED_LABEL,
        "csrf_token": context.get("csrf_token"),
        "compact": True,
    }
