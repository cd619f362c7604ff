"""Ten questions from one resident at the same moment, against Blisko as it is served (gunicorn,
several worker processes with threads) on SpatiaLite (a file) and on PostGIS: exactly the daily
limit of them is stored, every other one is a 429 with Retry-After, never a 500."""

import re
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.conf import settings

from blisko.core.models import AuditEvent
from blisko.core.testing.live import gunicorn_server, shared_database_or_skip
from blisko.engagement.models import Question
from blisko.engagement.tests.meetings_data import planned, world

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.concurrency]

AT_ONCE = 10


def test_ten_questions_at_once_from_one_client_store_exactly_the_daily_limit():
    shared_database_or_skip()
    w = world()
    meeting = planned(w)
    limit = settings.BLISKO_QUESTION_DAILY_LIMIT
    assert limit == 3

    with gunicorn_server() as base:
        url = f"{base}/meetings/{meeting.uid}/"
        session = requests.Session()
        session.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=AT_ONCE))
        form = session.get(url, timeout=60)
        assert form.status_code == 200, form.text[:300]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
        assert token
        start = threading.Barrier(AT_ONCE)

        def one(i: int) -> requests.Response:
            start.wait(timeout=60)
            return session.post(
                f"{url}questions/",
                data={
                    "csrfmiddlewaretoken": token.group(1),
                    "text": f"Question number {i}",
                    "email": "",
                    "website": "",
                },
                headers={"Referer": url, "Accept-Language": "en"},
                allow_redirects=False,
                timeout=120,
            )

        with ThreadPoolExecutor(max_workers=AT_ONCE) as pool:
            answers = list(pool.map(one, range(AT_ONCE)))

    statuses = Counter(a.status_code for a in answers)
    assert statuses == {302: limit, 429: AT_ONCE - limit}, [
        (a.status_code, a.text[:200]) for a in answers
    ]
    for refused in (a for a in answers if a.status_code == 429):
        assert int(refused.headers["Retry-After"]) > 0
        assert "questions today" in refused.text
    assert Question.objects.filter(meeting=meeting).count() == limit
    assert AuditEvent.objects.filter(entity="question", action="submitted").count() == limit
