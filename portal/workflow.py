"""Transition tables as plain frozen data, checked in one place. No ORM here.

Each app's `workflow.py` declares its table; services call `check(...)` before they write, and move a record
only to the transition's own target (`move`). A transition whose permission is `SYSTEM` is taken by the system
alone (the actor `None`: a scheduled command, or a consequence of another move), never by a person.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

from portal.errors import InvalidTransition
from portal.permissions import Actor, allowed

SYSTEM = "system"  # the permission of a system move: no person holds it, superusers included


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[str]
    target: str
    permission: str  # "app_label.codename"
    reason_required: bool = False


@dataclass(frozen=True)
class Workflow:
    entity: str
    transitions: tuple[Transition, ...]

    def __post_init__(self) -> None:
        names = [t.name for t in self.transitions]
        assert len(names) == len(set(names)), f"duplicate transition in {self.entity}"

    def get(self, name: str) -> Transition:
        for transition in self.transitions:
            if transition.name == name:
                return transition
        raise KeyError(name)

    def available(self, status: str) -> list[Transition]:
        return [t for t in self.transitions if status in t.sources]

    def permits(self, transition: Transition, user: Actor | None) -> bool:
        """Whether `user` (None: the system) may take `transition`, wherever the record stands: through one of
        the user's roles (`portal.permissions.allowed`), never because the user is a superuser."""
        if transition.permission == SYSTEM:
            return user is None
        return user is None or allowed(user, transition.permission)

    def available_to(self, status: str, user: Actor) -> list[Transition]:
        """The transitions a person may take from `status`: what a page offers."""
        return [t for t in self.available(status) if t.permission != SYSTEM and self.permits(t, user)]

    def check(self, name: str, status: str, user: Actor | None, *, reason: str = "") -> Transition:
        """The transition if `user` (None: the system) may take it from `status` now; raises otherwise."""
        transition = self.get(name)
        if not self.permits(transition, user) and transition.permission == SYSTEM:
            raise PermissionDenied(f"No one may {name.replace('_', ' ')} by hand: the system does it.")
        if not self.permits(transition, user):
            raise PermissionDenied(f"You may not {name.replace('_', ' ')} on this {self.entity}.")
        if status not in transition.sources:
            allowed = ", ".join(sorted(transition.sources))
            raise InvalidTransition(
                f"Cannot {name.replace('_', ' ')}: the {self.entity} is {status}; allowed only from {allowed}.",
                status=status,
            )
        if transition.reason_required and not (reason or "").strip():
            raise ValidationError({"reason": f"A reason is required to {name.replace('_', ' ')}."})
        return transition

    def move(self, record: Any, name: str, user: Actor | None, *, reason: str = "") -> str:
        """Check, then set `record.status` to the transition's own target; the status it had. Pure: it saves
        nothing (each app's status helper saves, keeps history and audits)."""
        previous = record.status
        transition = self.check(name, previous, user, reason=reason)
        record.status = transition.target
        return previous


def statuses(transitions: Iterable[Transition]) -> set[str]:
    found: set[str] = set()
    for t in transitions:
        found |= t.sources | {t.target}
    return found
