"""Deleting a draft, or one of its item or end-user rows (SPEC § 4 v2, issue 15): only a draft, only by its
organisation's filers, audited.

A draft was never sent: it has no ACN, determination or reservation, and nothing outside the organisation refers
to it, so it goes entirely — its lines, parties and supporting documents (rows now, files once the deletion
commits). A submitted application is never deleted: withdraw it instead (409).
"""

from __future__ import annotations

import functools

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404

from licensing.choices import ApplicationStatus, PartyRole
from licensing.models import Application, Document
from licensing.services.applications import lock_application
from licensing.services.status import changing_status
from licensing.workflow import FILE
from portal.errors import InvalidTransition
from portal.permissions import Actor, require
from portal.services import audit_record


def application_delete_draft(*, actor: Actor, application: Application) -> Application:
    """Delete the draft; the deleted instance (its pk None) for the caller's message."""
    require(actor, FILE, action="delete draft applications")
    with transaction.atomic():
        application = lock_application(actor, application.pk)  # another organisation's: not found (404)
        if application.status != ApplicationStatus.DRAFT:
            raise InvalidTransition(
                f"{application} is {application.get_status_display().lower()}: only a draft can be deleted. "
                "A sent application stays on record; withdraw it instead.",
                status=application.status,
            )
        documents = list(Document.objects.filter(application=application))
        audit_record(
            actor=actor,
            verb="application.draft_deleted",
            target=application,
            payload={
                "name": application.name,
                "destination": application.destination_id,
                "items": [{"product": line.product_id, "quantity": line.quantity} for line in application.lines.all()],
                "documents": [document.name for document in documents],
            },
        )
        for document in documents:
            transaction.on_commit(functools.partial(document.file.storage.delete, str(document.file.name)))
            document.delete()
        application.delete()
    return application


def draft_line_remove(*, actor: Actor, application: Application, line_id: int) -> Application:
    """Remove one item line of a draft (not its last: a draft keeps at least one); refused once submitted (409)."""
    with transaction.atomic():
        application = lock_application(actor, application.pk)
        with changing_status(application, "edit", actor=actor) as change:
            line = application.lines.select_related("product").filter(pk=line_id).first()
            if line is None:
                raise Http404("No such item on this draft.")
            if application.lines.count() == 1:
                raise ValidationError({"items": "A draft keeps at least one item: change it, or delete the draft."})
            change.payload = {"removed_items": [{"product": line.product_id, "quantity": line.quantity}]}
            line.delete()
    return application


def draft_end_user_remove(*, actor: Actor, application: Application, party_id: int) -> Application:
    """Remove one end user of a draft (the ultimate consignee stays); refused once submitted (409)."""
    with transaction.atomic():
        application = lock_application(actor, application.pk)
        with changing_status(application, "edit", actor=actor) as change:
            party = application.parties.filter(pk=party_id, role=PartyRole.END_USER).first()
            if party is None:
                raise Http404("No such end user on this draft.")
            change.payload = {"removed_end_user": {"name": party.name, "country": party.country_id}}
            party.delete()
    return application
