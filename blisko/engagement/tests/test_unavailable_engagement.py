"""The database gone for a moment while residents send questions and officers record their
presence and memoranda' fulfilment: each page answers 503 with Retry-After in the reader's
language, nothing is half-written, and the same requests succeed once the database is back.
Against Blisko as it is served (gunicorn), on SpatiaLite (its write lock held past the busy
timeout) and on PostGIS (its connection cut by a proxy)."""

import contextlib
import datetime as dt
import re
import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from django.db import connection

from blisko.core.models import AuditEvent
from blisko.core.testing.live import (
    TcpProxy,
    database_url,
    gunicorn_server,
    shared_database_or_skip,
    signed_in_session,
)
from blisko.engagement.models import PresenceDay, Question
from blisko.engagement.selectors.presence import officer_today
from blisko.engagement.tests.meetings_data import planned, world

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.concurrency]


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


def _token(session: requests.Session, url: str, language: str) -> str:
    page = session.get(url, headers={"Accept-Language": language}, timeout=60)
    assert page.status_code == 200, page.text[:300]
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert found
    return found.group(1)


class _Writes:
    """A resident's question (in Ukrainian) and an officer's presence day (in Polish), their
    forms read (and the officer signed in) beforehand, while the database is there."""

    def __init__(self, base: str, w: Any, meeting: Any):
        self.page = f"{base}/meetings/{meeting.uid}/"
        self.resident = requests.Session()
        self.question_token = _token(self.resident, self.page, "uk")
        self.presence_url = f"{base}/police/presence/"
        self.officer = signed_in_session(w.officer_user)
        self.presence_token = _token(self.officer, self.presence_url, "pl")
        self.day = (officer_today(w.officer) - dt.timedelta(days=1)).isoformat()

    def send(self) -> dict[str, requests.Response]:
        question = self.resident.post(
            f"{self.page}questions/",
            data={
                "csrfmiddlewaretoken": self.question_token,
                "text": "Чи буде освітлення на переході?",
                "email": "",
                "website": "",
            },
            headers={"Accept-Language": "uk", "Referer": self.page},
            timeout=60,
            allow_redirects=False,
        )
        presence = self.officer.post(
            self.presence_url,
            data={
                "csrfmiddlewaretoken": self.presence_token,
                "day": self.day,
                "hours_in": "7",
                "hours_out": "1",
                "reason_out": "training",
                "note": "",
            },
            headers={"Accept-Language": "pl", "Referer": self.presence_url},
            timeout=60,
            allow_redirects=False,
        )
        return {"question": question, "presence": presence}


def _unavailable(answer: requests.Response, language: str) -> None:
    assert answer.status_code == 503, (answer.status_code, answer.text[:300])
    assert int(answer.headers["Retry-After"]) > 0
    assert f'lang="{language}"' in answer.text and 'data-error="503"' in answer.text


def _nothing_written() -> None:
    assert Question.objects.count() == 0
    assert PresenceDay.objects.count() == 0
    assert not AuditEvent.objects.filter(entity__in=["question", "presence"]).exists()


def _written(answers: dict[str, requests.Response]) -> None:
    assert answers["question"].status_code == 302, answers["question"].text[:300]
    assert answers["presence"].status_code == 302, answers["presence"].text[:300]
    assert Question.objects.count() == 1 and PresenceDay.objects.count() == 1


def test_sqlite_locked_past_its_timeout_answers_503_and_the_same_writes_pass_after():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's write lock; PostgreSQL's outage is the test below")
    shared_database_or_skip()
    w = world()
    meeting = planned(w)
    quick = {"BLISKO_SQLITE_BUSY_TIMEOUT_SECONDS": "0.2", "BLISKO_SQLITE_LOCK_RETRIES": "1"}

    with gunicorn_server(env=quick) as base:
        writes = _Writes(base, w, meeting)
        with _sqlite_write_lock():
            answers = writes.send()
        _unavailable(answers["question"], "uk")
        _unavailable(answers["presence"], "pl")
        _nothing_written()

        again = writes.send()

    _written(again)


def test_postgresql_gone_answers_503_and_the_same_writes_pass_when_it_is_back():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL going away; SQLite's lock is the test above")
    w = world()
    meeting = planned(w)
    db = connection.settings_dict
    proxy = TcpProxy((db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)))
    try:
        with gunicorn_server(
            env={"BLISKO_DB_CONN_MAX_AGE": "60"},
            workers=1,
            threads=4,
            db_url=database_url(host="127.0.0.1", port=proxy.port),
        ) as base:
            writes = _Writes(base, w, meeting)
            proxy.cut()
            answers = writes.send()
            _unavailable(answers["question"], "uk")
            _unavailable(answers["presence"], "pl")
            _nothing_written()

            proxy.restore()
            again = writes.send()
    finally:
        proxy.close()
    _written(again)
