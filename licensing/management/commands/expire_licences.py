"""Expire every licence past its validity and release its unshipped quota. Safe to run again: idempotent."""

import datetime

from django.core.management.base import BaseCommand

from licensing import services


class Command(BaseCommand):
    help = "Expire active and suspended licences past their validity, releasing their unshipped TPP."

    def add_arguments(self, parser):
        parser.add_argument(
            "--today", type=datetime.date.fromisoformat, default=None, help="Run as of this date (YYYY-MM-DD)."
        )

    def handle(self, *args, today=None, **options):
        expired = services.licences_expire(today=today)
        for number in expired:
            self.stdout.write(f"Expired {number}")
        self.stdout.write(self.style.SUCCESS(f"{len(expired)} licence(s) expired."))
