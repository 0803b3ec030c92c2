"""Transition tables as plain frozen data, checked in one place. No ORM here.

Each app's `workflow.py` declares its table; services call `check(...)` before they write.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError

from portal.errors import InvalidTransition
from portal.permissions import Actor


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

    def check(self, name: str, status: str, user: Actor | None, *, reason: str = "") -> Transition:
        """The transition if `user` may take it from `status` now; raises otherwise."""
        transition = self.get(name)
        if user is not None and not user.has_perm(transition.permission):
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


def statuses(transitions: Iterable[Transition]) -> set[str]:
    found: set[str] = set()
    for t in transitions:
        found |= t.sources | {t.target}
    return found
