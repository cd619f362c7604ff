"""Many people at the same moment, against Blisko as it is served (gunicorn, several worker
processes with threads) on SpatiaLite (a file) and on PostGIS: every answer is a clean 201,
200, 409 or 429, never a 500, and every accepted report is stored exactly once.

Each test starts its own server after writing what it needs (see blisko/core/testing/live.py).
"""

import re
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
from django.conf import settings

from blisko.core.models import AuditEvent
from blisko.core.testing.live import (
    gunicorn_server,
    shared_database_or_skip,
    signed_in_session,
)
from blisko.officers.models import Role
from blisko.reports.models import Report, ReportEvent, SeenConfirmation, Status
from blisko.reports.services.open311_keys import open311_key_create
from blisko.reports.tests.factories import ReportFactory
from blisko.reports.tests.police import police_user
from conftest import VINNYTSIA_CENTRE, load_territories

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.concurrency]

ALLOWED = {200, 201, 409, 429}


@pytest.fixture
def territories():
    shared_database_or_skip()
    load_territories(places=False)


def _at_once(count: int, send: Callable[[requests.Session, int], requests.Response]) -> list:
    """`send(session, i)` for i in range(count), all released at the same moment."""
    start = threading.Barrier(count)
    session = requests.Session()
    session.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=count))

    def one(i: int) -> requests.Response:
        start.wait(timeout=60)
        return send(session, i)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(one, range(count)))


def _statuses(responses: list[requests.Response]) -> Counter:
    statuses = Counter(r.status_code for r in responses)
    assert set(statuses) <= ALLOWED, [
        (r.status_code, r.text[:300]) for r in responses if r.status_code not in ALLOWED
    ]
    return statuses


def _api_report(session: requests.Session, base: str, *, client: str, **headers: Any):
    lon, lat = VINNYTSIA_CENTRE
    return session.post(
        f"{base}/api/v1/reports",
        json={"category": "vandalism", "lat": lat, "lon": lon, "description": "At once"},
        headers={"X-Forwarded-For": client, **headers},
        timeout=120,
    )


TRUSTING_LOOPBACK = {"BLISKO_TRUSTED_PROXIES": "127.0.0.1"}


def test_fifty_residents_at_once_through_the_api_are_each_stored_exactly_once(territories):
    with gunicorn_server(env=TRUSTING_LOOPBACK) as base:
        responses = _at_once(50, lambda s, i: _api_report(s, base, client=f"198.51.100.{i + 1}"))

    assert _statuses(responses) == {201: 50}
    codes = [r.json()["tracking_code"] for r in responses]
    assert len(set(codes)) == 50
    stored = list(Report.objects.values_list("tracking_code", flat=True))
    assert sorted(stored) == sorted(codes)
    assert ReportEvent.objects.filter(report__tracking_code__in=codes).count() == 50
    assert AuditEvent.objects.filter(entity="reports.report", action="submitted").count() == 50


def test_fifty_devices_at_once_through_open311_are_each_stored_exactly_once(territories):
    raw_key = open311_key_create(name="City app")[1]
    lon, lat = VINNYTSIA_CENTRE

    def send(session: requests.Session, i: int) -> requests.Response:
        data = {"api_key": raw_key, "service_code": "vandalism", "lat": lat, "long": lon}
        return session.post(
            f"{base}/open311/v2/requests.json",
            data={**data, "device_id": f"phone-{i}", "description": f"Burst {i}"},
            timeout=120,
        )

    with gunicorn_server() as base:
        responses = _at_once(50, send)

    assert _statuses(responses) == {201: 50}
    codes = [r.json()[0]["service_request_id"] for r in responses]
    assert len(set(codes)) == 50
    assert sorted(Report.objects.values_list("tracking_code", flat=True)) == sorted(codes)


