"""`reports_import`: real files written to disk, run through the command, checked in the DB."""

import datetime as dt
import io
import json
import zoneinfo
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from blisko.core.models import AuditEvent
from blisko.officers.models import Role
from blisko.officers.tests.factories import AssignmentFactory
from blisko.reports.models import Report, ReportEvent, Status
from blisko.reports.tests.factories import CategoryFactory
from blisko.reports.tests.police import police_user
from blisko.territories.models import Area
from conftest import BLACK_SEA, KONIN_CENTRE, VINNYTSIA_CENTRE

pytestmark = pytest.mark.django_db

SAMPLE = Path(settings.BASE_DIR) / "data" / "samples" / "reports_sample.csv"
VINNYTSIA = "UA05020030000031457"  # Вінницька міська громада
KONIN = "3062011"  # gmina Konin
HEADER = "lat,lon,category,created_at,status,description\n"


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("reports_import", *args, stdout=out)
    return out.getvalue()


def _refused(*args: str) -> str:
    with pytest.raises(CommandError) as raised:
        _run(*args)
    return str(raised.value)


def _write(tmp_path: Path, name: str, content: str | bytes) -> str:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return str(path)


@pytest.fixture
def untouched():
    """Asserts, after the test, that no report, report event or audit event was written."""
    before = (Report.objects.count(), ReportEvent.objects.count(), AuditEvent.objects.count())
    yield
    after = (Report.objects.count(), ReportEvent.objects.count(), AuditEvent.objects.count())
    assert after == before


@pytest.fixture
def officers():
    """Vinnytsia's community officer and traffic officer, and Konin's dzielnicowy."""
    vinnytsia, konin = Area.objects.get(code=VINNYTSIA), Area.objects.get(code=KONIN)
    return {
        "vinnytsia": AssignmentFactory(area=vinnytsia, role=Role.COMMUNITY_OFFICER).officer,
        "traffic": AssignmentFactory(area=vinnytsia, role=Role.TRAFFIC_OFFICER).officer,
        "konin": AssignmentFactory(area=konin, role=Role.COMMUNITY_OFFICER).officer,
    }


def _imported() -> list[Report]:
    return list(Report.objects.filter(events__action="imported").order_by("pk"))


# --- the sample file the README uses -------------------------------------------------------


def test_the_sample_file_in_a_dry_run_counts_everything_and_writes_nothing(untouched):
    output = _run(str(SAMPLE))
    assert "(CSV): 20 rows." in output
    assert "Would import 20; outside every territory 0; invalid 0." in output
    assert "  improper-parking (improper parking): 6" in output
    assert "Dry run, nothing written. Add --commit to write." in output
    assert "reports a second" in output


def test_the_sample_file_with_commit_imports_twenty_routed_reports_and_audits_the_import(
    officers,
):
    output = _run(str(SAMPLE), "--commit")
    assert "Imported 20; outside every territory 0; invalid 0." in output
    assert "Committed." in output
    reports = _imported()
    assert len(reports) == 20
    by_area = {r.area.code for r in reports}
    assert {VINNYTSIA, KONIN} <= by_area
    assert all(r.area.country in ("UA", "PL") for r in reports)
    in_vinnytsia = [r for r in reports if r.area.code == VINNYTSIA]
    assert {r.category.code: r.assigned_officer for r in in_vinnytsia} == {
        "improper-parking": officers["traffic"],
        "public-drinking": officers["vinnytsia"],
    }
    first = next(r for r in in_vinnytsia if r.category.code == "improper-parking")
    kyiv = zoneinfo.ZoneInfo("Europe/Kyiv")
    assert first.created_at == dt.datetime(2026, 2, 3, 8, 15, tzinfo=kyiv)
    assert first.status == Status.RESOLVED and first.closed_at is not None
    assert first.description.startswith("Автомобілі паркуються на тротуарі біля школи, діти")
    audit = AuditEvent.objects.get(entity="reports.import")
    ids = sorted(r.pk for r in reports)
    assert audit.actor is None and audit.action == "imported"
    assert audit.entity_id == f"{ids[0]}-{ids[-1]}"
    assert audit.after["file"] == "reports_sample.csv"
    assert (audit.after["imported"], audit.after["outside"], audit.after["invalid"]) == (20, 0, 0)
    assert (audit.after["first_id"], audit.after["last_id"]) == (ids[0], ids[-1])
    assert sum(audit.after["by_category"].values()) == 20
    assert len(audit.after["sha256"]) == 64
    assert f"New report ids: {ids[0]} to {ids[-1]}." in output


