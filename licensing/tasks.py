"""The case side's background tasks (portal/tasks.py: enqueued on commit, retried, idempotent).

- `scan_document`: stream a pending document to clamd and record the verdict. Run again (a retry, a second
  worker) on a document already decided, it does nothing; when clamd stays unreachable through every attempt,
  the document is marked "scan failed" and stays closed to all but its uploader.
- `compute_impact_run`: the impact of a proposal over every pending application when they are more than
  settings.IMPACT_PREVIEW_SYNC_LIMIT; progress as it goes, then the summary and the CSV; idempotent.
- `render_letters`: after a decision commits, the decision letter (and the licence document of an approval) as
  PDF documents; idempotent, and the download renders on the spot if it has not run yet.

- `mark_overdue_obligations`: the daily obligations job (licensing.services.daily_obligations) as a task, for a
  scheduler that enqueues tasks rather than running commands; idempotent like the command of the same name.

The other daily jobs stay management commands (expire_licences, expire_agreements, apply_amendments), run by cron:
see docs/architecture.md, "Background work".
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterator

from licensing.choices import ScanStatus
from licensing.models import Document, Licence
from licensing.services import documents as document_services
from licensing.services import impact_runs
from licensing.services import letters as letter_services
from licensing.services.overdue import daily_obligations
from portal import clamd
from portal.tasks import retried_task

logger = logging.getLogger("licensing.tasks")


def _scan_gave_up(document_id: int) -> None:
    document_services.document_scan_failed(document_id=document_id, error="clamd did not answer after every attempt")


def _chunks(document: Document) -> Iterator[bytes]:
    with document.file.open("rb") as handle:
        yield from iter(lambda: handle.read(clamd.CHUNK_BYTES), b"")


@retried_task(on_give_up=_scan_gave_up)
def scan_document(document_id: int) -> str:
    """Scan one pending document with clamd; its new scan status."""
    document = Document.objects.filter(pk=document_id).first()
    if document is None or document.scan_status != ScanStatus.PENDING:
        return document.scan_status if document else "missing"
    verdict = clamd.scan_stream(_chunks(document))  # ScannerUnavailable: retried
    document = document_services.document_record_scan(document_id=document_id, verdict=verdict) or document
    logger.info(
        "Scanned document %s (%s, sha256 %s): %s%s",
        document.pk,
        document.name,
        document.sha256[:12],
        document.scan_status,
        f" — {document.scan_detail}" if document.scan_detail else "",
    )
    return str(document.scan_status)


@retried_task()
def render_letters(application_id: int) -> str:
    """Render and keep a decided application's letter, and its licence document when it was approved; run again,
    it finds them kept and does nothing."""
    letter = letter_services.store_letter(application_id=application_id)
    licence = Licence.objects.filter(application_id=application_id).first()
    if licence is not None:
        letter_services.store_licence_document(licence_id=licence.pk)
    return letter.sha256


@retried_task()
def mark_overdue_obligations(today: str | None = None) -> dict[str, int]:
    """The daily obligations job (notices, proposals to suspend, overdue milestones); `today` as YYYY-MM-DD. Run
    twice, the second run finds nothing left to do."""
    run = daily_obligations(today=datetime.date.fromisoformat(today) if today else None)
    return {
        "due": len(run.due),
        "overdue": len(run.overdue),
        "proposals": len(run.proposals),
        "milestones": len(run.milestones),
    }


def _impact_gave_up(run_id: int) -> None:
    impact_runs.impact_run_failed(run_id)


@retried_task(on_give_up=_impact_gave_up)
def compute_impact_run(run_id: int) -> str:
    """The impact of a proposal over every pending application, in the background (licensing.services.impact_runs);
    run again on a finished run, it does nothing."""
    return impact_runs.impact_run_compute(run_id=run_id)
