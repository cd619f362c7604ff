"""The database gone for a moment while an officer submits a plan: the page answers 503 with
Retry-After in the officer's language, the plan stays as it was with no audit event, and the
same request passes once the database is back. Against Blisko as it is served (gunicorn), on
SpatiaLite (its write lock held past the busy timeout) and on PostGIS (its connection cut)."""

import contextlib
import re
import sqlite3
from collections.abc import Iterator

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
from blisko.plans.models import Plan, PlanStatus
from blisko.plans.tests.plans_data import draft, people

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.concurrency]


@contextlib.contextmanager
def _sqlite_write_lock() -> Iterator[None]:
    holder = sqlite3.connect(connection.settings_dict["NAME"], timeout=0, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


class _Submit:
    """The officer's plan page read (and the officer signed in) while the database is there."""

    def __init__(self, base: str, user, plan: Plan):
        self.session = signed_in_session(user)
        self.page = f"{base}/police/plans/{plan.pk}/"
        answer = self.session.get(self.page, headers={"Accept-Language": "pl"}, timeout=60)
        assert answer.status_code == 200, answer.text[:300]
        self.token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', answer.text)[1]

    def send(self) -> requests.Response:
        return self.session.post(
            f"{self.page}move/submit/",
            data={"csrfmiddlewaretoken": self.token, "status": PlanStatus.DRAFT},
            headers={"Accept-Language": "pl", "Referer": self.page},
            timeout=60,
            allow_redirects=False,
        )


def _refused_cleanly(answer: requests.Response, plan: Plan) -> None:
    assert answer.status_code == 503, (answer.status_code, answer.text[:300])
    assert int(answer.headers["Retry-After"]) > 0
    assert 'lang="pl"' in answer.text and 'data-error="503"' in answer.text
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.DRAFT
    assert not AuditEvent.objects.filter(action="submitted").exists()


def _submitted(answer: requests.Response, plan: Plan) -> None:
    assert answer.status_code == 302, answer.text[:300]
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.SUBMITTED


def test_sqlite_locked_a_plan_submitted_meanwhile_is_a_503_and_passes_after():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's write lock; PostgreSQL's outage is the test below")
    shared_database_or_skip()
    p = people(populations=False)
    plan = draft(p)
    quick = {"BLISKO_SQLITE_BUSY_TIMEOUT_SECONDS": "0.2", "BLISKO_SQLITE_LOCK_RETRIES": "1"}

    with gunicorn_server(env=quick) as base:
        submit = _Submit(base, p.officer_user, plan)
        with _sqlite_write_lock():
            answer = submit.send()
        _refused_cleanly(answer, plan)

        again = submit.send()

    _submitted(again, plan)


def test_postgresql_gone_a_plan_submitted_meanwhile_is_a_503_and_passes_when_back():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL going away; SQLite's lock is the test above")
    p = people(populations=False)
    plan = draft(p)
    db = connection.settings_dict
    proxy = TcpProxy((db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)))
    try:
        with gunicorn_server(
            env={"BLISKO_DB_CONN_MAX_AGE": "60"},
            workers=1,
            threads=4,
            db_url=database_url(host="127.0.0.1", port=proxy.port),
        ) as base:
            submit = _Submit(base, p.officer_user, plan)
            proxy.cut()
            answer = submit.send()
            _refused_cleanly(answer, plan)
            proxy.restore()
            again = submit.send()
    finally:
        proxy.close()
    _submitted(again, plan)
