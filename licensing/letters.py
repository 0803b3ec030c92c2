"""Decision letters and licence documents as PDF (SPEC § 4 Letters), rendered with ReportLab.

`letter_facts` reads what a letter says (one place, shared with the exporter's page: lines approved against
requested and why a line was cut); `render_letter` and `render_licence` turn facts into PDF bytes, with no
database access. Stored as documents by licensing/services/letters.py.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from django.db.models import Prefetch, prefetch_related_objects
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from licensing import selectors
from licensing.choices import ApplicationStatus
from licensing.models import Application, ApplicationLine, Licence
from licensing.vocabulary import words
from portal.display import day, when


def _rule_note(rule: str) -> str:
    return f"{words(rule, 'rule')}."


NOT_CONTROLLED = _rule_note("decision.not_controlled")
CUT = _rule_note("decision.approver_cut")
NOT_APPROVED = _rule_note("decision.not_approved")


@dataclass(frozen=True)
class LetterLine:
    product: str
    requested: int
    approved: int | None  # None: the application was not approved
    note: str = ""

    @property
    def cut(self) -> bool:
        """Less approved than requested, for a line that needed a licence (an uncontrolled line is not cut)."""
        return self.approved is not None and self.approved < self.requested and self.note != NOT_CONTROLLED


@dataclass(frozen=True)
class LetterFacts:
    acn: str
    status: str
    status_label: str
    organisation: str
    destination: str
    decided_at: str
    reason: str
    parties: list[tuple[str, str]] = field(default_factory=list)  # (role in words, name and country)
    lines: list[LetterLine] = field(default_factory=list)
    licence_number: str = ""
    conditions: list[str] = field(default_factory=list)
    valid_from: str = ""
    valid_until: str = ""

    @property
    def partial(self) -> bool:
        return any(line.cut for line in self.lines)

    @property
    def decision(self) -> str:
        if self.status == ApplicationStatus.APPROVED:
            return "Approved in part" if self.partial else "Approved in full"
        return self.status_label


def letter_lines(application: Application, licence: Licence | None) -> list[LetterLine]:
    """Each requested line with the quantity approved (0 when cut out) and why a line was cut. The lines as the
    caller read them with their products (the application's page does), else read here."""
    prefetch_related_objects(
        [application], Prefetch("lines", queryset=ApplicationLine.objects.select_related("product").order_by("id"))
    )
    approved = {line.product_id: line.approved_quantity for line in licence.lines.all()} if licence else {}
    controlled = selectors.controlled_product_ids(application) if licence else set()
    limits = {reason.get("rule", "") for reason in (application.determination or {}).get("reasons") or []}
    proposed = application.recommended_quantities or {}
    result = []
    for line in application.lines.all():
        if licence is None:
            result.append(LetterLine(str(line.product), line.quantity, None))
            continue
        quantity = approved.get(line.product_id, 0)
        note = ""
        if line.product_id not in approved:
            note = NOT_CONTROLLED if line.product_id not in controlled else _cut_reason(line, 0, proposed, limits)
        elif quantity < line.quantity:
            note = _cut_reason(line, quantity, proposed, limits)
        result.append(LetterLine(str(line.product), line.quantity, quantity, note))
    return result


def _cut_reason(line, approved: int, proposed: dict[str, int], limits: set[str]) -> str:
    """Why a line got less than requested, as its rule's words: the officer's proposal when the approval took it;
    else a party cap or the allotment the determination found short; else the approving official's own cut."""
    if proposed.get(str(line.product_id)) == approved:
        return _rule_note("decision.officer_proposal")
    if any(rule.endswith(".party_cap_exhausted") for rule in limits):
        return _rule_note("decision.party_cap")
    if any(rule.endswith(("allocation_exhausted", "allotment_exhausted")) for rule in limits):
        return _rule_note("decision.allotment_remaining")
    return NOT_APPROVED if approved == 0 else CUT


def letter_facts(application: Application) -> LetterFacts:
    licence = Licence.objects.filter(application=application).first()
    parties = [
        (words(p.role, "party_role"), f"{p.name} ({p.country_id})")
        for p in application.parties.select_related("country").order_by("id")
    ]
    return LetterFacts(
        acn=application.acn or f"draft {application.pk}",
        status=application.status,
        status_label=application.get_status_display(),
        organisation=str(application.organisation),
        destination=str(application.destination),
        decided_at=when(application.decided_at),
        reason=application.decision_reason,
        parties=parties,
        lines=letter_lines(application, licence),
        licence_number=licence.number if licence else "",
        conditions=list(licence.conditions) if licence else [],
        valid_from=day(licence.valid_from) if licence else "",
        valid_until=day(licence.valid_until) if licence else "",
    )


def _table(rows: list[list[str]], header: bool = True) -> Table:
    table = Table(rows, hAlign="LEFT", repeatRows=1 if header else 0)
    style = [("VALIGN", (0, 0), (-1, -1), "TOP"), ("GRID", (0, 0), (-1, -1), 0.25, colors.grey)]
    if header:
        style.append(("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"))
    table.setStyle(TableStyle(style))
    return table


def _body(facts: LetterFacts, title: str) -> list[Flowable]:
    styles = getSampleStyleSheet()
    text, heading = styles["BodyText"], styles["Heading2"]
    story: list[Flowable] = [Paragraph(title, styles["Title"])]
    summary = [
        ["Application control number", facts.acn],
        ["Applicant", facts.organisation],
        ["Destination", facts.destination],
        ["Decision", facts.decision],
        ["Decided", facts.decided_at],
    ]
    if facts.licence_number:
        summary += [["Licence number", facts.licence_number], ["Valid", f"{facts.valid_from} to {facts.valid_until}"]]
    story += [_table(summary, header=False), Spacer(1, 4 * mm)]
    if facts.parties:
        story += [Paragraph("Parties", heading), _table([["Role", "Party"], *map(list, facts.parties)])]
    story.append(Paragraph("Lines", heading))
    if facts.licence_number:
        rows = [["Product", "Requested", "Approved", "Note"]]
        rows += [[ln.product, f"{ln.requested:,}", f"{ln.approved or 0:,}", ln.note] for ln in facts.lines]
    else:
        rows = [["Product", "Requested"], *([ln.product, f"{ln.requested:,}"] for ln in facts.lines)]
    story.append(_table([[Paragraph(cell, text) for cell in row] for row in rows]))
    if facts.licence_number:
        story.append(Paragraph("Conditions", heading))
        story += [Paragraph(f"{n}. {c}", text) for n, c in enumerate(facts.conditions, 1)] or [Paragraph("None.", text)]
    if facts.reason:
        story += [Paragraph("Reason", heading), Paragraph(facts.reason, text)]
    return story


def _pdf(story: list[Flowable], title: str) -> bytes:
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, title=title, author="G2G export-agreements portal", invariant=True, pageCompression=0
    )
    document.build(story)
    return buffer.getvalue()


def render_letter(facts: LetterFacts) -> bytes:
    """The decision letter: approved (in whole or part), denied or returned without action."""
    title = f"Decision on application {facts.acn}: {facts.decision}"
    return _pdf(_body(facts, title), title)


def render_licence(facts: LetterFacts) -> bytes:
    """The licence document: number, parties, lines approved, conditions and validity."""
    title = f"Export licence {facts.licence_number}"
    return _pdf(_body(facts, title), title)
