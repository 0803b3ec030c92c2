"""Who is told of a licensing event (SPEC § 4 v2 Messages): called by `changing_status` after each move, inside
its transaction, so the message is written with the event it reports (portal.inbox.notify)."""

from typing import Any

from django.contrib.auth.models import User
from django.urls import reverse

from licensing.models import Application, Licence
from portal.inbox import notify, users_holding
from portal.permissions import Actor

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


def announce(record: object, name: str, actor: Actor | None, payload: dict[str, Any]) -> None:
    """The messages transition `name` on `record` sends, if any (obligations and proposals send none yet)."""
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
    if name == "request_info":
        notify(
            [_exporter(application)],
            about=application,
            subject=f"Application {case}: the licensing officer asks for information",
            body=payload.get("question", ""),
            link=exporter_link,
        )
    elif name == "amend_info_request":
        notify(
            [_exporter(application)],
            about=application,
            subject=f"Application {case}: the licensing officer reworded the question",
            body=payload.get("question", ""),
            link=exporter_link,
        )
    elif name == "withdraw_info_request":
        notify(
            [_exporter(application)],
            about=application,
            subject=f"Application {case}: the licensing officer withdrew the question; no answer is needed",
            body=payload.get("reason", ""),
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
