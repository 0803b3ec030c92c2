"""Supporting documents: upload (checked, stored, scanned), the rule for opening one, and the scan's verdict.

An upload is checked before anything is stored: at most DOCUMENT_MAX_BYTES, and of an accepted kind judged from
its bytes (licensing/filetypes.py); a refusal is a 400 with nothing written, in storage or in the database.
Where it attaches (SPEC § 4 v2): an application's documents while it is a draft; while information is requested,
the open request's (they go with the answer); a shipment's, by the licence holder; an obligation report's, uploaded
with it (licensing/services/obligations.py). Nothing here changes or
deletes a document: once its parent is submitted (a sent application, an answered request, a reported
shipment) it stays as it is.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone

from licensing import filetypes
from licensing.choices import ApplicationStatus, LicenceStatus, ScanStatus
from licensing.errors import DocumentRefused
from licensing.models import Application, Document, Licence, ObligationSubmission, Shipment
from portal import clamd
from portal.permissions import Actor, Viewer, require
from portal.services import audit_record
from portal.tasks import enqueue_on_commit

logger = logging.getLogger("licensing.documents")

FILE_APPLICATION = "licensing.file_application"
REPORT_SHIPMENT = "licensing.report_shipment"
_EXTENSIONS = {
    filetypes.PDF: "pdf",
    filetypes.PNG: "png",
    filetypes.JPEG: "jpg",
    filetypes.TEXT: "txt",
    filetypes.CSV: "csv",
    filetypes.XLSX: "xlsx",
    filetypes.DOCX: "docx",
}


def document_attach_to_application(*, actor: Actor, application: Application, upload: UploadedFile) -> Document:
    """Attach to a draft, or — while information is requested — to the open request (sent with the answer)."""
    require(actor, FILE_APPLICATION, action="attach documents to applications")
    checked = _checked(upload)
    with stored_files_removed_on_error() as stored, transaction.atomic():
        application = Application.objects.restrict(actor, "view").select_for_update(of=("self",)).get(pk=application.pk)
        parent: dict[str, Any]
        if application.status == ApplicationStatus.DRAFT:
            parent = {"application": application}
        elif application.status == ApplicationStatus.INFO_REQUESTED:
            request = application.info_requests.filter(answered_at__isnull=True).latest("asked_at")
            parent = {"info_request": request}
        else:
            raise DocumentRefused(
                f"{application} is {application.get_status_display().lower()}: documents are attached to a draft, "
                "or with an answer while the officer has asked for information."
            )
        return _store(actor, parent, application, checked, stored)


def document_attach_to_shipment(*, actor: Actor, shipment: Shipment, upload: UploadedFile) -> Document:
    """Attach to a reported shipment of one of the organisation's licences (evidence, invoices)."""
    require(actor, REPORT_SHIPMENT, action="attach documents to shipments")
    checked = _checked(upload)
    with stored_files_removed_on_error() as stored, transaction.atomic():
        licence = Licence.objects.restrict(actor, "view").select_for_update(of=("self",)).get(pk=shipment.licence_id)
        if licence.status == LicenceStatus.REVOKED:
            raise DocumentRefused(f"Licence {licence.number} is revoked: its shipments take no more documents.")
        shipment = licence.shipments.get(pk=shipment.pk)
        return _store(actor, {"shipment": shipment}, licence, checked, stored)


def checked_uploads(uploads: Sequence[UploadedFile]) -> list[tuple[str, bytes, str]]:
    """Every upload checked (size, kind from the bytes) before anything is stored: the first refusal is a 400."""
    return [_checked(upload) for upload in uploads]


def documents_attach_to_submission(
    *, actor: Actor, submission: ObligationSubmission, checked: list[tuple[str, bytes, str]], stored: list[str]
) -> list[Document]:
    """The files of an obligation report, stored with its submission inside the caller's transaction (the
    submission and its documents are written together or not at all; `stored` collects the files written, for
    `stored_files_removed_on_error`). A submission's documents never change afterwards: nothing attaches later."""
    return [_store(actor, {"obligation_submission": submission}, submission.obligation, c, stored) for c in checked]


def document_for_download(*, actor: Viewer, document: Document) -> Document:
    """The document if `actor` may open it now (SPEC § 6 v2): infected never; pending or unscannable only
    for its uploader; clean, or not scanned where no scanner is configured, for whoever sees the parent."""
    document = Document.objects.restrict(actor, "view").get(pk=document.pk)  # 404 outside the parent's scope
    if document.scan_status == ScanStatus.INFECTED:
        raise DocumentRefused(
            f"{document.name} was found infected ({document.scan_detail}) and is quarantined: it cannot be opened."
        )
    if document.scan_status in (ScanStatus.PENDING, ScanStatus.ERROR) and document.uploaded_by_id != actor.pk:
        raise DocumentRefused(
            f"{document.name} has not been found clean by the malware scan yet "
            f"({document.get_scan_status_display().lower()}): only its uploader may open it until then."
        )
    return document


