"""The coverage page and its GeoJSON endpoint: status and permission, what the table, the map
and the rollout show, the empty states, the CSV, the GeoJSON (valid, classes right, no person
in it, 400 on a bad region or zoom, cached by ETag)."""

import csv
import datetime as dt
import io
import json

import pytest
from django.contrib.gis.geos import GEOSGeometry
from django.utils import timezone

from blisko.core.roles import ADMINISTRATOR, ANALYST, COMMUNITY_HEAD, OFFICER, SUPERVISOR
from blisko.officers.models import Assignment
from blisko.partnerships.models import CommunityHead, RolloutTarget
from blisko.partnerships.tests.coverage_data import current, user, world
from blisko.territories.models import Area, Country, Level

pytestmark = pytest.mark.django_db

URL = "/police/coverage/"
GEOJSON = "/police/coverage/communities.geojson"


@pytest.fixture
def w():
    w = world()
    current(w, timezone.localdate())
    return w


def signed_in(client, account):
    client.force_login(account)
    return client


# --- status and permission --------------------------------------------------------------------


def test_the_page_needs_a_sign_in(client, w):
    response = client.get(URL)

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("group", [ADMINISTRATOR, ANALYST, SUPERVISOR, OFFICER])
def test_every_police_role_opens_the_page(client, w, group):
    signed_in(client, user(f"cov_{group}", group=group))

    response = client.get(URL, {"country": "UA", "region": w.region.pk})

    assert response.status_code == 200
    assert "data-coverage-table" in response.text and "data-coverage-map" in response.text


def test_an_officer_opens_it_on_their_own_region(client, w):
    signed_in(client, user("cov_officer", officer=w.officers[1]))

    response = client.get(URL)

    assert response.status_code == 200
    assert f'data-region="{w.region.code}"' in response.text
    assert f'data-region-rows="{w.region.code}"' in response.text
    assert 'aria-current="page"' in response.text  # the nav's Coverage link


def test_a_community_head_is_sent_to_their_page_and_a_user_without_a_police_role_gets_a_403(
    client, w
):
    head = user("cov_head", group=COMMUNITY_HEAD)
    CommunityHead.objects.create(user=head, area=w.c[1], name="Head", office="Head")
    nobody = user("cov_nobody")

    signed_in(client, head)
    for url in (URL, GEOJSON):
        response = client.get(url, {"region": w.region.pk})
        assert response.status_code == 302 and response["Location"] == "/community/"

    signed_in(client, nobody)
    page = client.get(URL)
    shapes = client.get(GEOJSON, {"region": w.region.pk})
    assert page.status_code == 403 and 'data-error="403"' in page.text
    assert "police-nav" not in page.text
    assert shapes.status_code == 403 and "message" in shapes.json()


def test_the_geojson_refuses_a_visitor(client, w):
    response = client.get(GEOJSON, {"region": w.region.pk})

    assert response.status_code == 403


# --- the table --------------------------------------------------------------------------------


def _row(text: str, marker: str) -> str:
    start = text.index(marker)
    return text[start : text.index("</tr>", start)]


def test_the_table_shows_each_district_with_counts_and_percentages(client, w):
    signed_in(client, user("cov_analyst", group=ANALYST))

    response = client.get(URL, {"country": "UA", "region": w.region.pk})

    text = response.text
    d1 = _row(text, f'data-district="{w.d1.code}"')
    d2 = _row(text, f'data-district="{w.d2.code}"')
    total = _row(text, f'data-region-total="{w.region.code}"')
    assert "Alpha raion" in d1 and "Beta raion" in d2
    assert '<td class="rtable__num" data-count="communities">3</td>' in d1
    assert 'data-count="officer">2 <span class="muted">(66.7 %)</span>' in d1
    assert 'data-count="neither">1 <span class="muted">(50.0 %)</span>' in d2
    assert 'data-count="both">2 <span class="muted">(40.0 %)</span>' in total
    assert "<caption>" in text and 'scope="rowgroup"' in text
    assert text.index("Alpha raion") < text.index("Beta raion")


def test_the_whole_country_lists_every_region_with_a_total_and_asks_for_a_region_for_the_map(
    client, w
):
    signed_in(client, user("cov_analyst", group=ANALYST))

    response = client.get(URL, {"country": "UA"})

    assert f'data-region-rows="{w.region.code}"' in response.text
    assert f'data-region-rows="{w.region2.code}"' in response.text
    assert "data-total" in response.text
    assert "data-map-choose" in response.text and "data-coverage-map" not in response.text
    assert f'data-region-link="{w.region.code}"' in response.text


def test_a_region_of_another_country_is_a_form_error_and_the_default_is_shown(client, w):
    signed_in(client, user("cov_analyst", group=ANALYST))

    response = client.get(URL, {"country": "PL", "region": w.region.pk})

    assert response.status_code == 200
    assert 'data-error="region"' in response.text and "data-form-errors" in response.text
    assert 'data-country="UA"' in response.text


