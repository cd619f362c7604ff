import datetime as dt

import pytest
import shapely
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.utils import timezone, translation
from shapely.geometry import box

from blisko.core.exceptions import ApplicationError, NotFoundError
from blisko.core.geo import GEO_SRID, make_point
from blisko.territories.index import index_clear
from blisko.territories.models import Area, AreaBoundary, Country, Level, Place
from blisko.territories.selectors.areas import (
    area_boundary,
    area_boundary_version,
    area_boundary_version_id,
    area_children,
    area_for_point,
    area_get,
    areas_for_point,
)
from blisko.territories.selectors.outlines import areas_outline
from blisko.territories.selectors.places import place_get, place_location, place_search
from blisko.territories.services.boundaries import area_set_boundary
from conftest import BLACK_SEA, KONIN_CENTRE, VINNYTSIA_CENTRE

pytestmark = pytest.mark.django_db

VINNYTSIA = "UA05020030000031457"
VINNYTSIA_RAION = "UA05020000000026686"
VINNYTSIA_OBLAST = "UA05000000000010236"
ZHMERYNKA = "UA05060050000058111"
KONIN_GMINA = "3062011"
DATA_START = dt.date(2020, 7, 17)  # the demo boundaries are valid from this day


def _codes(areas: list[Area]) -> list[str]:
    return [area.code for area in areas]


def _geos(geometry) -> MultiPolygon:
    if geometry.geom_type == "Polygon":
        geometry = shapely.MultiPolygon([geometry])
    return GEOSGeometry(memoryview(shapely.to_wkb(geometry)), srid=GEO_SRID)


def _shapely(geometry: GEOSGeometry):
    return shapely.from_wkb(bytes(geometry.wkb))


def _square(lon: float, lat: float, half: float) -> MultiPolygon:
    return _geos(box(lon - half, lat - half, lon + half, lat + half))


def _move_centre_of_vinnytsia_to_zhmerynka(valid_from: dt.date) -> None:
    """A redrawn border: a square around Vinnytsia's centre passes to Zhmerynka's hromada."""
    vinnytsia = Area.objects.get(code=VINNYTSIA)
    zhmerynka = Area.objects.get(code=ZHMERYNKA)
    square = box(VINNYTSIA_CENTRE[0] - 0.01, VINNYTSIA_CENTRE[1] - 0.01, *VINNYTSIA_CENTRE)
    square = shapely.affinity.translate(square, 0.005, 0.005)
    old_v, old_z = _shapely(vinnytsia.boundary), _shapely(zhmerynka.boundary)
    new_v = old_v.difference(square)
    area_set_boundary(area=vinnytsia, boundary=_geos(new_v), valid_from=valid_from)
    area_set_boundary(
        area=zhmerynka, boundary=_geos(shapely.union(old_z, square)), valid_from=valid_from
    )


# --- point → areas ----------------------------------------------------------------------


def test_the_centre_of_vinnytsia_is_in_its_hromada_raion_oblast_and_ukraine():
    areas = areas_for_point(lon=VINNYTSIA_CENTRE[0], lat=VINNYTSIA_CENTRE[1])

    assert _codes(areas) == ["UA", VINNYTSIA_OBLAST, VINNYTSIA_RAION, VINNYTSIA]
    assert [a.level for a in areas] == ["country", "region", "district", "community"]
    assert area_for_point(lon=VINNYTSIA_CENTRE[0], lat=VINNYTSIA_CENTRE[1]).code == VINNYTSIA


def test_the_centre_of_konin_is_in_gmina_konin_under_its_powiat_and_voivodeship():
    areas = areas_for_point(lon=KONIN_CENTRE[0], lat=KONIN_CENTRE[1])

    assert _codes(areas) == ["PL", "30", "3062", KONIN_GMINA]
    assert area_for_point(lon=KONIN_CENTRE[0], lat=KONIN_CENTRE[1]).code == KONIN_GMINA


def test_a_point_in_the_black_sea_is_in_no_area():
    assert areas_for_point(lon=BLACK_SEA[0], lat=BLACK_SEA[1]) == []
    assert area_for_point(lon=BLACK_SEA[0], lat=BLACK_SEA[1]) is None


