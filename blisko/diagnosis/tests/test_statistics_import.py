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


# The figures below go through each engine's own write path (SQL on PostGIS, Python on
# SQLite) and, with a small block, through both readers (a column at a time, and the csv
# module's row at a time for a block with a problem, a blank line or a quote).


def _service(path: Path, **kwargs):
    from blisko.diagnosis.services.statistics import statistics_import_file

    return statistics_import_file(path=path, **kwargs)


def test_a_re_import_audits_each_changed_figure_in_the_file_s_order(tmp_path):
    from django.contrib.auth import get_user_model

    first = _service(_file(tmp_path, GOOD), commit=True)
    assert (first.created, first.replaced, first.unchanged) == (4, 0, 0)
    ids = {key: pk for key, pk in _ids().items()}
    again = (
        "area_code,period,offence,count\n"
        f"{POWIAT},2025-04,road accidents with injuries,30\n"
        f"{VINNYTSIA},2025-03,theft,41\n"
        f"{KONIN},2025-05,theft,5\n"
        f"{KONIN},2025-03,Kradzieże,0\n"
        f"{VINNYTSIA},2025-03,крадіжки з проникненням,7\n"
    )
    user = get_user_model().objects.create_user("importer", password="x")
    path = _file(tmp_path, again)
    dry = _service(path, actor=user)
    assert (dry.created, dry.replaced, dry.unchanged, dry.committed) == (1, 2, 2, False)
    assert not AuditEvent.objects.filter(entity="diagnosis.statistic").exists()
    assert _figures()[(KONIN, "2025-03", "theft")] == 12 and Statistic.objects.count() == 4

    result = _service(path, commit=True, actor=user)
    assert (result.created, result.replaced, result.unchanged) == (1, 2, 2)
    assert _figures() == {
        (VINNYTSIA, "2025-03", "theft"): 41,
        (VINNYTSIA, "2025-03", "burglary"): 7,
        (KONIN, "2025-03", "theft"): 0,
        (KONIN, "2025-05", "theft"): 5,
        (POWIAT, "2025-04", "road-accidents"): 30,
    }
    assert _ids()[(VINNYTSIA, "2025-03", "theft")] == ids[(VINNYTSIA, "2025-03", "theft")]
    replaced = AuditEvent.objects.filter(entity="diagnosis.statistic").order_by("id")
    assert [(e.entity_id, e.action, e.before, e.after, e.note, e.actor_id) for e in replaced] == [
        (
            str(ids[(POWIAT, "2025-04", "road-accidents")]),
            "replaced",
            {"count": 3},
            {"count": 30},
            result.sha256[:12],
            user.pk,
        ),
        (
            str(ids[(KONIN, "2025-03", "theft")]),
            "replaced",
            {"count": 12},
            {"count": 0},
            result.sha256[:12],
            user.pk,
        ),
    ]
    imported = AuditEvent.objects.filter(entity="diagnosis.statistics_import").order_by("id")
    assert [e.after["created"] for e in imported] == [4, 1]
    assert imported.last().after | {"file": "", "sha256": ""} == {
        "file": "",
        "sha256": "",
        "rows": 5,
        "created": 1,
        "replaced": 2,
        "unchanged": 2,
    }
    assert imported.last().actor_id == user.pk and imported.last().entity_id == result.sha256[:16]


def _ids() -> dict[tuple[str, str, str], int]:
    return {
        (s.area.code, f"{s.period:%Y-%m}", s.category.code): s.pk
        for s in Statistic.objects.select_related("area", "category")
    }


def _many(rows: int) -> str:
    """`rows` figures of Konin, one per month back from 2024-12 (theft), with their line."""
    months = [f"{2024 - m // 12}-{12 - m % 12:02d}" for m in range(rows)]
    return "".join(f"{KONIN},{month},theft,{i}\n" for i, month in enumerate(months))


@pytest.mark.parametrize("block", [64, 1 << 22])
def test_blocks_and_both_readers_keep_the_same_figures(tmp_path, monkeypatch, block):
    from blisko.diagnosis.services import statistics

    monkeypatch.setattr(statistics, "_BLOCK", block)
    text = (
        "\ufeffarea_code;period;offence;count\r\n"
        + _many(30).replace(",", ";").replace("\n", "\r\n")
        + "\r\n ; ;\r\n"  # a blank line and a blank row: skipped
        + f"  {VINNYTSIA} ; 2025-03 ;THEFT; 007;extra\r\n"
        + f"{POWIAT};2025-04;road accidents with injuries;3"  # no line end
    )
    result = _service(_file(tmp_path, text), commit=True)
    assert (result.rows, result.created, result.problem_count) == (32, 32, 0)
    figures = _figures()
    assert figures[(KONIN, "2024-12", "theft")] == 0 and figures[(KONIN, "2022-07", "theft")] == 29
    assert figures[(VINNYTSIA, "2025-03", "theft")] == 7
    assert figures[(POWIAT, "2025-04", "road-accidents")] == 3
    # The same rows, quoted (the csv module reads the whole file): the same figures, unchanged.
    quoted = "\n".join(
        ",".join(f'"{cell}"' for cell in line.split(";"))
        for line in text.lstrip("\ufeff").split("\r\n")
    )
    again = _service(_file(tmp_path, quoted), commit=True)
    assert (again.rows, again.created, again.replaced, again.unchanged) == (32, 0, 0, 32)
    assert _figures() == figures


@pytest.mark.parametrize("block", [64, 1 << 22])
def test_problems_are_listed_in_line_order_across_blocks(tmp_path, monkeypatch, block):
    from blisko.diagnosis.services import statistics

    monkeypatch.setattr(statistics, "_BLOCK", block)
    lines = _many(40).splitlines(keepends=True)
    lines[5] = f"{KONIN},2024-07,theft,x\n"  # line 7
    lines[25] = f"{KONIN},2023-01,burglary,١٢\n"  # line 27: a count in other digits is a number
    lines[30] = f"{KONIN},2024-12,theft,1\n"  # line 32: the same as line 2
    lines[35] = f"{KONIN},2024-07,thef,1\n"  # line 37
    text = "area_code,period,offence,count\n" + "".join(lines)
    result = _service(_file(tmp_path, text), commit=True)
    assert result.problems == [
        "Line 7: the count must be a whole number, 0 or more, not “x”.",
        "Line 37: “thef” is not a statistic category. Did you mean: theft?",
        "Line 32: the same area, period and offence as line 2.",
    ]
    assert result.problem_count == 3 and Statistic.objects.count() == 0


@pytest.mark.parametrize("block", [64, 1 << 22])
def test_a_line_that_is_not_utf8_is_named_in_any_block(tmp_path, monkeypatch, block):
    from blisko.diagnosis.services import statistics

    monkeypatch.setattr(statistics, "_BLOCK", block)
    data = ("area_code,period,offence,count\n" + _many(20)).encode()
    data = data.replace(b"2024-01,theft,11", b"2024-01,theft\xff,11")  # line 13
    path = tmp_path / "statistics.csv"
    path.write_bytes(data)
    from blisko.core.exceptions import ApplicationError

    with pytest.raises(ApplicationError, match="Line 13 is not UTF-8 text."):
        _service(path, commit=True)
    assert Statistic.objects.count() == 0
