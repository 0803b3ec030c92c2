"""Cross-cutting writes: the audit trail and portal accounts."""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from portal.choices import AgencyCode, Role
from portal.models import Agency, AuditEvent, Membership, Organisation
from portal.permissions import Actor


def audit_record(
    *,
    actor: Actor | None,
    verb: str,
    target: models.Model,
    payload: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the audit trail. Every service calls this inside its transaction."""
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        verb=verb,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_repr=str(target)[:200],
        payload=payload or {},
        created_at=timezone.now(),
    )


@transaction.atomic
def portal_user_upsert(
    *,
    username: str,
    password: str | None,
    roles: list[str],
    organisation: str | None = None,
    agency: str | None = None,
    actor: Actor | None = None,
) -> Actor:
    """Create or update a user with exactly the given roles and membership."""
    unknown = sorted(set(roles) - set(Role.values))
    if unknown:
        raise ValidationError({"roles": f"Unknown role(s): {', '.join(unknown)}. Known: {', '.join(Role.values)}."})
    if agency is not None and agency not in AgencyCode.values:
        raise ValidationError({"agency": f"Unknown agency {agency!r}. Known: {', '.join(AgencyCode.values)}."})
    if Role.EXPORTER in roles and not organisation:
        raise ValidationError({"organisation": "An exporter must belong to an organisation."})
    if Role.AGENCY_REVIEWER in roles and not agency:
        raise ValidationError({"agency": "An agency reviewer must belong to an agency."})

    User = get_user_model()
    user, created = User.objects.get_or_create(username=username)
    if password:
        user.set_password(password)
    elif created:
        user.set_unusable_password()
    # Staff roles work in the admin; exporters and negotiators-only use the API and the exporter pages.
    user.is_staff = bool(set(roles) - {Role.EXPORTER})
    user.save()
    user.groups.set(Group.objects.filter(name__in=roles))

    membership, _ = Membership.objects.get_or_create(user=user)
    membership.organisation = Organisation.objects.get_or_create(name=organisation)[0] if organisation else None
    membership.agency = Agency.objects.get(code=agency) if agency else None
    membership.save()

    audit_record(
        actor=actor,
        verb="user.created" if created else "user.updated",
        target=user,
        payload={"roles": sorted(roles), "organisation": organisation, "agency": agency},
    )
    return user
