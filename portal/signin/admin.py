"""The admin site: Django's, with a second factor for staff wherever DEBUG is off, and without any page that
shows key material (API token digests, authenticator secrets, recovery codes)."""

from django.contrib import admin
from knox.models import AuthToken

from portal.signin.forms import AdminSignInForm
from portal.signin.second_factor import second_factor_satisfied


class PortalAdminSite(admin.AdminSite):
    login_form = AdminSignInForm
    login_template = "registration/admin_login.html"

    def has_permission(self, request) -> bool:
        """Staff who signed in without their second factor are treated as not staff: back to the sign-in page."""
        return super().has_permission(request) and second_factor_satisfied(request.user)


class AuthTokenAdmin(admin.ModelAdmin):
    """Who holds live API tokens and until when; never a key or a digest. Read-only."""

    list_display = ["user", "created", "expiry"]
    list_display_links = None  # rows link nowhere: the primary key is the digest
    actions = None
    list_select_related = ["user"]
    search_fields = ["user__username"]
    fields = ["user", "created", "expiry"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


def replace_library_admins(site: admin.AdminSite) -> None:
    """Called once the admin modules are loaded: knox's token admin (digests, and keys on creation) and
    django-otp's device admins (secrets, recovery codes) give way; enrolment is `manage.py otp_enrol`."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    for model in (AuthToken, TOTPDevice, StaticDevice):
        if site.is_registered(model):
            site.unregister(model)
    site.register(AuthToken, AuthTokenAdmin)