# --- the formats ---------------------------------------------------------------------------


def test_a_kmzb_style_export_with_semicolons_decimal_commas_and_polish_names(tmp_path, officers):
    lon, lat = VINNYTSIA_CENTRE
    comma = lambda v: str(v).replace(".", ",")  # noqa: E731
    text = (
        "\ufefflat;lon;category;created_at;status;description\n"
        f"{comma(lat)};{comma(lon)};Nieprawidłowe parkowanie;2025-06-01 14:30;resolved;Auto na chodniku\n"
        f"{comma(lat)};{comma(lon)};AKTY WANDALIZMU;2025-06-02T09:00:00+02:00;;\n"
        f"{comma(lat)};{comma(lon)};неправильне паркування;;in_verification;\n"
        f"{comma(KONIN_CENTRE[1])};{comma(KONIN_CENTRE[0])};  Vandalism ;2025-06-03;confirmed;x\n"
    )
    output = _run(_write(tmp_path, "kmzb.csv", text), "--commit")
    assert "Imported 4; outside every territory 0; invalid 0." in output
    reports = _imported()
    assert [r.category.code for r in reports].count("improper-parking") == 2
    assert [r.category.code for r in reports].count("vandalism") == 2
    parking = next(r for r in reports if r.status == Status.RESOLVED)
    assert parking.category.code == "improper-parking"
    assert parking.assigned_officer == officers["traffic"]
    assert parking.location.coords == pytest.approx(VINNYTSIA_CENTRE)
    assert parking.description == "Auto na chodniku"
    # A naive time is read in TIME_ZONE; one with an offset is kept as it is.
    kyiv = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    assert parking.created_at == dt.datetime(2025, 6, 1, 14, 30, tzinfo=kyiv)
    vandalism = next(r for r in reports if r.area.code == VINNYTSIA and r.status == "submitted")
    assert vandalism.assigned_officer == officers["vinnytsia"]
    assert vandalism.created_at == dt.datetime(2025, 6, 2, 7, 0, tzinfo=dt.UTC)
    konin = next(r for r in reports if r.area.code == KONIN)
    assert konin.assigned_officer == officers["konin"]
    assert konin.created_at == dt.datetime(2025, 6, 3, tzinfo=kyiv)


def test_excel_sep_line_names_the_delimiter_and_is_not_the_header(tmp_path, untouched):
    lat, lon = VINNYTSIA_CENTRE[1], VINNYTSIA_CENTRE[0]
    text = f"sep=;\r\nlat;lon;category;description\r\n{lat};{lon};vandalism;a, b, c\r\n"
    output = _run(_write(tmp_path, "excel.csv", text))
    assert "(CSV): 1 row." in output and "Would import 1;" in output


def test_a_geojson_feature_collection_takes_lat_and_lon_from_the_geometry(tmp_path, officers):
    data = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": list(KONIN_CENTRE)},
                "properties": {
                    "category": "improper-parking",
                    "created_at": "2025-04-01T10:00:00Z",
                    "status": "confirmed",
                    "description": "Parkowanie na trawniku",
                    "lat": 0,
                    "lon": 0,
                },
            },
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": list(VINNYTSIA_CENTRE)},
                "properties": {"category": "vandalism"},
            },
        ],
    }
    output = _run(_write(tmp_path, "backlog.geojson", json.dumps(data)), "--commit")
    assert "(GeoJSON): 2 rows." in output
    reports = {r.area.code: r for r in _imported()}
    assert reports[KONIN].location.coords == pytest.approx(KONIN_CENTRE)
    assert reports[KONIN].created_at == dt.datetime(2025, 4, 1, 10, tzinfo=dt.UTC)
    assert reports[KONIN].status == Status.CONFIRMED
    assert reports[VINNYTSIA].assigned_officer == officers["vinnytsia"]
    assert reports[VINNYTSIA].status == Status.SUBMITTED


def test_html_in_a_description_is_stored_as_text_and_shown_escaped(tmp_path, client):
    user = police_user(area=Area.objects.get(code=VINNYTSIA))
    markup = '<script>alert("x")</script><b>bold</b> & more'
    text = f'{HEADER}{VINNYTSIA_CENTRE[1]},{VINNYTSIA_CENTRE[0]},vandalism,,,"{markup.replace(chr(34), chr(34) * 2)}"\n'
    _run(_write(tmp_path, "html.csv", text), "--commit")
    (report,) = _imported()
    assert report.description == markup
    client.force_login(user)
    page = client.get(reverse("reports:detail", args=[report.tracking_code])).content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in page
    assert "<script>alert" not in page


