"""/healthz (the process lives) and /readyz (the database answers), as load balancers ask."""

import contextlib
from collections.abc import Iterator

import pytest
from django.db import connection, connections
from django.db.utils import load_backend
from django.test import RequestFactory

from blisko.core.views import readyz


@contextlib.contextmanager
def _unreachable_database() -> Iterator[str]:
    """A second connection alias to a database of the same engine that cannot be opened:
    PostgreSQL on a port nobody listens on, SQLite in a folder that does not exist."""
    settings_dict = dict(connection.settings_dict)
    if connection.vendor == "postgresql":
        settings_dict.update(HOST="127.0.0.1", PORT="1")
    else:
        settings_dict.update(NAME="/nonexistent-blisko-folder/blisko.sqlite3")
    alias = "unreachable"
    unreachable = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias)
    connections[alias] = unreachable
    try:
        yield alias
    finally:
        unreachable.close()
        del connections[alias]


def test_healthz_answers_ok_without_touching_the_database(client):
    # No django_db mark: any query would fail the test.
    for method in (client.get, client.head):
        response = method("/healthz")
        assert response.status_code == 200
    assert client.get("/healthz").json() == {"status": "ok"}


def test_healthz_refuses_a_post(client):
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_readyz_answers_ok_while_the_database_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"
    assert client.head("/readyz").status_code == 200


@pytest.mark.django_db
def test_readyz_refuses_a_post(client):
    assert client.post("/readyz").status_code == 405


@pytest.mark.django_db(transaction=True)  # autocommit, as a served request has it
def test_readyz_leaves_no_statement_timeout_on_the_connection(client):
    before = _statement_timeout()
    assert client.get("/readyz").status_code == 200
    assert _statement_timeout() == before


def _statement_timeout() -> str | None:
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_readyz_answers_503_with_retry_after_when_the_database_cannot_be_reached(settings):
    settings.BLISKO_DB_RETRY_AFTER_SECONDS = 7
    with _unreachable_database() as alias:
        for method in ("get", "head"):
            request = getattr(RequestFactory(), method)("/readyz")
            response = readyz(request, using=alias)
            assert response.status_code == 503
            assert response["Retry-After"] == "7"
            assert response["Cache-Control"] == "no-store"
    assert response.content == b'{"status": "unavailable"}'
