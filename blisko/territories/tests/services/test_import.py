"""territory_import, places_import_katotth and the territories_import command, on small files."""

import datetime as dt
import json
from pathlib import Path

import pytest
import shapely
from django.core.management import CommandError, call_command
from shapely.geometry import box

from blisko.core.exceptions import ApplicationError
from blisko.core.models import AuditEvent, DirectoryChange
from blisko.territories.models import Area, AreaBoundary, Place
from blisko.territories.selectors.areas import area_boundary, area_for_point
from blisko.territories.services.imports import places_import_katotth, territory_import
from conftest import KONIN_CENTRE

pytestmark = pytest.mark.django_db

KONIN_GMINA = "3062011"
FIRST_DAY = dt.date(2024, 1, 1)
LON, LAT = KONIN_CENTRE


def _square(lon: float, lat: float, half: float = 0.004) -> dict:
    return shapely.geometry.mapping(box(lon - half, lat - half, lon + half, lat + half))


def _beat(number: int, geometry: dict | None = None, **properties) -> dict:
    """A service area of gmina Konin in Blisko's own format."""
    return {
        "type": "Feature",
        "properties": {
            "code": f"{KONIN_GMINA}-{number:02d}",
            "level": "service_area",
            "name": f"Rejon {number}",
            "country": "PL",
            "parent": KONIN_GMINA,
            **properties,
        },
        "geometry": geometry or _square(LON + 0.01 * (number - 1), LAT),
    }


def _write(tmp_path: Path, features: list, name: str = "beats.geojson", **extra) -> Path:
    path = tmp_path / name
    path.write_text(
        json.dumps({"type": "FeatureCollection", **extra, "features": features}), encoding="utf-8"
    )
    return path


def _counts() -> tuple[int, ...]:
    return (
        Area.objects.count(),
        AreaBoundary.objects.count(),
        AuditEvent.objects.count(),
        DirectoryChange.objects.count(),
        Place.objects.count(),
    )


def _refused(path: Path, match: str) -> list[str]:
    """Import `path`, expect a refusal mentioning `match`, and check nothing was written."""
    before = _counts()
    with pytest.raises(ApplicationError) as refused:
        territory_import(path=path, valid_from=FIRST_DAY, commit=True)
    assert _counts() == before
    text = refused.value.message + "\n" + "\n".join(refused.value.extra.get("problems", []))
    assert match in text, text
    return refused.value.extra.get("problems", [])


# --- valid, repeated, changed, dry run --------------------------------------------------------


def test_a_valid_file_creates_its_areas_under_their_parent_with_a_first_boundary_version(tmp_path):
    path = _write(tmp_path, [_beat(1), _beat(2)])

    result = territory_import(path=path, valid_from=FIRST_DAY, commit=True)

    assert result.committed
    assert len(result.created) == 2 and result.changed == result.unchanged == []
    beat = Area.objects.get(code=f"{KONIN_GMINA}-01")
    assert (beat.level, beat.parent.code, beat.name_official) == (
        "service_area",
        KONIN_GMINA,
        "Rejon 1",
    )
    version = AreaBoundary.objects.get(area=beat)
    assert (version.valid_from, version.valid_to, version.source) == (
        FIRST_DAY,
        None,
        "beats.geojson",
    )
    assert area_for_point(lon=LON, lat=LAT) == beat
    assert area_for_point(lon=LON + 0.01, lat=LAT).code == f"{KONIN_GMINA}-02"


def test_importing_the_same_file_again_changes_nothing(tmp_path):
    path = _write(tmp_path, [_beat(1), _beat(2)])
    territory_import(path=path, valid_from=FIRST_DAY, commit=True)
    before = _counts()

    again = territory_import(path=path, valid_from=dt.date(2025, 1, 1), commit=True)

    assert len(again.unchanged) == 2
    assert again.created == again.changed == again.renamed == []
    assert _counts() == before