def test_the_database_path_gives_the_same_answers_as_the_index():
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    for lon, lat in (VINNYTSIA_CENTRE, KONIN_CENTRE, BLACK_SEA, (34.86, 47.52), (30.0, 49.0)):
        today = areas_for_point(lon=lon, lat=lat)
        assert _codes(areas_for_point(lon=lon, lat=lat, on=yesterday)) == _codes(today)
        finest = area_for_point(lon=lon, lat=lat)
        dated = area_for_point(lon=lon, lat=lat, on=yesterday)
        assert (dated and dated.code) == (finest and finest.code)


def test_a_region_missing_under_a_point_comes_from_the_hromada_ancestors():
    # Here the oblast's outline (another source) leaves a gap along the hromada's border.
    lon, lat = 34.862006067514784, 47.5166180146211
    direct = Area.objects.filter(boundary__intersects=make_point(lon, lat))
    assert "region" not in {a.level for a in direct}

    areas = areas_for_point(lon=lon, lat=lat)

    assert [a.level for a in areas] == ["country", "region", "district", "community"]
    assert areas[1] == areas[3].parent.parent


def test_before_the_boundaries_were_in_force_no_area_holds_the_point():
    assert (
        areas_for_point(lon=VINNYTSIA_CENTRE[0], lat=VINNYTSIA_CENTRE[1], on=dt.date(2019, 1, 1))
        == []
    )


def test_a_redrawn_border_answers_the_old_area_for_old_dates_and_the_new_one_today():
    lon, lat = VINNYTSIA_CENTRE
    _move_centre_of_vinnytsia_to_zhmerynka(dt.date(2024, 1, 1))

    assert area_for_point(lon=lon, lat=lat, on=dt.date(2023, 12, 31)).code == VINNYTSIA
    assert area_for_point(lon=lon, lat=lat, on=dt.date(2024, 1, 1)).code == ZHMERYNKA
    assert area_for_point(lon=lon, lat=lat).code == ZHMERYNKA
    assert VINNYTSIA not in _codes(areas_for_point(lon=lon, lat=lat))
    # The district did not change: the new hromada's parents come along.
    assert _codes(areas_for_point(lon=lon, lat=lat))[:2] == ["UA", VINNYTSIA_OBLAST]


def test_a_boundary_scheduled_for_the_future_applies_only_from_its_first_day():
    lon, lat = VINNYTSIA_CENTRE
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    _move_centre_of_vinnytsia_to_zhmerynka(tomorrow)

    assert area_for_point(lon=lon, lat=lat).code == VINNYTSIA
    assert area_for_point(lon=lon, lat=lat, on=tomorrow).code == ZHMERYNKA
    vinnytsia = Area.objects.get(code=VINNYTSIA)
    assert vinnytsia.boundary.contains(GEOSGeometry(f"POINT({lon} {lat})", srid=GEO_SRID))


def test_an_area_dissolved_in_the_past_is_only_found_for_dates_before():
    lon, lat = VINNYTSIA_CENTRE
    area = Area.objects.get(code=VINNYTSIA)
    area.valid_to = dt.date(2024, 1, 1)
    area.save(update_fields=["valid_to", "updated_at"])

    assert area_for_point(lon=lon, lat=lat).code == VINNYTSIA_RAION
    assert area_for_point(lon=lon, lat=lat, on=dt.date(2023, 6, 1)).code == VINNYTSIA


def test_a_service_area_is_the_finest_area_of_the_points_it_covers():
    gmina = Area.objects.get(code=KONIN_GMINA)
    beat = Area.objects.create(
        country=Country.POLAND,
        level=Level.SERVICE_AREA,
        code=f"{KONIN_GMINA}-01",
        name_official="Rejon 1",
        parent=gmina,
        valid_from=DATA_START,
    )
    area_set_boundary(area=beat, boundary=_square(*KONIN_CENTRE, 0.005), valid_from=DATA_START)

    assert area_for_point(lon=KONIN_CENTRE[0], lat=KONIN_CENTRE[1]) == beat
    assert _codes(areas_for_point(lon=KONIN_CENTRE[0], lat=KONIN_CENTRE[1])) == [
        "PL",
        "30",
        "3062",
        KONIN_GMINA,
        beat.code,
    ]
    outside_beat = (KONIN_CENTRE[0] + 0.02, KONIN_CENTRE[1])
    assert area_for_point(lon=outside_beat[0], lat=outside_beat[1]) == gmina


