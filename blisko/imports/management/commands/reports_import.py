"""Import reports from another system (a KMZB export, an Open311 backlog): CSV or GeoJSON.

A dry run unless --commit: the import runs and is rolled back, so the counts are exactly what
--commit would write. Any invalid row stops the import, unless --skip-invalid.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from blisko.core.exceptions import ApplicationError
from blisko.imports.services.importing import ImportOutcome, reports_import_file


class Command(BaseCommand):
    help = (
        "Import reports from a CSV (lat, lon, category, optional created_at, status, "
        "description) or a GeoJSON FeatureCollection of Points. A dry run unless --commit."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--commit", action="store_true", help="Write to the database.")
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Import the valid rows and list the invalid ones, instead of refusing the file.",
        )
        parser.add_argument(
            "--time-zone",
            default=None,
            help="IANA zone of times without an offset, e.g. Europe/Warsaw (default: TIME_ZONE).",
        )
        parser.add_argument(
            "--escalate-overdue",
            action="store_true",
            help="Let the next reports_escalate e-mail supervisors about imported open reports "
            "already past their deadlines (by default they are marked as escalated).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        try:
            outcome = reports_import_file(
                path=path,
                commit=options["commit"],
                skip_invalid=options["skip_invalid"],
                zone_name=options["time_zone"],
                escalate_overdue=options["escalate_overdue"],
            )
        except ApplicationError as exc:
            lines = [f"{path}: {exc.message}"]
            lines += self._problems(exc.extra.get("problems", []), exc.extra.get("invalid", 0))
            raise CommandError("\n".join(lines))
        self._report(path, outcome)

    @staticmethod
    def _problems(problems: list[str], invalid: int) -> list[str]:
        lines = [f"  - {problem}" for problem in problems]
        if invalid > len(problems):
            lines.append("  " + _("… and %(count)s more.") % {"count": invalid - len(problems)})
        return lines

    def _report(self, path: Path, outcome: ImportOutcome) -> None:
        write = self.stdout.write
        write(
            ngettext(
                "%(path)s (%(kind)s): %(rows)s row.",
                "%(path)s (%(kind)s): %(rows)s rows.",
                outcome.rows,
            )
            % {"path": path, "kind": outcome.kind, "rows": outcome.rows}
        )
        counts = {
            "imported": outcome.imported,
            "outside": outcome.outside,
            "invalid": outcome.invalid,
        }
        if outcome.committed:
            write(
                _(
                    "Imported %(imported)s; outside every territory %(outside)s; invalid %(invalid)s."
                )
                % counts
            )
            if outcome.first_id is not None:
                write(
                    _("New report ids: %(first)s to %(last)s.")
                    % {"first": outcome.first_id, "last": outcome.last_id}
                )
        else:
            write(
                _(
                    "Would import %(imported)s; outside every territory %(outside)s; "
                    "invalid %(invalid)s."
                )
                % counts
            )
        write(
            _("Took %(seconds).2f s (%(rate).0f reports a second).")
            % {"seconds": outcome.seconds, "rate": outcome.rate}
        )
        if outcome.by_category:
            write(_("By category:"))
            for code, count in outcome.by_category.items():
                write(f"  {code} ({outcome.category_names.get(code, code)}): {count}")
        if outcome.problems:
            write(_("Invalid rows, not imported:"))
            for line in self._problems(outcome.problems, outcome.invalid):
                write(line)
        if outcome.outside:
            shown = ", ".join(str(n) for n in outcome.outside_lines)
            shown += " …" if outcome.outside > len(outcome.outside_lines) else ""
            if outcome.kind == "CSV":
                write(
                    _("Outside every territory, not imported: lines %(lines)s") % {"lines": shown}
                )
            else:
                write(
                    _("Outside every territory, not imported: features %(lines)s")
                    % {"lines": shown}
                )
            if outcome.swapped:
                write(
                    self.style.WARNING(
                        _(
                            "%(count)s of them would lie inside with lat and lon swapped: are "
                            "the columns swapped?"
                        )
                        % {"count": outcome.swapped}
                    )
                )
        if outcome.overdue and outcome.marked_escalated:
            write(
                ngettext(
                    "%(count)s of the reports is open and already past its deadlines: marked as "
                    "escalated, so reports_escalate does not e-mail a supervisor about it (it "
                    "stays overdue in the queue; --escalate-overdue leaves it to be escalated).",
                    "%(count)s of the reports are open and already past their deadlines: marked "
                    "as escalated, so reports_escalate does not e-mail supervisors about them "
                    "(they stay overdue in the queues; --escalate-overdue leaves them to be "
                    "escalated).",
                    outcome.marked_escalated,
                )
                % {"count": outcome.marked_escalated}
            )
        elif outcome.overdue:
            write(
                self.style.WARNING(
                    ngettext(
                        "%(count)s of the reports is open and already past its deadlines: "
                        "the next reports_escalate run escalates it to a supervisor.",
                        "%(count)s of the reports are open and already past their deadlines: "
                        "the next reports_escalate run escalates them to supervisors.",
                        outcome.overdue,
                    )
                    % {"count": outcome.overdue}
                )
            )
        if outcome.ignored_columns:
            write(
                _("Columns ignored: %(columns)s") % {"columns": ", ".join(outcome.ignored_columns)}
            )
        if outcome.committed:
            write(self.style.SUCCESS(_("Committed.")))
        else:
            write(self.style.WARNING(_("Dry run, nothing written. Add --commit to write.")))
