"""Cross-cutting writes: the audit trail and portal accounts."""

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from portal.choices import ADMIN_ROLES, AgencyCode, Role
from portal.models import Agency, AuditEvent, Membership, Organisation
from portal.permissions import Actor, require


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
    if password:  # Django's validators on every path (SPEC §6 v2); nothing is written when they refuse
        try:
            validate_password(password, user=User.objects.filter(username=username).first() or User(username=username))
        except ValidationError as error:
            raise ValidationError({"password": error.messages}) from error
    user, created = User.objects.get_or_create(username=username)
    if password:
        user.set_password(password)
    elif created:
        user.set_unusable_password()
    user.is_staff = staff_flag(roles)
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


# User and role management (SPEC § 1, "Nobody holds the keys alone"). The API and the admin call only these.
# A policy administrator creates users, grants and removes roles, sets organisation or agency and deactivates;
# never makes anyone a superuser (those come only from `createsuperuser`), never sets the staff flag (it follows
# the roles), never sets or reads a password or token (a new user gets a password-reset link by e-mail), and
# never changes its own roles, membership or active flag (another policy administrator does).

VIEW_USERS, ADD_USERS, CHANGE_USERS = "auth.view_user", "auth.add_user", "auth.change_user"
UPDATABLE_FIELDS = ("email", "first_name", "last_name", "roles", "organisation", "agency", "is_active")
REFUSED_FIELDS = {
    "is_superuser": "Superusers are made only with `createsuperuser` on the command line, never here.",
    "is_staff": "The staff flag follows the user's roles: grant or remove a role instead.",
    "password": "Nobody sets another person's password: the user sets it from a password-reset link.",
    "token": "API tokens are issued to the user at sign-in and shown to nobody else.",
    "auth_token": "API tokens are issued to the user at sign-in and shown to nobody else.",
    "groups": "Groups are roles: give `roles` instead.",
    "user_permissions": "Permissions come with roles: grant or remove a role instead.",
    "username": "A username never changes once the account exists: the audit trail names people by it.",
}


class _Unchanged:
    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED: Any = _Unchanged()


def staff_flag(roles: Iterable[str]) -> bool:
    """`is_staff`, derived: true exactly when the user holds a role whose work is in the admin."""
    return not ADMIN_ROLES.isdisjoint(roles)


def user_create(
    *,
    actor: Actor,
    username: str,
    email: str,
    first_name: str = "",
    last_name: str = "",
    roles: Iterable[str] = (),
    organisation: str | None = None,
    agency: str | None = None,
) -> Actor:
    """A new account with no usable password; the user is e-mailed a link to set one."""
    require(actor, ADD_USERS, action="create users")
    roles = _valid_roles(roles)
    User = get_user_model()
    with transaction.atomic():
        user = User(username=(username or "").strip(), email=_normalised_email(email))
        user.first_name, user.last_name = (first_name or "").strip(), (last_name or "").strip()
        user.set_unusable_password()
        user.is_staff = staff_flag(roles)
        _check_identity(user, creating=True)
        where = _membership_for(roles, organisation=organisation, agency=agency)
        user.save()
        user.groups.set(Group.objects.filter(name__in=roles))
        Membership.objects.create(user=user, organisation=where[0], agency=where[1])
        audit_record(
            actor=actor,
            verb="user.created",
            target=user,
            payload={
                "name": user.get_full_name(),
                "email": user.email,
                "roles": _role_names(roles),
                "organisation": str(where[0]) if where[0] else None,
                "agency": str(where[1]) if where[1] else None,
            },
        )
        for role in sorted(roles):
            audit_record(actor=actor, verb="user.role_granted", target=user, payload={"role": Role(role).label})
        transaction.on_commit(lambda: _send_password_link(user, invitation=True))
    return user


def user_update(*, actor: Actor, user: Actor, **changes: Any) -> Actor:
    """Change any of UPDATABLE_FIELDS in one transaction; each kind of change leaves its own audit event.
    `roles` is the complete new set; `organisation` is a name, `agency` a code (None clears either)."""
    require(actor, CHANGE_USERS, action="change users")
    refused = {name: REFUSED_FIELDS.get(name, "This field cannot be changed.") for name in changes}
    refused = {name: text for name, text in refused.items() if name not in UPDATABLE_FIELDS}
    if refused:
        raise ValidationError(refused)
    changes = {name: value for name, value in changes.items() if value is not UNCHANGED}
    with transaction.atomic():
        locked = _lock_user(user.pk)
        membership, _ = Membership.objects.select_for_update().get_or_create(user=locked)
        current = _user_state(locked, membership)
        wanted = {**current, **changes}
        wanted["roles"] = _valid_roles(wanted["roles"])
        changed = {name for name in UPDATABLE_FIELDS if _differs(name, current[name], wanted[name])}
        if not changed:
            return locked
        _check_not_self(actor, locked, changed)
        _apply_details(actor, locked, current, wanted, changed)
        _apply_membership(actor, locked, membership, current, wanted, changed)
        _apply_roles(actor, locked, current["roles"], wanted["roles"])
        _apply_active(actor, locked, wanted["is_active"], changed)
    user.refresh_from_db()
    return locked


