"""Sign-in writes: API tokens (django-rest-knox) and second-factor enrolment (django-otp)."""

from dataclasses import dataclass

from axes.utils import reset as axes_reset
from django.contrib.auth.models import AbstractBaseUser, update_last_login
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from portal.services import audit_record

RECOVERY_CODES = 10


@transaction.atomic
def api_token_issue(*, user: AbstractBaseUser) -> tuple[AuthToken, str]:
    """A new API token for a user who has just proved who they are. Only its hash is stored; the key is
    returned once. Earlier tokens stay valid until they expire or are revoked. As for every successful
    sign-in, the account's failed attempts are cleared."""
    axes_reset(username=user.get_username())
    update_last_login(None, user)
    return AuthToken.objects.create(user=user)


@transaction.atomic
def api_token_revoke(*, token: AuthToken) -> None:
    """Sign one token out; the user's other tokens stay valid."""
    AuthToken.objects.filter(pk=token.pk).delete()


@dataclass(frozen=True)
class Enrolment:
    config_url: str  # otpauth://… for the authenticator app (or a QR code made from it)
    recovery_codes: list[str]


@transaction.atomic
def second_factor_enrol(*, user: AbstractBaseUser, actor: AbstractBaseUser | None = None) -> Enrolment:
    """Give a user a new authenticator secret and new recovery codes, replacing any earlier ones."""
    type(user).objects.select_for_update().get(pk=user.pk)
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    totp = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    static = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    audit_record(
        actor=actor, verb="user.second_factor_enrolled", target=user, payload={"recovery_codes": RECOVERY_CODES}
    )
    return Enrolment(config_url=totp.config_url, recovery_codes=codes)
