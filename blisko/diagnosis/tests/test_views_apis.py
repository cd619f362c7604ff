"""The diagnosis pages and API: who sees what, the table, the CSV, the printable view, the
hotspots GeoJSON, and every refusal."""

import csv
import io

import numpy as np
import pytest
from django.urls import reverse

from blisko.diagnosis.tests.diagnosis_data import analyst, figure, incident, moment, world
from blisko.officers.models import Role
from blisko.reports.tests.police import police_user

pytestmark = pytest.mark.django_db

PERIOD = {"from": "2025-01", "to": "2025-12"}


@pytest.fixture
def w():
    w = world()
    figure(w.area, "2025-03", "drugs", 30)
    figure(w.other, "2025-03", "drugs", 20)
    figure(w.area, "2025-03", "theft", 100)
    figure(w.other, "2025-03", "theft", 200)
    # A planted cluster of 60 incidents around one point, 40 scattered over the area.
    rng = np.random.default_rng(3)
    for i in range(60):
        incident(
            w.area,
            moment("2025-04", 1 + i % 28),
            "drugs",
            24.0 + rng.normal(0, 0.0004),
            48.2 + rng.normal(0, 0.0004),
        )
    for i in range(40):
        incident(
            w.area,
            moment("2025-04", 1 + i % 28),
            "theft",
            23.98 + rng.uniform(0, 0.04),
            48.18 + rng.uniform(0, 0.04),
        )
    return w


def _page(client, area, **params):
    return client.get(reverse("diagnosis:area", args=[area.pk]), {**PERIOD, **params})


def test_an_officer_sees_the_diagnosis_of_their_area_and_no_other(client, w):
    client.force_login(police_user(area=w.area))
    response = _page(client, w.area)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-biggest-name="drugs"' in html
    assert 'data-threat="theft"' in html and "data-hotspot-map" in html
    assert _page(client, w.other).status_code == 404
    assert _page(client, w.region).status_code == 404


def test_a_supervisor_sees_every_area_of_their_region_and_an_analyst_every_area(client, w):
    client.force_login(police_user(area=w.region, role=Role.SUPERVISOR))
    assert _page(client, w.area).status_code == 200 and _page(client, w.other).status_code == 200
    client.force_login(analyst())
    assert _page(client, w.region).status_code == 200
    listing = client.get(reverse("diagnosis:areas"), {"q": w.area.code})
    assert w.area.code in listing.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in_and_the_api_refuses_them(client, w):
    response = _page(client, w.area)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    api = client.get(reverse("api:areas-diagnosis", args=[w.area.pk]))
    assert api.status_code == 403 and api.json()["message"]


