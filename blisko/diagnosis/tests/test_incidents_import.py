"""`incidents_import`: real files through the command, routed on the real boundaries."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from blisko.core.models import AuditEvent
from blisko.diagnosis.models import Incident, IncidentCategory
from blisko.territories.models import Area

pytestmark = pytest.mark.django_db

VINNYTSIA_CITY = (49.2331, 28.4682)  # inside Vinnytsia hromada
KONIN_CITY = (52.2230, 18.2511)  # inside the city of Konin
AT_SEA = (43.0, 31.0)  # the Black Sea: outside every territory


def _file(tmp_path: Path, text: str, name: str = "incidents.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _import(path: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("incidents_import", str(path), *args, stdout=out)
    return out.getvalue()


GOOD = (
    "lat,lon,category,occurred_at\n"
    f"{VINNYTSIA_CITY[0]},{VINNYTSIA_CITY[1]},theft,2025-03-04T21:15:00+02:00\n"
    f"{VINNYTSIA_CITY[0] + 0.001},{VINNYTSIA_CITY[1]},Крадіжки з проникненням,2025-03-05 10:00\n"
    f"{KONIN_CITY[0]},{KONIN_CITY[1]},rozboje,2025-04-01\n"
)


def test_a_dry_run_counts_and_writes_nothing(tmp_path):
    output = _import(_file(tmp_path, GOOD))
    assert "3 incidents, all valid: 3 would be imported" in output and "--commit" in output
    assert Incident.objects.count() == 0
    assert not AuditEvent.objects.filter(entity="diagnosis.incidents_import").exists()


def test_incidents_are_routed_to_the_finest_area_and_a_re_import_never_doubles(tmp_path):
    output = _import(_file(tmp_path, GOOD), "--commit")
    assert "3 imported, 0 already on record" in output
    by_code = {i.category.code: i for i in Incident.objects.select_related("category", "area")}
    assert set(by_code) == {"theft", "burglary", "robbery"}
    assert by_code["theft"].area.code == "UA05020030000031457"  # Vinnytsia hromada
    assert "Konin" in by_code["robbery"].area.name_official or by_code[
        "robbery"
    ].area.code.startswith("306")
    assert by_code["theft"].location.x == pytest.approx(VINNYTSIA_CITY[1])
    output = _import(_file(tmp_path, GOOD), "--commit")
    assert "0 imported, 3 already on record" in output
    assert Incident.objects.count() == 3
    assert AuditEvent.objects.filter(entity="diagnosis.incidents_import").count() == 2


def test_semicolons_and_decimal_commas_are_read(tmp_path):
    text = "lat;lon;category;occurred_at\n49,2331;28,4682;theft;2025-03-04T21:15\n"
    assert "1 imported" in _import(_file(tmp_path, text), "--commit")


def test_geojson_points_are_read(tmp_path):
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [VINNYTSIA_CITY[1], VINNYTSIA_CITY[0]],
                },
                "properties": {"category": "drugs", "occurred_at": "2025-05-01T12:00:00Z"},
            }
        ],
    }
    path = _file(tmp_path, json.dumps(collection), name="incidents.geojson")
    output = _import(path, "--commit")
    assert "(GeoJSON)" in output and "1 imported" in output
    assert Incident.objects.get().category.code == "drugs"


def test_points_outside_every_territory_are_listed_and_not_imported(tmp_path):
    text = GOOD + f"{AT_SEA[0]},{AT_SEA[1]},theft,2025-03-04T21:15\n"
    output = _import(_file(tmp_path, text), "--commit")
    assert "3 imported" in output and "1 outside every territory" in output
    assert "Outside every territory, not imported: 5" in output
    assert Incident.objects.count() == 3


@pytest.mark.parametrize(
    "row, message",
    [
        ("91,28.4,theft,2025-03-04", "Line 2: “lat” must be a number between -90 and 90."),
        ("49.2,abc,theft,2025-03-04", "Line 2: “lon” must be a number between -180 and 180."),
        ("49.2,28.4,theft,04/03/2025", "is not a date and time in ISO 8601"),
        ("49.2,28.4,theft,2999-01-01", "is in the future"),
        ("49.2,28.4,theft,1024-01-01", "is before 2000; is the year right?"),
        (
            "49.2,28.4,thefft,2025-03-04",
            "“thefft” is not an incident category. Did you mean: theft?",
        ),
        ("49.2,28.4,theft,", "“occurred_at” is required."),
    ],
)
def test_each_bad_row_refuses_the_file_with_its_line_and_writes_nothing(tmp_path, row, message):
    text = "lat,lon,category,occurred_at\n" + row + "\n" + GOOD.split("\n", 1)[1]
    with pytest.raises(CommandError) as caught:
        _import(_file(tmp_path, text), "--commit")
    assert message in str(caught.value)
    assert "nothing was imported" in str(caught.value)
    assert Incident.objects.count() == 0


def test_the_same_event_twice_in_a_file_is_refused(tmp_path):
    first = GOOD.split("\n")[1]
    with pytest.raises(CommandError, match=r"Line 5: the same category, time and place as 2"):
        _import(_file(tmp_path, GOOD + first + "\n"), "--commit")
    assert Incident.objects.count() == 0


@pytest.mark.parametrize(
    "text, encoding, message",
    [
        ("lat\tlon\tcategory\toccurred_at\n1\t2\ttheft\t2025-01-01\n", "utf-8", "has no column"),
        ("lat,lon,category,occurred_at\n49.2,28.4,kradzież,2025-01-01\n", "cp1250", "not UTF-8"),
        ("", "utf-8", "The file is empty."),
        ("lat,lon,category,occurred_at\n", "utf-8", "holds no incidents"),
        ('{"type": "FeatureCollection", "features": [', "utf-8", "not valid JSON"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused(tmp_path, text, encoding, message):
    name = "x.geojson" if text.startswith("{") else "x.csv"
    with pytest.raises(CommandError, match=message):
        _import(_file(tmp_path, text, name=name, encoding=encoding), "--commit")
    assert Incident.objects.count() == 0


def test_a_missing_file_and_a_bad_time_zone_are_refused(tmp_path):
    with pytest.raises(CommandError, match="There is no file"):
        _import(tmp_path / "missing.csv")
    with pytest.raises(CommandError, match="Unknown time zone"):
        _import(_file(tmp_path, GOOD), "--time-zone", "Mars/Olympus")


def test_times_without_an_offset_are_read_in_the_given_zone(tmp_path):
    text = "lat,lon,category,occurred_at\n49.2331,28.4682,theft,2025-03-04T12:00\n"
    _import(_file(tmp_path, text), "--commit", "--time-zone", "Europe/Kyiv")
    assert Incident.objects.get().occurred_at.isoformat() == "2025-03-04T10:00:00+00:00"


def test_a_category_maps_to_a_threat_as_data(tmp_path):
    theft = IncidentCategory.objects.get(code="theft")
    assert theft.statistic_category.code == "theft"
    assert Area.objects.filter(code="UA05020030000031457").exists()


def test_imported_incidents_are_counted_by_the_diagnosis_in_their_month(tmp_path):
    from blisko.diagnosis.periods import period_parse
    from blisko.diagnosis.selectors.diagnosis import diagnosis_for_area

    _import(_file(tmp_path, GOOD), "--commit")
    area = Area.objects.get(code="UA05020030000031457")
    d = diagnosis_for_area(area=area, period=period_parse("2025-01", "2025-12"))
    theft = next(row for row in d.rows if row.code == "theft")
    assert d.police_kind == "incidents" and theft.police == 1 and theft.monthly[2] == 1
    assert d.period.months[2].month == 3
