"""Decision letters and licence documents (SPEC § 4 Letters, § 6 v2): rendered once, kept as documents.

A decision (approve, deny, return) enqueues `licensing.tasks.render_letters` on commit; asked for before the task
ran, the letter is rendered on the spot — the same document the task would have written, since both go through
`store_letter`/`store_licence_document`, which lock the parent row and do nothing when the document exists.
Readers are scoped like the parent: an application or licence outside theirs is simply not found (404).
"""

from __future__ import annotations

import hashlib
import logging
import secrets

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from licensing import letters
from licensing.choices import ApplicationStatus, DocumentKind, ScanStatus
from licensing.errors import DocumentRefused
from licensing.models import Application, Document, Licence
from portal.permissions import Viewer
from portal.services import audit_record
from portal.tasks import enqueue_on_commit

logger = logging.getLogger("licensing.letters")

DECIDED = (ApplicationStatus.APPROVED, ApplicationStatus.DENIED, ApplicationStatus.RETURNED)


def render_letters_on_commit(application: Application) -> None:
    """Called by the deciding service inside its transaction: the task runs once the decision commits."""
    from licensing.tasks import render_letters  # the task module imports these services

    enqueue_on_commit(render_letters, application.pk)


def letter_for(*, actor: Viewer, application: Application) -> Document:
    """The decision letter of a decided application the actor sees; rendered now if the task has not run."""
    application = Application.objects.restrict(actor, "view").get(pk=application.pk)
    if application.status not in DECIDED:
        raise DocumentRefused(
            f"{application} is {application.get_status_display().lower()}: a decision letter is written once it "
            "is approved, denied or returned."
        )
    found = Document.objects.filter(application=application, kind=DocumentKind.LETTER).first()
    return found or store_letter(application_id=application.pk)


def licence_document_for(*, actor: Viewer, licence: Licence) -> Document:
    """The licence document of a licence the actor sees; rendered now if the task has not run."""
    licence = Licence.objects.restrict(actor, "view").get(pk=licence.pk)
    found = Document.objects.filter(licence=licence, kind=DocumentKind.LICENCE).first()
    return found or store_licence_document(licence_id=licence.pk)


def store_letter(*, application_id: int) -> Document:
    """Render and keep the decision letter; the existing one when it is already kept (idempotent)."""
    with transaction.atomic():
        application = Application.objects.select_for_update(of=("self",)).get(pk=application_id)
        found = Document.objects.filter(application=application, kind=DocumentKind.LETTER).first()
        if found is not None:
            return found
        if application.status not in DECIDED or application.decided_by_id is None:
            raise DocumentRefused(f"{application} is not decided: it has no decision letter.")
        facts = letters.letter_facts(application)
        content = letters.render_letter(facts)
        name = f"decision-{facts.acn}.pdf"
        return _keep(
            {"application": application}, DocumentKind.LETTER, name, content, application.decided_by_id, application
        )


def store_licence_document(*, licence_id: int) -> Document:
    """Render and keep the licence document; the existing one when it is already kept (idempotent)."""
    with transaction.atomic():
        licence = Licence.objects.select_for_update(of=("self",)).get(pk=licence_id)
        found = Document.objects.filter(licence=licence, kind=DocumentKind.LICENCE).first()
        if found is not None:
            return found
        content = letters.render_licence(letters.letter_facts(licence.application))
        return _keep(
            {"licence": licence},
            DocumentKind.LICENCE,
            f"licence-{licence.number}.pdf",
            content,
            licence.issued_by_id,
            licence,
        )


def _keep(parent: dict[str, object], kind: str, name: str, content: bytes, author_id: int, audited: object) -> Document:
    key = f"{secrets.token_hex(16)}.pdf"
    document = Document(
        **parent,
        kind=kind,
        storage_key=key,
        name=name,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content_type="application/pdf",
        uploaded_by_id=author_id,
        uploaded_at=timezone.now(),
        scan_status=ScanStatus.NOT_SCANNED,  # written by the portal itself, never by a user
    )
    document.file.save(key, ContentFile(content), save=False)
    stored = str(document.file.name)
    try:
        document.save()
        audit_record(
            actor=None,
            verb=f"{kind}.rendered",
            target=audited,  # type: ignore[arg-type]
            payload={"document": document.pk, "name": name, "size": document.size, "sha256": document.sha256},
        )
    except BaseException:
        document.file.storage.delete(stored)
        raise
    logger.info("%s %s rendered (%d bytes, sha256 %s)", kind, name, document.size, document.sha256[:12])
    return document
