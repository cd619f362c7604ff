"""`manage.py reports_clean_files [--commit]`: remove the report files no row refers to.

Attachments and event photos left in the storage by a transaction that rolled back (see
`blisko.reports.services.files`). A dry run unless `--commit`; meant for the scheduler
(daily, with --commit). Prints what it found: counts of files and bytes of the orphans.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from blisko.core.exceptions import ApplicationError
from blisko.reports.services.files import report_files_clean, upload_folders


class Command(BaseCommand):
    help = (
        "Remove files under the report upload folders that no attachment or event photo "
        "refers to and that are older than BLISKO_REPORT_ORPHAN_FILE_GRACE_MINUTES. "
        "A dry run unless --commit."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--commit", action="store_true", help="Remove the orphan files.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = report_files_clean(commit=options["commit"])
        except ApplicationError as error:
            raise CommandError(error.message)
        write = self.stdout.write
        write(f"Folders: {', '.join(upload_folders())}.")
        write(f"Files looked at: {result.scanned}.")
        write(f"Kept, referred to by a report: {result.referenced}.")
        write(
            f"Kept, younger than the grace period of {result.grace_minutes} minutes: "
            f"{result.fresh}."
        )
        write(
            f"Skipped, not a plain file inside MEDIA_ROOT (a link or an odd name): "
            f"{result.skipped}."
        )
        write(f"Orphans: {result.orphans} ({result.orphan_bytes} bytes).")
        if not result.committed:
            write(self.style.WARNING("Dry run: nothing removed. Add --commit to remove them."))
            return
        write(f"Removed: {result.removed} ({result.removed_bytes} bytes).")
        if result.failed:
            raise CommandError(f"{result.failed} orphan files could not be removed.")
