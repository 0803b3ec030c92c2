"""`createcachetable` as the owner database role (MIGRATION_DATABASE_URL when set), like `migrate`."""

from django.core.management.commands.createcachetable import Command as DjangoCreateCacheTable

from portal.db_roles import as_owner


class Command(DjangoCreateCacheTable):
    help = DjangoCreateCacheTable.help + " Connects as the owner role from MIGRATION_DATABASE_URL when it is set."

    def handle(self, *args, **options):
        with as_owner(options["database"]):
            return super().handle(*args, **options)