def test_fifty_sends_from_one_resident_at_once_never_pass_the_daily_limit(territories):
    limit = settings.BLISKO_REPORT_DAILY_LIMIT
    with gunicorn_server(env=TRUSTING_LOOPBACK) as base:
        responses = _at_once(50, lambda s, i: _api_report(s, base, client="203.0.113.7"))

    assert _statuses(responses) == {201: limit, 429: 50 - limit}
    for refused in (r for r in responses if r.status_code == 429):
        assert int(refused.headers["Retry-After"]) > 0
        assert refused.json()["message"]
    created = {r.json()["tracking_code"] for r in responses if r.status_code == 201}
    assert set(Report.objects.values_list("tracking_code", flat=True)) == created


def test_twenty_retries_with_one_idempotency_key_at_once_make_exactly_one_report(territories):
    key = str(uuid.uuid4())
    with gunicorn_server(env=TRUSTING_LOOPBACK) as base:
        responses = _at_once(
            20,
            lambda s, i: _api_report(
                s, base, client=f"198.51.100.{i + 1}", **{"Idempotency-Key": key}
            ),
        )

    assert _statuses(responses) == {201: 1, 200: 19}
    assert len({r.json()["tracking_code"] for r in responses}) == 1
    assert Report.objects.count() == 1
    assert ReportEvent.objects.count() == 1


def test_seen_too_at_once_counts_each_resident_once(territories):
    report = ReportFactory()
    url = f"/api/v1/reports/{report.tracking_code}/seen"

    def send(session: requests.Session, i: int) -> requests.Response:
        # Twenty residents, each pressing the button twice at the same moment.
        client = f"198.51.100.{i // 2 + 1}"
        return session.post(f"{base}{url}", headers={"X-Forwarded-For": client}, timeout=120)

    with gunicorn_server(env=TRUSTING_LOOPBACK) as base:
        responses = _at_once(40, send)

    assert _statuses(responses) == {201: 20, 200: 20}
    report.refresh_from_db()
    assert report.seen_count == 20
    assert SeenConfirmation.objects.filter(report=report).count() == 20


def _move_form(session: requests.Session, base: str, code: str) -> dict[str, str]:
    page = session.get(f"{base}/police/reports/{code}/", timeout=60)
    assert page.status_code == 200, page.text[:300]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    seen = re.search(r'name="seen_status" value="([^"]+)"', page.text)
    assert token and seen
    return {"csrfmiddlewaretoken": token.group(1), "seen_status": seen.group(1), "note": ""}


def test_two_officers_taking_up_one_report_at_once_one_wins_the_other_is_told(territories):
    report = ReportFactory()
    first = police_user(area=report.area, username="officer_a")
    second = police_user(area=report.area, username="officer_b", role=Role.TRAFFIC_OFFICER)
    rounds = [ReportFactory(area=report.area) for _ in range(4)] + [report]

    with gunicorn_server() as base:
        sessions = [signed_in_session(first), signed_in_session(second)]
        for each in rounds:
            forms = [_move_form(s, base, each.tracking_code) for s in sessions]
            url = f"{base}/police/reports/{each.tracking_code}/do/take-up/"
            start = threading.Barrier(2)

            def take_up(
                i: int, url: str = url, forms: list = forms, start: Any = start
            ) -> requests.Response:
                start.wait(timeout=60)
                return sessions[i].post(
                    url,
                    data=forms[i],
                    headers={"Referer": url, "Accept-Language": "en"},
                    allow_redirects=False,
                    timeout=60,
                )

            with ThreadPoolExecutor(max_workers=2) as pool:
                answers = list(pool.map(take_up, range(2)))

            assert sorted(a.status_code for a in answers) == [302, 409], [
                (a.status_code, a.text[:200]) for a in answers
            ]
            loser = next(a for a in answers if a.status_code == 409)
            assert "Someone else has just changed this report" in loser.text
            each.refresh_from_db()
            assert each.status == Status.IN_VERIFICATION
            assert (
                ReportEvent.objects.filter(report=each, to_status=Status.IN_VERIFICATION).count()
                == 1
            )
