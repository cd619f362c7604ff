"""Import officers' presence from a CSV: `date, badge_number, hours_in, hours_out, reason` rows
(see `blisko.engagement.services.presence_import.presence_import` for the format). A dry run unless
--commit; any invalid row refuses the whole file (nothing is written), with every error listed
by line, and the command exits with a non-zero code. A day already on record is replaced."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from blisko.core.exceptions import ApplicationError
from blisko.engagement.services.presence_import import PROGRESS_EVERY, presence_import


class Command(BaseCommand):
    help = (
        "Import presence days from a CSV (date, badge_number, hours_in, hours_out, reason). "
        "A dry run unless --commit."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--commit", action="store_true", help="Write to the database.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        commit: bool = options["commit"]
        verbosity = int(options.get("verbosity", 1))
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(
                _("%(path)s: cannot read the file: %(error)s")
                % {"path": path, "error": exc.strerror}
            )

        def progress(stage: str, done: int, total: int) -> None:
            # Only for files long enough to wait for.
            if verbosity >= 1 and total > PROGRESS_EVERY:
                label = _("checked") if stage == "checked" else _("written")
                self.stdout.write(f"  {label}: {done} / {total}")

        try:
            result = presence_import(rows=data, actor=None, commit=commit, progress=progress)
        except ApplicationError as exc:
            raise CommandError(f"{path}: {exc.message}")
        self.stdout.write(_("%(path)s: %(rows)s rows read.") % {"path": path, "rows": result.rows})
        if result.errors:
            for error in result.errors:
                self.stdout.write(f"  - {error}")
            raise CommandError(
                ngettext(
                    "%(path)s: %(count)s error; nothing was written.",
                    "%(path)s: %(count)s errors; nothing was written.",
                    len(result.errors),
                )
                % {"path": path, "count": len(result.errors)}
            )
        counts = {
            "created": result.created,
            "replaced": result.replaced,
            "unchanged": result.unchanged,
        }
        if result.committed:
            self.stdout.write(
                _(
                    "Imported: %(created)s days created, %(replaced)s replaced, %(unchanged)s "
                    "unchanged."
                )
                % counts
            )
        else:
            self.stdout.write(
                _(
                    "All rows are valid: %(created)s days would be created, %(replaced)s "
                    "replaced, %(unchanged)s unchanged. A dry run: nothing was written; add "
                    "--commit to import them."
                )
                % counts
            )