def user_role_grant(*, actor: Actor, user: Actor, role: str) -> Actor:
    return user_update(actor=actor, user=user, roles=[*_roles_of(user), role])


def user_role_remove(*, actor: Actor, user: Actor, role: str) -> Actor:
    return user_update(actor=actor, user=user, roles=[r for r in _roles_of(user) if r != role])


def user_deactivate(*, actor: Actor, user: Actor) -> Actor:
    return user_update(actor=actor, user=user, is_active=False)


def user_reactivate(*, actor: Actor, user: Actor) -> Actor:
    return user_update(actor=actor, user=user, is_active=True)


def user_password_reset_send(*, actor: Actor, user: Actor) -> None:
    """E-mail the user a link to set a new password. Nobody else sees the link or the password."""
    require(actor, CHANGE_USERS, action="send password-reset links")
    with transaction.atomic():
        locked = _lock_user(user.pk)
        if not locked.is_active:
            raise ValidationError("This account is deactivated: reactivate it before sending a password-reset link.")
        if not locked.email:
            raise ValidationError({"email": "This account has no e-mail address to send a link to."})
        audit_record(actor=actor, verb="user.password_reset_sent", target=locked, payload={"to": locked.email})
        transaction.on_commit(lambda: _send_password_link(locked, invitation=False))


# Rules and writes behind the functions above.


def _valid_roles(roles: Iterable[str]) -> list[str]:
    roles = list(roles)
    if any(not isinstance(role, str) for role in roles):
        raise ValidationError({"roles": "Give roles as a list of role names."})
    unknown = sorted(set(roles) - set(Role.values))
    if unknown:
        raise ValidationError({"roles": f"Unknown role(s): {', '.join(unknown)}. Known: {', '.join(Role.values)}."})
    return sorted(set(roles))


def _role_names(roles: Iterable[str]) -> list[str]:
    return [Role(role).label for role in sorted(roles)]


def _roles_of(user: Actor) -> list[str]:
    return list(user.groups.filter(name__in=Role.values).values_list("name", flat=True))


def _normalised_email(email: str | None) -> str:
    return get_user_model().objects.normalize_email((email or "").strip())


def _check_identity(user: Actor, *, creating: bool) -> None:
    """Field validation, and no look-alike usernames or shared e-mail addresses."""
    User = get_user_model()
    errors: dict[str, list[str]] = {}
    if creating and not user.email:
        errors["email"] = ["An e-mail address is required: the password-reset link goes there."]
    try:
        user.full_clean(exclude=["password", "last_login"], validate_unique=False)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    others = User.objects.exclude(pk=user.pk)
    if creating and others.filter(username__iexact=user.username).exists():
        errors.setdefault("username", []).append(f"The username {user.username!r} is taken (ignoring case).")
    if user.email and others.filter(email__iexact=user.email).exists():
        errors.setdefault("email", []).append(f"Another account already uses {user.email}.")
    if errors:
        raise ValidationError(errors)


def _membership_for(
    roles: list[str], *, organisation: str | None, agency: str | None
) -> tuple[Organisation | None, Agency | None]:
    """The organisation (by name, which must exist) and agency (by code) the roles need."""
    errors: dict[str, str] = {}
    org = agency_row = None
    if organisation:
        org = Organisation.objects.filter(name__iexact=str(organisation).strip()).first()
        if org is None:
            errors["organisation"] = f"No organisation is named {organisation!r}: add it under Organisations first."
    if agency:
        agency_row = Agency.objects.filter(code=agency).first()
        if agency_row is None:
            errors["agency"] = f"Unknown agency {agency!r}. Known: {', '.join(AgencyCode.values)}."
    if Role.EXPORTER in roles and not organisation:
        errors["organisation"] = "An exporter must belong to an organisation."
    if Role.AGENCY_REVIEWER in roles and not agency:
        errors["agency"] = "An agency reviewer must belong to an agency."
    if errors:
        raise ValidationError(errors)
    return org, agency_row


def _lock_user(pk: Any) -> Actor:
    """The user, locked. Superuser accounts are the command line's: for the portal they do not exist."""
    return get_user_model().objects.select_for_update().filter(is_superuser=False).get(pk=pk)


