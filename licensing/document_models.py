"""Supporting documents (SPEC § 2 Document, § 4): a file attached to a draft application, to an answer to a
request for information, or to a shipment; obligation reports will be a fourth parent (a nullable `obligation`
key beside the others, in the check constraint and in `Scope.parents`) once obligations exist.

Imported by licensing/models.py, so Django registers it with the app. Visible exactly to whoever sees the parent
(`Scope(parents=...)`); written only by licensing/services/documents.py, never changed or deleted afterwards.
"""

from django.conf import settings
from django.db import models

from licensing.choices import ScanStatus
from licensing.models import Application, InfoRequest, Shipment
from portal.scoping import RestrictedQuerySet, Scope


def document_path(document: "Document", filename: str) -> str:
    """Stored under a random name (the original name is data, never a path); grouped by month."""
    return f"documents/{document.uploaded_at:%Y/%m}/{document.storage_key}"


class Document(models.Model):
    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    info_request = models.ForeignKey(
        InfoRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    shipment = models.ForeignKey(Shipment, null=True, blank=True, on_delete=models.PROTECT, related_name="documents")
    file = models.FileField(upload_to=document_path, max_length=200)
    storage_key = models.CharField(max_length=64, unique=True, help_text="Random file name in storage.")
    name = models.CharField("original name", max_length=200)
    size = models.PositiveBigIntegerField(help_text="Bytes.")
    sha256 = models.CharField("SHA-256", max_length=64)
    content_type = models.CharField(max_length=100, help_text="Sniffed from the bytes.")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()
    scan_status = models.CharField(max_length=12, choices=ScanStatus.choices)
    scan_detail = models.CharField(max_length=200, blank=True, help_text="The signature found, or the error.")
    scanned_at = models.DateTimeField(null=True, blank=True)

    scope = Scope(parents=("application", "info_request__application", "shipment__licence"))
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(application__isnull=False, info_request__isnull=True, shipment__isnull=True)
                    | models.Q(application__isnull=True, info_request__isnull=False, shipment__isnull=True)
                    | models.Q(application__isnull=True, info_request__isnull=True, shipment__isnull=False)
                ),
                name="document_one_parent",
            ),
        ]

    def __str__(self) -> str:
        return self.name
