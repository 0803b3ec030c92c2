"""Licences after issue: shipments against them, suspension, revocation and expiry (releasing quota)."""

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agreements import services as agreements_services
from licensing import determination as engine
from licensing.choices import LicenceStatus, PartyRole
from licensing.errors import ShipmentRefused
from licensing.models import Licence, LicenceLine, Shipment, ShipmentLine
from licensing.services.obligations import check_invoice_value, check_no_overdue, obligations_on_shipment
from licensing.services.status import changing_status, set_status
from portal.errors import InvalidTransition
from portal.permissions import Actor


def lock_licence(actor: Actor | None, licence_id: int) -> Licence:
    licences = Licence.objects.restrict(actor, "view") if actor is not None else Licence.objects.all()
    return licences.select_for_update(of=("self",)).get(pk=licence_id)


def shipment_report(
    *,
    actor: Actor,
    licence: Licence,
    shipped_on: datetime.date,
    items: list[dict[str, Any]],
    evidence_reference: str = "",
    invoice_value_usd: Decimal | None = None,
) -> Shipment:
    """Record a shipment; never beyond the approved quantity of a line, never while an obligation of the licence is
    overdue past the grace days. Fully shipped → exhausted. `evidence_reference` names the evidence the licence's
    programme asks of each shipment (e.g. a test report); `invoice_value_usd` is what a revenue share or duty is
    reckoned on (required when one applies). The shipment's obligations are created with it."""
    with transaction.atomic():
        licence = lock_licence(actor, licence.pk)
        if licence.status == LicenceStatus.SUSPENDED:
            raise ShipmentRefused(f"Licence {licence.number} is suspended: it takes no shipments until reinstated.")
        check_no_overdue(licence, timezone.localdate())
        shares = check_invoice_value(licence, invoice_value_usd)
        payload: dict[str, Any] = {
            "shipped_on": shipped_on.isoformat(),
            "items": {str(k): v for k, v in _counts(items).items()},
        }
        if evidence_reference.strip():
            payload["evidence_reference"] = evidence_reference.strip()
        if invoice_value_usd is not None:
            payload["invoice_value_usd"] = str(invoice_value_usd)
        with changing_status(licence, "ship", actor=actor, payload=payload) as change:
            shipment, lines = _record_shipment(licence, actor, shipped_on, items, evidence_reference.strip())
            if invoice_value_usd is not None:
                shipment.invoice_value_usd = invoice_value_usd
                shipment.save(update_fields=["invoice_value_usd"])
            owed = obligations_on_shipment(licence, shipment, actor, shares, timezone.now())
            if owed:
                change.payload["obligations"] = [o.pk for o in owed]
        if all(line.remaining_quantity == 0 for line in lines):
            set_status(licence, "exhaust", actor=None)
    return shipment


def _record_shipment(
    licence: Licence, actor: Actor, shipped_on: datetime.date, items: list[dict[str, Any]], evidence_reference: str
) -> tuple[Shipment, list[LicenceLine]]:
    """The shipment and its lines, never beyond what a line has left; with the licence's lines as they now stand."""
    if not licence.valid_from <= shipped_on <= licence.valid_until:
        raise ValidationError(
            {"shipped_on": f"Ship within the licence's validity, {licence.valid_from} to {licence.valid_until}."}
        )
    if shipped_on > timezone.localdate():
        raise ValidationError({"shipped_on": "A shipment is reported once made: the date cannot be in the future."})
    lines = {line.product_id: line for line in licence.lines.select_related("product")}
    shipment = Shipment.objects.create(
        licence=licence,
        shipped_on=shipped_on,
        reported_by=actor,
        reported_at=timezone.now(),
        evidence_reference=evidence_reference,
    )
    for item in _merge(items):
        line = lines.get(item["product"].pk)
        if line is None:
            raise ValidationError({"items": f"{item['product']} is not licensed on {licence.number}."})
        if item["quantity"] > line.remaining_quantity:
            raise ShipmentRefused(
                f"{line.product}: {item['quantity']:,} exceeds the {line.remaining_quantity:,} still licensed "
                f"on {licence.number} ({line.approved_quantity:,} approved, {line.shipped_quantity:,} shipped)."
            )
        line.shipped_quantity += item["quantity"]
        line.save(update_fields=["shipped_quantity"])
        ShipmentLine.objects.create(shipment=shipment, licence_line=line, quantity=item["quantity"])
    return shipment, list(lines.values())


