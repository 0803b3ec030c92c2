from django.apps import AppConfig
from django.core import checks
from django.db.models.signals import post_migrate


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal: organisations, agencies, audit trail"

    def ready(self) -> None:
        from portal import db_roles
        from portal.roles import on_post_migrate

        post_migrate.connect(on_post_migrate, sender=self, dispatch_uid="portal.sync_roles")
        post_migrate.connect(db_roles.on_post_migrate, sender=self, dispatch_uid="portal.grant_runtime_privileges")
        checks.register(db_roles.check_roles_configured, checks.Tags.security, deploy=True)
