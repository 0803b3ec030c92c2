"""LPP notifications: low-volume exports notified instead of licensed; they draw on no allotment."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from agreements.models import Country
from licensing import determination as engine
from licensing import selectors
from licensing.errors import NotificationRefused
from licensing.models import LppConsigneeYear, LppNotification, LppNotificationLine
from portal.permissions import Actor
from portal.selectors import user_organisation_id
from portal.services import audit_record

_WHY_NOT = {
    engine.Outcome.NOT_CONTROLLED: "Not controlled: no licence or notification is needed for these items.",
    engine.Outcome.PROHIBITED: "Prohibited: the destination or an end user's headquarters is under a comprehensive "
    "embargo (Country Group E:1/E:2).",
    engine.Outcome.NO_LICENCE_REQUIRED: "No licence or notification is required for this export.",
    engine.Outcome.LICENCE_REQUIRED: "Over the LPP threshold for this consignee: apply for a licence instead.",
}


def notification_file(
    *,
    actor: Actor,
    destination: Country,
    consignee: str,
    end_user_hq: list[Country],
    items: list[dict[str, Any]],
) -> LppNotification:
    """Accept a notification only while it is `lpp_eligible`; concurrent ones for a consignee queue on a lock."""
    organisation_id = user_organisation_id(actor)
    if organisation_id is None or not actor.has_perm("licensing.file_notification"):
        raise PermissionDenied("Only an exporter of an organisation files LPP notifications.")
    if not (consignee or "").strip():
        raise ValidationError({"consignee": "Name the ultimate consignee."})
    if not items:
        raise ValidationError({"items": "List the items: product and quantity."})
    with transaction.atomic():
        now = timezone.now()
        key = engine.normalise_name(consignee)
        LppConsigneeYear.objects.get_or_create(consignee_key=key, year=now.year)
        LppConsigneeYear.objects.select_for_update().get(consignee_key=key, year=now.year)
        request = engine.Request(
            destination=destination.code,
            lines=selectors.request_lines(selectors.ItemRequest(i["product"], i["quantity"]) for i in items),
            consignee=consignee,
            end_users=(consignee,),
            end_user_hq=tuple(c.code for c in end_user_hq) or (destination.code,),
            end_use_category="other",
            at=now,
        )
        result = selectors.determine(request)
        if result.outcome != engine.Outcome.LPP_ELIGIBLE:
            restricted = [reason.text for reason in result.reasons if reason.rule in engine.RESTRICTED_RULES]
            why = f"Apply for a licence: {restricted[0]}" if restricted else _WHY_NOT[result.outcome]
            raise NotificationRefused(why, outcome=result.outcome.value)
        notification = LppNotification.objects.create(
            organisation_id=organisation_id,
            submitted_by=actor,
            destination=destination,
            consignee=consignee.strip(),
            consignee_key=key,
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
            payload={"consignee": consignee.strip(), "total_tpp": result.requested_tpp, "year": now.year},
        )
    return notification