def test_the_index_answers_after_it_is_dropped_and_rebuilt():
    index_clear()
    assert area_for_point(lon=KONIN_CENTRE[0], lat=KONIN_CENTRE[1]).code == KONIN_GMINA


@pytest.mark.parametrize(
    ("lon", "lat"), [(float("nan"), 49.0), (28.0, float("inf")), (200.0, 49.0), (28.0, -91.0)]
)
def test_a_point_that_is_not_lon_lat_is_refused(lon, lat):
    with pytest.raises(ApplicationError):
        areas_for_point(lon=lon, lat=lat)
    with pytest.raises(ApplicationError):
        area_for_point(lon=lon, lat=lat, on=dt.date(2023, 1, 1))


# --- areas ----------------------------------------------------------------------------------


def test_area_get_returns_the_area_with_its_parents(django_assert_num_queries):
    pk = Area.objects.get(code=VINNYTSIA).pk
    with django_assert_num_queries(1):
        area = area_get(area_id=pk)
        assert [a.code for a in area.ancestors()] == [VINNYTSIA_RAION, VINNYTSIA_OBLAST, "UA"]


@pytest.mark.parametrize("area_id", [0, -1, 987654321])
def test_area_get_refuses_an_unknown_id(area_id):
    with pytest.raises(NotFoundError, match=str(area_id)):
        area_get(area_id=area_id)


def test_area_boundary_gives_the_version_in_force_on_the_date():
    _move_centre_of_vinnytsia_to_zhmerynka(dt.date(2024, 1, 1))
    area = Area.objects.get(code=VINNYTSIA)
    old = area_boundary(area=area, on=dt.date(2023, 1, 1))
    new = area_boundary(area=area)
    centre = GEOSGeometry(f"POINT({VINNYTSIA_CENTRE[0]} {VINNYTSIA_CENTRE[1]})", srid=GEO_SRID)

    assert old.contains(centre) and not new.contains(centre)
    assert area_boundary(area=area, on=dt.date(2019, 1, 1)) is None
    assert area_boundary(area=Area.objects.get(code="UA")) is None


def test_the_boundary_version_without_its_geometry_is_the_same_version():
    _move_centre_of_vinnytsia_to_zhmerynka(dt.date(2024, 1, 1))
    area = Area.objects.get(code=VINNYTSIA)
    for day in (dt.date(2023, 1, 1), None):
        whole = area_boundary_version(area=area, on=day)
        light = area_boundary_version(area=area, on=day, geometry=False)
        assert light.pk == whole.pk
        assert (light.valid_from, light.valid_to) == (whole.valid_from, whole.valid_to)
        assert "boundary" in light.get_deferred_fields()
        assert "boundary" not in whole.get_deferred_fields()
    assert area_boundary_version(area=area, on=dt.date(2019, 1, 1), geometry=False) is None


def test_the_boundary_version_id_is_that_of_the_version_in_force_today_or_on_the_day():
    _move_centre_of_vinnytsia_to_zhmerynka(dt.date(2024, 1, 1))
    area = Area.objects.get(code=VINNYTSIA)
    for day in (dt.date(2023, 1, 1), timezone.localdate(), None):
        assert (
            area_boundary_version_id(area=area, on=day)
            == area_boundary_version(area=area, on=day).pk
        )
    assert area_boundary_version_id(area=area, on=dt.date(2019, 1, 1)) is None
    assert area_boundary_version_id(area=Area.objects.get(code="UA")) is None


def test_area_children_lists_the_current_children_in_code_order():
    powiat = Area.objects.get(code="3010")
    children = area_children(area=powiat)

    assert len(children) == 14
    assert _codes(children) == sorted(_codes(children))
    dissolved = children[0]
    dissolved.valid_to = dt.date(2024, 1, 1)
    dissolved.save(update_fields=["valid_to", "updated_at"])
    assert dissolved not in area_children(area=powiat)


# --- places ---------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["Вінниця", "ВІННИЦЯ", "вінниця", "vinnytsia", "VINNYTSIA"])
def test_place_search_finds_vinnytsia_whatever_the_case_or_script(query):
    places = place_search(query=query)

    assert places[0].name == "Вінниця"
    assert places[0].kind == "city"
    assert places[0].area.code == VINNYTSIA


@pytest.mark.parametrize("query", ["slesin", "Ślesin", "ŚLESIN", "Slesin"])
def test_place_search_ignores_polish_diacritics(query):
    assert place_search(query=query)[0].area.code == "3010123"


