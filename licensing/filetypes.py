"""Which kind of file an upload is, decided from its bytes (never its name or the browser's claim).

Accepted (SPEC § 2 Document): PDF, PNG, JPEG, plain text, CSV, XLSX and DOCX. Each is recognised by its own
signature: PDF `%PDF-`, PNG its 8-byte signature, JPEG `FF D8 FF`; XLSX and DOCX are ZIP containers (Office
Open XML) whose `[Content_Types].xml` names the workbook or document main part (macro-enabled variants name
another part and are refused); text is valid UTF-8 with no control characters but tab, CR, LF and form feed.
Between plain text and CSV the bytes cannot tell: text whose name ends in `.csv` is CSV. Anything else (an
executable renamed `.pdf`, another archive, an image of another format) is refused. Markup is text too, and is
only ever served as text/plain or text/csv, as an attachment, with `nosniff`: no browser renders it.
"""

from __future__ import annotations

import io
import re
import zipfile

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
TEXT = "text/plain"
CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

ACCEPTED_LABEL = "PDF, PNG, JPEG, plain text, CSV, XLSX or DOCX"

_SIGNATURES = [(b"%PDF-", PDF), (b"\x89PNG\r\n\x1a\n", PNG), (b"\xff\xd8\xff", JPEG)]
_OOXML_MAIN_PARTS = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
}
_TEXT_CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")  # every control character but tab, LF, FF, CR


def sniff(content: bytes, name: str = "") -> str | None:
    """The content type of `content`, or None when it is none of the accepted kinds."""
    for signature, content_type in _SIGNATURES:
        if content.startswith(signature):
            return content_type
    if content.startswith(b"PK\x03\x04"):
        return _office_open_xml(content)
    if _is_text(content):
        return CSV if name.lower().endswith(".csv") else TEXT
    return None


def _office_open_xml(content: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            types = archive.read("[Content_Types].xml").decode("utf-8", "replace")
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, ValueError):
        return None
    for main_part, content_type in _OOXML_MAIN_PARTS.items():
        if f'ContentType="{main_part}"' in types:
            return content_type
    return None


def _is_text(content: bytes) -> bool:
    if not content:
        return False
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return _TEXT_CONTROLS.search(text) is None
