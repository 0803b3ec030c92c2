"""LPP notifications: low-volume exports notified instead of licensed; they draw on no allotment."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from agreements.models import Country
from agreements.party_matching import PartyRef
from agreements.party_services import party_file
from licensing import determination as engine
from licensing import selectors
from licensing.errors import NotificationRefused
from licensing.models import LppConsigneeYear, LppNotification, LppNotificationLine
from portal.permissions import Actor, allowed
from portal.selectors import user_organisation_id
from portal.services import audit_record

_WHY_NOT = {
    engine.Outcome.NOT_CONTROLLED: "Not controlled: no licence or notification is needed for these items.",
    engine.Outcome.PROHIBITED: "Prohibited: the destination or an end user's headquarters is under a comprehensive "
    "embargo (Country Group E:1/E:2).",
    engine.Outcome.NO_LICENCE_REQUIRED: "No licence or notification is required for this export.",
    engine.Outcome.LICENCE_REQUIRED: "Over the LPP threshold for this consignee: apply for a licence instead.",
}


def _lpp_considered(result: engine.Determination) -> bool:
    """Whether the regime in force has licence exception LPP at all (its determination weighed it)."""
    return any(reason.rule.endswith(".lpp") for reason in result.reasons)


def notification_file(
    *,
    actor: Actor,
    destination: Country,
    consignee: PartyRef | int | str | dict[str, Any],
    end_user_hq: list[Country] | None = None,
    items: list[dict[str, Any]],
) -> LppNotification:
    """Accept a notification only while it is `lpp_eligible`; concurrent ones for a consignee party (however
    spelt) queue on its lock row. The consignee is a party id, details, or a bare name located in the destination;
    a new one enters the register (and leaves it again if the notification is refused)."""
    organisation_id = user_organisation_id(actor)
    if organisation_id is None or not allowed(actor, "licensing.file_notification"):
        raise PermissionDenied("Only an exporter of an organisation files LPP notifications.")
    ref = PartyRef.coerce(consignee)
    if ref is None or (ref.id is None and not ref.key):
        raise ValidationError({"consignee": "Name the ultimate consignee."})
    if not items:
        raise ValidationError({"items": "List the items: product and quantity."})
    with transaction.atomic():
        now = timezone.now()
        try:
            resolved = party_file(
                actor=actor,
                ref=ref,
                default_country=destination.code,
                via="notification",
                visible=selectors.parties_visible_to(actor),
            )
        except ValidationError as error:
            raise ValidationError({"consignee": error.messages}) from error
        party = resolved.party
        assert party is not None, "filing matches or enters a register party"
        LppConsigneeYear.objects.get_or_create(party=party, year=now.year)
        LppConsigneeYear.objects.select_for_update().get(party=party, year=now.year)
        declared = tuple(c.code for c in end_user_hq or ()) or (destination.code,)
        request = engine.Request(
            destination=destination.code,
            lines=selectors.request_lines(selectors.ItemRequest(i["product"], i["quantity"]) for i in items),
            consignee=resolved.name,
            end_users=(resolved.name,),
            end_user_hq=tuple(dict.fromkeys((*declared, *resolved.declared_hq))),
            end_use_category="other",
            at=now,
            consignee_party=party.pk,
            hq_party_ids=resolved.chain_ids,
        )
        result = selectors.determine(request)
        if result.outcome != engine.Outcome.LPP_ELIGIBLE:
            restricted = [reason.text for reason in result.reasons if reason.rule in engine.RESTRICTED_RULES]
            if not restricted and result.outcome == engine.Outcome.LICENCE_REQUIRED and not _lpp_considered(result):
                restricted = [result.reasons[0].text]  # a regime without LPP (baseline): its requirement says why
            why = f"Apply for a licence: {restricted[0]}" if restricted else _WHY_NOT[result.outcome]
            raise NotificationRefused(why, outcome=result.outcome.value)
        notification = LppNotification.objects.create(
            organisation_id=organisation_id,
            submitted_by=actor,
            destination=destination,
            consignee=resolved.name,
            consignee_key=party.normalised_name,
            consignee_party=party,
            end_user_hq=list(request.end_user_hq),
            year=now.year,
            total_tpp=result.requested_tpp,
            determination=result.as_dict(),
            created_at=now,
        )
        LppNotificationLine.objects.bulk_create(
            [
                LppNotificationLine(notification=notification, product=i["product"], quantity=i["quantity"])
                for i in items
            ]
        )
        audit_record(
            actor=actor,
            verb="notification.filed",
            target=notification,
            payload={
                "consignee": resolved.name,
                "party": party.pk,
                "total_tpp": result.requested_tpp,
                "year": now.year,
            },
        )
    return notification