def test_a_description_of_exactly_the_limit_is_accepted(tmp_path):
    text = f"{HEADER}{VINNYTSIA_CENTRE[1]},{VINNYTSIA_CENTRE[0]},vandalism,,,{'ż' * 500}\n"
    _run(_write(tmp_path, "long.csv", text), "--commit")
    (report,) = _imported()
    assert len(report.description) == 500


def test_columns_it_does_not_know_are_ignored_and_named(tmp_path, untouched):
    text = f"LAT,Lon,Category,source_id\n{VINNYTSIA_CENTRE[1]},{VINNYTSIA_CENTRE[0]},vandalism,77\n"
    output = _run(_write(tmp_path, "extra.csv", text))
    assert "Would import 1;" in output
    assert "Columns ignored: source_id" in output


# --- points outside every territory -------------------------------------------------------


def test_swapped_lat_and_lon_land_outside_every_territory_and_are_counted(tmp_path):
    lon, lat = VINNYTSIA_CENTRE
    text = (
        f"{HEADER}{lat},{lon},vandalism,,,\n"
        f"{lon},{lat},vandalism,,,\n"  # swapped: somewhere in Iran
        f"{KONIN_CENTRE[0]},{KONIN_CENTRE[1]},vandalism,,,\n"  # swapped too
        f"{BLACK_SEA[1]},{BLACK_SEA[0]},vandalism,,,\n"  # at sea, either way round
    )
    output = _run(_write(tmp_path, "swapped.csv", text), "--commit")
    assert "Imported 1; outside every territory 3; invalid 0." in output
    assert "Outside every territory, not imported: lines 3, 4, 5\n" in output
    assert "2 of them would lie inside with lat and lon swapped" in output
    assert [r.area.code for r in _imported()] == [VINNYTSIA]


def test_open_reports_already_past_their_deadlines_are_pointed_out(tmp_path, untouched):
    old = (timezone.now() - dt.timedelta(days=30)).isoformat()
    text = (
        f"{HEADER}{VINNYTSIA_CENTRE[1]},{VINNYTSIA_CENTRE[0]},vandalism,{old},submitted,\n"
        f"{VINNYTSIA_CENTRE[1]},{VINNYTSIA_CENTRE[0]},vandalism,{old},resolved,\n"
    )
    output = _run(_write(tmp_path, "old.csv", text))
    assert "1 of the reports is open and already past its deadlines" in output


def _old_open_reports(tmp_path: Path) -> str:
    old = (timezone.now() - dt.timedelta(days=30)).isoformat()
    row = f"{VINNYTSIA_CENTRE[1]},{VINNYTSIA_CENTRE[0]},vandalism,{old},submitted,\n"
    return _write(tmp_path, "backlog.csv", HEADER + row * 2)


def test_overdue_imported_reports_are_marked_escalated_so_no_supervisor_is_emailed(
    tmp_path, officers, mailoutbox
):
    output = _run(_old_open_reports(tmp_path), "--commit")
    assert "marked as escalated" in output
    imported = _imported()
    assert len(imported) == 2 and all(r.escalated_at is not None for r in imported)
    out = io.StringIO()
    call_command("reports_escalate", stdout=out)
    assert "escalated now: 0." in out.getvalue()
    assert mailoutbox == []
    audit = AuditEvent.objects.filter(entity="reports.import").latest("pk")
    assert audit.after["marked_escalated"] == 2


def test_escalate_overdue_leaves_them_to_the_next_escalation(tmp_path, officers):
    output = _run(_old_open_reports(tmp_path), "--commit", "--escalate-overdue")
    assert "the next reports_escalate run escalates them" in output
    assert all(r.escalated_at is None for r in _imported())
    out = io.StringIO()
    call_command("reports_escalate", stdout=out)
    assert "escalated now: 2." in out.getvalue()
    assert all(r.escalated_at is not None for r in _imported())


def test_times_without_an_offset_are_read_in_the_zone_given(tmp_path, officers):
    row = f"{KONIN_CENTRE[1]},{KONIN_CENTRE[0]},vandalism,2026-01-15 12:00,resolved,\n"
    _run(_write(tmp_path, "konin.csv", HEADER + row), "--commit", "--time-zone", "Europe/Warsaw")
    _run(_write(tmp_path, "kyiv.csv", HEADER + row), "--commit")  # TIME_ZONE: Europe/Kyiv
    warsaw, kyiv = _imported()
    assert warsaw.created_at == dt.datetime(2026, 1, 15, 11, 0, tzinfo=dt.UTC)
    assert kyiv.created_at == dt.datetime(2026, 1, 15, 10, 0, tzinfo=dt.UTC)