def _counts(items: list[dict[str, Any]]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for item in items:
        counts[item["product"].pk] = counts.get(item["product"].pk, 0) + item["quantity"]
    return counts


def _merge(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not items:
        raise ValidationError({"items": "List what was shipped: product and quantity."})
    products = {item["product"].pk: item["product"] for item in items}
    return [{"product": products[pid], "quantity": qty} for pid, qty in _counts(items).items()]


def _unshipped_tpp(licence: Licence) -> int:
    return sum(line.remaining_quantity * line.unit_tpp for line in licence.lines.all())


def _release_unshipped(licence: Licence, actor: Actor | None) -> int:
    """Give the unshipped part of the reservation back to the allotment."""
    tpp = min(_unshipped_tpp(licence), licence.reserved_tpp)
    if licence.allotment_id is None or tpp <= 0:
        return 0
    consignee = licence.application.parties.filter(role=PartyRole.ULTIMATE_CONSIGNEE).values_list("name", flat=True)
    agreements_services.allotment_release(
        actor=actor,
        allotment_id=licence.allotment_id,
        tpp=tpp,
        consignee=engine.normalise_name(consignee.first() or ""),
        reference=licence.number,
    )
    return tpp


def _transition(name: str, *, actor: Actor | None, licence: Licence, reason: str = "") -> Licence:
    with transaction.atomic():
        licence = lock_licence(actor, licence.pk)
        with changing_status(licence, name, actor=actor, reason=reason) as change:
            target = change.transition.target
            if target == LicenceStatus.ACTIVE and licence.valid_until < timezone.localdate():
                raise InvalidTransition(
                    f"Licence {licence.number}'s validity ended on {licence.valid_until}: it can no longer be "
                    "reinstated."
                )
            released = _release_unshipped(licence, actor) if target in _RELEASING else 0
            licence.status_reason = reason.strip()
            change.payload = {"from": change.previous, "reason": reason.strip(), "released_tpp": released}
    return licence


_RELEASING = {LicenceStatus.REVOKED, LicenceStatus.EXPIRED}


def licence_suspend(*, actor: Actor, licence: Licence, reason: str) -> Licence:
    return _transition("suspend", actor=actor, licence=licence, reason=reason)


def licence_reinstate(*, actor: Actor, licence: Licence, reason: str) -> Licence:
    return _transition("reinstate", actor=actor, licence=licence, reason=reason)


def licence_revoke(*, actor: Actor, licence: Licence, reason: str) -> Licence:
    return _transition("revoke", actor=actor, licence=licence, reason=reason)


def licences_expire(*, today: datetime.date | None = None) -> list[str]:
    """Expire every active or suspended licence past its validity and release its unshipped quota.
    Idempotent: a second run finds nothing to do."""
    today = today or timezone.localdate()
    due = Licence.objects.filter(
        status__in=[LicenceStatus.ACTIVE, LicenceStatus.SUSPENDED], valid_until__lt=today
    ).values_list("pk", flat=True)
    expired = []
    for licence_id in due:
        with transaction.atomic():
            licence = Licence.objects.select_for_update().get(pk=licence_id)
            if licence.status in (LicenceStatus.ACTIVE, LicenceStatus.SUSPENDED) and licence.valid_until < today:
                expired.append(_transition("expire", actor=None, licence=licence, reason="Validity ended").number)
    return expired