@pytest.mark.parametrize("query", ["Кам'янка", "Кам’янка", "Камʼянка", "kamianka"])
def test_place_search_accepts_every_kind_of_ukrainian_apostrophe(query):
    assert "Кам’янка" in [p.name for p in place_search(query=query)]


def test_place_search_lists_names_starting_with_the_text_before_words_inside_names():
    names = [p.name for p in place_search(query="хутор", limit=50)]
    starting = [i for i, n in enumerate(names) if n.lower().startswith("хутор")]
    inside = [i for i, n in enumerate(names) if not n.lower().startswith("хутор")]

    assert "Вінницькі Хутори" in names and "Хуторо-Губиниха" in names
    assert max(starting) < min(inside)


def test_place_search_finds_text_inside_a_word_too():
    assert "Медвеже Вушко" in [p.name for p in place_search(query="ушко")]


def test_place_search_stops_at_the_limit_and_loads_areas_with_their_parents(
    django_assert_num_queries,
):
    with django_assert_num_queries(1):
        places = place_search(query="в", limit=7)
        assert all(p.area.parent.parent is not None for p in places)
    assert len(places) == 7


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "x" * 201,
        "<script>alert(1)</script>",
        "'; DROP TABLE territories_place; --",
        "a%",
        "a_b",
        "Вінниця; SELECT",
        "name = 'x'",
    ],
)
def test_place_search_refuses_empty_long_or_foreign_text_and_leaves_the_tables_intact(query):
    places = Place.objects.count()

    with pytest.raises(ApplicationError) as refused:
        place_search(query=query)

    assert refused.value.extra == {"field": "q"}
    assert Place.objects.count() == places
    assert place_search(query="Вінниця")[0].name == "Вінниця"


def test_place_search_takes_200_characters():
    assert place_search(query="а" * 200) == []


@pytest.mark.parametrize("limit", [0, -1, 101, True])
def test_place_search_refuses_a_limit_outside_1_to_100(limit):
    with pytest.raises(ApplicationError):
        place_search(query="Вінниця", limit=limit)


def test_place_get_returns_the_place_or_refuses_an_unknown_id():
    place = Place.objects.get(name="Жмеринка", kind="city")
    assert place_get(place_id=place.pk) == place
    with pytest.raises(NotFoundError):
        place_get(place_id=987654321)


def test_place_location_is_inside_the_area_and_cached(django_assert_max_num_queries):
    place = Place.objects.select_related("area").get(name="Вінниця", kind="city")
    lon, lat = place_location(place=place)

    assert place.area.boundary.contains(GEOSGeometry(f"POINT({lon} {lat})", srid=GEO_SRID))
    assert area_for_point(lon=lon, lat=lat) == place.area
    with django_assert_max_num_queries(2):  # the index's freshness check only
        assert place_location(place=place) == (lon, lat)


def test_place_location_of_a_crescent_shaped_area_is_still_inside_it():
    gmina = Area.objects.get(code=KONIN_GMINA)
    lon, lat = KONIN_CENTRE
    crescent = box(lon, lat, lon + 0.03, lat + 0.03).difference(
        box(lon + 0.005, lat + 0.005, lon + 0.04, lat + 0.025)
    )
    beat = Area.objects.create(
        country=Country.POLAND,
        level=Level.SERVICE_AREA,
        code=f"{KONIN_GMINA}-09",
        name_official="Rejon 9",
        parent=gmina,
        valid_from=DATA_START,
    )
    area_set_boundary(area=beat, boundary=_geos(crescent), valid_from=DATA_START)
    place = Place.objects.create(
        code="test:crescent", kind="service_area", name="Rejon 9", area=beat, search_name="r9"
    )

    x, y = place_location(place=place)

    assert crescent.contains(shapely.Point(x, y))


# --- outlines -------------------------------------------------------------------------------