def test_a_changed_boundary_closes_the_old_version_and_keeps_it_queryable_by_date(tmp_path):
    territory_import(path=_write(tmp_path, [_beat(1), _beat(2)]), valid_from=FIRST_DAY, commit=True)
    moved = _beat(1, _square(LON - 0.02, LAT))
    path = _write(tmp_path, [moved, _beat(2)], name="beats-2025.geojson")

    result = territory_import(path=path, valid_from=dt.date(2025, 6, 1), commit=True)

    assert len(result.changed) == 1 and len(result.unchanged) == 1
    beat = Area.objects.get(code=f"{KONIN_GMINA}-01")
    old, new = AreaBoundary.objects.filter(area=beat).order_by("valid_from")
    assert (old.valid_from, old.valid_to) == (FIRST_DAY, dt.date(2025, 6, 1))
    assert (new.valid_from, new.valid_to, new.source) == (
        dt.date(2025, 6, 1),
        None,
        "beats-2025.geojson",
    )
    assert area_boundary(area=beat, on=dt.date(2025, 5, 31)) == old.boundary
    assert area_boundary(area=beat) == new.boundary
    assert area_for_point(lon=LON, lat=LAT, on=dt.date(2025, 5, 31)) == beat
    assert area_for_point(lon=LON, lat=LAT).code == KONIN_GMINA  # the beat moved away
    assert area_for_point(lon=LON - 0.02, lat=LAT) == beat


def test_a_dry_run_reports_what_it_would_do_and_writes_nothing(tmp_path):
    before = _counts()

    result = territory_import(path=_write(tmp_path, [_beat(1)]), valid_from=FIRST_DAY)

    assert not result.committed
    assert len(result.created) == 1
    assert _counts() == before


# --- bad files: refused whole, nothing written ------------------------------------------------


def test_a_truncated_file_is_refused(tmp_path):
    path = _write(tmp_path, [_beat(1), _beat(2)])
    path.write_text(path.read_text(encoding="utf-8")[:-40], encoding="utf-8")

    _refused(path, "not valid JSON")


def test_an_empty_file_is_refused(tmp_path):
    path = tmp_path / "empty.geojson"
    path.write_bytes(b"")

    _refused(path, "empty")


@pytest.mark.parametrize(
    "content",
    [
        '{"hello": "world"}',
        "[1, 2, 3]",
        '{"type": "Feature", "properties": {}, "geometry": null}',
        '{"type": "FeatureCollection", "features": []}',
    ],
)
def test_json_that_is_not_a_geojson_feature_collection_is_refused(tmp_path, content):
    path = tmp_path / "other.json"
    path.write_text(content, encoding="utf-8")

    with pytest.raises(ApplicationError):
        territory_import(path=path, commit=True)
    assert not Area.objects.filter(code__startswith=f"{KONIN_GMINA}-").exists()


def test_a_file_that_is_not_text_is_refused(tmp_path):
    path = tmp_path / "image.geojson"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe\x00")

    _refused(path, "UTF-8")


def test_a_file_in_the_polish_crs_is_reprojected_and_lands_in_konin(tmp_path):
    # A square of about 1.4 x 2.2 km in EPSG:2180 (PUWG 1992) around the centre of Konin.
    square = {
        "type": "Polygon",
        "coordinates": [
            [
                [448086, 482931],
                [449452, 482917],
                [449475, 485141],
                [448109, 485155],
                [448086, 482931],
            ]
        ],
    }
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2180"}}
    path = _write(tmp_path, [_beat(1, square)], crs=crs)

    territory_import(path=path, valid_from=FIRST_DAY, commit=True)

    beat = Area.objects.get(code=f"{KONIN_GMINA}-01")
    minx, miny, maxx, maxy = beat.boundary.extent
    assert minx == pytest.approx(18.24, abs=1e-3) and maxx == pytest.approx(18.26, abs=1e-3)
    assert miny == pytest.approx(52.21, abs=1e-3) and maxy == pytest.approx(52.23, abs=1e-3)
    assert area_for_point(lon=18.25, lat=52.22) == beat
    assert [a.code for a in beat.ancestors()] == [KONIN_GMINA, "3062", "30", "PL"]


def test_projected_coordinates_without_a_declared_crs_are_refused(tmp_path):
    square = {
        "type": "Polygon",
        "coordinates": [[[448086, 482931], [449452, 482917], [449475, 485141], [448086, 482931]]],
    }
    _refused(_write(tmp_path, [_beat(1), _beat(2, square)]), "not longitude/latitude")


