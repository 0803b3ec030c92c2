"""Who is told of a licensing event (SPEC § 4 v2 Messages): called by `changing_status` after each move, inside
its transaction, so the message is written with the event it reports (portal.inbox.notify)."""

from typing import Any

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.urls import reverse

from licensing.models import Application, Licence, Obligation, SuspensionProposal
from portal.inbox import notify, users_holding
from portal.permissions import Actor

# What the officer's questions tell the exporter: the subject, and the payload key of the body.
_QUESTIONS = {
    "request_info": ("the licensing officer asks for information", "question"),
    "amend_info_request": ("the licensing officer reworded the question", "question"),
    "withdraw_info_request": ("the licensing officer withdrew the question; no answer is needed", "reason"),
}
_DECISIONS = {"approve": "approved", "deny": "denied", "return": "returned without action"}
_LICENCE_MOVES = {
    "exhaust": "fully shipped (exhausted)",
    "suspend": "suspended",
    "reinstate": "reinstated",
    "revoke": "revoked",
    "expire": "expired",
}


def _exporter(application: Application) -> User | None:
    return application.submitted_by or application.created_by


def _admin_link(application: Application) -> str:
    return reverse("admin:licensing_application_change", args=[application.pk])


def organisation_users(licence: Licence) -> QuerySet[User]:
    """The exporter organisation's users who act on what its licences owe."""
    return users_holding("licensing.submit_obligation").filter(membership__organisation_id=licence.organisation_id)


def _what(obligation: Obligation) -> str:
    return f"{obligation.get_kind_display()} on licence {obligation.licence.number}, due {obligation.due_on}"


def _obligation_link(obligation: Obligation) -> str:
    return reverse("exporter:licence", args=[obligation.licence.number])


def tell_obligation_falls_due(obligation: Obligation) -> None:
    notify(
        organisation_users(obligation.licence),
        about=obligation,
        subject=f"Due today: {_what(obligation)}",
        body=obligation.description,
        link=_obligation_link(obligation),
    )


def tell_obligation_overdue(obligation: Obligation, grace_days: int) -> None:
    notify(
        organisation_users(obligation.licence),
        about=obligation,
        subject=f"Overdue: {_what(obligation)}",
        body=(
            f"{obligation.description} Overdue by more than {grace_days} days, the licence takes no new shipments "
            "and is proposed for suspension."
        ),
        link=_obligation_link(obligation),
    )


def tell_suspension_proposed(proposal: SuspensionProposal) -> None:
    """The approving officials: a licence awaits their confirmation or dismissal in "Overdue obligations"."""
    obligation = proposal.obligation
    notify(
        users_holding("licensing.manage_licence"),
        about=proposal,
        subject=f"Licence {obligation.licence.number} proposed for suspension: obligation overdue",
        body=f"{_what(obligation)}: overdue past the grace days. Confirm the suspension or dismiss it with a reason.",
        link=reverse("admin:licensing_suspensionproposal_change", args=[proposal.pk]),
    )


def _announce_obligation(obligation: Obligation, name: str, actor: Actor | None, payload: dict[str, Any]) -> None:
    if name in ("accept", "reject"):
        verdict = "accepted" if name == "accept" else "rejected"
        notify(
            organisation_users(obligation.licence),
            about=obligation,
            subject=f"{_what(obligation)}: {verdict}",
            body=payload.get("reason", "") or payload.get("notes", ""),
            link=_obligation_link(obligation),
            exclude=actor,
        )
    elif name == "submit" and actor is not None:
        notify(
            users_holding("licensing.review_obligation"),
            about=obligation,
            subject=f"{_what(obligation)}: submitted for review",
            body=payload.get("text", "") or payload.get("reference", ""),
            link=reverse("admin:licensing_obligation_change", args=[obligation.pk]),
            exclude=actor,
        )


def announce(record: object, name: str, actor: Actor | None, payload: dict[str, Any]) -> None:
    """The messages transition `name` on `record` sends, if any."""
    if isinstance(record, Obligation):
        _announce_obligation(record, name, actor, payload)
        return
    if isinstance(record, Licence):
        if name in _LICENCE_MOVES:
            application = record.application
            notify(
                [_exporter(application)],
                about=record,
                subject=f"Licence {record.number} {_LICENCE_MOVES[name]}",
                body=record.status_reason or "",
                link=reverse("exporter:licence", args=[record.number]),
                exclude=actor,
            )
        return
    if not isinstance(record, Application):
        return
    application, case = record, record.acn or f"draft {record.pk}"
    exporter_link = reverse("exporter:application", args=[application.pk])
    if name in _QUESTIONS:
        subject, text = _QUESTIONS[name]
        notify(
            [_exporter(application)],
            about=application,
            subject=f"Application {case}: {subject}",
            body=payload.get(text, ""),
            link=exporter_link,
        )
    elif name in _DECISIONS:
        notify(
            [_exporter(application)],
            about=application,
            subject=f"Application {case} {_DECISIONS[name]}",
            body=payload.get("reason", ""),
            link=exporter_link,
        )
    elif name == "respond":
        notify(
            [application.officer],
            about=application,
            subject=f"Application {case}: the exporter answered your question",
            body=payload.get("answer", ""),
            link=_admin_link(application),
            exclude=actor,
        )
    elif name == "recommend":
        notify(
            users_holding("licensing.decide_application"),
            about=application,
            subject=f"Application {case} awaits your decision",
            body=f"Recommended {payload.get('recommendation', '')}: {payload.get('rationale', '')}",
            link=_admin_link(application),
            exclude=actor,  # the recommending officer never decides
        )
    elif name == "refer":
        codes = payload.get("agencies", [])
        reviewers = users_holding("licensing.review_referral").filter(membership__agency__code__in=codes)
        notify(
            reviewers,
            about=application,
            subject=f"Application {case} referred to your agency",
            body=f"Please recommend by {payload.get('due_at', '')[:10]}.",
            link=_admin_link(application),
        )
