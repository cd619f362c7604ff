"""`manage.py reports_erase_ips [--days N] [--email-days N]`: erase the personal data the
reports keep only for a while: client addresses and keys of old reports, and the e-mail
addresses of reports closed long enough ago.

Meant for the scheduler (cron or a systemd timer, daily), so it acts without --commit.
"""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from blisko.core.exceptions import ApplicationError
from blisko.reports.services.privacy import reports_erase_emails, reports_erase_ips


class Command(BaseCommand):
    help = (
        "Erase the client address and client key of reports older than the retention "
        "(BLISKO_REPORT_IP_RETENTION_DAYS), and the reporter's e-mail of reports closed "
        "longer ago than BLISKO_REPORT_EMAIL_RETENTION_DAYS. Prints how many reports changed."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Erase from reports older than this many days (default: the setting).",
        )
        parser.add_argument(
            "--email-days",
            type=int,
            default=None,
            help="Erase e-mails of reports closed this many days ago (default: the setting).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"]
        if days is None:
            days = settings.BLISKO_REPORT_IP_RETENTION_DAYS
        email_days = options["email_days"]
        if email_days is None:
            email_days = settings.BLISKO_REPORT_EMAIL_RETENTION_DAYS
        try:
            count = reports_erase_ips(older_than_days=days)
            emails = reports_erase_emails(older_than_days=email_days)
        except ApplicationError as error:
            raise CommandError(error.message)
        self.stdout.write(f"Client addresses erased from reports older than {days} days: {count}.")
        self.stdout.write(
            f"E-mail addresses erased from reports closed more than {email_days} days ago: "
            f"{emails}."
        )
