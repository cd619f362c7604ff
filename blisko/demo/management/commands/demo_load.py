import time

from django.core.management.base import BaseCommand, CommandError

from blisko.core.exceptions import ApplicationError
from blisko.demo.loading import demo_load


class Command(BaseCommand):
    help = (
        "Load the demo: real boundaries from data/ (reused when already imported), generated "
        "police units, officers and assignments, and demo accounts. A second run keeps "
        "everything and only prints the accounts."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        try:
            result = demo_load(log=self.stdout.write)
        except ApplicationError as exc:
            raise CommandError(exc.message)
        counts = ", ".join(f"{n} {name}" for name, n in result.counts.items())
        self.stdout.write(f"In the database: {counts}.")
        self.stdout.write(f"Done in {time.monotonic() - started:.1f} s.")
        self.stdout.write(self.style.SUCCESS("Demo accounts:"))
        for username, password, role in result.accounts:
            self.stdout.write(f"  {username} / {password}  ({role})")
        if result.open311_key:
            self.stdout.write(f"  Open311 API key: {result.open311_key}  (/open311/v2/)")