def _user_state(user: Actor, membership: Membership) -> dict[str, Any]:
    return {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "roles": sorted(_roles_of(user)),
        "organisation": membership.organisation.name if membership.organisation else None,
        "agency": membership.agency.code if membership.agency else None,
        "is_active": user.is_active,
    }


def _differs(name: str, old: Any, new: Any) -> bool:
    if name == "organisation":
        return (old or "").casefold() != (str(new).strip() if new else "").casefold()
    if name in {"email", "first_name", "last_name"}:
        return (old or "") != (new or "").strip()
    if name == "is_active" and not isinstance(new, bool):
        raise ValidationError({"is_active": "Give true or false."})
    return old != new


def _check_not_self(actor: Actor, user: Actor, changed: set[str]) -> None:
    if actor.pk == user.pk and changed & {"roles", "organisation", "agency", "is_active"}:
        raise PermissionDenied(
            "You may not change your own roles, organisation, agency or whether your account is active: "
            "another policy administrator does that."
        )


def _apply_details(actor: Actor, user: Actor, current: dict, wanted: dict, changed: set[str]) -> None:
    fields = [name for name in ("email", "first_name", "last_name") if name in changed]
    if not fields:
        return
    if "email" in fields and not (wanted["email"] or "").strip():
        raise ValidationError({"email": "An account keeps an e-mail address: its password-reset links go there."})
    if "email" in fields and user.has_usable_password():
        raise ValidationError(
            {
                "email": "This account has set its password, so its e-mail address stays: a reset link sent to a "
                "new address would hand the account to whoever reads it. The system operator changes it at the "
                "user's own request."
            }
        )
    for name in fields:
        value = (wanted[name] or "").strip()
        setattr(user, name, _normalised_email(value) if name == "email" else value)
    _check_identity(user, creating=False)
    user.save(update_fields=fields)
    audit_record(
        actor=actor,
        verb="user.details_changed",
        target=user,
        payload={name: {"from": current[name], "to": getattr(user, name)} for name in fields},
    )


def _apply_membership(
    actor: Actor, user: Actor, membership: Membership, current: dict, wanted: dict, changed: set[str]
) -> None:
    org, agency = _membership_for(wanted["roles"], organisation=wanted["organisation"], agency=wanted["agency"])
    if not changed & {"organisation", "agency"}:
        return
    membership.organisation, membership.agency = org, agency
    membership.save(update_fields=["organisation", "agency"])
    payload = {}
    if "organisation" in changed:
        payload["organisation"] = {"from": current["organisation"], "to": org.name if org else None}
    if "agency" in changed:
        old = Agency.objects.filter(code=current["agency"]).first() if current["agency"] else None
        payload["agency"] = {"from": str(old) if old else None, "to": str(agency) if agency else None}
    audit_record(actor=actor, verb="user.membership_changed", target=user, payload=payload)


def _apply_roles(actor: Actor, user: Actor, old: list[str], new: list[str]) -> None:
    granted, removed = sorted(set(new) - set(old)), sorted(set(old) - set(new))
    if not granted and not removed:
        return
    user.groups.remove(*Group.objects.filter(name__in=removed))
    user.groups.add(*Group.objects.filter(name__in=granted))
    for role in granted:
        audit_record(actor=actor, verb="user.role_granted", target=user, payload={"role": Role(role).label})
    for role in removed:
        audit_record(actor=actor, verb="user.role_removed", target=user, payload={"role": Role(role).label})
    if user.is_staff != staff_flag(new):
        user.is_staff = staff_flag(new)
        user.save(update_fields=["is_staff"])
        audit_record(
            actor=actor,
            verb="user.staff_access_changed",
            target=user,
            payload={"admin_access": "granted" if user.is_staff else "removed", "because": "its roles changed"},
        )


def _apply_active(actor: Actor, user: Actor, active: bool, changed: set[str]) -> None:
    if "is_active" not in changed:
        return
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        verb="user.reactivated" if active else "user.deactivated",
        target=user,
        payload={"signs_in": "yes" if active else "no longer"},
    )


def _send_password_link(user: Actor, *, invitation: bool) -> None:
    """The e-mail with a one-time link to set a password (Django's reset token and confirm view)."""
    base = urlsplit(settings.PORTAL_BASE_URL)
    context = {
        "email": user.email,
        "domain": base.netloc,
        "site_name": "G2G export-agreements portal",
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "user": user,
        "token": default_token_generator.make_token(user),
        "protocol": base.scheme or "https",
        "invitation": invitation,
    }
    PasswordResetForm().send_mail(
        "registration/password_reset_subject.txt",
        "registration/password_reset_email.html",
        context,
        None,
        user.email,
    )
