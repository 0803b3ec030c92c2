"""The approving official's decision: approve in whole or in part (drawing on the allotment), or deny."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone

from agreements import services as agreements_services
from agreements.errors import AllotmentExhausted, PartyCapExhausted
from agreements.models import Allotment
from agreements.units import h100e
from licensing import determination as engine
from licensing import selectors
from licensing.choices import Recommendation
from licensing.errors import DecisionRefused
from licensing.models import Application, ApplicationLine, Licence, LicenceLine, ProgrammeVersion
from licensing.reference_facts import reference_facts
from licensing.services.applications import lock_application
from licensing.services.letters import render_letters_on_commit
from licensing.services.numbers import next_licence_number
from licensing.services.obligations import obligations_on_issue
from licensing.services.programmes_approval import check_programme_approval, programme_obligations
from licensing.services.status import changing_status
from portal.permissions import Actor
from portal.services import audit_record


def _check_four_eyes(application: Application, actor: Actor) -> None:
    """Refuse with the first of `selectors.decision_blockers`: the rule the admin's offer shows, too."""
    blockers = selectors.decision_blockers(application, actor)
    if blockers:
        first = blockers[0]
        raise getattr(first, "error", DecisionRefused)(str(first))


def _approved_quantities(
    application: Application, items: list[dict[str, Any]] | None, controlled: set[int]
) -> dict[int, int]:
    """Product id → approved quantity: at most the requested quantity, controlled lines only."""
    requested = {line.product_id: line for line in application.lines.all()}
    if items is None:
        return {pid: line.quantity for pid, line in requested.items() if pid in controlled}
    approved: dict[int, int] = {}
    for item in items:
        product, quantity = item["product"], item["quantity"]
        line = requested.get(product.pk)
        if line is None:
            raise ValidationError({"items": f"{product} is not on this application."})
        if product.pk not in controlled:
            raise ValidationError({"items": f"{product} is not controlled: it is never approved or drawn."})
        if quantity > line.quantity:
            raise ValidationError(
                {"items": f"{product}: {quantity:,} approved exceeds the {line.quantity:,} requested."}
            )
        if product.pk in approved:
            raise ValidationError({"items": f"{product} appears twice."})
        approved[product.pk] = quantity
    if not approved:
        raise ValidationError({"items": "Approve at least one controlled line."})
    return approved


def _needs_justification(application: Application, result: engine.Determination) -> list[str]:
    grounds = []
    if result.presumption == engine.Presumption.DENIAL:
        grounds.append("the presumption is denial")
    if application.referrals.filter(recommendation=Recommendation.DENY).exists():
        grounds.append("an agency recommended denial")
    return grounds


def _refuse_unless_licensable(result: engine.Determination) -> None:
    if result.outcome != engine.Outcome.LICENCE_REQUIRED:
        reason = result.reasons[-1].text if result.reasons else ""
        raise DecisionRefused(f"Cannot approve: the determination now is {result.outcome.value}. {reason}".strip())
    if result.requires_allotment and result.allotment_id is None:
        reason = result.reasons[-1].text if result.reasons else ""
        raise DecisionRefused(f"Cannot approve: no allotment applies to this destination today. {reason}".strip())
    remaining = result.allotment_remaining_tpp
    if result.allotment_id is not None and remaining is not None and result.requested_tpp > remaining:
        # A rule, not a presumption: no justification overrides it (the reservation re-checks under its lock).
        cap = next((r for r in result.reasons if r.rule.endswith(".party_cap_exhausted")), None)
        if cap is not None:
            raise PartyCapExhausted(
                f"Cannot approve: {cap.text} Approve less, or wait for quota to be released.", remaining_tpp=remaining
            )
        raise AllotmentExhausted(
            f"Cannot approve: the allotment has {h100e(remaining):,} H100e ({remaining:,} TPP) remaining; "
            f"{h100e(result.requested_tpp):,} H100e requested. Approve less, or wait for quota to be released.",
            remaining_tpp=remaining,
        )


