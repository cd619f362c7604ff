"""`manage.py reports_erase_ips [--days N]`: erase the client addresses of old reports.

Meant for the scheduler (cron or a systemd timer, daily), so it acts without --commit.
"""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from blisko.core.exceptions import ApplicationError
from blisko.reports.services.privacy import reports_erase_ips


class Command(BaseCommand):
    help = (
        "Erase the client address and client key of reports older than the retention "
        "(BLISKO_REPORT_IP_RETENTION_DAYS). Prints how many reports were changed."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Erase from reports older than this many days (default: the setting).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"]
        if days is None:
            days = settings.BLISKO_REPORT_IP_RETENTION_DAYS
        try:
            count = reports_erase_ips(older_than_days=days)
        except ApplicationError as error:
            raise CommandError(error.message)
        self.stdout.write(f"Client addresses erased from reports older than {days} days: {count}.")
