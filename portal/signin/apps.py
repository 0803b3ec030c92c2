from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    """django.contrib.admin with the portal's admin site (second factor; no key material shown)."""

    default_site = "portal.signin.admin.PortalAdminSite"

    def ready(self) -> None:
        super().ready()  # loads every app's admin module
        from django.contrib import admin

        from portal.signin.admin import replace_library_admins

        replace_library_admins(admin.site)
