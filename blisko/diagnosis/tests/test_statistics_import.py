"""`statistics_import`: real files through the command, checked in the database."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from blisko.core.models import AuditEvent
from blisko.diagnosis.models import Statistic, StatisticCategory

pytestmark = pytest.mark.django_db

VINNYTSIA = "UA05020030000031457"  # Vinnytsia hromada
KONIN = "3062011"  # gmina Konin
POWIAT = "3062"


def _file(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "statistics.csv"
    path.write_bytes(text.encode(encoding))
    return path


def _import(path: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("statistics_import", str(path), *args, stdout=out)
    return out.getvalue()


def _figures() -> dict[tuple[str, str, str], int]:
    return {
        (s.area.code, f"{s.period:%Y-%m}", s.category.code): s.count
        for s in Statistic.objects.select_related("area", "category")
    }


GOOD = (
    "area_code,period,offence,count\n"
    f"{VINNYTSIA},2025-03,theft,41\n"
    f"{VINNYTSIA},2025-03,крадіжки з проникненням,7\n"
    f"{KONIN},2025-03,Kradzieże,12\n"
    f"{POWIAT},2025-04,road accidents with injuries,3\n"
)


def test_a_dry_run_counts_what_it_would_do_and_writes_nothing(tmp_path):
    output = _import(_file(tmp_path, GOOD))
    assert "4 figures" in output and "4 would be new" in output and "--commit" in output
    assert Statistic.objects.count() == 0
    assert not AuditEvent.objects.filter(entity__startswith="diagnosis.").exists()


def test_codes_and_names_in_any_language_and_case_are_imported(tmp_path):
    output = _import(_file(tmp_path, GOOD), "--commit")
    assert "4 new, 0 replaced, 0 unchanged" in output
    assert _figures() == {
        (VINNYTSIA, "2025-03", "theft"): 41,
        (VINNYTSIA, "2025-03", "burglary"): 7,
        (KONIN, "2025-03", "theft"): 12,
        (POWIAT, "2025-04", "road-accidents"): 3,
    }
    audit = AuditEvent.objects.get(entity="diagnosis.statistics_import")
    assert audit.after["rows"] == 4 and audit.after["created"] == 4


def test_a_re_import_replaces_each_figure_audited_and_never_doubles_it(tmp_path):
    _import(_file(tmp_path, GOOD), "--commit")
    again = GOOD.replace(",41\n", ",45\n")
    output = _import(_file(tmp_path, again), "--commit")
    assert "0 new, 1 replaced, 3 unchanged" in output
    assert Statistic.objects.count() == 4
    assert _figures()[(VINNYTSIA, "2025-03", "theft")] == 45
    replaced = AuditEvent.objects.get(entity="diagnosis.statistic", action="replaced")
    assert replaced.before == {"count": 41} and replaced.after == {"count": 45}


def test_semicolons_are_read(tmp_path):
    _import(_file(tmp_path, GOOD.replace(",", ";")), "--commit")
    assert Statistic.objects.count() == 4


@pytest.mark.parametrize(
    "row, message",
    [
        (
            "UA99999999999999999,2025-03,theft,4",
            "Line 3: no area has the code “UA99999999999999999”.",
        ),
        (
            f"{KONIN},2025/03,theft,4",
            "Line 3: the period must be a month as YYYY-MM, not “2025/03”.",
        ),
        (
            f"{KONIN},2025-13,theft,4",
            "Line 3: the period must be a month as YYYY-MM, not “2025-13”.",
        ),
        (f"{KONIN},2999-01,theft,4", "Line 3: the period 2999-01 is in the future."),
        (
            f"{KONIN},2025-03,theft,-4",
            "Line 3: the count must be a whole number, 0 or more, not “-4”.",
        ),
        (
            f"{KONIN},2025-03,theft,4.5",
            "Line 3: the count must be a whole number, 0 or more, not “4.5”.",
        ),
        (
            f"{KONIN},2025-03,burglry,4",
            "Line 3: “burglry” is not a statistic category. Did you mean: burglary?",
        ),
        (f"{KONIN},2025-03,theft,12", "Line 3: the same area, period and offence as line 2."),
    ],
)
def test_a_bad_row_refuses_the_whole_file_and_changes_nothing(tmp_path, row, message):
    text = f"area_code,period,offence,count\n{KONIN},2025-03,theft,12\n{row}\n"
    with pytest.raises(CommandError) as raised:
        _import(_file(tmp_path, text), "--commit")
    assert message in str(raised.value)
    assert "1 row has a problem; nothing was imported" in str(raised.value)
    assert Statistic.objects.count() == 0


def test_every_bad_row_is_listed_with_its_line(tmp_path):
    rows = "".join(f"{KONIN},2025-03,nothing-{i},1\n" for i in range(30))
    with pytest.raises(CommandError) as raised:
        _import(_file(tmp_path, "area_code,period,offence,count\n" + rows))
    text = str(raised.value)
    assert "30 rows have problems" in text and "Line 21:" in text and "… and 10 more." in text


@pytest.mark.parametrize(
    "text, encoding, message",
    [
        ("", "utf-8", "The file is empty."),
        ("area_code,period,count\n", "utf-8", "The header has no column offence."),
        (
            "area_code\tperiod\toffence\tcount\n",
            "utf-8",
            "The header has no column area_code, period, offence, count.",
        ),
        ("area_code,period,offence,count\n", "utf-8", "The file has no figures."),
        (
            f"area_code,period,offence,count\n{KONIN},2025-03,kradzieże,1\n",
            "cp1250",
            "Line 2 is not UTF-8 text.",
        ),
    ],
)
def test_a_file_that_cannot_be_read_is_refused(tmp_path, text, encoding, message):
    with pytest.raises(CommandError, match=message):
        _import(_file(tmp_path, text, encoding), "--commit")
    assert Statistic.objects.count() == 0


def test_a_re_import_keeps_the_figures_on_record_when_the_new_file_is_refused(tmp_path):
    _import(_file(tmp_path, GOOD), "--commit")
    broken = GOOD + f"{KONIN},2025-05,theft,x\n"
    with pytest.raises(CommandError):
        _import(_file(tmp_path, broken.replace(",12\n", ",99\n")), "--commit")
    assert _figures()[(KONIN, "2025-03", "theft")] == 12


def test_the_closed_list_maps_each_category_to_the_map_s_categories():
    assert StatisticCategory.objects.count() >= 16
    drinking = StatisticCategory.objects.get(code="alcohol-in-public")
    assert list(drinking.kmzb_categories.values_list("code", flat=True)) == ["public-drinking"]
