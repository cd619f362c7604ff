"""A database that is really unavailable answers 503 with Retry-After, never a 500 page.

"Unavailable" is a lock SQLite could not get within its timeout and retries
(blisko.core.db.spatialite), or a PostgreSQL that refuses connections, is shutting down or
restarting, has no connection slot left, or broke a connection in the middle: the request
may simply be sent again a few seconds later, and nothing of it was written (every write is
one transaction, rolled back with the error). A broken query is not unavailability: it stays a
500 and is logged as the bug it is.

The answer takes the format of the door that was used: `{"message", "extra"}` JSON for
/api/v1/, the spec's error array (JSON or XML) for Open311, a translated page for the site.
`DatabaseUnavailableMiddleware.process_exception` answers for views (whatever DEBUG says);
the site's 500 handler (blisko.public.views.error_500) answers for what fails before the view,
in a middleware reading the session or the user.
"""

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from blisko.core.db.spatialite.base import is_lock_error

logger = logging.getLogger(__name__)

# SQLSTATE classes and codes of a PostgreSQL that is unavailable for now: 08 connection
# exceptions, 53 insufficient resources (too many connections), 57P01-57P03 administrator or
# crash shutdown and "cannot connect now" (starting up), 40001/40P01 a transaction the server
# rolled back (serialisation failure, deadlock), which is safe to send again.
_PG_UNAVAILABLE_CLASSES = ("08", "53")
_PG_UNAVAILABLE_CODES = ("57P01", "57P02", "57P03", "40001", "40P01")


def is_database_unavailable(error: BaseException | None) -> bool:
    """Whether `error` means the database is unavailable for now (see the module's text)."""
    if error is None or not isinstance(error, DatabaseError):
        return False
    if is_lock_error(error):
        return True
    if isinstance(error, InterfaceError):  # the connection is already closed
        return True
    cause = error.__cause__
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate:
        return sqlstate.startswith(_PG_UNAVAILABLE_CLASSES) or sqlstate in _PG_UNAVAILABLE_CODES
    # psycopg raises a bare OperationalError, with no SQLSTATE, when it cannot connect at all
    # or the server closed the connection.
    return (
        isinstance(error, OperationalError)
        and cause is not None
        and type(cause).__module__.startswith("psycopg")
    )


# Doors with an answer format of their own, by path prefix: registered by the app that owns
# the door at start-up (blisko.api: JSON under /api/, Open311's error array under
# /open311/), so this floor imports none of them. Anything else gets the site's page.
DoorRenderer = Callable[[HttpRequest, str, int], HttpResponse]
_doors: dict[str, DoorRenderer] = {}


def door_register(prefix: str, render_error: DoorRenderer) -> None:
    """Answer this module's 503s for paths under `prefix` with `render_error(request,
    message, status)`. Called from an AppConfig.ready(); registering again replaces."""
    _doors[prefix] = render_error


def _door_renderer(request: HttpRequest) -> DoorRenderer | None:
    path = request.path_info
    for prefix, render_error in _doors.items():
        if path.startswith(prefix):
            return render_error
    return None


def database_unavailable_response(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After, in the format of the door `request` came through."""
    retry_after = settings.BLISKO_DB_RETRY_AFTER_SECONDS
    message = _(
        "Blisko cannot reach its database just now. Nothing was saved: "
        "please try again in a few seconds."
    )
    render_error = _door_renderer(request)
    response: HttpResponse
    if render_error is not None:
        response = render_error(request, message, 503)
    else:
        try:
            response = render(
                request, "503.html", {"message": message, "retry_after": retry_after}, status=503
            )
        except Exception:  # the page itself may need what is unavailable: answer plainly
            logger.exception("The 503 page could not be rendered")
            response = HttpResponse(
                f"<!doctype html><title>503</title><h1>503</h1><p>{message}</p>",
                status=503,
                content_type="text/html; charset=utf-8",
            )
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Answers a view's database-unavailable error with a 503 (see the module's text)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_unavailable(exception):
            return None
        logger.warning(
            "Database unavailable for %s %s: %s", request.method, request.path, exception
        )
        return database_unavailable_response(request)
