from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from portal.choices import AgencyCode, Role
from portal.services import portal_user_upsert


class Command(BaseCommand):
    help = "Create or update a portal user with roles and membership, non-interactively."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--password", help="Set this password (kept unchanged on update when omitted).")
        parser.add_argument("--role", action="append", required=True, choices=Role.values, dest="roles")
        parser.add_argument("--organisation", help="Exporting organisation (created when named for the first time).")
        parser.add_argument("--agency", choices=AgencyCode.values)

    def handle(self, *args, username, password, roles, organisation, agency, **options):
        try:
            user = portal_user_upsert(
                username=username, password=password, roles=roles, organisation=organisation, agency=agency
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(self.style.SUCCESS(f"{user.username}: {', '.join(sorted(roles))}"))