def document_record_scan(*, document_id: int, verdict: clamd.Verdict) -> Document | None:
    """Record the scanner's verdict on a pending document; a document no longer pending is left as it is."""
    with transaction.atomic():
        document = Document.objects.select_for_update().filter(pk=document_id).first()
        if document is None or document.scan_status != ScanStatus.PENDING:
            return document  # already decided (a retry, a second worker): nothing to do
        document.scan_status = ScanStatus.INFECTED if verdict.infected else ScanStatus.CLEAN
        document.scan_detail = verdict.signature[:200]
        document.scanned_at = timezone.now()
        document.save(update_fields=["scan_status", "scan_detail", "scanned_at"])
        audit_record(
            actor=None,
            verb="document.infected" if verdict.infected else "document.scanned",
            target=document,
            payload={"name": document.name, "scan_status": document.scan_status, "signature": verdict.signature},
        )
    return document


def document_scan_failed(*, document_id: int, error: str) -> None:
    """The scan's last attempt failed: the document stays closed to all but its uploader, marked so for staff."""
    with transaction.atomic():
        document = Document.objects.select_for_update().filter(pk=document_id).first()
        if document is None or document.scan_status != ScanStatus.PENDING:
            return
        document.scan_status, document.scan_detail = ScanStatus.ERROR, error[:200]
        document.save(update_fields=["scan_status", "scan_detail"])
        audit_record(actor=None, verb="document.scan_failed", target=document, payload={"error": error[:200]})


def _checked(upload: UploadedFile) -> tuple[str, bytes, str]:
    """The upload's name, bytes and sniffed type; a ValidationError (400) before anything is stored."""
    base = (upload.name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in base if char.isprintable()).strip()[:200] or "document"  # a safe header value
    limit = settings.DOCUMENT_MAX_BYTES
    if upload.size is None or upload.size > limit:
        size = f"{upload.size / 1024 / 1024:.2f} MB ({upload.size:,} bytes)" if upload.size else "too large"
        raise ValidationError(
            {"file": f"{name} is {size}: the largest file accepted is {limit // 1024 // 1024} MB ({limit:,} bytes)."}
        )
    upload.seek(0)
    content = upload.read(limit + 1)
    if len(content) > limit:  # the size the client declared was not the size it sent
        raise ValidationError({"file": f"{name} is over {limit // 1024 // 1024} MB: the largest file accepted."})
    if not content:
        raise ValidationError({"file": f"{name} is empty."})
    content_type = filetypes.sniff(content, name)
    if content_type is None:
        raise ValidationError(
            {"file": f"{name} is not a file of an accepted kind ({filetypes.ACCEPTED_LABEL}), judged from its content."}
        )
    return name, content, content_type


@contextmanager
def stored_files_removed_on_error() -> Iterator[list[str]]:
    """Files stored inside the block are deleted again if it raises (its transaction rolled back): no file
    without its row. (A rollback of an enclosing transaction after this returned leaves an orphan file with no
    row, which nothing can reach.)"""
    stored: list[str] = []
    try:
        yield stored
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise


def _store(
    actor: Actor,
    parent: dict[str, Any],
    audited: models.Model,
    upload: tuple[str, bytes, str],
    stored: list[str],
) -> Document:
    """Write the file through the storage API, then its row and the audit event; the scan after commit."""
    name, content, content_type = upload
    scanning = clamd.configured()
    key = f"{secrets.token_hex(16)}.{_EXTENSIONS[content_type]}"
    document = Document(
        **parent,
        storage_key=key,
        name=name,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content_type=content_type,
        uploaded_by=actor,
        uploaded_at=timezone.now(),
        scan_status=ScanStatus.PENDING if scanning else ScanStatus.NOT_SCANNED,
    )
    document.file.save(key, ContentFile(content), save=False)
    stored.append(str(document.file.name))
    document.save()
    audit_record(
        actor=actor,
        verb="document.uploaded",
        target=audited,
        payload={
            "document": document.pk,
            "name": name,
            "size": document.size,
            "sha256": document.sha256,
            "content_type": content_type,
            "attached_to": _parent_label(document),
        },
    )
    if scanning:
        from licensing.tasks import scan_document  # the task module imports these services

        enqueue_on_commit(scan_document, document.pk)
    logger.info("Document %s (%s, %d bytes, %s) stored", document.pk, name, document.size, document.scan_status)
    return document


def _parent_label(document: Document) -> str:
    if document.info_request_id:
        return f"answer to the request of {document.info_request.asked_at:%Y-%m-%d}"  # type: ignore[union-attr]
    if document.shipment_id:
        return f"shipment of {document.shipment.shipped_on}"  # type: ignore[union-attr]
    if document.obligation_submission_id:
        return f"obligation report {document.obligation_submission_id}"
    return "application"
