"""`manage.py territories_refresh [--commit]`: copy each area's boundary in force today.

`Area.boundary` is a copy of the boundary version in force today; a version dated in the
future takes over on its first day only through this command (see
`blisko.territories.services.areas_refresh_boundaries`). A dry run unless `--commit`; meant
for the scheduler (daily, just after midnight, with --commit). Safe to run again. Prints the
areas it changed.
"""

from typing import Any

from django.core.management.base import BaseCommand

from blisko.territories.services.boundaries import areas_refresh_boundaries


class Command(BaseCommand):
    help = (
        "Set each area's boundary to its boundary version in force today (a version dated in "
        "the future takes over on its first day). A dry run unless --commit."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--commit", action="store_true", help="Write to the database.")

    def handle(self, *args: Any, **options: Any) -> None:
        result = areas_refresh_boundaries(commit=options["commit"])
        for line in result.changed:
            self.stdout.write(f"  {line}")
        self.stdout.write(
            f"{result.day}: {len(result.changed)} of {result.checked} areas "
            f"{'changed' if result.committed else 'to change'}."
        )
        if not result.committed:
            self.stdout.write(
                self.style.WARNING("Dry run: nothing written. Add --commit to write.")
            )