def test_areas_outline_is_a_feature_collection_of_the_current_areas_of_a_level():
    outline = areas_outline(level="community")

    assert outline["type"] == "FeatureCollection"
    assert len(outline["features"]) == Area.objects.filter(level="community").count()
    feature = next(f for f in outline["features"] if f["properties"]["code"] == VINNYTSIA)
    assert feature["properties"]["level"] == "community"
    assert feature["properties"]["id"] == Area.objects.get(code=VINNYTSIA).pk
    assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
    simplified = shapely.geometry.shape(feature["geometry"])
    original = _shapely(Area.objects.get(code=VINNYTSIA).boundary)
    assert simplified.is_valid
    assert shapely.get_num_coordinates(simplified) < shapely.get_num_coordinates(original)
    assert simplified.symmetric_difference(original).area < 0.05 * original.area


def test_areas_outline_filters_by_country_and_names_areas_in_the_active_language():
    with translation.override("en"):
        english = areas_outline(level="community", country="PL")
    with translation.override("pl"):
        polish = areas_outline(level="community", country="PL")

    assert len(english["features"]) == 15
    names_en = {f["properties"]["code"]: f["properties"]["name"] for f in english["features"]}
    names_pl = {f["properties"]["code"]: f["properties"]["name"] for f in polish["features"]}
    assert names_en[KONIN_GMINA] == "Konin (urban gmina)"
    assert names_pl[KONIN_GMINA] == "Konin (gmina miejska)"


def test_areas_outline_follows_a_boundary_change():
    before = areas_outline(level="community", country="UA")
    _move_centre_of_vinnytsia_to_zhmerynka(dt.date(2024, 1, 1))
    after = areas_outline(level="community", country="UA")

    def geometry(outline, code):
        return next(f["geometry"] for f in outline["features"] if f["properties"]["code"] == code)

    assert geometry(before, ZHMERYNKA) != geometry(after, ZHMERYNKA)


def test_areas_outline_without_the_index_reads_the_database_and_agrees(monkeypatch):
    from_index = areas_outline(level="district", country="PL")
    # As while the index is being rebuilt: the database answers.
    monkeypatch.setattr("blisko.territories.selectors.outlines.current_index", lambda: None)

    assert areas_outline(level="district", country="PL") == from_index


def test_the_point_lookups_without_the_index_read_the_database_and_agree(monkeypatch):
    points = [VINNYTSIA_CENTRE, KONIN_CENTRE, BLACK_SEA, (34.86, 47.52), (30.0, 49.0)]
    from_index = [_codes(areas_for_point(lon=lon, lat=lat)) for lon, lat in points]
    monkeypatch.setattr("blisko.territories.selectors.areas.current_index", lambda: None)
    monkeypatch.setattr("blisko.territories.selectors.places.current_index", lambda: None)

    assert [_codes(areas_for_point(lon=lon, lat=lat)) for lon, lat in points] == from_index
    place = Place.objects.get(name="Вінниця", kind="city")
    lon, lat = place_location(place=place)
    assert area_for_point(lon=lon, lat=lat) == place.area


@pytest.mark.parametrize(
    "arguments",
    [
        {"level": "planet"},
        {"level": "community", "country": "DE"},
        {"level": "community", "tolerance": -1},
        {"level": "community", "tolerance": float("nan")},
        {"level": "community", "tolerance": 5},
    ],
)
def test_areas_outline_refuses_unknown_levels_countries_and_tolerances(arguments):
    with pytest.raises(ApplicationError):
        areas_outline(**arguments)


def test_areas_outline_caches_a_bounded_number_of_outlines():
    from blisko.territories.index import current_index
    from blisko.territories.selectors.outlines import OUTLINE_CACHE_SIZE

    first = areas_outline(level="district", tolerance=0.001)
    assert areas_outline(level="district", tolerance=0.001) is first
    for n in range(OUTLINE_CACHE_SIZE + 10):
        areas_outline(level="region", tolerance=0.01 + n / 1000)
    assert len(current_index().memo["outlines"]) == OUTLINE_CACHE_SIZE


def test_areas_outline_of_countries_is_empty_since_they_have_no_boundary():
    assert areas_outline(level="country")["features"] == []


def test_every_boundary_version_is_read_by_the_selectors_not_the_area_copy():
    # Area.boundary is a convenience copy; the versions decide.
    area = Area.objects.get(code=VINNYTSIA)
    Area.objects.filter(pk=area.pk).update(boundary=_square(0.0, 0.0, 0.1))
    assert area_for_point(lon=VINNYTSIA_CENTRE[0], lat=VINNYTSIA_CENTRE[1]).code == VINNYTSIA
    assert AreaBoundary.objects.filter(area=area, valid_to=None).count() == 1
