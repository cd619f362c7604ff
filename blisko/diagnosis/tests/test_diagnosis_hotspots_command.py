"""`manage.py diagnosis_hotspots`: any CSV of points in, one row per study cell out."""

import csv
import io
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from blisko.diagnosis import hotspots as engine
from blisko.diagnosis.management.commands.diagnosis_hotspots import COLUMNS

DATA = Path(__file__).resolve().parents[3] / "data" / "events" / "san_francisco_robbery_2019.csv"


def _file(tmp_path: Path, text: str, name: str = "points.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _run(path: Path, *args: str) -> tuple[list[dict[str, str]], str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("diagnosis_hotspots", str(path), *args, stdout=out, stderr=err)
    return list(csv.DictReader(io.StringIO(out.getvalue()))), err.getvalue()


def test_a_real_file_gives_exactly_the_columns_and_the_engine_s_figures(tmp_path):
    with DATA.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    text = "lat,lon,offense\n" + "".join(
        f"{r['latitude']},{r['longitude']},{r['offense_type']}\n" for r in rows
    )
    out = tmp_path / "out.csv"
    _, err = _run(_file(tmp_path, text), "--seed", "7", "--out", str(out))
    with out.open(encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        written = list(reader)
    assert tuple(reader.fieldnames or ()) == COLUMNS
    cells, counts = engine.cells_count(
        [(float(r["latitude"]), float(r["longitude"])) for r in rows], resolution=9
    )
    expected = engine.hotspots(cells, counts, resolution=9, permutations=999, seed=7)
    assert len(written) == len(expected.cells)
    assert sum(int(r["count"]) for r in written) == len(rows)
    z = np.array([float(r["gi_z"]) for r in written])
    assert np.abs(z - expected.z).max() < 1e-5
    assert [r["class"] for r in written] == expected.classes.tolist()
    assert np.allclose([float(r["p_sim"]) for r in written], expected.p_sim)
    assert "951" in err and "hot" in err


def test_semicolons_decimal_commas_and_other_columns_are_read(tmp_path):
    text = "id;lon;lat\n1;28,4682;49,2331\n2;28,4683;49,2332\n\n3;28,50;49,25\n"
    rows, _ = _run(_file(tmp_path, text), "--permutations", "99", "--seed", "1")
    assert sum(int(r["count"]) for r in rows) == 3


def test_latitude_and_longitude_columns_are_read_as_lat_and_lon(tmp_path):
    rows, _ = _run(DATA, "--permutations", "0")
    assert sum(int(r["count"]) for r in rows) == 951


def test_a_one_point_file_gives_its_cell_and_ring(tmp_path):
    rows, _ = _run(_file(tmp_path, "lat,lon\n52.2230,18.2513\n"), "--permutations", "9")
    assert len(rows) == 7 and {r["class"] for r in rows} == {"none"}


def test_without_permutations_p_sim_is_left_empty(tmp_path):
    rows, _ = _run(_file(tmp_path, "lat,lon\n52.2230,18.2513\n"), "--permutations", "0")
    assert {r["p_sim"] for r in rows} == {""}


@pytest.mark.parametrize(
    "args, message",
    [
        (("--resolution", "4"), "--resolution must be from 5 to 12."),
        (("--resolution", "13"), "--resolution must be from 5 to 12."),
        (("--permutations", "100000"), "--permutations must be from 0 to 99 999."),
        (("--permutations", "-1"), "--permutations must be from 0 to 99 999."),
    ],
)
def test_options_out_of_range_are_refused(tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        _run(_file(tmp_path, "lat,lon\n52.2,18.2\n"), *args)


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "The file is empty."),
        ("y,x\n52.2,18.2\n", "The header has no column lat, lon"),
        ("latitude,x\n52.2,18.2\n", "The header has no column lon"),
        ("lat,lon\n", "The file has no points."),
        ("lat,lon\n52.2,18.2\n91,18.2\n", "Line 3: “lat” must be a number from -90.0 to 90.0"),
        ("lat,lon\n52.2,abc\n", "Line 2: “lon” must be a number from -180.0 to 180.0, not “abc”"),
        ("lat,lon\n52.2,nan\n", "Line 2: “lon” must be a number"),
        ("lat,lon\n52.2\n", "Line 2: “lon” must be a number"),
    ],
)
def test_unusable_files_are_refused_with_the_line(tmp_path, text, message):
    with pytest.raises(CommandError, match=message):
        _run(_file(tmp_path, text))


def test_a_file_in_another_encoding_is_refused(tmp_path):
    path = _file(tmp_path, "lat,lon,miejsce\n52.2,18.2,Żółć\n", encoding="cp1250")
    with pytest.raises(CommandError, match="UTF-8"):
        _run(path)


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(CommandError, match="Cannot read the file"):
        _run(tmp_path / "none.csv")


@pytest.mark.parametrize(
    "language, message",
    [
        ("uk", "--resolution має бути від 5 до 12."),
        ("pl", "--resolution musi mieć wartość od 5 do 12."),
    ],
)
def test_refusals_come_in_the_site_s_language(tmp_path, settings, language, message):
    # A command speaks LANGUAGE_CODE (Django activates it for every command).
    settings.LANGUAGE_CODE = language
    with pytest.raises(CommandError, match=message):
        _run(_file(tmp_path, "lat,lon\n52.2,18.2\n"), "--resolution", "3")
