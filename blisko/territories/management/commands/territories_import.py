import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from blisko.core.exceptions import ApplicationError
from blisko.territories.services.imports import (
    places_import_katotth,
    places_sync_areas,
    territory_import,
)


class Command(BaseCommand):
    help = (
        "Import boundaries (GeoJSON with KATOTTH or TERYT codes, or Blisko's own format) or, with "
        "--places, the KATOTTH codifier's settlements. A dry run unless --commit."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument("--commit", action="store_true", help="Write to the database.")
        parser.add_argument(
            "--places", action="store_true", help="The files are KATOTTH codifier CSVs."
        )
        parser.add_argument(
            "--valid-from",
            type=dt.date.fromisoformat,
            default=None,
            help="Date from which new boundaries are in force (default: today).",
        )

    def handle(self, *args, **options):
        for path in options["paths"]:
            try:
                if options["places"]:
                    result = places_import_katotth(path=path, commit=options["commit"])
                else:
                    result = territory_import(
                        path=path, valid_from=options["valid_from"], commit=options["commit"]
                    )
            except ApplicationError as exc:
                problems = "\n".join(f"  - {p}" for p in exc.extra.get("problems", []))
                raise CommandError(f"{path}: {exc.message}\n{problems}".rstrip())
            self.stdout.write(
                f"{path}: {len(result.created)} new, {len(result.changed)} changed, "
                f"{len(result.renamed)} renamed, {len(result.unchanged)} unchanged, "
                f"{len(result.skipped)} skipped"
            )
            for line in result.repaired:
                self.stdout.write(f"  repaired: {line}")
            for line in result.notes:
                self.stdout.write(f"  note: {line}")
            for line in result.skipped[:20]:
                self.stdout.write(f"  skipped: {line}")
        if options["commit"]:
            self.stdout.write(f"{places_sync_areas()} area names searchable as places")
            self.stdout.write(self.style.SUCCESS("Committed."))
        else:
            self.stdout.write(
                self.style.WARNING("Dry run: nothing written. Add --commit to write.")
            )
