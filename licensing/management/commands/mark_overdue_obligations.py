"""Daily: propose for suspension every active licence with an obligation overdue past the grace days (the staff
queue "Overdue obligations"). Safe to run again: one open proposal per licence, never duplicated."""

import datetime

from django.core.management.base import BaseCommand

from licensing import services


class Command(BaseCommand):
    help = "Raise a suspension proposal for each licence with an obligation overdue past the policy's grace days."

    def add_arguments(self, parser):
        parser.add_argument(
            "--today", type=datetime.date.fromisoformat, default=None, help="Run as of this date (YYYY-MM-DD)."
        )

    def handle(self, *args, today=None, **options):
        raised = services.proposals_raise(today=today)
        for proposal in raised:
            self.stdout.write(f"Proposed to suspend {proposal.licence.number} (obligation {proposal.obligation_id})")
        self.stdout.write(self.style.SUCCESS(f"{len(raised)} proposal(s) raised."))
