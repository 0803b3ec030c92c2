"""Scope decided once: which rows of a scoped model a user may see (netbox's `restrict` shape).

Each scoped model declares a `Scope` and uses `RestrictedQuerySet` as its manager; every reader — the API,
the admin, the exporter pages, the services — asks `Model.objects.restrict(user, "view")`. Out-of-scope rows
are simply not in the queryset, so a lookup by id answers 404.

A user's rows are the union of what their permissions (through their roles, `portal.permissions.allowed`) and
their membership grant:

- insiders — holders of the model's own view permission (`app.view_model`) — see the `insiders` rows (all,
  unless the model narrows them, e.g. not an exporter's unsent draft);
- holders of the model's `agency_permission` are agency reviewers for it: instead of the insiders' rows they
  see only what was referred to their agency (`agency` path), and nothing without an agency;
- holders of the model's `owner_permission` who belong to an organisation see its rows (`organisation` path);
- everyone else, including a superuser without a role, sees nothing: roles decide, everywhere.

A model that belongs to other scoped records (a document attached to an application, an answer or a shipment)
declares `Scope(parents=(...))` instead: its rows are visible exactly when a parent at one of those paths is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models
from django.db.models import Exists, OuterRef, Q

from portal.permissions import Viewer, allowed
from portal.selectors import user_membership

if TYPE_CHECKING:
    from django.db.models.fields.reverse_related import ForeignObjectRel

_M = TypeVar("_M", bound=models.Model)

ACTIONS = ("view",)


@dataclass(frozen=True)
class Scope:
    """How a model is scoped; see the module docstring. Paths are ORM lookups from the model."""

    insiders: Q = field(default_factory=Q)  # the empty Q: every row
    organisation: str | None = None
    owner_permission: str | None = None
    agency: str | None = None  # "<reverse relation>__<agency field>", e.g. "referrals__agency"
    agency_permission: str | None = None
    parents: tuple[str, ...] = ()  # ORM paths to scoped parents: visible exactly where a parent is
    recipient: str | None = None  # ORM path to a user: each row is also visible to that user (their own inbox)

    def permissions(self, model: type[models.Model], action: str = "view") -> tuple[str, ...]:
        """Every permission that opens some rows of `model` to its holder: what an API gate asks for."""
        if self.parents:
            parents = [_parent_model(model, path) for path in self.parents]
            return tuple(dict.fromkeys(p for parent in parents for p in scope_of(parent).permissions(parent, action)))
        granting = (_model_permission(model, action), self.owner_permission, self.agency_permission)
        return tuple(permission for permission in granting if permission)


def scope_of(model: type[models.Model]) -> Scope:
    scope = getattr(model, "scope", None)
    if not isinstance(scope, Scope):
        raise TypeError(f"{model._meta.label} declares no Scope: it cannot be restricted.")
    return scope


def is_agency_reviewer(user: Viewer | None, model: type[models.Model]) -> bool:
    """Whether `user` reads `model` as an agency's reviewer (only what was referred to their agency)."""
    permission = scope_of(model).agency_permission
    return permission is not None and allowed(user, permission)


def is_insider(user: Viewer | None, model: type[models.Model]) -> bool:
    """The one notion of "insider": `user` reads `model` as staff do — every row the model shows insiders —
    because they hold its view permission and are not confined to an agency's referrals."""
    return allowed(user, _model_permission(model, "view")) and not is_agency_reviewer(user, model)


def visibility(user: Viewer | None, model: type[models.Model], action: str = "view") -> Q:
    """The filter that leaves exactly the rows of `model` that `user` may `action`; `Q(pk__in=[])` for none."""
    if action not in ACTIONS:
        raise ValueError(f"Unknown scope action {action!r}; known: {', '.join(ACTIONS)}.")
    scope = scope_of(model)
    rows = Q(pk__in=[])
    if scope.parents:
        for path in scope.parents:
            parent = _parent_model(model, path)
            rows |= Q(**{f"{path}__in": parent._default_manager.filter(visibility(user, parent, action)).values("pk")})
        return rows
    if is_insider(user, model):
        if not scope.insiders:
            return Q()  # every row: nothing to add to
        rows |= scope.insiders
    membership = user_membership(user) if user is not None and user.is_authenticated else None
    if scope.agency and is_agency_reviewer(user, model) and membership is not None and membership.agency_id:
        rows |= Q(_referred_to(model, scope.agency, membership.agency_id))
    if (
        scope.organisation
        and scope.owner_permission
        and allowed(user, scope.owner_permission)
        and membership is not None
        and membership.organisation_id
    ):
        rows |= Q(**{scope.organisation: membership.organisation_id})
    if scope.recipient and user is not None and user.is_authenticated and user.is_active:
        rows |= Q(**{scope.recipient: user.pk})
    return rows


def restrict(queryset: models.QuerySet[_M], user: Viewer | None, action: str = "view") -> models.QuerySet[_M]:
    return queryset.filter(visibility(user, queryset.model, action))


class RestrictedQuerySet(models.QuerySet[_M]):
    def restrict(self, user: Viewer | None, action: str = "view") -> RestrictedQuerySet[_M]:
        """Only the rows `user` may `action` (see `portal.scoping`)."""
        return restrict(self, user, action)  # type: ignore[return-value]


def _parent_model(model: type[models.Model], path: str) -> type[models.Model]:
    for name in path.split("__"):
        related = model._meta.get_field(name).related_model
        if related is None or isinstance(related, str):
            raise TypeError(f"{model._meta.label}.{name} is not a relation: {path!r} cannot name a parent.")
        model = related
    return model


def _model_permission(model: type[models.Model], action: str) -> str:
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


def _referred_to(model: type[models.Model], path: str, agency_id: Any) -> Exists:
    """A semi-join (EXISTS) on the reverse relation: each row once, no DISTINCT (which FOR UPDATE refuses)."""
    relation_name, agency_field = path.split("__", 1)
    relation: ForeignObjectRel = model._meta.get_field(relation_name)  # type: ignore[assignment]
    related = relation.related_model._default_manager.filter(
        **{relation.field.name: OuterRef("pk"), agency_field: agency_id}
    )
    return Exists(related)
