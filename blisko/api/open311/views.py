"""Open311 GeoReport v2 at /open311/v2/: discovery, services, requests and tokens.

Every resource answers in the format of its suffix (`.json` or `.xml`); refusals use the
spec's error format with the same HTTP status (400 bad input, 403 bad api_key, 404 unknown,
429 over a daily limit, with Retry-After: see `limits` for whom a POST counts against).
Texts follow the `locale` parameter (uk, pl, en), else the Accept-Language header.
A POST creates the report through `report_submit`, exactly as the public page and the REST
API do; Blisko creates requests at once, so it never answers with a token (see `token`).
"""

import datetime as dt
import functools
import re
from collections.abc import Callable
from contextlib import nullcontext
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from blisko.api.open311 import serializers
from blisko.api.open311.keys import request_key
from blisko.api.open311.limits import open311_client
from blisko.api.open311.render import JSON, XML, error_response, respond
from blisko.api.open311.selectors import (
    CLOSED,
    OPEN,
    open311_request_get,
    open311_requests,
    open311_service_get,
    open311_services,
)
from blisko.core.exceptions import ApplicationError
from blisko.core.geo import parse_coordinate
from blisko.core.text import site_language
from blisko.reports import rules
from blisko.reports.models import Report
from blisko.reports.selectors.categories import categories_changed_at
from blisko.reports.services.submit import report_submit

View = Callable[..., HttpResponse]

# "+02:00" arrives as " 02:00" when a client forgets to escape the plus of an offset.
_UNESCAPED_OFFSET = re.compile(r" (\d\d:?\d\d)$")


def _language(request: HttpRequest) -> str | None:
    """The language named by the `locale` parameter (uk, pl_PL, en-GB...), if Blisko has it."""
    return site_language(request.GET.get("locale") or request.POST.get("locale"))


def _check_jurisdiction(request: HttpRequest) -> None:
    """A jurisdiction_id, when sent, must be this server's (one server, one jurisdiction)."""
    wanted = (
        request.GET.get("jurisdiction_id") or request.POST.get("jurisdiction_id") or ""
    ).strip()
    if wanted and wanted != settings.BLISKO_OPEN311_JURISDICTION:
        raise ApplicationError(
            _("Unknown jurisdiction_id “%(id)s”; this server serves “%(ours)s”.")
            % {"id": wanted, "ours": settings.BLISKO_OPEN311_JURISDICTION},
            {"field": "jurisdiction_id"},
            status=404,
        )


def open311(*methods: str) -> Callable[[View], View]:
    """Make a view an Open311 resource: allowed methods, language, jurisdiction, and every
    refusal (ApplicationError) answered in the spec's error format. POSTs need no CSRF token:
    they are authenticated by their api_key."""
    allowed = set(methods) | ({"HEAD"} if "GET" in methods else set())

    def decorate(view: View) -> View:
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request: HttpRequest, fmt: str, **kwargs: Any) -> HttpResponse:
            language = _language(request)
            with translation.override(language) if language else nullcontext():
                try:
                    if request.method in allowed:
                        _check_jurisdiction(request)
                        response = view(request, fmt, **kwargs)
                    else:
                        response = error_response(
                            _("Method %(method)s is not allowed here.")
                            % {"method": request.method},
                            fmt=fmt,
                            status=405,
                        )
                        response["Allow"] = ", ".join(sorted(allowed))
                except ApplicationError as error:
                    response = error_response(error.message, fmt=fmt, status=error.status)
                    if error.status == 429 and "retry_after" in error.extra:
                        response["Retry-After"] = str(error.extra["retry_after"])
                except DjangoValidationError as error:
                    response = error_response(" ".join(error.messages), fmt=fmt, status=400)
                response["Content-Language"] = translation.get_language()
            return response

        return wrapper

    return decorate


# --- request parameters -------------------------------------------------------------------


