"""Import police-recorded incidents: a CSV of `lat, lon, category, occurred_at` or a GeoJSON
FeatureCollection of Points with those properties. A dry run unless --commit; any invalid row
refuses the whole file (nothing is written), every problem listed by line or feature. Each
event goes to the finest area holding its point; events outside every territory are listed
and not imported; an event already on record is not stored twice."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from blisko.core.exceptions import ApplicationError
from blisko.diagnosis.management.refusals import rows_refused
from blisko.diagnosis.services.incidents import incidents_import_file


class Command(BaseCommand):
    help = (
        "Import police incidents from a CSV (lat, lon, category, occurred_at) or a GeoJSON "
        "FeatureCollection of Points. A dry run unless --commit."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--commit", action="store_true", help="Write to the database.")
        parser.add_argument(
            "--time-zone",
            default=None,
            help="IANA zone of times without an offset, e.g. Europe/Warsaw (default: TIME_ZONE).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        try:
            result = incidents_import_file(
                path=path, commit=options["commit"], zone_name=options["time_zone"]
            )
        except ApplicationError as exc:
            raise CommandError(f"{path}: {exc.message}")
        if result.problem_count:
            raise rows_refused(path, result.problem_count, result.problems)
        counts = {
            "path": path,
            "kind": result.kind,
            "rows": result.rows,
            "imported": result.imported,
            "already": result.already,
            "outside": result.outside,
        }
        if result.committed:
            self.stdout.write(
                _(
                    "%(path)s (%(kind)s): %(rows)s incidents: %(imported)s imported, "
                    "%(already)s already on record, %(outside)s outside every territory."
                )
                % counts
            )
        else:
            self.stdout.write(
                _(
                    "%(path)s (%(kind)s): %(rows)s incidents, all valid: %(imported)s would be "
                    "imported, %(already)s already on record, %(outside)s outside every "
                    "territory. A dry run: add --commit to import them."
                )
                % counts
            )
        if result.by_category:
            self.stdout.write(_("By category:"))
            for code, count in result.by_category.items():
                self.stdout.write(f"  {code}: {count}")
        if result.outside:
            shown = ", ".join(str(n) for n in result.outside_lines)
            shown += " …" if result.outside > len(result.outside_lines) else ""
            self.stdout.write(
                self.style.WARNING(
                    _("Outside every territory, not imported: %(lines)s") % {"lines": shown}
                )
            )
