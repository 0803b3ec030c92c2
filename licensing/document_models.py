"""Documents (SPEC § 2 Document, § 4): a supporting file attached to a draft application, to an answer to a
request for information, to a shipment, or to an obligation report (the submission it was uploaded with).

A document's `kind` says what it is: an upload, or a PDF the portal rendered on a decision (SPEC § 4 Letters) — a
decision letter (parent: the application; one per application) or a licence document (parent: the licence; one
per licence), written only by licensing/services/letters.py.

Imported by licensing/models.py, so Django registers it with the app. Visible exactly to whoever sees the parent
(`Scope(parents=...)`); written only by licensing/services/documents.py, never changed or deleted afterwards.
"""

from django.conf import settings
from django.db import models

from licensing.choices import DocumentKind, ScanStatus
from licensing.models import Application, InfoRequest, Licence, Shipment
from portal.scoping import RestrictedQuerySet, Scope


def document_path(document: "Document", filename: str) -> str:
    """Stored under a random name (the original name is data, never a path); grouped by month."""
    return f"documents/{document.uploaded_at:%Y/%m}/{document.storage_key}"


PARENTS = ("application", "info_request", "shipment", "obligation_submission", "licence")


def _only(parent: str) -> models.Q:
    """The document hangs on `parent` and on no other."""
    return models.Q(**{f"{name}__isnull": name != parent for name in PARENTS})


class Document(models.Model):
    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    info_request = models.ForeignKey(
        InfoRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    shipment = models.ForeignKey(Shipment, null=True, blank=True, on_delete=models.PROTECT, related_name="documents")
    obligation_submission = models.ForeignKey(
        "licensing.ObligationSubmission", null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    licence = models.ForeignKey(Licence, null=True, blank=True, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=8, choices=DocumentKind.choices, default=DocumentKind.UPLOAD)
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

    scope = Scope(
        parents=(
            "application",
            "info_request__application",
            "shipment__licence",
            "obligation_submission",
            "licence",
        )
    )
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    _only("application")
                    | _only("info_request")
                    | _only("shipment")
                    | _only("obligation_submission")
                    | _only("licence")
                ),
                name="document_one_parent",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(kind=DocumentKind.UPLOAD, licence__isnull=True)
                    | models.Q(kind=DocumentKind.LETTER, application__isnull=False)
                    | models.Q(kind=DocumentKind.LICENCE, licence__isnull=False)
                ),
                name="document_kind_parent",
            ),
            models.UniqueConstraint(
                fields=["application"], condition=models.Q(kind=DocumentKind.LETTER), name="document_one_letter"
            ),
            models.UniqueConstraint(
                fields=["licence"], condition=models.Q(kind=DocumentKind.LICENCE), name="document_one_licence"
            ),
        ]

    def __str__(self) -> str:
        return self.name