def _list_param(request: HttpRequest, name: str) -> list[str]:
    """A comma-delimited parameter, possibly repeated: `status=open,closed&status=open`."""
    values = []
    for raw in request.GET.getlist(name):
        values += [part.strip() for part in raw.split(",") if part.strip()]
    return values


def _datetime_value(raw: str, *, name: str) -> dt.datetime:
    """A W3C date-time (or a date: its midnight); without an offset, the site's time zone."""
    raw = _UNESCAPED_OFFSET.sub(r"+\1", raw.strip())
    try:
        value = parse_datetime(raw)
        if value is None:
            day = parse_date(raw)
            value = dt.datetime.combine(day, dt.time.min) if day else None
    except ValueError:
        value = None
    if value is None:
        raise ApplicationError(
            _("%(name)s must be a W3C date and time, such as 2025-07-01T00:00:00Z.")
            % {"name": name},
            {"field": name},
        )
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _datetime_param(request: HttpRequest, name: str) -> dt.datetime | None:
    raw = request.GET.get(name, "")
    return _datetime_value(raw, name=name) if raw.strip() else None


def _absolute(request: HttpRequest) -> Callable[[str], str]:
    return request.build_absolute_uri


# --- discovery and services ---------------------------------------------------------------


@open311("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    """GET discovery.{fmt}: where the GeoReport v2 endpoint is and which formats it speaks."""
    changeset = categories_changed_at()
    data = serializers.discovery(
        url=request.build_absolute_uri(reverse("open311:root")),
        changeset=changeset,
        contact=_("The administrator of this Blisko server."),
        key_service=_(
            "API keys for creating service requests are issued by the administrator of this "
            "Blisko server: %(url)s"
        )
        % {"url": request.build_absolute_uri(reverse("admin:index"))},
    )
    return respond(data, fmt=fmt, root="discovery")


@open311("GET")
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    """GET services.{fmt}: the categories residents can report, in the request's language."""
    data = [serializers.service(category) for category in open311_services()]
    return respond(data, fmt=fmt, root="services")


@open311("GET")
def service_definition(request: HttpRequest, fmt: str, service_code: str) -> HttpResponse:
    """GET services/{code}.{fmt}: the questions a request of that category may answer."""
    category = open311_service_get(code=service_code)
    return respond(serializers.service_definition(category), fmt=fmt, root="service_definition")


# --- service requests ---------------------------------------------------------------------


def _requests_list(request: HttpRequest, fmt: str) -> HttpResponse:
    statuses = [status.lower() for status in _list_param(request, "status")]
    for status in statuses:
        if status not in (OPEN, CLOSED):
            raise ApplicationError(
                _("status must be “open” or “closed”, not “%(status)s”.") % {"status": status},
                {"field": "status"},
            )
    reports = open311_requests(
        service_request_ids=_list_param(request, "service_request_id") or None,
        service_codes=_list_param(request, "service_code") or None,
        start=_datetime_param(request, "start_date"),
        end=_datetime_param(request, "end_date"),
        statuses=statuses or None,
    )
    absolute = _absolute(request)
    data = [serializers.service_request(report, absolute=absolute) for report in reports]
    return respond(data, fmt=fmt, root="service_requests")


def _location(request: HttpRequest) -> tuple[float, float]:
    """(lon, lat) of a POST. Blisko routes by the point, so lat and long are required; an
    address alone is refused, since no geocoder turns it into a point."""
    lat, lon = request.POST.get("lat", "").strip(), request.POST.get("long", "").strip()
    if not lat and not lon:
        if request.POST.get("address_string", "").strip() or request.POST.get("address_id"):
            raise ApplicationError(
                _(
                    "Blisko needs the point itself: send lat and long. An address_string or "
                    "address_id alone cannot be placed."
                ),
                {"field": "lat"},
            )
        raise ApplicationError(
            _("A location is required: send lat and long (WGS 84)."), {"field": "lat"}
        )
    latitude = parse_coordinate(lat, name="lat", low=-90.0, high=90.0)
    longitude = parse_coordinate(lon, name="long", low=-180.0, high=180.0)
    return longitude, latitude


def _follow_url(request: HttpRequest, report: Report, fmt: str) -> str:
    """Where the resident follows the report: the public tracking page, or this API's own
    resource on a server that does not serve the resident site."""
    try:
        path = reverse("public:report-track", kwargs={"code": report.tracking_code})
    except NoReverseMatch:
        path = reverse(
            "open311:request", kwargs={"service_request_id": report.tracking_code, "fmt": fmt}
        )
    return request.build_absolute_uri(path)


def _requests_create(request: HttpRequest, fmt: str) -> HttpResponse:
    key = request_key(request)
    code = request.POST.get("service_code", "").strip()
    if not code:
        raise ApplicationError(_("service_code is required."), {"field": "service_code"})
    try:
        open311_service_get(code=code)
    except ApplicationError as error:
        raise ApplicationError(error.message, error.extra, status=400)
    lon, lat = _location(request)
    raw_occurred = request.POST.get(f"attribute[{serializers.OCCURRED_AT}]", "")
    occurred_at = (
        _datetime_value(raw_occurred, name=serializers.OCCURRED_AT)
        if raw_occurred.strip()
        else None
    )
    # first_name, last_name, phone and media_url are not kept: reports are anonymous, and
    # media come as uploaded files ("media"), checked like any other attachment. A key holder
    # sends for many residents from one server, so its address is not kept; the daily
    # limits count the resident it names and the key (see `limits`).
    client = open311_client(request=request, key=key)
    report = report_submit(
        category_code=code,
        lon=lon,
        lat=lat,
        description=request.POST.get("description", ""),
        occurred_at=occurred_at,
        reporter_email=request.POST.get("email", "").strip(),
        reporter_language=_language(request) or rules.asked_language(request),
        files=request.FILES.getlist("media"),
        client_ip=None,
        idempotency_key=request.headers.get("Idempotency-Key") or None,
        client_key=client.client_key,
        daily_limits=client.daily_limits,
    )
    data = [serializers.request_created(report, follow_url=_follow_url(request, report, fmt))]
    return respond(data, fmt=fmt, root="service_requests", status=201)


@open311("GET", "POST")
def service_requests(request: HttpRequest, fmt: str) -> HttpResponse:
    """GET requests.{fmt}: the reports matching the spec's filters. POST: create one."""
    if request.method == "POST":
        return _requests_create(request, fmt)
    return _requests_list(request, fmt)


@open311("GET")
def request_detail(request: HttpRequest, fmt: str, service_request_id: str) -> HttpResponse:
    """GET requests/{id}.{fmt}: one report by its tracking code (a list of one, as the spec)."""
    report = open311_request_get(service_request_id=service_request_id)
    data = [serializers.service_request(report, absolute=_absolute(request))]
    return respond(data, fmt=fmt, root="service_requests")


@open311("GET")
def token(request: HttpRequest, fmt: str, token_id: str) -> HttpResponse:
    """GET tokens/{token}.{fmt}: the request a token stands for.

    Blisko creates every request at once and answers the POST with its service_request_id,
    so it never hands out tokens; a client that asks anyway with the id it got back learns
    the same id (token == service_request_id).
    """
    report = open311_request_get(service_request_id=token_id)
    return respond([serializers.token(report, token_id=token_id)], fmt=fmt, root="service_requests")


@csrf_exempt
def root(request: HttpRequest) -> HttpResponse:
    """/open311/v2/ itself: no resource; the answer names where discovery is."""
    return error_response(
        _("Nothing here: start from %(url)s")
        % {"url": request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": XML}))},
        fmt=XML,
        status=404,
    )


@csrf_exempt
def not_found(request: HttpRequest, path: str) -> HttpResponse:
    """Any other path under /open311/v2/: a 404 in the spec's format (JSON for .json)."""
    fmt = JSON if path.endswith(".json") else XML
    return error_response(
        _("There is no Open311 resource at “%(path)s”.") % {"path": path}, fmt=fmt, status=404
    )
