"""Every string the code marks for translation is translated into Ukrainian and Polish.

The catalogs in locale/ are compared with a fresh extraction of the code (Django's
makemessages, as `make messages` runs it, into a temporary folder): a string added to the code
but not to the catalogs, or left untranslated or fuzzy there, fails here with its text.
"""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

ROOT = Path(settings.BASE_DIR)
# What `make messages` reads: the code, the templates and the scripts.
SOURCES = ["blisko", "config", "templates", "static"]

pytestmark = pytest.mark.skipif(
    shutil.which("msgcmp") is None, reason="GNU gettext is installed by scripts/setup.sh"
)


@pytest.fixture(scope="module")
def fresh_catalog(tmp_path_factory) -> Path:
    """The strings of today's code, as a catalog with no translations (locale "uk").

    makemessages walks the current folder and writes beside a "locale" folder it finds
    there, so it runs in a folder of links to the sources, which has none of its own."""
    work = tmp_path_factory.mktemp("sources")
    for name in SOURCES:
        (work / name).symlink_to(ROOT / name, target_is_directory=True)
    out = work / "out"
    out.mkdir()
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(work)
        patch.setattr(settings, "LOCALE_PATHS", [str(out / "locale")])
        call_command(
            "makemessages",
            locale=["uk"],
            symlinks=True,
            ignore_patterns=["out", "*/tests/*"],
            no_obsolete=True,
            verbosity=0,
        )
    catalog = out / "locale" / "uk" / "LC_MESSAGES" / "django.po"
    assert catalog.stat().st_size > 10_000  # the extraction found the code's strings
    return catalog


@pytest.mark.parametrize("language", ["uk", "pl"])
def test_every_string_of_the_code_is_translated(fresh_catalog, language):
    ours = ROOT / "locale" / language / "LC_MESSAGES" / "django.po"
    # msgcmp: each msgid of the fresh catalog must have a translation, not fuzzy, in ours.
    result = subprocess.run(
        ["msgcmp", str(ours), str(fresh_catalog)], capture_output=True, text=True, check=False
    )
    missing = _missing_msgids(result.stderr, fresh_catalog)
    assert result.returncode == 0, (
        f"locale/{language} lacks these strings (run `make messages`, then translate):\n"
        + "\n".join(missing)
    )


def _missing_msgids(report: str, catalog: Path) -> list[str]:
    """The msgids that msgcmp's `report` names by the line of their msgstr in `catalog`."""
    lines = catalog.read_text(encoding="utf-8").splitlines()
    found = re.findall(rf"{re.escape(str(catalog))}:(\d+): this message is used but", report)
    msgids = []
    for number in found:
        text, index = [], int(number) - 2  # the line above the msgstr, counted from 0
        while index >= 0 and lines[index].startswith(('"', "msgid ")):
            text.insert(0, re.sub(r'^(msgid )?"|"$', "", lines[index]))
            if lines[index].startswith("msgid "):
                break
            index -= 1
        msgids.append("  " + "".join(text))
    return msgids


@pytest.mark.parametrize("language", ["uk", "pl", "en"])
def test_the_catalogs_have_no_fuzzy_or_empty_translation(language):
    catalog = ROOT / "locale" / language / "LC_MESSAGES" / "django.po"
    result = subprocess.run(
        ["msgfmt", "--statistics", "-o", "/dev/null", str(catalog)],
        capture_output=True,
        text=True,
        check=True,
    )
    if language != "en":  # the English catalog may leave a msgstr empty: the msgid is English
        assert "fuzzy" not in result.stderr and "untranslated" not in result.stderr, result.stderr
