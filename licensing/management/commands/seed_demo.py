"""Load the demo world (idempotent): one user per role, exporters in two organisations."""

from django.core.management.base import BaseCommand
from django.db import transaction

from portal.choices import Role
from portal.services import portal_user_upsert

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 — the demo world's published password

DEMO_USERS = [
    # username, roles, organisation, agency
    ("exporter", [Role.EXPORTER], "Acme AI Systems Inc.", None),
    ("exporter2", [Role.EXPORTER], "Northwind Servers Ltd", None),
    ("officer", [Role.LICENSING_OFFICER], None, "commerce"),
    ("approver", [Role.APPROVING_OFFICIAL], None, "commerce"),
    ("officer_approver", [Role.LICENSING_OFFICER, Role.APPROVING_OFFICIAL], None, "commerce"),
    ("defense", [Role.AGENCY_REVIEWER], None, "defense"),
    ("state", [Role.AGENCY_REVIEWER], None, "state"),
    ("energy", [Role.AGENCY_REVIEWER], None, "energy"),
    ("negotiator", [Role.NEGOTIATOR], None, None),
    ("policy", [Role.POLICY_ADMIN], None, "commerce"),
]


class Command(BaseCommand):
    help = "Load the demo world: users for each role (password: %s)." % DEMO_PASSWORD

    @transaction.atomic
    def handle(self, *args, **options):
        for username, roles, organisation, agency in DEMO_USERS:
            portal_user_upsert(
                username=username, password=DEMO_PASSWORD, roles=roles, organisation=organisation, agency=agency
            )
        self.stdout.write(self.style.SUCCESS(f"Demo world ready: {len(DEMO_USERS)} users, password {DEMO_PASSWORD!r}."))
