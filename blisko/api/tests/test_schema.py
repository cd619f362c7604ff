import pytest
from drf_spectacular.validation import validate_schema

from blisko.api.tests.helpers import openapi_schema

PATHS = [
    "/api/v1/areas/locate",
    "/api/v1/areas/outlines",
    "/api/v1/areas/{area_id}",
    "/api/v1/areas/{area_id}/boundary",
    # Police only (a signed-in session): the diagnosis of an area.
    "/api/v1/areas/{area_id}/diagnosis",
    "/api/v1/areas/{area_id}/hotspots",
    "/api/v1/areas/{area_id}/priorities",
    "/api/v1/areas/{area_id}/events",
    "/api/v1/officers/find",
    "/api/v1/places/search",
    "/api/v1/directory",
    "/api/v1/map",
    "/api/v1/reports",
    "/api/v1/reports/{tracking_code}",
    "/api/v1/reports/{tracking_code}/seen",
]
# The endpoints that take a write, with their method; every other one is GET only.
WRITES = {"/api/v1/reports": {"post"}, "/api/v1/reports/{tracking_code}/seen": {"post"}}


@pytest.mark.django_db
def test_the_schema_is_a_valid_openapi_3_document(client):
    response = client.get("/api/v1/schema/")

    assert response.status_code == 200
    document = openapi_schema()
    assert document["openapi"].startswith("3.")
    validate_schema(document)


@pytest.mark.django_db
def test_the_schema_is_also_served_as_json(client):
    response = client.get("/api/v1/schema/?format=json")

    assert response.status_code == 200
    assert response.json()["paths"].keys() == openapi_schema()["paths"].keys()


def test_the_schema_lists_every_public_endpoint_with_get_only():
    paths = openapi_schema()["paths"]

    assert sorted(paths) == sorted(PATHS)
    for path, operations in paths.items():
        assert set(operations) - {"parameters"} == WRITES.get(path, {"get"}), path


def test_every_operation_describes_its_success_and_its_refusals():
    paths = openapi_schema()["paths"]

    for path, operations in paths.items():
        method = next(iter(WRITES.get(path, {"get"})))
        responses = operations[method]["responses"]
        assert "200" in responses, path
        assert "application/json" in responses["200"]["content"], path
        for status in set(responses) - {"200", "201"}:
            schema = responses[status]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/Error"}, (path, status)


def test_the_coordinates_are_required_numbers_where_a_point_is_asked_for():
    paths = openapi_schema()["paths"]

    for path in ("/api/v1/areas/locate", "/api/v1/officers/find"):
        parameters = {p["name"]: p for p in paths[path]["get"]["parameters"]}
        for name in ("lat", "lon"):
            assert parameters[name]["required"] is True
            assert parameters[name]["in"] == "query"
            assert parameters[name]["schema"]["type"] == "number"


def test_the_query_parameters_of_each_endpoint_are_described():
    paths = openapi_schema()["paths"]

    def names(path):
        return {p["name"] for p in paths[path]["get"]["parameters"] if p["in"] == "query"}

    assert names("/api/v1/areas/locate") == {"lat", "lon", "date"}
    assert names("/api/v1/officers/find") == {"lat", "lon"}
    assert names("/api/v1/places/search") == {"q"}
    assert names("/api/v1/areas/{area_id}/boundary") == {"date"}
    assert names("/api/v1/areas/outlines") == {"level", "country", "bbox", "zoom", "known"}
    assert names("/api/v1/directory") == {"since"}
    assert names("/api/v1/areas/{area_id}/diagnosis") == {"from", "to"}
    assert names("/api/v1/areas/{area_id}/hotspots") == {
        "from",
        "to",
        "resolution",
        "permutations",
        "threat",
    }


def test_the_officer_card_in_the_schema_has_every_field_of_the_card():
    card = openapi_schema()["components"]["schemas"]["OfficerCard"]

    assert set(card["properties"]) == {
        "id",
        "name",
        "rank",
        "role",
        "role_label",
        "photo_url",
        "bio",
        "badge_number",
        "unit_id",
        "starts_on",
        "covering_for",
        "cover_reason",
        "is_absent",
    }
    assert set(card["required"]) == set(card["properties"])
