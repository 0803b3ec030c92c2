"""The exporter's side of an application: draft, submit, answer, withdraw."""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from agreements.models import Country
from agreements.party_matching import PartyRef
from agreements.party_services import party_file
from licensing import determination as engine
from licensing import selectors
from licensing.choices import PartyRole
from licensing.errors import NoLicenceRequired, NotControlled
from licensing.models import (
    Application,
    ApplicationLine,
    ApplicationParty,
    CertificationAffirmation,
    Declaration,
    DeclarationText,
)
from licensing.services.numbers import next_acn
from licensing.services.status import changing_status
from licensing.workflow import APPLICATION
from portal.errors import InvalidTransition
from portal.permissions import Actor, allowed
from portal.selectors import user_organisation_id
from portal.services import audit_record

REVIEW_DAYS = 90


def lock_application(actor: Actor, application_id: int) -> Application:
    """Re-read the application in the actor's scope, locked for the rest of the transaction (404 outside), with
    the exporter users a transition's message goes to (notices.announce)."""
    return (
        Application.objects.restrict(actor, "view")
        .select_related("submitted_by", "created_by")
        .select_for_update(of=("self",))
        .get(pk=application_id)
    )


def _link(application: Application, role: str, value: Any, *, actor: Actor) -> ApplicationParty:
    """The register party (matched or entered) in a role, with what was filed for it."""
    try:
        ref = PartyRef.coerce(value)
    except (TypeError, ValueError) as error:
        raise ValidationError(
            {"parties": "Give each party as an id or its details (name, address, country)."}
        ) from error
    if ref is None or (ref.id is None and not ref.key):
        raise ValidationError({"parties": f"Every {PartyRole(role).label.lower()} needs a name."})
    try:
        resolved = party_file(
            actor=actor,
            ref=ref,
            default_country=application.destination_id,
            via="application",
            visible=selectors.parties_visible_to(actor),
        )
    except ValidationError as error:
        raise ValidationError({"parties": f"{PartyRole(role).label}: {'; '.join(error.messages)}"}) from error
    party = resolved.party
    assert party is not None, "filing matches or enters a register party"
    return ApplicationParty(
        application=application,
        role=role,
        party=party,
        name=ref.name or party.name,
        address=ref.address or party.address,
        country_id=party.country_id,
        hq_country_id=ref.hq_country,  # as declared; the register's headquarters count as well
    )


def _write_parties(application: Application, parties: dict[str, Any], *, actor: Actor) -> None:
    consignee = parties.get("ultimate_consignee")
    if not consignee or (isinstance(consignee, dict) and not (consignee.get("name") or consignee.get("id"))):
        raise ValidationError({"parties": "Name the ultimate consignee (name, address, country)."})
    rows = [_link(application, PartyRole.ULTIMATE_CONSIGNEE, consignee, actor=actor)]
    if parties.get("purchaser"):
        rows.append(_link(application, PartyRole.PURCHASER, parties["purchaser"], actor=actor))
    rows += [
        _link(application, PartyRole.INTERMEDIATE_CONSIGNEE, party, actor=actor)
        for party in parties.get("intermediate_consignees") or []
    ]
    rows += [_link(application, PartyRole.END_USER, party, actor=actor) for party in parties.get("end_users") or []]
    ApplicationParty.objects.bulk_create(rows)


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
    export_from: Country | None = None,
    name: str = "",
) -> Application:
    """A draft application for the actor's organisation (exported from the US unless `export_from` says), with
    the exporter's optional own `name` for it."""
    organisation_id = user_organisation_id(actor)
    if organisation_id is None or not allowed(actor, APPLICATION.get("edit").permission):
        raise PermissionDenied("Only an exporter of an organisation files applications.")
    with transaction.atomic():
        application = Application(
            organisation_id=organisation_id,
            created_by=actor,
            destination=destination,
            export_from_id=export_from.code if export_from else engine.UNITED_STATES,
            end_use_category=end_use_category,
            end_use=end_use.strip(),
            name=name.strip(),
        )
        application.full_clean(exclude=["created_by", "organisation"])
        application.save()
        _write_parties(application, parties, actor=actor)
        _write_lines(application, items)
        audit_record(actor=actor, verb="application.created", target=application, payload=_summary(application))
    return application


