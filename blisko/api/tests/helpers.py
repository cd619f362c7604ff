"""Helpers for API tests: refusals in three languages, and responses checked against the schema."""

import functools
from typing import Any

import jsonschema
import yaml
from django.test import Client

LANGUAGES = ("uk", "pl", "en")


def refusal_messages(client: Client, url: str, *, status: int) -> dict[str, str]:
    """GET `url` in every language; check each answer is a refusal with `status`.

    Returns the message per language.
    """
    messages = {}
    for language in LANGUAGES:
        response = client.get(url, headers={"accept-language": language})
        assert response.status_code == status, (language, response.content)
        body = response.json()
        assert set(body) == {"message", "extra"}, body
        assert isinstance(body["message"], str) and body["message"].strip(), body
        assert isinstance(body["extra"], dict), body
        assert response["Content-Language"] == language
        messages[language] = body["message"]
    return messages


def assert_translated(messages: dict[str, str]) -> None:
    """The three languages must give three different messages (Blisko's catalogs in locale/
    are compiled by scripts/setup.sh; blisko/core/tests/test_translations.py checks that
    they hold every string)."""
    assert len(set(messages.values())) == len(messages), f"not translated: {messages}"


def refusal_in_three_languages(client: Client, url: str, *, status: int = 400) -> dict[str, str]:
    """A clear refusal with `status` in uk, pl and en, worded differently in each."""
    messages = refusal_messages(client, url, status=status)
    assert_translated(messages)
    return messages


@functools.cache
def _schema_text() -> str:
    response = Client().get("/api/v1/schema/")
    assert response.status_code == 200
    return response.content.decode()


def openapi_schema() -> dict[str, Any]:
    """The API's OpenAPI document, as /api/v1/schema/ serves it (read once per session)."""
    return yaml.safe_load(_schema_text())


def _to_json_schema(node: Any) -> Any:
    """An OpenAPI 3.0 schema object as JSON Schema.

    `nullable` becomes a null alternative, and every object with listed properties refuses
    keys it does not list, so the schema has to describe every key the API returns.
    """
    if not isinstance(node, dict):
        return node
    node = dict(node)
    for key in ("properties", "patternProperties"):
        if key in node:
            node[key] = {name: _to_json_schema(value) for name, value in node[key].items()}
    for key in ("allOf", "anyOf", "oneOf"):
        if key in node:
            node[key] = [_to_json_schema(value) for value in node[key]]
    for key in ("items", "additionalProperties", "not"):
        if key in node:
            node[key] = _to_json_schema(node[key])
    if "properties" in node and "additionalProperties" not in node:
        node["additionalProperties"] = False
    if node.pop("nullable", False):
        if "type" in node and "allOf" not in node and "$ref" not in node:
            types = node["type"] if isinstance(node["type"], list) else [node["type"]]
            node["type"] = [*types, "null"]
            if "enum" in node:
                node["enum"] = [*node["enum"], None]
        else:
            node = {"anyOf": [node, {"type": "null"}]}
    return node


def assert_matches_schema(data: Any, *, path: str, status: int = 200) -> None:
    """Validate a decoded JSON response against the schema's description of `path`."""
    document = openapi_schema()
    operation = document["paths"][path]["get"]
    media = operation["responses"][str(status)]["content"]
    schema = next(iter(media.values()))["schema"]
    components = {
        name: _to_json_schema(component)
        for name, component in document["components"]["schemas"].items()
    }
    resolver_root = {"components": {"schemas": components}, **_to_json_schema(schema)}
    jsonschema.validate(
        data,
        resolver_root,
        cls=jsonschema.Draft7Validator,
        format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER,
    )
