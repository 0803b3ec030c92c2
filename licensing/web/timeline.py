"""What an exporter may read of an application's audit trail: a fixed list of verbs, worded for them,
with only the payload fields meant for them (never recommendations, referrals or justifications)."""

from dataclasses import dataclass
from datetime import datetime

from portal.selectors import audit_events_for


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    title: str
    detail: str = ""


_EXPORTER_VERBS = {
    "application.created": ("Draft created", None),
    "application.changed": ("Draft changed", None),
    "application.submitted": ("Submitted; Application Control Number {acn}", None),
    "application.review_started": ("Review started by a licensing officer", None),
    "application.review_resumed": ("Review resumed", None),
    "application.info_requested": ("The officer asked for more information", "question"),
    "application.responded": ("You answered", "answer"),
    "application.info_request_amended": ("The officer reworded the question", "question"),
    "application.info_request_withdrawn": ("The officer withdrew the question", "reason"),
    "application.approved": ("Approved: licence {licence}", None),
    "application.denied": ("Denied", "reason"),
    "application.returned": ("Returned without action", "reason"),
    "application.withdrawn": ("Withdrawn", None),
}


def exporter_timeline(application) -> list[TimelineEntry]:
    """Only the events listed above are read, without their actors: the officers' own events (recommendations,
    referrals, with their payloads) never reach the exporter's page, not even to be dropped there."""
    entries = []
    events = (
        audit_events_for(target_type="licensing.application", target_id=application.pk)
        .filter(verb__in=_EXPORTER_VERBS)
        .only("verb", "payload", "created_at")
        .order_by("created_at", "id")
    )
    for event in events:
        title, detail_key = _EXPORTER_VERBS[event.verb]
        payload = event.payload or {}
        entries.append(
            TimelineEntry(
                at=event.created_at,
                title=title.format(acn=payload.get("acn", ""), licence=payload.get("licence", "")),
                detail=str(payload.get(detail_key, "")) if detail_key else "",
            )
        )
    return entries