def test_an_unknown_time_zone_is_refused(tmp_path, untouched):
    path = _write(tmp_path, "a.csv", HEADER + f"{KONIN_CENTRE[1]},{KONIN_CENTRE[0]},vandalism,,,\n")
    message = _refused(path, "--time-zone", "Europe/Atlantis")
    assert "Unknown time zone Europe/Atlantis" in message


# --- files refused whole -------------------------------------------------------------------


def test_a_missing_file_is_refused(tmp_path, untouched):
    message = _refused(str(tmp_path / "nowhere.csv"), "--commit")
    assert "There is no file" in message and "nowhere.csv" in message


def test_a_folder_is_refused(tmp_path, untouched):
    assert "is a folder, not a file" in _refused(str(tmp_path), "--commit")


def test_a_file_that_is_not_utf8_is_refused_with_its_line(tmp_path, untouched):
    text = f"{HEADER}52.22,18.25,nieprawidłowe parkowanie,,,\n".encode("cp1250")
    message = _refused(_write(tmp_path, "cp1250.csv", text), "--commit")
    assert "not UTF-8 text" in message and "line 2" in message


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\n\n  \n"])
def test_an_empty_file_is_refused(tmp_path, untouched, content):
    assert "The file is empty." in _refused(_write(tmp_path, "empty.csv", content), "--commit")


def test_a_header_without_rows_is_refused(tmp_path, untouched):
    message = _refused(_write(tmp_path, "header.csv", HEADER), "--commit")
    assert "holds no reports" in message


def test_a_missing_required_column_is_refused(tmp_path, untouched):
    text = "lat,lon,description\n49.23,28.46,x\n"
    message = _refused(_write(tmp_path, "nocategory.csv", text), "--commit")
    assert "The header has no column category." in message


def test_a_column_named_twice_is_refused(tmp_path, untouched):
    text = "lat,lon,category,lat\n49.23,28.46,vandalism,49.1\n"
    message = _refused(_write(tmp_path, "twice.csv", text), "--commit")
    assert "The column “lat” appears more than once in the header." in message


def test_a_file_over_the_size_limit_is_refused(tmp_path, untouched, settings):
    settings.BLISKO_REPORT_IMPORT_MAX_BYTES = 1024 * 1024
    text = HEADER + f"{VINNYTSIA_CENTRE[1]},{VINNYTSIA_CENTRE[0]},vandalism,,,\n" * 40_000
    message = _refused(_write(tmp_path, "big.csv", text), "--commit")
    assert "The file is larger than 1 MB" in message


def test_json_that_is_not_a_feature_collection_is_refused(tmp_path, untouched):
    point = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [28.4, 49.2]}}
    message = _refused(_write(tmp_path, "one.geojson", json.dumps(point)), "--commit")
    assert "not a GeoJSON FeatureCollection" in message


def test_damaged_json_is_refused_with_its_place(tmp_path, untouched):
    message = _refused(_write(tmp_path, "cut.geojson", '{"type": "FeatureCollection", "fe'))
    assert "not valid JSON" in message and "line 1" in message


def test_geojson_in_another_coordinate_system_is_refused(tmp_path, untouched):
    data = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2180"}},
        "features": [],
    }
    message = _refused(_write(tmp_path, "puwg.geojson", json.dumps(data)))
    assert "WGS 84" in message and "EPSG::2180" in message


def test_geojson_features_that_are_not_points_are_refused_by_number(tmp_path, untouched):
    square = [[[28.4, 49.2], [28.5, 49.2], [28.5, 49.3], [28.4, 49.2]]]
    data = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": list(VINNYTSIA_CENTRE)},
                "properties": {"category": "vandalism"},
            },
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": square},
                "properties": {"category": "vandalism"},
            },
            {"type": "Feature", "geometry": None, "properties": {"category": "vandalism"}},
        ],
    }
    message = _refused(_write(tmp_path, "shapes.geojson", json.dumps(data)), "--commit")
    assert "2 rows are invalid" in message
    assert "feature 2: the geometry is Polygon, not a Point" in message
    assert "feature 3: the geometry is None, not a Point" in message


# --- invalid rows ------------------------------------------------------------------------