def application_approve(
    *,
    actor: Actor,
    application: Application,
    items: list[dict[str, Any]] | None = None,
    conditions: list[str] | None = None,
    justification: str = "",
) -> Application:
    """Re-determine at decision time (LPP skipped), reserve on the allotment and issue the licence, at once."""
    with transaction.atomic():
        application = lock_application(actor, application.pk)
        # Its lines (with their products) and parties once, for the quantities, the request and the licence lines.
        prefetch_related_objects(
            [application], Prefetch("lines", ApplicationLine.objects.select_related("product__chip")), "parties"
        )
        with changing_status(application, "approve", actor=actor, saves=("decided_by", "decided_at")) as change:
            _check_four_eyes(application, actor)
            now = timezone.now()
            # The lines that count as the frozen determination says (3A090.a/4A090.a and those a programme brought
            # into scope); the re-determination below licenses only those still controlled now.
            approved = _approved_quantities(application, items, selectors.controlled_product_ids(application))
            request = selectors.application_request(application, at=now, quantities=approved, skip_lpp=True)
            selectors.refuse_unclassified(line.product for line in application.lines.all())  # read with the lines
            reference = reference_facts()
            facts, read = selectors.gather_facts_and_allotment(request, products_checked=True, reference=reference)
            result = engine.determine(request, facts)
            _refuse_unless_licensable(result)
            grounds = _needs_justification(application, result)
            if grounds and not (justification or "").strip():
                raise ValidationError(
                    {"justification": f"Approving although {' and '.join(grounds)} needs a justification."}
                )
            version = check_programme_approval(application, result, request, now)
            # As the determination read it, for the licence's report obligations (its agreement, if any, is read
            # then) and the draw (whose UPDATE re-checks its capacity and terms).
            allotment = read if read is not None and read.pk == result.allotment_id else None
            validity = reference.policy_in_force(now).licence_validity_days
            licence = _issue_licence(
                application, actor, result, request, conditions or [], now, validity, version, allotment
            )
            application.decided_by, application.decided_at = actor, now
            change.payload = {
                "licence": licence.number,
                "approved": {str(pid): qty for pid, qty in approved.items()},
                "reserved_tpp": licence.reserved_tpp,
                "allotment": licence.allotment_id,
                "determination": result.as_dict(),
                "justification": (justification or "").strip(),
            }
        render_letters_on_commit(application)  # its task's row is an insert too: written before the lock
        _draw_on_allotment(licence, request, actor, now, allotment, facts.allotment)
    return application


def _issue_licence(
    application: Application,
    actor: Actor,
    result: engine.Determination,
    request: engine.Request,
    extra_conditions: list[str],
    now: datetime.datetime,
    validity_days: int,
    version: ProgrammeVersion | None = None,
    allotment: Allotment | None = None,
) -> Licence:
    number = next_licence_number(now.year)
    conditions = list(dict.fromkeys([*result.conditions, *(c.strip() for c in extra_conditions if c.strip())]))
    licence = Licence.objects.create(
        number=number,
        application=application,
        organisation_id=application.organisation_id,
        conditions=conditions,
        valid_from=now.date(),
        valid_until=now.date() + datetime.timedelta(days=validity_days),
        allotment_id=result.allotment_id,
        reserved_tpp=result.requested_tpp if result.allotment_id is not None else 0,
        programme_version=version,
        obligations=programme_obligations(version),
        issued_by=actor,
        issued_at=now,
    )
    reports = obligations_on_issue(licence, now, allotment=allotment)
    LicenceLine.objects.bulk_create(
        [
            LicenceLine(
                licence=licence, product_id=line.product_id, unit_tpp=line.unit_tpp, approved_quantity=line.quantity
            )
            for line in request.lines
            if line.product_id in result.controlled_products
        ]
    )
    audit_record(
        actor=actor,
        verb="licence.issued",
        target=licence,
        payload={
            "application": application.acn,
            "reserved_tpp": licence.reserved_tpp,
            "conditions": conditions,
            "programme": version.programme.citation if version else None,
            "obligations": licence.obligations,
            "reports_due": [o.due_on.isoformat() for o in reports],
        },
    )
    return licence


def _draw_on_allotment(
    licence: Licence,
    request: engine.Request,
    actor: Actor,
    now: datetime.datetime,
    allotment: Allotment | None,
    determined: engine.AllotmentFacts | None,
) -> None:
    """Reserve the licence's TPP. Called last in the approval, so the allotment row stays locked only for the
    commit: concurrent approvals on one country queue for the shortest time (and never overdraw). `determined`:
    the allotment as the determination read it, whose effective capacity the draw need not work out again."""
    if licence.allotment_id is None:
        return
    agreements_services.allotment_reserve(
        actor=actor,
        allotment_id=licence.allotment_id,
        allotment=allotment,
        tpp=licence.reserved_tpp,
        consignee=engine.normalise_name(request.consignee),
        reference=licence.number,
        at=now,
        party_id=request.consignee_party,
        end_user_ids=request.end_user_parties,
        savepoint=False,  # a refusal fails the whole approval
        capacity=determined.capacity_tpp if determined and determined.id == licence.allotment_id else None,
    )


def application_deny(*, actor: Actor, application: Application, reason: str) -> Application:
    with transaction.atomic():
        application = lock_application(actor, application.pk)
        with changing_status(application, "deny", actor=actor, reason=reason, payload={"reason": reason.strip()}):
            _check_four_eyes(application, actor)
            application.decision_reason = reason.strip()
            application.decided_by, application.decided_at = actor, timezone.now()
        render_letters_on_commit(application)
    return application
