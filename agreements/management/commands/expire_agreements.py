from django.core.management.base import BaseCommand

from agreements.services import SYSTEM, agreements_expire_due


class Command(BaseCommand):
    help = "Mark agreements past their end date as expired (idempotent; run daily)."

    def handle(self, *args, **options):
        expired = agreements_expire_due(actor=SYSTEM)
        self.stdout.write(f"{len(expired)} agreement(s) expired{': ' + ', '.join(expired) if expired else '.'}")