def test_an_unknown_crs_is_refused(tmp_path):
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::999999"}}
    _refused(_write(tmp_path, [_beat(1)], crs=crs), "Unknown coordinate reference system")


def test_points_instead_of_polygons_are_refused(tmp_path):
    point = {"type": "Point", "coordinates": [LON, LAT]}
    problems = _refused(_write(tmp_path, [_beat(1), _beat(2, point)]), "not a polygon")
    assert len(problems) == 1 and "Point" in problems[0]


def test_a_feature_without_geometry_is_refused(tmp_path):
    feature = _beat(1)
    feature["geometry"] = None
    _refused(_write(tmp_path, [feature]), "not a polygon")


def test_a_self_intersecting_polygon_is_repaired_and_listed(tmp_path):
    # A bow-tie: its left and right triangles touch at the centre of Konin.
    d = 0.004
    bowtie = {
        "type": "Polygon",
        "coordinates": [
            [
                [LON - d, LAT - d],
                [LON + d, LAT + d],
                [LON + d, LAT - d],
                [LON - d, LAT + d],
                [LON - d, LAT - d],
            ]
        ],
    }
    path = _write(tmp_path, [_beat(1, bowtie), _beat(2)])

    result = territory_import(path=path, valid_from=FIRST_DAY, commit=True)

    assert len(result.repaired) == 1
    assert f"{KONIN_GMINA}-01" in result.repaired[0] and "Self-intersection" in result.repaired[0]
    beat = Area.objects.get(code=f"{KONIN_GMINA}-01")
    assert beat.boundary.valid
    assert beat.boundary.area == pytest.approx(2 * d * d, rel=1e-6)  # both triangles kept
    assert AreaBoundary.objects.get(area=beat).was_repaired
    assert area_for_point(lon=LON + d / 2, lat=LAT) == beat  # inside the right triangle
    assert area_for_point(lon=LON - d / 2, lat=LAT) == beat  # inside the left one
    assert area_for_point(lon=LON, lat=LAT + d / 2).code == KONIN_GMINA  # between them


def test_duplicate_codes_are_refused(tmp_path):
    problems = _refused(
        _write(tmp_path, [_beat(1), _beat(2), _beat(1, _square(LON, LAT + 0.02))]), "used again"
    )
    assert len(problems) == 1 and f"{KONIN_GMINA}-01" in problems[0]


def test_missing_codes_are_refused(tmp_path):
    nameless = _beat(2)
    del nameless["properties"]["code"]
    _refused(_write(tmp_path, [_beat(1), nameless]), "has no code")


def test_every_problem_of_a_file_is_listed_at_once(tmp_path):
    point = {"type": "Point", "coordinates": [LON, LAT]}
    nameless = _beat(3)
    del nameless["properties"]["code"]
    problems = _refused(
        _write(tmp_path, [_beat(1), _beat(2, point), nameless, _beat(1)]), "3 problem(s)"
    )
    assert len(problems) == 3


def test_a_bad_level_or_country_in_blisko_format_is_refused(tmp_path):
    _refused(_write(tmp_path, [_beat(1, level="galaxy")]), "unknown level")
    _refused(_write(tmp_path, [_beat(1, country="XX")]), "unknown country")


def test_a_katotth_file_imports_a_hromada_under_its_raion_and_oblast(tmp_path):
    # A new hromada in Vinnytsia raion, with the registers' properties.
    feature = {
        "type": "Feature",
        "properties": {
            "katotth": "UA05020990000099999",
            "hromada": "Тестова сільська громада",
            "katotth_name": "Тестова",
        },
        "geometry": _square(28.9, 49.1, 0.01),
    }
    territory_import(path=_write(tmp_path, [feature]), valid_from=FIRST_DAY, commit=True)

    area = Area.objects.get(code="UA05020990000099999")
    assert area.name_uk == "Тестова сільська громада"
    assert area.name_en == "Testova rural hromada"
    assert [a.code for a in area.ancestors()] == [
        "UA05020000000026686",
        "UA05000000000010236",
        "UA",
    ]


