"""The one way an application, a licence, an obligation or a suspension proposal changes status (the
django-oscar `set_status` shape).

Given the locked record, the transition's name, the actor (None: the system) and a reason: check the table
(state and permission, licensing.workflow through portal.workflow), set the transition's own target, save, and
record the audit event. Nothing else in licensing assigns `status`.

`changing_status` is the same as a context manager, for a use case that must be allowed before it writes
anything else: the check runs on entry; the move to the target, the save and the audit event on a clean exit,
inside the caller's transaction (a refusal inside rolls everything back). `set_status` is the plain call."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from licensing.models import Application, Licence, Obligation, SuspensionProposal
from licensing.notices import announce
from licensing.workflow import APPLICATION, LICENCE, OBLIGATION, SUSPENSION_PROPOSAL, VERBS
from portal.permissions import Actor
from portal.services import audit_record
from portal.workflow import Transition, Workflow

_WORKFLOWS: dict[type, Workflow] = {
    Application: APPLICATION,
    Licence: LICENCE,
    Obligation: OBLIGATION,
    SuspensionProposal: SUSPENSION_PROPOSAL,
}
Record = Application | Licence | Obligation | SuspensionProposal


@dataclass
class StatusChange:
    """A move under way: the payload its audit event records can be filled in until it is saved."""

    transition: Transition
    previous: str
    payload: dict[str, Any] = field(default_factory=dict)


def workflow_of(record: Record) -> Workflow:
    return _WORKFLOWS[type(record)]


@contextmanager
def changing_status(
    record: Record,
    name: str,
    *,
    actor: Actor | None,
    reason: str = "",
    payload: dict[str, Any] | None = None,
    saves: tuple[str, ...] | None = None,
) -> Iterator[StatusChange]:
    """`saves`: the only fields besides the status (and its auto-updated timestamps) that the use case changes on
    the record, so that only those are written; None writes every field."""
    workflow = workflow_of(record)
    transition = workflow.check(name, record.status, actor, reason=reason)
    change = StatusChange(transition=transition, previous=record.status, payload=dict(payload or {}))
    yield change  # the record keeps its status while the use case writes the rest
    workflow.move(record, name, actor, reason=reason)
    record.save(update_fields=None if saves is None else _with_timestamps(record, ("status", *saves)))
    audit_record(actor=actor, verb=VERBS[(workflow.entity, name)], target=record, payload=change.payload)
    announce(record, name, actor, {"reason": reason, **change.payload})  # its messages, in this transaction


def _with_timestamps(record: Record, fields: tuple[str, ...]) -> list[str]:
    auto = [f.name for f in record._meta.concrete_fields if getattr(f, "auto_now", False)]
    return list(dict.fromkeys([*fields, *auto]))


def set_status(
    record: Record,
    name: str,
    *,
    actor: Actor | None,
    reason: str = "",
    payload: dict[str, Any] | None = None,
) -> StatusChange:
    """Take transition `name` on the locked `record` now: checked, to its own target, saved and audited."""
    with changing_status(record, name, actor=actor, reason=reason, payload=payload) as change:
        pass
    return change
