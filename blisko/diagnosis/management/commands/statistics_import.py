"""Import police statistics: `area_code, period, offence, count` rows, one figure per area,
month and statistic category. A dry run unless --commit; any invalid row refuses the whole
file (nothing is written), with every problem listed by line. A figure already on record is
replaced, never added to, and the replacement is audited."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from blisko.core.exceptions import ApplicationError
from blisko.diagnosis.management.refusals import rows_refused
from blisko.diagnosis.services.statistics import statistics_import_file


class Command(BaseCommand):
    help = (
        "Import police statistics from a CSV (area_code, period as YYYY-MM, offence, count). "
        "A dry run unless --commit."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--commit", action="store_true", help="Write to the database.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        try:
            result = statistics_import_file(path=path, commit=options["commit"])
        except ApplicationError as exc:
            raise CommandError(f"{path}: {exc.message}")
        if result.problem_count:
            raise rows_refused(path, result.problem_count, result.problems)
        if result.committed:
            self.stdout.write(
                _(
                    "%(path)s: %(rows)s figures: %(created)s new, %(replaced)s replaced, "
                    "%(unchanged)s unchanged."
                )
                % {
                    "path": path,
                    "rows": result.rows,
                    "created": result.created,
                    "replaced": result.replaced,
                    "unchanged": result.unchanged,
                }
            )
        else:
            self.stdout.write(
                _(
                    "%(path)s: %(rows)s figures, all valid: %(created)s would be new, "
                    "%(replaced)s replaced, %(unchanged)s unchanged. A dry run: add --commit "
                    "to import them."
                )
                % {
                    "path": path,
                    "rows": result.rows,
                    "created": result.created,
                    "replaced": result.replaced,
                    "unchanged": result.unchanged,
                }
            )
