"""What a licence owes after it is issued (SPEC § 2 "Obligation", § 4 "Obligations"): created when the licence is
issued (reports on the terms' cadence until expiry) and when a shipment is reported (the programme's evidence; a
revenue share or duty on its invoice value); submitted by the exporter, accepted or rejected by an officer."""

import calendar
import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from agreements import selectors as agreements_selectors
from agreements.choices import ReportingCadence
from agreements.models import Allotment, TermsVersion
from licensing.choices import LevyBasis, ObligationKind
from licensing.errors import ShipmentRefused
from licensing.models import Licence, Obligation, ObligationSubmission, Shipment
from licensing.services import documents
from licensing.services.status import changing_status
from portal.permissions import Actor

# The months a report covers, by the terms' reporting cadence (agreements.choices.ReportingCadence).
CADENCE_MONTHS = {
    ReportingCadence.MONTHLY: 1,
    ReportingCadence.QUARTERLY: 3,
    ReportingCadence.SEMIANNUAL: 6,
    ReportingCadence.ANNUAL: 12,
}

CENT = Decimal("0.01")


def add_months(day: datetime.date, months: int) -> datetime.date:
    """`day` plus whole months, on the month's last day when it has no such day (31 January + 1 → 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def terms_of(licence: Licence, allotment: Allotment | None = None) -> TermsVersion | None:
    """The agreement terms in force, on the day the licence was issued, for the allotment it drew on (None: it drew
    on no agreement's allotment). `allotment`: the licence's, with its agreement, if the caller read it already."""
    if licence.allotment_id is None:
        return None
    if allotment is None or allotment.pk != licence.allotment_id:
        allotment = Allotment.objects.select_related("agreement").get(pk=licence.allotment_id)
    if allotment.agreement is None:
        return None
    try:
        return agreements_selectors.terms_in_force(allotment.agreement, licence.valid_from)
    except TermsVersion.DoesNotExist:
        return None


def report_schedule(
    valid_from: datetime.date, valid_until: datetime.date, cadence: str
) -> list[tuple[datetime.date, datetime.date]]:
    """The periods a licence reports on, from its first day to its expiry: (start, end) each, the last cut at
    expiry. Each report falls due when its period closes (the day after its end, or the expiry)."""
    months = CADENCE_MONTHS[ReportingCadence(cadence)]
    periods: list[tuple[datetime.date, datetime.date]] = []
    k = 0
    while True:
        start = add_months(valid_from, k * months)
        if start > valid_until:
            return periods
        end = min(add_months(valid_from, (k + 1) * months) - datetime.timedelta(days=1), valid_until)
        periods.append((start, end))
        k += 1


def obligations_on_issue(
    licence: Licence, now: datetime.datetime, *, allotment: Allotment | None = None
) -> list[Obligation]:
    """The report obligations of a licence just issued, on its terms' reporting cadence until expiry (`allotment`:
    the licence's, with its agreement, if the caller read it already)."""
    terms = terms_of(licence, allotment)
    if terms is None or not terms.reporting_cadence:
        return []
    source = f"{terms.agreement.reference} terms v{terms.version} ({terms.get_reporting_cadence_display().lower()})"
    rows = [
        Obligation(
            licence=licence,
            kind=ObligationKind.REPORT,
            period_start=start,
            period_end=end,
            due_on=min(end + datetime.timedelta(days=1), licence.valid_until),
            description=f"Report on the licence's use, {start} to {end}.",
            source=source,
            created_at=now,
        )
        for start, end in report_schedule(licence.valid_from, licence.valid_until, terms.reporting_cadence)
    ]
    return Obligation.objects.bulk_create(rows)


def revenue_shares(licence: Licence) -> list[dict[str, Any]]:
    """What each shipment on the licence owes as a percentage of its invoice value: the programme's revenue share or
    duty, and the agreement terms' `revenue_share_percent` (each with its source)."""
    shares = []
    version = licence.programme_version
    if version is not None and version.levy_percent is not None:
        shares.append(
            {"basis": version.levy_basis, "percent": version.levy_percent, "source": version.programme.citation}
        )
    terms = terms_of(licence)
    if terms is not None and terms.revenue_share_percent:
        shares.append(
            {
                "basis": LevyBasis.REVENUE_SHARE,
                "percent": terms.revenue_share_percent,
                "source": f"{terms.agreement.reference} terms v{terms.version}",
            }
        )
    return shares


def check_invoice_value(licence: Licence, invoice_value_usd: Decimal | None) -> list[dict[str, Any]]:
    """The revenue shares a shipment will owe; a 400 when one applies and no invoice value was given."""
    shares = revenue_shares(licence)
    if shares and invoice_value_usd is None:
        owed = "; ".join(f"{_percent(s['percent'])} % ({s['source']})" for s in shares)
        raise ValidationError(
            {"invoice_value_usd": f"Give the shipment's invoice value in USD: {licence.number} owes {owed} of it."}
        )
    return shares


def obligations_on_shipment(
    licence: Licence,
    shipment: Shipment,
    actor: Actor,
    shares: list[dict[str, Any]],
    now: datetime.datetime,
) -> list[Obligation]:
    """A shipment's obligations: the programme's evidence (submitted at once when the shipment names it) and each
    revenue share or duty, percent × invoice value, due the policy's `revenue_share_due_days` after shipment (30
    by default, SPEC § 2 Obligation); the evidence on the same footing (the spec gives it no other date)."""
    due = shipment.shipped_on + datetime.timedelta(days=agreements_selectors.policy_in_force().revenue_share_due_days)
    created = []
    version = licence.programme_version
    if version is not None and version.shipment_evidence:
        evidence = Obligation.objects.create(
            licence=licence,
            kind=ObligationKind.SHIPMENT_EVIDENCE,
            shipment=shipment,
            due_on=due,
            description=version.shipment_evidence,
            source=version.programme.citation,
            created_at=now,
        )
        if shipment.evidence_reference:
            _submit(evidence, actor, now, reference=shipment.evidence_reference)
        created.append(evidence)
    for share in shares:
        assert shipment.invoice_value_usd is not None  # check_invoice_value refused the shipment otherwise
        amount = (shipment.invoice_value_usd * share["percent"] / 100).quantize(CENT)
        what = "duty" if share["basis"] == LevyBasis.DUTY else "revenue share"
        created.append(
            Obligation.objects.create(
                licence=licence,
                kind=ObligationKind.REVENUE_SHARE,
                basis=share["basis"],
                percent=share["percent"],
                shipment=shipment,
                amount_usd=amount,
                due_on=due,
                description=(
                    f"{_percent(share['percent'])} % {what} on the shipment of {shipment.shipped_on} "
                    f"(invoice USD {shipment.invoice_value_usd:,.2f}): USD {amount:,.2f}."
                ),
                source=share["source"],
                created_at=now,
            )
        )
    return created


def _percent(value: Decimal) -> str:
    return f"{value.normalize():f}"


def check_no_overdue(licence: Licence, today: datetime.date) -> None:
    """Refuse a shipment (409) while the licence has an obligation overdue by more than the grace days."""
    grace = agreements_selectors.policy_in_force().grace_days
    overdue = Obligation.objects.filter(licence=licence).overdue(today, grace_days=grace).first()
    if overdue is not None:
        raise ShipmentRefused(
            f"Licence {licence.number} takes no new shipments: obligation {overdue.pk} "
            f"({overdue.get_kind_display().lower()}, due {overdue.due_on}) is overdue by more than the "
            f"{grace} grace days. Submit it first.",
            obligation=overdue.pk,
        )


# The use cases


def lock_obligation(actor: Actor, obligation_id: int) -> Obligation:
    return (
        Obligation.objects.restrict(actor, "view")
        .select_for_update(of=("self",))
        .select_related("licence")
        .get(pk=obligation_id)
    )


def _submit(
    obligation: Obligation,
    actor: Actor,
    now: datetime.datetime,
    *,
    text: str = "",
    reference: str = "",
    amount_paid_usd: Decimal | None = None,
    files: tuple[list[tuple[str, bytes, str]], list[str]] | None = None,
) -> ObligationSubmission:
    """Record a submission (with its documents: `files` = the checked uploads and the list of stored names)."""
    payload: dict[str, Any] = {"text": text, "reference": reference}
    if amount_paid_usd is not None:
        payload["amount_paid_usd"] = str(amount_paid_usd)
    with changing_status(obligation, "submit", actor=actor, payload=payload) as change:
        submission = ObligationSubmission.objects.create(
            obligation=obligation,
            submitted_by=actor,
            submitted_at=now,
            text=text,
            reference=reference,
            amount_paid_usd=amount_paid_usd,
        )
        obligation.decision_reason = ""
        change.payload["submission"] = submission.pk
        if files is not None and files[0]:
            checked, stored = files
            attached = documents.documents_attach_to_submission(
                actor=actor, submission=submission, checked=checked, stored=stored
            )
            change.payload["documents"] = [{"id": d.pk, "name": d.name, "sha256": d.sha256} for d in attached]
    return submission


def obligation_submit(
    *,
    actor: Actor,
    obligation: Obligation,
    text: str = "",
    reference: str = "",
    files: Sequence[UploadedFile] = (),
) -> Obligation:
    """The exporter's report or evidence against an open (or rejected) obligation: a text, a reference or files
    (any of them), the files checked before anything is written and stored with the submission, never changed."""
    text, reference = text.strip(), reference.strip()
    if not (text or reference or files):
        raise ValidationError(
            {"text": "Say what you submit: the report's text, the evidence's reference, or attach the documents."}
        )
    checked = documents.checked_uploads(files)
    with documents.stored_files_removed_on_error() as stored, transaction.atomic():
        obligation = lock_obligation(actor, obligation.pk)
        if obligation.kind == ObligationKind.REVENUE_SHARE:
            raise ValidationError({"amount_paid_usd": "A revenue share is met by a payment: record the payment."})
        _submit(obligation, actor, timezone.now(), text=text, reference=reference, files=(checked, stored))
    return obligation


def obligation_record_payment(
    *,
    actor: Actor,
    obligation: Obligation,
    amount_paid_usd: Decimal,
    reference: str,
    files: Sequence[UploadedFile] = (),
) -> Obligation:
    """The exporter's payment of a revenue share or duty (amount and payment reference, and any proof of payment
    as documents), for an officer to accept."""
    reference = reference.strip()
    if not reference:
        raise ValidationError({"reference": "Give the payment's reference."})
    if amount_paid_usd is None or amount_paid_usd <= 0:
        raise ValidationError({"amount_paid_usd": "Give the amount paid, in USD, above zero."})
    checked = documents.checked_uploads(files)
    with documents.stored_files_removed_on_error() as stored, transaction.atomic():
        obligation = lock_obligation(actor, obligation.pk)
        if obligation.kind != ObligationKind.REVENUE_SHARE:
            raise ValidationError({"amount_paid_usd": "Only a revenue share or duty is met by a payment."})
        _submit(
            obligation,
            actor,
            timezone.now(),
            reference=reference,
            amount_paid_usd=amount_paid_usd,
            files=(checked, stored),
        )
    return obligation


def obligation_accept(*, actor: Actor, obligation: Obligation, reason: str = "") -> Obligation:
    with transaction.atomic():
        obligation = lock_obligation(actor, obligation.pk)
        with changing_status(obligation, "accept", actor=actor, payload={"notes": reason.strip()}):
            obligation.decided_by, obligation.decided_at = actor, timezone.now()
            obligation.decision_reason = reason.strip()
    return obligation


def obligation_reject(*, actor: Actor, obligation: Obligation, reason: str) -> Obligation:
    """Refuse what was submitted, with a reason: the exporter submits again (the obligation stays owed)."""
    with transaction.atomic():
        obligation = lock_obligation(actor, obligation.pk)
        with changing_status(obligation, "reject", actor=actor, reason=reason, payload={"reason": reason.strip()}):
            obligation.decided_by, obligation.decided_at = actor, timezone.now()
            obligation.decision_reason = reason.strip()
    return obligation
