"""The database gone for a while: every door answers 503 with Retry-After in its own format,
nothing is half-written, reads of SQLite never wait for its writer, and Blisko picks a
restarted PostgreSQL up without being restarted itself."""

import contextlib
import re
import sqlite3
from collections.abc import Iterator

import pytest
import requests
from django.conf import settings
from django.db import OperationalError, connection
from django.test import Client

from blisko.core.testing.live import (
    TcpProxy,
    database_url,
    gunicorn_server,
    shared_database_or_skip,
)
from blisko.core.unavailable import is_database_unavailable
from blisko.reports.models import Report, ReportEvent
from blisko.reports.services.open311_keys import open311_key_create
from blisko.reports.tests.factories import ReportFactory
from blisko.reports.tests.police import police_user
from conftest import VINNYTSIA_CENTRE, load_territories

LON, LAT = VINNYTSIA_CENTRE
MESSAGE = "Blisko cannot reach its database just now"


def _submit_everywhere(base: str, raw_key: str) -> dict[str, requests.Response]:
    """One report sent through each door."""
    api = requests.post(
        f"{base}/api/v1/reports",
        json={"category": "vandalism", "lat": LAT, "lon": LON},
        headers={"Accept-Language": "en"},
        timeout=60,
    )
    data = {"api_key": raw_key, "service_code": "vandalism", "lat": LAT, "long": LON}
    open311_json = requests.post(f"{base}/open311/v2/requests.json", data=data, timeout=60)
    open311_xml = requests.post(f"{base}/open311/v2/requests.xml", data=data, timeout=60)
    return {"api": api, "open311.json": open311_json, "open311.xml": open311_xml}


def _assert_unavailable(answers: dict[str, requests.Response]) -> None:
    for door, answer in answers.items():
        assert answer.status_code == 503, (door, answer.status_code, answer.text[:300])
        assert int(answer.headers["Retry-After"]) > 0, door
    assert answers["api"].json()["message"].startswith(MESSAGE)
    assert answers["open311.json"].json() == [
        {"code": 503, "description": answers["api"].json()["message"]}
    ]
    assert answers["open311.xml"].headers["Content-Type"].startswith("text/xml")
    assert "<errors><error><code>503</code>" in answers["open311.xml"].text


def _page_unavailable(answer: requests.Response, *, language: str) -> None:
    assert answer.status_code == 503, (answer.status_code, answer.text[:300])
    assert int(answer.headers["Retry-After"]) > 0
    assert answer.headers["Content-Type"].startswith("text/html")
    assert f'lang="{language}"' in answer.text
    assert 'data-error="503"' in answer.text


@contextlib.contextmanager
def _sqlite_write_lock() -> Iterator[None]:
    """Another program holding SQLite's write lock on the test database's file."""
    holder = sqlite3.connect(connection.settings_dict["NAME"], timeout=0, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_sqlite_locked_past_its_timeout_answers_503_at_every_door_and_reads_go_on():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's write lock; PostgreSQL's outage is the test below")
    shared_database_or_skip()
    load_territories(places=False)
    raw_key = open311_key_create(name="City app")[1]
    existing = ReportFactory()
    quick = {"BLISKO_SQLITE_BUSY_TIMEOUT_SECONDS": "0.2", "BLISKO_SQLITE_LOCK_RETRIES": "1"}

    with gunicorn_server(env=quick) as base:
        session = requests.Session()
        form = session.get(f"{base}/report/", headers={"Accept-Language": "uk"}, timeout=60)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
        with _sqlite_write_lock():
            answers = _submit_everywhere(base, raw_key)
            page = session.post(
                f"{base}/report/",
                data={
                    "csrfmiddlewaretoken": token,
                    "category": "vandalism",
                    "lat": LAT,
                    "lon": LON,
                },
                headers={"Accept-Language": "uk", "Referer": f"{base}/report/"},
                timeout=60,
            )
            # Readers never wait for the writer (WAL).
            read = requests.get(f"{base}/api/v1/reports/{existing.tracking_code}", timeout=60)
        _assert_unavailable(answers)
        _page_unavailable(page, language="uk")
        assert read.status_code == 200
        assert Report.objects.count() == 1  # nothing half-written
        assert ReportEvent.objects.count() == 0

        again = _submit_everywhere(base, raw_key)

    assert {door: a.status_code for door, a in again.items()} == {
        "api": 201,
        "open311.json": 201,
        "open311.xml": 201,
    }
    assert Report.objects.count() == 4


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_postgresql_gone_answers_503_at_every_door_and_is_picked_up_again_when_back():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL going away; SQLite's lock is the test above")
    load_territories(places=False)
    raw_key = open311_key_create(name="City app")[1]
    existing = ReportFactory()
    officer = police_user(area=existing.area, username="officer_outage")
    client = Client()
    client.force_login(officer)
    police = requests.Session()
    police.cookies.set(
        settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value
    )
    db = connection.settings_dict
    proxy = TcpProxy((db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)))
    # Connections kept between requests, as in production: the outage breaks them.
    kept = {"BLISKO_DB_CONN_MAX_AGE": "60"}
    try:
        with gunicorn_server(
            env=kept, workers=1, threads=4, db_url=database_url(host="127.0.0.1", port=proxy.port)
        ) as base:
            track = f"{base}/report/{existing.tracking_code}/"
            assert requests.get(track, timeout=60).status_code == 200
            assert police.get(f"{base}/police/reports/", timeout=60).status_code == 200

            proxy.cut()
            answers = _submit_everywhere(base, raw_key)
            page = requests.get(track, headers={"Accept-Language": "pl"}, timeout=60)
            # Signed in: the time-zone middleware reads the officer before any view runs.
            queue = police.get(
                f"{base}/police/reports/", headers={"Accept-Language": "en"}, timeout=60
            )
            _assert_unavailable(answers)
            _page_unavailable(page, language="pl")
            _page_unavailable(queue, language="en")
            assert Report.objects.count() == 1

            proxy.restore()
            again = _submit_everywhere(base, raw_key)
            assert requests.get(track, timeout=60).status_code == 200
            assert police.get(f"{base}/police/reports/", timeout=60).status_code == 200
    finally:
        proxy.close()
    assert {door: a.status_code for door, a in again.items()} == {
        "api": 201,
        "open311.json": 201,
        "open311.xml": 201,
    }
    assert Report.objects.count() == 4


def test_a_broken_query_is_not_unavailability(db):
    with pytest.raises(Exception) as error, connection.cursor() as cursor:
        cursor.execute("SELECT * FROM no_such_table_here")
    assert not is_database_unavailable(error.value)
    assert not is_database_unavailable(ValueError("no"))
    assert not is_database_unavailable(None)


def test_a_postgresql_that_refuses_connections_is_unavailability(db):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's lock error is met for real in the live test above")
    from django.db import connections

    closed = connections.create_connection("default")
    closed.settings_dict = {**connection.settings_dict, "HOST": "127.0.0.1", "PORT": "1"}
    with pytest.raises(OperationalError) as error:
        closed.ensure_connection()
    assert is_database_unavailable(error.value)