def test_the_csv_export_holds_the_threat_table(client, w):
    client.force_login(analyst())
    response = _page(client, w.area, format="csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    drugs = next(r for r in rows if r["threat"] == "drugs")
    assert drugs["count"] == "30" and drugs["biggest"] == "1" and drugs["rank"] == "1"
    assert float(drugs["ratio_to_region"]) == pytest.approx(3.0)


def test_the_printable_view_has_the_table_and_no_map(client, w):
    client.force_login(analyst())
    html = _page(client, w.area, print="1").content.decode()
    assert "page-print" in html and 'data-threat="drugs"' in html and "data-hotspot-map" not in html


def test_bad_choices_are_explained_and_the_default_period_is_shown(client, w):
    client.force_login(analyst())
    html = _page(client, w.area, **{"from": "2025-13", "resolution": "13"}).content.decode()
    assert 'data-error="from"' in html and 'data-error="resolution"' in html
    assert "data-form-errors" in html


def test_an_area_without_events_says_what_to_do(client):
    empty = world()
    client.force_login(analyst())
    html = _page(client, empty.area).content.decode()
    assert 'data-empty="no-events"' in html and "statistics_import" in html
    assert 'data-empty="no-points"' in html


def test_the_pages_are_translated(client, w):
    client.force_login(analyst())
    html = _page(
        client,
        w.area,
    ).content.decode()
    assert "The biggest threat" in html or "Найбільша загроза" in html
    client.cookies["django_language"] = "pl"
    html = client.get(
        reverse("diagnosis:area", args=[w.area.pk]), PERIOD, HTTP_ACCEPT_LANGUAGE="pl"
    ).content.decode()
    assert "Największe zagrożenie" in html


def test_the_diagnosis_api_answers_json(client, w):
    client.force_login(analyst())
    response = client.get(reverse("api:areas-diagnosis", args=[w.area.pk]), PERIOD)
    assert response.status_code == 200
    body = response.json()
    assert body["biggest"] == "drugs" and body["police_source"] == "statistics"
    drugs = next(t for t in body["threats"] if t["code"] == "drugs")
    assert drugs["count"] == 30 and drugs["vs_region"]["ratio"] == pytest.approx(3.0)
    assert len(drugs["monthly"]) == 12 and drugs["monthly"][2] == {"month": "2025-03", "count": 30}
    assert body["period"] == {"from": "2025-01", "to": "2025-12"}


def test_the_hotspots_api_finds_the_planted_cluster(client, w):
    client.force_login(analyst())
    response = client.get(
        reverse("api:areas-hotspots", args=[w.area.pk]),
        {**PERIOD, "resolution": 10, "permutations": 199},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "FeatureCollection" and body["events"] == 100
    hot = [f for f in body["features"] if f["properties"]["class"] == "hot"]
    assert hot, "the planted cluster must be found"
    props = hot[0]["properties"]
    assert set(props) == {"h3", "count", "gi_z", "p_value", "p_sim", "q_value", "class"}
    assert props["gi_z"] > 0 and props["q_value"] <= 0.05
    assert hot[0]["geometry"]["type"] == "Polygon"
    only = client.get(
        reverse("api:areas-hotspots", args=[w.area.pk]), {**PERIOD, "threat": "theft"}
    )
    assert only.json()["events"] == 40


@pytest.mark.parametrize(
    "params, status, fragment",
    [
        ({"from": "2025/01"}, 400, "YYYY-MM"),
        ({"to": "2999-01"}, 400, "has ended"),
        ({"resolution": "13"}, 400, "resolution"),
        ({"resolution": "4"}, 400, "resolution"),
        ({"permutations": "100000"}, 400, "permutations"),
        ({"threat": "nonsense"}, 400, "threat"),
    ],
)
def test_the_hotspots_api_refuses_bad_parameters(client, w, params, status, fragment):
    client.force_login(analyst())
    response = client.get(reverse("api:areas-hotspots", args=[w.area.pk]), params)
    assert response.status_code == status
    assert fragment in response.json()["message"]


def test_an_area_out_of_reach_is_a_404_in_the_api_too(client, w):
    client.force_login(police_user(area=w.area))
    response = client.get(reverse("api:areas-diagnosis", args=[w.other.pk]))
    assert response.status_code == 404 and response.json()["message"]


def test_both_endpoints_are_in_the_openapi_schema(client):
    schema = client.get(reverse("api:schema"), {"format": "json"}).json()
    assert "/api/v1/areas/{area_id}/diagnosis" in schema["paths"]
    assert "/api/v1/areas/{area_id}/hotspots" in schema["paths"]


def test_the_public_summary_names_only_threats_with_enough_events_and_no_places(
    client, settings, w
):
    from django.core.cache import cache

    from blisko.diagnosis.selectors.public import public_summary

    cache.clear()
    settings.BLISKO_DIAGNOSIS_PUBLIC_MIN_EVENTS = 50
    import time_machine

    with time_machine.travel("2026-01-15 12:00 +00:00", tick=False):
        summary = public_summary(area=w.area)
    codes = [t.code for t in summary.threats]
    assert codes and set(codes) <= {"theft", "drugs"}
    assert all(t.count >= 50 for t in summary.threats)
    cache.clear()
    settings.BLISKO_DIAGNOSIS_PUBLIC_MIN_EVENTS = 10_000
    with time_machine.travel("2026-01-15 12:00 +00:00", tick=False):
        assert public_summary(area=w.area).threats == []


def test_the_find_officer_page_shows_the_summary_in_plain_words(client, settings, w):
    from django.core.cache import cache

    cache.clear()
    import time_machine

    with time_machine.travel("2026-01-15 12:00 +00:00", tick=False):
        html = client.get("/officer/", {"lat": "48.2", "lon": "24.0"}).content.decode()
    assert "data-public-summary" in html and 'data-public-threat="theft"' in html
    assert "24.0004" not in html  # no exact point of an incident


def test_the_answers_have_exactly_the_keys_the_schema_documents(client, w):
    from blisko.api.tests.helpers import openapi_schema

    schemas = openapi_schema()["components"]["schemas"]

    def properties(name):
        schema = schemas[name]
        return set(schema["properties"])

    client.force_login(analyst())
    body = client.get(reverse("api:areas-diagnosis", args=[w.area.pk]), PERIOD).json()
    assert set(body) == properties("AreaDiagnosis")
    threat = schemas["AreaDiagnosis"]["properties"]["threats"]["items"]["$ref"].rsplit("/", 1)[1]
    assert set(body["threats"][0]) == properties(threat)
    cells = client.get(reverse("api:areas-hotspots", args=[w.area.pk]), PERIOD).json()
    assert set(cells) == properties("AreaHotspots")


def test_the_previous_periods_hot_cells_are_tested_on_this_period(client, w):
    from blisko.diagnosis.periods import period_parse
    from blisko.diagnosis.selectors.hotspots import area_foresight

    rng = np.random.default_rng(4)
    for i in range(60):  # last year: the same cluster
        lon, lat = 24.0 + rng.normal(0, 0.0004), 48.2 + rng.normal(0, 0.0004)
        incident(w.area, moment("2024-04", 1 + i % 28), "drugs", lon, lat)
    for i in range(40):
        lon, lat = 23.98 + rng.uniform(0, 0.04), 48.18 + rng.uniform(0, 0.04)
        incident(w.area, moment("2024-04", 1 + i % 28), "theft", lon, lat)
    foresight = area_foresight(
        area=w.area, period=period_parse("2025-01", "2025-12"), resolution=10
    )
    assert foresight.hot_cells > 0 and foresight.events == 100
    assert foresight.pai > 5 and 0.3 < foresight.hit_rate <= 1
    client.force_login(analyst())
    assert "data-foresight" in _page(client, w.area, resolution="10").content.decode()


def test_threats_without_events_are_listed_in_one_line_not_as_rows(client, w):
    client.force_login(analyst())
    html = _page(client, w.area).content.decode()
    assert 'data-threat="drugs"' in html and 'data-threat="fraud"' not in html
    assert 'data-quiet-threat="fraud"' in html
