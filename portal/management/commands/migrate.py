"""`migrate` as the owner database role (MIGRATION_DATABASE_URL when set), granting the runtime role afterwards."""

from django.core.management.commands.migrate import Command as DjangoMigrate

from portal.db_roles import as_owner


class Command(DjangoMigrate):
    help = DjangoMigrate.help + " Connects as the owner role from MIGRATION_DATABASE_URL when it is set."

    def handle(self, *args, **options):
        with as_owner(options["database"]):
            return super().handle(*args, **options)
