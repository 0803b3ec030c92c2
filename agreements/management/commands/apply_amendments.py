from django.core.management.base import BaseCommand

from agreements.services import SYSTEM, agreement_allotments_apply_due


class Command(BaseCommand):
    help = "Apply agreement amendments that have taken effect to their allotments (idempotent; run daily)."

    def handle(self, *args, **options):
        applied = agreement_allotments_apply_due(actor=SYSTEM)
        self.stdout.write(f"{applied} agreement(s) had their allotments brought up to their terms in force.")
