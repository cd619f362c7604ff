"""`manage.py partnerships_expire [--commit] [--today YYYY-MM-DD]`: record the memoranda in
force past their last day (valid until) as expired.

A dry run unless `--commit`: it prints what would change. Meant for the scheduler (daily, with
--commit); each memorandum is its own transaction and audit event (the system's), so a run cut
short leaves every memorandum either in force or expired, and the next run goes on.
"""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from blisko.core.clock import site_today
from blisko.partnerships.models import Memorandum
from blisko.partnerships.services.workflow import memoranda_expire, memoranda_to_expire


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--today must be a date as YYYY-MM-DD, not {value!r}.") from None


class Command(BaseCommand):
    help = (
        "Record the memoranda in force whose last day has passed as expired (an audit event "
        "each). A dry run unless --commit."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--commit", action="store_true", help="Record them as expired.")
        parser.add_argument(
            "--today", type=_day, default=None, help="The day to count from (default: today)."
        )

    def _line(self, memorandum: Memorandum) -> str:
        last = memorandum.valid_until.isoformat() if memorandum.valid_until else "—"
        return f"#{memorandum.pk} {memorandum.title} ({memorandum.unit.name}), valid until {last}"

    def handle(self, *args: Any, **options: Any) -> None:
        today = options["today"] or site_today()
        write = self.stdout.write
        due = memoranda_to_expire(today=today)
        write(f"Memoranda in force past their last day on {today.isoformat()}: {len(due)}.")
        if not options["commit"]:
            for memorandum in due:
                write(f"  would expire: {self._line(memorandum)}")
            write(self.style.WARNING("Dry run: nothing changed. Add --commit to record them."))
            return
        total = len(due)
        seen = [0]

        def progress(memorandum: Memorandum, outcome: str) -> None:
            seen[0] += 1
            what = "expired" if outcome == "expired" else f"left as it is: {outcome}"
            write(f"  [{seen[0]}/{total}] {what}: {self._line(memorandum)}")

        done = memoranda_expire(today=today, progress=progress)
        write(self.style.SUCCESS(f"Expired: {len(done)} of {total}."))
