"""The exporter's side of an application: draft, submit, answer, withdraw."""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from agreements.models import Country
from licensing import determination as engine
from licensing import selectors
from licensing.choices import PartyRole
from licensing.errors import NoLicenceRequired, NotControlled
from licensing.models import Application, ApplicationLine, Party
from licensing.services.numbers import next_acn
from licensing.services.status import changing_status
from licensing.workflow import APPLICATION
from portal.permissions import Actor
from portal.selectors import user_organisation_id
from portal.services import audit_record

REVIEW_DAYS = 90


def lock_application(actor: Actor, application_id: int) -> Application:
    """Re-read the application in the actor's scope, locked for the rest of the transaction (404 outside)."""
    return Application.objects.restrict(actor, "view").select_for_update(of=("self",)).get(pk=application_id)


def _write_parties(application: Application, parties: dict[str, Any]) -> None:
    consignee = parties.get("ultimate_consignee")
    if not consignee or not (consignee.get("name") or "").strip():
        raise ValidationError({"parties": "Name the ultimate consignee (name, address, country)."})
    rows = [Party(application=application, role=PartyRole.ULTIMATE_CONSIGNEE, **consignee)]
    if parties.get("purchaser"):
        rows.append(Party(application=application, role=PartyRole.PURCHASER, **parties["purchaser"]))
    rows += [
        Party(application=application, role=PartyRole.INTERMEDIATE_CONSIGNEE, **party)
        for party in parties.get("intermediate_consignees") or []
    ]
    for party in parties.get("end_users") or []:
        rows.append(Party(application=application, role=PartyRole.END_USER, **party))
    for row in rows:
        if not row.name.strip():
            raise ValidationError({"parties": f"Every {row.get_role_display().lower()} needs a name."})
        if row.role == PartyRole.END_USER and row.hq_country_id is None:
            row.hq_country_id = row.country_id
    Party.objects.bulk_create(rows)


def _write_lines(application: Application, items: list[dict[str, Any]]) -> None:
    if not items:
        raise ValidationError({"items": "Add at least one line (product and quantity)."})
    products = [item["product"] for item in items]
    if len({p.pk for p in products}) != len(products):
        raise ValidationError({"items": "Each product appears on one line only; add up the quantities."})
    ApplicationLine.objects.bulk_create(
        [
            ApplicationLine(
                application=application,
                product=item["product"],
                quantity=item["quantity"],
                unit_price_usd=item.get("unit_price_usd") or 0,
            )
            for item in items
        ]
    )


def application_create(
    *,
    actor: Actor,
    destination: Country,
    end_use_category: str,
    end_use: str,
    parties: dict[str, Any],
    items: list[dict[str, Any]],
) -> Application:
    """A draft application for the actor's organisation."""
    organisation_id = user_organisation_id(actor)
    if organisation_id is None or not actor.has_perm(APPLICATION.get("edit").permission):
        raise PermissionDenied("Only an exporter of an organisation files applications.")
    with transaction.atomic():
        application = Application(
            organisation_id=organisation_id,
            created_by=actor,
            destination=destination,
            end_use_category=end_use_category,
            end_use=end_use.strip(),
        )
        application.full_clean(exclude=["created_by", "organisation"])
        application.save()
        _write_parties(application, parties)
        _write_lines(application, items)
        audit_record(actor=actor, verb="application.created", target=application, payload=_summary(application))
    return application


def application_update(*, actor: Actor, application: Application, **changes: Any) -> Application:
    """Change a draft: scalar fields, and parties or items wholesale when given."""
    with transaction.atomic():
        application = lock_application(actor, application.pk)
        with changing_status(application, "edit", actor=actor) as change:
            for name in ("destination", "end_use_category", "end_use"):
                if name in changes:
                    setattr(application, name, changes[name])
            application.full_clean(exclude=["created_by", "organisation"])
            application.save()
            if "parties" in changes:
                application.parties.all().delete()
                _write_parties(application, changes["parties"])
            if "items" in changes:
                application.lines.all().delete()
                _write_lines(application, changes["items"])
            change.payload = _summary(application)
    return application


def _summary(application: Application) -> dict[str, Any]:
    return {
        "destination": application.destination_id,
        "end_use_category": application.end_use_category,
        "items": [{"product": line.product_id, "quantity": line.quantity} for line in application.lines.all()],
    }


def application_submit(*, actor: Actor, application: Application) -> Application:
    """Freeze the application and its determination, give it an ACN and start the 90-day clock."""
    with transaction.atomic():
        application = lock_application(actor, application.pk)
        with changing_status(application, "submit", actor=actor) as change:
            now = timezone.now()
            result = selectors.determine(selectors.application_request(application, at=now))
            if result.outcome == engine.Outcome.NOT_CONTROLLED:
                raise NotControlled("Not controlled: no licence or notification is needed for these items.")
            if result.outcome == engine.Outcome.NO_LICENCE_REQUIRED:
                raise NoLicenceRequired(f"No licence is required for this export: {result.reasons[-1].text}")
            application.acn = next_acn()
            application.submitted_by, application.submitted_at = actor, now
            application.due_at = now + datetime.timedelta(days=REVIEW_DAYS)
            application.determination = result.as_dict()
            application.requested_tpp = result.requested_tpp
            application.allotment_id = result.allotment_id
            request = selectors.application_request(application, at=now)
            application.consignee_key = engine.normalise_name(request.consignee)
            change.payload = {
                "acn": application.acn,
                "outcome": result.outcome.value,
                "requested_tpp": result.requested_tpp,
            }
    return application


def application_respond(*, actor: Actor, application: Application, answer: str) -> Application:
    """The exporter answers the open request for information; the 90-day clock runs again."""
    if not (answer or "").strip():
        raise ValidationError({"answer": "Write your answer to the officer's question."})
    with transaction.atomic():
        application = lock_application(actor, application.pk)
        with changing_status(application, "respond", actor=actor) as change:
            now = timezone.now()
            request = application.info_requests.filter(answered_at__isnull=True).latest("asked_at")
            request.answer, request.answered_by, request.answered_at = answer.strip(), actor, now
            request.save()
            assert application.due_at and application.paused_at, "an info request pauses a submitted case's clock"
            application.due_at += now - application.paused_at
            application.paused_at = None
            change.payload = {"answer": request.answer}
    return application


def application_withdraw(*, actor: Actor, application: Application, reason: str = "") -> Application:
    with transaction.atomic():
        application = lock_application(actor, application.pk)
        with changing_status(application, "withdraw", actor=actor) as change:
            application.paused_at = None
            change.payload = {"from": change.previous, "reason": reason}
    return application
