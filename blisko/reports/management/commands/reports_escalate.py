"""Escalate overdue reports to the supervisors of their areas: a scheduled command.

Run it from cron or a systemd timer (every hour, say). It acts by default, since a scheduler
runs it; `--dry-run` only counts. Each report is escalated once.
"""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from blisko.reports.selectors.deadlines import reports_overdue
from blisko.reports.services.workflow import reports_escalate_overdue


class Command(BaseCommand):
    help = "Escalate overdue open reports to the supervisors of their areas (once each)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Only count the overdue reports and those that would be escalated now.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        overdue = reports_overdue(now=now)
        total = overdue.count()
        if options["dry_run"]:
            pending = overdue.filter(escalated_at__isnull=True).count()
            self.stdout.write(
                f"Overdue open reports: {total}; would escalate now: {pending} (dry run)."
            )
            return
        escalated = reports_escalate_overdue(now=now)
        self.stdout.write(f"Overdue open reports: {total}; escalated now: {escalated}.")
