"""What the diagnosis' import commands say when a file's rows are refused."""

from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def rows_refused(path: Path, count: int, problems: list[str]) -> CommandError:
    """The error naming how many rows have problems and the first of them, one a line."""
    lines = [
        ngettext(
            "%(path)s: %(count)s row has a problem; nothing was imported.",
            "%(path)s: %(count)s rows have problems; nothing was imported.",
            count,
        )
        % {"path": path, "count": count}
    ]
    lines += [f"  - {problem}" for problem in problems]
    if count > len(problems):
        lines.append("  " + _("… and %(count)s more.") % {"count": count - len(problems)})
    return CommandError("\n".join(lines))
