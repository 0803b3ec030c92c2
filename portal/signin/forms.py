"""Django's sign-in forms (/accounts/login/ and /admin/login/) with the one-time code staff give wherever DEBUG
is off. The password is checked first, through django-axes, so a locked account never reaches the code."""

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django_otp import user_has_device

from portal.signin.second_factor import second_factor_required, second_factor_verify

OTP_MISSING = "Staff accounts need a one-time code: the 6-digit code from your authenticator app, or a recovery code."
OTP_WRONG = (
    "That one-time code is not right, or has been used. Enter the current code from your authenticator app, "
    "or an unused recovery code."
)
OTP_NOT_ENROLLED = (
    "This staff account has no second factor yet. Ask an administrator to enrol one "
    "(manage.py otp_enrol USERNAME) and try again."
)


def otp_refusal(user, code: str) -> str | None:
    """Why the one-time code does not let `user` in, or None when it does (or none is needed). On success the
    device is left on the user, where django-otp picks it up at login and keeps it in the session."""
    if not second_factor_required(user):
        return None
    if not user_has_device(user):
        return OTP_NOT_ENROLLED
    if not code:
        return OTP_MISSING
    device = second_factor_verify(user=user, code=code)
    if device is None:
        return OTP_WRONG
    user.otp_device = device
    return None


class SecondFactorForm(forms.Form):
    """Mixed in before Django's AuthenticationForm: the code is checked after the password."""

    otp = forms.CharField(
        label="One-time code",
        required=False,
        max_length=32,
        help_text="Staff: the 6-digit code from your authenticator app, or one of your recovery codes.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "none"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not settings.SIGNIN_SECOND_FACTOR_REQUIRED:
            del self.fields["otp"]

    def clean(self):
        cleaned = super().clean()
        user = self.get_user()
        if user is not None:
            refusal = otp_refusal(user, cleaned.get("otp", ""))
            if refusal:
                raise ValidationError(refusal, code="otp")
        return cleaned


class SignInForm(SecondFactorForm, AuthenticationForm):
    pass


class AdminSignInForm(SecondFactorForm, AdminAuthenticationForm):
    pass
