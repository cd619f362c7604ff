"""Send open reports to whoever serves their area today: a daily scheduled command.

Assignment changes reroute reports at once, but an assignment or a cover entered ahead of
time (starting next week, ending tomorrow) only takes effect on its day: run this once a day
just after midnight. It acts by default; `--dry-run` counts what would move and writes nothing.
"""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from blisko.reports.services.routing import reports_reroute_all


class Command(BaseCommand):
    help = "Send every open report to the officer who serves its area today."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Count the reports that would move; change none."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["dry_run"]:
            with transaction.atomic():
                moved = reports_reroute_all()
                transaction.set_rollback(True)
            self.stdout.write(f"Open reports that would move: {moved} (dry run).")
            return
        moved = reports_reroute_all()
        self.stdout.write(f"Open reports moved to today's officer: {moved}.")