def test_every_invalid_row_is_listed_with_its_line_and_nothing_is_written(tmp_path, untouched):
    CategoryFactory(code="old-category", is_active=False)
    lat, lon = VINNYTSIA_CENTRE[1], VINNYTSIA_CENTRE[0]
    future = (timezone.now() + dt.timedelta(days=2)).isoformat()
    rows = [
        f"{lat},{lon},vandalism,,,",  # line 2: valid
        f"north,{lon},vandalism,,,",  # 3
        f"{lat},190,vandalism,,,",  # 4
        f"{lat},{lon},no-such-thing,,,",  # 5
        f"{lat},{lon},old-category,,,",  # 6
        f"{lat},{lon},vandalism,17/05/2024 14:30,,",  # 7
        f"{lat},{lon},vandalism,{future},,",  # 8
        f"{lat},{lon},vandalism,,done,",  # 9
        f"{lat},{lon},vandalism,,,{'x' * 501}",  # 10
        f"{lat},{lon},vandalism",  # 11
        f"{lat},{lon},,,,",  # 12
        f"{lat},{lon},vandalism,1024-05-17,,",  # 13
        f"91,{lon},vandalism,2024-02-30T10:00,,",  # 14: two problems, one line
    ]
    message = _refused(_write(tmp_path, "bad.csv", HEADER + "\n".join(rows) + "\n"), "--commit")
    assert "12 rows are invalid" in message
    assert "--skip-invalid" in message
    expected = [
        "line 3: “lat” must be a number\n",
        "line 4: “lon” must be between -180.0 and 180.0\n",
        "line 5: unknown category “no-such-thing”",
        "line 6: the category “old-category” is retired",
        "line 7: “17/05/2024 14:30” is not a date and time in ISO 8601",
        "line 8: the time",
        "line 9: unknown status “done”",
        "line 10: The description can be at most 500 characters long; it has 501\n",
        "line 11: it has 3 fields, the header has 6",
        "line 12: the category is missing",
        "line 13: the time 1024-05-17 is before 2000",
        "line 14: “lat” must be between -90.0 and 90.0; “2024-02-30T10:00” is not a date",
    ]
    for text in expected:
        assert text in message
    assert "line 2" not in message
    assert "in the future" in message


def test_only_the_first_twenty_problems_are_shown_with_a_count_of_the_rest(tmp_path, untouched):
    text = HEADER + "".join(f"x,{n},vandalism,,,\n" for n in range(25))
    message = _refused(_write(tmp_path, "many.csv", text))
    assert "25 rows are invalid" in message
    assert "line 21:" in message and "line 22:" not in message
    assert "… and 5 more." in message


def test_skip_invalid_imports_the_valid_rows_and_lists_the_others(tmp_path, officers):
    lat, lon = VINNYTSIA_CENTRE[1], VINNYTSIA_CENTRE[0]
    text = (
        f"{HEADER}{lat},{lon},vandalism,,,\n"
        f"{lat},{lon},no-such-thing,,,\n"
        f"{lat};{lon},vandalism,,,\n"
        f"{lat},{lon},improper-parking,,,\n"
    )
    output = _run(_write(tmp_path, "mixed.csv", text), "--commit", "--skip-invalid")
    assert "Imported 2; outside every territory 0; invalid 2." in output
    assert "line 3: unknown category “no-such-thing”" in output
    assert "line 4: it has 5 fields, the header has 6" in output
    reports = _imported()
    assert {r.category.code: r.assigned_officer for r in reports} == {
        "vandalism": officers["vinnytsia"],
        "improper-parking": officers["traffic"],
    }
    audit = AuditEvent.objects.get(entity="reports.import")
    assert (audit.after["imported"], audit.after["invalid"]) == (2, 2)


def test_skip_invalid_with_no_valid_row_is_refused(tmp_path, untouched):
    text = f"{HEADER}x,y,vandalism,,,\n"
    message = _refused(_write(tmp_path, "none.csv", text), "--commit", "--skip-invalid")
    assert "No row of the file is valid" in message
    assert "line 2: “lat” must be a number" in message


def test_a_name_shared_by_two_categories_asks_for_the_code(tmp_path, untouched):
    CategoryFactory(code="scratched-cars", name_en="akty wandalizmu")
    text = f"{HEADER}{VINNYTSIA_CENTRE[1]},{VINNYTSIA_CENTRE[0]},Akty wandalizmu,,,\n"
    message = _refused(_write(tmp_path, "ambiguous.csv", text))
    assert "“Akty wandalizmu” names more than one category; give its code" in message


def test_control_characters_in_quoted_values_are_not_echoed(tmp_path, untouched):
    text = f"{HEADER}{VINNYTSIA_CENTRE[1]},{VINNYTSIA_CENTRE[0]},\x1b[31mred,,,\n"
    message = _refused(_write(tmp_path, "escape.csv", text))
    assert "\x1b" not in message and "?[31mred" in message
