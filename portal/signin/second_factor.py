"""The second factor for agency staff (django-otp): an authenticator app (TOTP) and single-use recovery codes.

Who needs it: every role but exporter — licensing officers, approving officials and policy administrators,
and agency reviewers and negotiators too, who are agency staff with access to internal case and negotiation
material — plus anyone with the staff or superuser flag. Where: wherever DEBUG is off
(settings.SIGNIN_SECOND_FACTOR_REQUIRED).
"""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.choices import ADMIN_ROLES
from portal.selectors import user_roles

SECOND_FACTOR_ROLES = ADMIN_ROLES  # every role but exporter: the roles whose work is in the admin
TOTP_DIGITS = 6


def second_factor_required(user: AbstractBaseUser) -> bool:
    if not settings.SIGNIN_SECOND_FACTOR_REQUIRED or not user.is_authenticated:
        return False
    return user.is_staff or user.is_superuser or not user_roles(user).isdisjoint(SECOND_FACTOR_ROLES)


def second_factor_satisfied(user: AbstractBaseUser) -> bool:
    """True when the user needs no second factor or has given one in this session (django-otp's middleware)."""
    if not second_factor_required(user):
        return True
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def second_factor_verify(*, user: AbstractBaseUser, code: str) -> Device | None:
    """The device that accepts `code`, or None. A six-digit code is tried against the authenticator app, anything
    else against the recovery codes (a recovery code is used up). django-otp throttles each device after wrong
    codes, so the code cannot be guessed either."""
    code = "".join((code or "").split()).lower()
    if not code:
        return None
    model = TOTPDevice if code.isdigit() and len(code) == TOTP_DIGITS else StaticDevice
    with transaction.atomic():
        for device in model.objects.devices_for_user(user, confirmed=True).select_for_update():
            if device.verify_token(code):
                return device
    return None
