"""Daily: tell exporters of obligations falling due today and newly overdue, propose for suspension every active
licence with an obligation overdue past the grace days (the staff queue "Overdue obligations"), and mark overdue
investment milestones. Safe to run again: each notice is sent once, one open proposal per licence, never
duplicated. The same work is the task licensing.tasks.mark_overdue_obligations."""

import datetime

from django.core.management.base import BaseCommand

from licensing import services


class Command(BaseCommand):
    help = (
        "Tell exporters of obligations falling due and overdue, raise a suspension proposal for each licence with an "
        "obligation overdue past the policy's grace days, and mark overdue investment milestones."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today", type=datetime.date.fromisoformat, default=None, help="Run as of this date (YYYY-MM-DD)."
        )

    def handle(self, *args, today=None, **options):
        run = services.daily_obligations(today=today)
        for proposal in run.proposals:
            self.stdout.write(f"Proposed to suspend {proposal.licence.number} (obligation {proposal.obligation_id})")
        for milestone in run.milestones:
            self.stdout.write(f"Milestone overdue: {milestone.agreement.reference}: {milestone.description}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(run.proposals)} proposal(s) raised; {len(run.due)} falling due and {len(run.overdue)} "
                f"overdue obligation(s) notified; {len(run.milestones)} milestone(s) marked overdue."
            )
        )
