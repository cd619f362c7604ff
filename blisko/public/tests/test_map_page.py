"""The public threat map page, as the server renders it (the browser test draws the map)."""

import re

import pytest
from django.utils.html import escape

from blisko.reports.models import Category, Status
from blisko.territories.models import Area, Level

pytestmark = pytest.mark.django_db


def page(client, query: str = "", language: str = "en"):
    response = client.get(f"/map/{query}", headers={"accept-language": language})
    assert response.status_code == 200
    return response.content.decode()


def test_the_map_page_carries_the_map_and_its_endpoints(client):
    html = page(client)
    assert "data-threat-map" in html
    assert 'data-map-url="/api/v1/map"' in html
    assert 'data-outlines-url="/api/v1/areas/outlines"' in html
    assert 'data-seen-url="/api/v1/reports/CODE/seen"' in html
    assert 'data-track-url="/report/CODE/"' in html
    assert "js/map.js" in html and "leaflet/leaflet.js" in html


def test_the_map_page_links_to_reporting_a_threat(client):
    html = page(client)
    assert re.search(r'<a class="button" href="/report/" data-report-link>', html)


def test_the_legend_lists_the_public_statuses_in_their_colours(client):
    html = page(client)
    for status in Status.values:
        shown = f'data-legend-count="{status}"' in html
        assert shown is (status != Status.DUPLICATE), status
    assert 'map-legend__swatch status-colour--submitted"' in html
    assert 'map-legend__swatch status-colour--confirmed"' in html


def test_the_filters_offer_every_category_and_the_areas_as_a_tree(client):
    html = page(client)
    for category in Category.objects.all():
        assert f'<option value="{category.code}"' in html
    region = Area.objects.get(level=Level.REGION, code__startswith="UA05")
    community = Area.objects.filter(level=Level.COMMUNITY, code__startswith="UA05").first()
    assert f'<option value="{region.pk}" >{escape(region.name)}</option>' in html
    assert re.search(rf'<option value="{community.pk}" >\u2003\u2003', html)
    assert html.index(f'value="{region.pk}"') < html.index(f'value="{community.pk}"')


def test_the_filters_of_the_address_are_filled_in(client):
    region = Area.objects.get(level=Level.REGION, code__startswith="UA05")
    html = page(
        client,
        f"?category=speeding&status=confirmed&from=2025-01-01&to=2025-02-01&area={region.pk}",
    )
    assert '<option value="speeding" selected>' in html
    assert re.search(r'value="confirmed" checked', html)
    assert not re.search(r'value="submitted" checked', html)
    assert 'name="from" value="2025-01-01"' in html
    assert f'<option value="{region.pk}" selected>' in html


def test_without_filters_every_status_is_checked(client):
    html = page(client)
    assert len(re.findall(r"data-status-filter", html)) == len(Status.values) - 1
    assert len(re.findall(r"checked data-status-filter", html)) == len(Status.values) - 1


def test_a_place_in_the_address_opens_the_map_there(client):
    html = page(client, "?lat=49.2332&lon=28.4702&zoom=16")
    assert 'data-lat="49.233200" data-lon="28.470200" data-zoom="16"' in html


@pytest.mark.parametrize("query", ["?lat=91&lon=28", "?lat=x&lon=y", "?zoom=5"])
def test_an_unusable_place_opens_the_whole_map(client, query):
    assert "data-lat=" not in page(client, query)


def test_a_zoom_that_is_not_a_number_falls_back_to_a_street_view(client):
    assert 'data-zoom="15"' in page(client, "?lat=49.2&lon=28.4&zoom=abc")


def test_the_page_speaks_the_language_of_the_request(client):
    html = page(client, language="uk")
    assert '<html lang="uk">' in html
    assert Category.objects.get(code="vandalism").name_uk.capitalize() in html


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_the_map_page_can_only_be_read(client, method):
    assert getattr(client, method)("/map/").status_code == 405