def application_update(*, actor: Actor, application: Application, **changes: Any) -> Application:
    """Change a draft: scalar fields, and parties or items wholesale when given."""
    with transaction.atomic():
        application = lock_application(actor, application.pk)
        with changing_status(application, "edit", actor=actor) as change:
            if "export_from" in changes:
                origin = changes["export_from"]
                application.export_from_id = origin.code if origin else engine.UNITED_STATES
            for name in ("name", "destination", "end_use_category", "end_use"):
                if name in changes:
                    setattr(application, name, changes[name])
            application.full_clean(exclude=["created_by", "organisation"])
            application.save()
            if "parties" in changes:
                application.parties.all().delete()
                _write_parties(application, changes["parties"], actor=actor)
            if "items" in changes:
                application.lines.all().delete()
                _write_lines(application, changes["items"])
            change.payload = _summary(application)
    return application


def _summary(application: Application) -> dict[str, Any]:
    return {
        "destination": application.destination_id,
        "export_from": application.export_from_id,
        "end_use_category": application.end_use_category,
        "items": [{"product": line.product_id, "quantity": line.quantity} for line in application.lines.all()],
    }


def _affirm(
    application: Application,
    result: engine.Determination,
    certifications: list[int],
    actor: Actor,
    now: datetime.datetime,
) -> list[int]:
    """Record the exporter's affirmation of every certification of the programme that applies (SPEC § 4 v2
    Submit): who, when, and which text (the certification row of that programme version). Missing → 400 naming
    them, before anything is written."""
    required = result.certifications
    given = set(certifications)
    missing = [c for c in required if c.id not in given]
    if missing:
        assert result.programme is not None
        listed = "; ".join(f"[{c.id}] {c.text}" for c in missing)
        raise ValidationError(
            {
                "certifications": f"{result.programme.name} ({result.programme.citation}) requires the exporter to "
                f"affirm each of its certifications; not affirmed: {listed}"
            }
        )
    CertificationAffirmation.objects.bulk_create(
        CertificationAffirmation(application=application, certification_id=c.id, affirmed_by=actor, affirmed_at=now)
        for c in required
    )
    return [c.id for c in required]


def _declare(application: Application, declared: bool, actor: Actor, now: datetime.datetime) -> DeclarationText:
    """Record the exporter's declaration that the application is true and complete (SPEC § 4 v2 Submit), in the
    wording in effect today; without it → 400 quoting the wording, before anything is written."""
    text = selectors.declaration_in_effect(timezone.localdate(now))
    if declared is not True:
        raise ValidationError(
            {"declaration": f"Declare that the application is true and complete before submitting it: {text.text}"}
        )
    Declaration.objects.create(application=application, text=text, declared_by=actor, declared_at=now)
    return text


def application_submit(
    *,
    actor: Actor,
    application: Application,
    declaration: bool = False,
    certifications: list[int] | None = None,
) -> Application:
    """Freeze the application and its determination, give it an ACN and start the 90-day clock. The exporter
    declares it true and complete (`declaration`; recorded with the wording's version); under a programme, every
    certification it requires is affirmed (`certifications`: their ids) and recorded."""
    with transaction.atomic():
        application = lock_application(actor, application.pk)
        with changing_status(application, "submit", actor=actor) as change:
            now = timezone.now()
            result = selectors.determine(selectors.application_request(application, at=now))
            if result.outcome == engine.Outcome.NOT_CONTROLLED:
                raise NotControlled("Not controlled: no licence or notification is needed for these items.")
            if result.outcome == engine.Outcome.NO_LICENCE_REQUIRED:
                raise NoLicenceRequired(f"No licence is required for this export: {result.reasons[-1].text}")
            text = _declare(application, declaration, actor, now)
            affirmed = _affirm(application, result, certifications or [], actor, now)
            application.programme_version_id = result.programme.version_id if result.programme else None
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
                "declaration_version": text.version,
            }
            if result.programme is not None:
                change.payload |= {"programme": result.programme.citation, "certifications_affirmed": affirmed}
    return application


def application_respond(
    *, actor: Actor, application: Application, answer: str, info_request: int | None = None
) -> Application:
    """The exporter answers the open request for information (`info_request`: its id, to be sure which; a
    withdrawn or already answered one → 409); the 90-day clock runs again."""
    if not (answer or "").strip():
        raise ValidationError({"answer": "Write your answer to the officer's question."})
    with transaction.atomic():
        application = lock_application(actor, application.pk)
        if info_request is not None:
            named = application.info_requests.filter(pk=info_request).first()
            if named is None:
                raise Http404("No such request for information on this application.")
            if named.withdrawn_at is not None:
                raise InvalidTransition(
                    "The officer withdrew this request for information: it needs no answer. "
                    f"Reason given: {named.withdrawal_reason}"
                )
            if named.answered_at is not None:
                raise InvalidTransition("You have already answered this request for information.")
        with changing_status(application, "respond", actor=actor) as change:
            now = timezone.now()
            request = application.info_requests.filter(answered_at__isnull=True, withdrawn_at__isnull=True).latest(
                "asked_at"
            )
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