def test_a_malformed_katotth_code_is_refused(tmp_path):
    feature = {
        "type": "Feature",
        "properties": {"katotth": "UA123", "hromada": "Тестова сільська громада"},
        "geometry": _square(28.9, 49.1, 0.01),
    }
    _refused(_write(tmp_path, [feature]), "not a KATOTTH code")


# --- the codifier -----------------------------------------------------------------------------

_HEADER = "Перший рівень;Другий рівень;Третій рівень;Четвертий рівень;Додатковий рівень;Категорія об’єкта;Назва об’єкта\n"


def test_the_codifier_import_adds_places_to_their_hromada_and_is_idempotent(tmp_path):
    path = tmp_path / "katotth.csv"
    path.write_text(
        _HEADER
        + "UA05000000000010236;UA05020000000026686;UA05020030000031457;UA05020030999999999;;C;Тестове\n"
        + "UA05000000000010236;UA05020000000026686;UA05029999999999999;UA05029999999999998;;C;Нічиє\n",
        encoding="utf-8",
    )

    first = places_import_katotth(path=path, commit=True)
    again = places_import_katotth(path=path, commit=True)

    place = Place.objects.get(code="UA05020030999999999")
    assert (place.name, place.kind, place.area.code) == (
        "Тестове",
        "village",
        "UA05020030000031457",
    )
    assert place.search_latin == "testove"
    assert (len(first.created), len(first.skipped)) == (1, 1)
    assert (len(again.created), len(again.unchanged)) == (0, 1)


def test_a_csv_that_is_not_the_codifier_is_refused(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("a;b;c\n1;2;3\n", encoding="utf-8")
    before = _counts()

    with pytest.raises(ApplicationError, match="not the KATOTTH codifier"):
        places_import_katotth(path=path, commit=True)
    assert _counts() == before


# --- the command ------------------------------------------------------------------------------


def test_the_command_is_a_dry_run_unless_committed(tmp_path, capsys):
    path = _write(tmp_path, [_beat(1), _beat(2)])
    before = _counts()

    call_command("territories_import", str(path))

    assert "2 new" in capsys.readouterr().out
    assert _counts() == before


def test_the_command_commits_and_prints_what_it_did(tmp_path, capsys):
    path = _write(tmp_path, [_beat(1), _beat(2)])

    call_command("territories_import", str(path), "--commit", "--valid-from", "2024-01-01")

    out = capsys.readouterr().out
    assert "2 new" in out and "Committed." in out
    assert AreaBoundary.objects.get(area__code=f"{KONIN_GMINA}-01").valid_from == FIRST_DAY
    assert Place.objects.filter(code=f"area:{KONIN_GMINA}-01").exists()


def test_the_command_prints_repairs(tmp_path, capsys):
    d = 0.004
    bowtie = {
        "type": "Polygon",
        "coordinates": [
            [
                [LON - d, LAT - d],
                [LON + d, LAT + d],
                [LON + d, LAT - d],
                [LON - d, LAT + d],
                [LON - d, LAT - d],
            ]
        ],
    }
    call_command("territories_import", str(_write(tmp_path, [_beat(1, bowtie)])), "--commit")

    assert "repaired:" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"type": "FeatureCollection", "features": [', "not valid JSON"),
        ('{"hello": "world"}', "not a GeoJSON FeatureCollection"),
    ],
)
def test_the_command_stops_with_an_error_on_a_bad_file(tmp_path, content, message):
    path = tmp_path / "bad.geojson"
    path.write_text(content, encoding="utf-8")
    before = _counts()

    with pytest.raises(CommandError, match=message):
        call_command("territories_import", str(path), "--commit")
    assert _counts() == before


def test_the_command_lists_each_problem_of_a_refused_file(tmp_path):
    point = {"type": "Point", "coordinates": [LON, LAT]}
    with pytest.raises(CommandError) as refused:
        call_command(
            "territories_import", str(_write(tmp_path, [_beat(1), _beat(2, point)])), "--commit"
        )
    assert "  - " in str(refused.value) and "not a polygon" in str(refused.value)


def test_the_command_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("territories_import", str(tmp_path / "nowhere.geojson"))
