"""Reads of supporting documents, scoped exactly like their parents (`Document.scope`)."""

from django.db.models import Q, QuerySet

from licensing.choices import DocumentKind
from licensing.models import Application, Document, Obligation, Shipment
from portal.permissions import Viewer


def documents_of_application(user: Viewer, application: Application) -> QuerySet[Document]:
    """Every document of a case the user may see: its own, its answers', its licence's shipments'."""
    of_case = Q(application=application) | Q(info_request__application=application)
    of_case |= Q(shipment__licence__application=application)
    return (
        Document.objects.restrict(user, "view")
        .filter(of_case, kind=DocumentKind.UPLOAD)  # letters and licence documents have their own links
        .select_related("uploaded_by", "info_request", "shipment")
        .order_by("uploaded_at", "id")
    )


def documents_of_shipment(user: Viewer, shipment: Shipment) -> QuerySet[Document]:
    return (
        Document.objects.restrict(user, "view")
        .filter(shipment=shipment)
        .select_related("uploaded_by")
        .order_by("uploaded_at", "id")
    )


def documents_of_obligation(user: Viewer, obligation: Obligation) -> QuerySet[Document]:
    """The documents of every report submitted against the obligation, as the user may see them."""
    return (
        Document.objects.restrict(user, "view")
        .filter(obligation_submission__obligation=obligation)
        .select_related("uploaded_by")
        .order_by("uploaded_at", "id")
    )