def test_an_unknown_region_is_a_form_error(client, w):
    signed_in(client, user("cov_analyst", group=ANALYST))

    response = client.get(URL, {"region": "nonsense"})

    assert response.status_code == 200 and 'data-error="region"' in response.text


def test_a_region_with_no_current_community_shows_the_empty_state(client, w):
    empty = Area.objects.create(
        country=Country.UKRAINE, level=Level.REGION, code="TESTEMPTY", name_official="Порожня"
    )
    signed_in(client, user("cov_analyst", group=ANALYST))

    response = client.get(URL, {"country": "UA", "region": empty.pk})

    assert response.status_code == 200
    assert 'data-empty="communities"' in response.text and 'data-empty="map"' in response.text
    assert "data-coverage-table" not in response.text


# --- the rollout ------------------------------------------------------------------------------


def test_the_rollout_shows_charts_and_their_figures_against_the_targets(client, w):
    today = timezone.localdate()
    RolloutTarget.objects.create(
        country=Country.UKRAINE, on=dt.date(2024, 1, 1), officers=34, communities=34, regions=2
    )
    RolloutTarget.objects.create(
        country=Country.UKRAINE, on=dt.date(2026, 12, 31), officers=364, communities=364, regions=24
    )
    signed_in(client, user("cov_analyst", group=ANALYST))

    response = client.get(URL, {"country": "UA", "region": w.region.pk})

    text = response.text
    for key in ("officers", "communities", "regions"):
        assert f'data-rollout-chart="{key}"' in text
    assert text.count('data-line="target"') == 3 and "coverage-line--dashed" in text
    assert 'data-line="memoranda"' in text
    this_month = _row(text, f'data-month="{today:%Y-%m}"')
    # Today: O1, O3, O5 and the officer of C3 (coverage_data.current).
    assert 'data-figure="officers">4 <span class="muted" data-target>(' in this_month
    assert "data-rollout-table" in text and "data-no-targets" not in text


def test_without_targets_the_charts_have_no_target_line(client, w):
    signed_in(client, user("cov_analyst", group=ANALYST))

    response = client.get(URL, {"country": "UA"})

    assert 'data-rollout-chart="officers"' in response.text
    assert 'data-line="target"' not in response.text and "data-no-targets" in response.text


def test_no_assignment_shows_the_rollouts_empty_state(client, w):
    Assignment.objects.all().delete()
    signed_in(client, user("cov_analyst", group=ANALYST))

    response = client.get(URL, {"country": "UA", "region": w.region.pk})

    assert 'data-empty="rollout"' in response.text and "data-rollout-chart" not in response.text
    assert "data-coverage-table" in response.text  # the communities are still there


# --- the CSV ----------------------------------------------------------------------------------


def test_the_csv_has_the_tables_rows(client, w):
    signed_in(client, user("cov_analyst", group=ANALYST))

    response = client.get(URL, {"country": "UA", "region": w.region.pk, "format": "csv"})

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert (
        "attachment" in response["Content-Disposition"]
        and w.region.code in response["Content-Disposition"]
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["row"] for r in rows] == ["district", "district", "region", "total"]
    d1 = next(r for r in rows if r["district_code"] == w.d1.code)
    assert (d1["communities"], d1["with_officer"], d1["with_officer_percent"]) == ("3", "2", "66.7")
    assert (rows[-1]["communities"], rows[-1]["with_both"], rows[-1]["with_neither"]) == (
        "5",
        "2",
        "1",
    )


def test_the_csv_keeps_a_name_from_being_run_as_a_formula(client, w):
    w.d1.name_en = "=HYPERLINK(1)"
    w.d1.save(update_fields=["name_en"])
    signed_in(client, user("cov_analyst", group=ANALYST))

    response = client.get(URL, {"country": "UA", "region": w.region.pk, "format": "csv"})

    assert "'=HYPERLINK(1)" in response.content.decode()


def test_the_csv_download_is_refused_to_a_community_head(client, w):
    signed_in(client, user("cov_head", group=COMMUNITY_HEAD))

    response = client.get(URL, {"format": "csv"})

    assert response.status_code == 302 and "text/csv" not in response.get("Content-Type", "")


# --- the GeoJSON ------------------------------------------------------------------------------


