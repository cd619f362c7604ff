"""Open311 output: the same Python data as JSON (bare arrays, as the spec says) or as XML.

The format comes from the URL's suffix (`services.json`, `services.xml`). XML uses the
spec's element names: a list is an element whose children are named for one item
(`<services><service>…`, `<service_requests><request>…`, `<errors><error>…`).
"""

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET  # noqa: S405 (only builds XML; nothing is parsed here)
from typing import Any

from django.http import HttpResponse
from django.utils import timezone

JSON, XML = "json", "xml"
CONTENT_TYPES = {JSON: "application/json; charset=utf-8", XML: "text/xml; charset=utf-8"}
MEDIA_TYPES = {JSON: "application/json", XML: "text/xml"}
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'

# The element name of one item of each list, by the list's own element name.
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}

# Characters XML 1.0 cannot carry at all (control characters other than tab, CR, LF).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def w3c_datetime(value: dt.datetime | None) -> str | None:
    """A date-time as the spec wants it: ISO 8601 with the offset, in the site's time zone."""
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return w3c_datetime(value) or ""
    return _NOT_XML.sub("", str(value))


def _append(parent: ET.Element, name: str, value: Any) -> None:
    element = ET.SubElement(parent, name)
    _fill(element, name, value)


def _fill(element: ET.Element, name: str, value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _append(element, key, item)
    elif isinstance(value, list | tuple):
        for item in value:
            _append(element, ITEM_NAMES[name], item)
    elif value is not None:
        element.text = _text(value)


def xml_document(root: str, data: Any) -> bytes:
    """`data` as an XML document whose root element is `root`, UTF-8, with the declaration."""
    element = ET.Element(root)
    _fill(element, root, data)
    # The declaration exactly as the spec shows it (ElementTree's own uses single quotes).
    return XML_DECLARATION + ET.tostring(element, encoding="unicode").encode()


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return w3c_datetime(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def respond(data: Any, *, fmt: str, root: str, status: int = 200) -> HttpResponse:
    """An Open311 response: `data` as JSON, or as XML under the element `root`."""
    if fmt == XML:
        body = xml_document(root, data)
    else:
        body = json.dumps(data, ensure_ascii=False, default=_json_default).encode()
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def error_response(description: str, *, fmt: str, status: int) -> HttpResponse:
    """A refusal in the spec's format: `[{"code", "description"}]` or `<errors><error>…`.

    The HTTP status is the same as the code inside.
    """
    return respond(
        [{"code": status, "description": str(description)}],
        fmt=fmt,
        root="errors",
        status=status,
    )