def test_the_geojson_has_the_regions_communities_with_their_classes(client, w):
    signed_in(client, user("cov_officer", officer=w.officers[1]))

    response = client.get(GEOJSON, {"region": w.region.pk, "zoom": "10"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    data = json.loads(response.content)
    assert data["type"] == "FeatureCollection"
    classes = {f["properties"]["code"]: f["properties"]["class"] for f in data["features"]}
    assert classes == {
        w.c[1].code: "both",
        w.c[2].code: "memorandum",
        w.c[3].code: "officer",
        w.c[4].code: "both",
        w.c[5].code: "neither",
    }
    for feature in data["features"]:
        assert feature["type"] == "Feature"
        assert set(feature["properties"]) == {"code", "name", "district", "class", "label"}
        geometry = GEOSGeometry(json.dumps(feature["geometry"]))
        assert geometry.geom_type in ("Polygon", "MultiPolygon") and geometry.valid


def test_the_geojson_tells_no_person(client, w):
    signed_in(client, user("cov_officer", officer=w.officers[1]))

    text = client.get(GEOJSON, {"region": w.region.pk}).content.decode()

    for officer in w.officers.values():
        assert officer.last_name not in text and officer.badge_number not in text
    assert "Ірина" not in text and "head" not in text.lower()


def test_the_geojson_is_simplified_for_the_zoom(client, w):
    wiggly = Area.objects.get(pk=w.c[1].pk)
    # A boundary with a vertex every few metres along one side.
    from django.contrib.gis.geos import MultiPolygon, Polygon

    west, south, east, north = wiggly.boundary.extent
    side = [(west + (east - west) * i / 400, south + (0.00001 if i % 2 else 0)) for i in range(401)]
    ring = [*side, (east, north), (west, north), side[0]]
    wiggly.boundary = MultiPolygon(Polygon(ring), srid=4326)
    wiggly.save(update_fields=["boundary", "updated_at"])
    signed_in(client, user("cov_analyst", group=ANALYST))

    def vertices(zoom):
        data = client.get(GEOJSON, {"region": w.region.pk, "zoom": zoom}).json()
        feature = next(f for f in data["features"] if f["properties"]["code"] == wiggly.code)
        return GEOSGeometry(json.dumps(feature["geometry"])).num_coords

    assert vertices(6) < 10 < 400 < vertices(20)


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"region": "abc"},
        {"region": "-1"},
        {"region": "999999999"},
        {"region": "1.5"},
        {"region": "9" * 30},
        {"region": "²"},
    ],
)
def test_the_geojson_refuses_a_bad_region(client, w, query):
    signed_in(client, user("cov_analyst", group=ANALYST))

    response = client.get(GEOJSON, query)

    assert response.status_code == 400 and response.json()["message"]


def test_the_geojson_refuses_a_community_as_region_and_a_bad_zoom(client, w):
    signed_in(client, user("cov_analyst", group=ANALYST))

    community = client.get(GEOJSON, {"region": w.c[1].pk})
    zooms = [
        client.get(GEOJSON, {"region": w.region.pk, "zoom": z}) for z in ("21", "x", "-3", "²")
    ]

    assert community.status_code == 400
    assert [r.status_code for r in zooms] == [400, 400, 400, 400]


def test_the_geojson_is_revalidated_by_its_etag_and_changes_with_a_class(client, w):
    signed_in(client, user("cov_analyst", group=ANALYST))

    first = client.get(GEOJSON, {"region": w.region.pk, "zoom": "9"})
    again = client.get(
        GEOJSON, {"region": w.region.pk, "zoom": "9"}, HTTP_IF_NONE_MATCH=first["ETag"]
    )
    other_zoom = client.get(GEOJSON, {"region": w.region.pk, "zoom": "10"})
    Assignment.objects.filter(area=w.c[1]).update(ends_on=dt.date(2024, 12, 31))
    changed = client.get(
        GEOJSON, {"region": w.region.pk, "zoom": "9"}, HTTP_IF_NONE_MATCH=first["ETag"]
    )

    assert first.status_code == 200 and first["ETag"]
    assert "private" in first["Cache-Control"] and "max-age=" in first["Cache-Control"]
    assert again.status_code == 304 and again["ETag"] == first["ETag"]
    assert other_zoom["ETag"] != first["ETag"]
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
    c1 = next(f for f in changed.json()["features"] if f["properties"]["code"] == w.c[1].code)
    assert c1["properties"]["class"] == "memorandum"


def test_the_page_and_the_geojson_make_a_bounded_number_of_queries(
    client, w, django_assert_max_num_queries
):
    from blisko.officers.tests.factories import AreaFactory

    signed_in(client, user("cov_analyst", group=ANALYST))
    client.get(URL, {"country": "UA", "region": w.region.pk})  # sessions, caches warmed
    for n in range(20):
        AreaFactory(parent=w.d2, centre=(25.0 + 0.02 * n, 48.0), size=0.01)

    with django_assert_max_num_queries(25):
        page = client.get(URL, {"country": "UA", "region": w.region.pk})
    with django_assert_max_num_queries(12):
        shapes = client.get(GEOJSON, {"region": w.region.pk})

    assert page.status_code == 200 and len(shapes.json()["features"]) == 25
