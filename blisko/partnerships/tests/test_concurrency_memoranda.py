"""Two signings at once, in two threads with their own database connections, on SpatiaLite
(a file: BLISKO_TEST_SQLITE_FILE) and on PostGIS: of two overlapping memoranda of one unit and
community, exactly one comes into force and the other is refused (409), even when both have
checked for an overlap before either writes (the check is slowed down to make sure of it);
one memorandum signed twice at once is signed and audited once."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from blisko.core.clock import site_today
from blisko.core.exceptions import ApplicationError
from blisko.core.models import AuditEvent
from blisko.core.testing.live import shared_database_or_skip
from blisko.partnerships.models import Memorandum, MemorandumStatus
from blisko.partnerships.services import workflow
from blisko.partnerships.services.memoranda import PartyInput
from blisko.partnerships.tests.partnerships_data import draft, world

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.concurrency]


def _at_once(calls) -> list[object]:
    """Run the calls in threads started together; each returns its result or its refusal."""
    start = threading.Barrier(len(calls))

    def one(call):
        try:
            start.wait(timeout=30)
            return call()
        except ApplicationError as error:
            return error
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(one, calls))


@pytest.fixture
def slow_overlap_check(monkeypatch):
    """The overlap check answers, then waits: without the unit's lock, both signings would
    have found no overlap before either wrote."""
    real = workflow._overlapping

    def slow(locked, signed_on):
        found = real(locked, signed_on)
        time.sleep(0.4)
        return found

    monkeypatch.setattr(workflow, "_overlapping", slow)


def test_two_overlapping_memoranda_signed_at_once_never_both_come_into_force(slow_overlap_check):
    shared_database_or_skip()
    w = world()
    today = site_today()
    for area in (w.area, w.other):
        parties = [PartyInput(area=area, head_name="Голова", head_office="Голова громади")]
        first = draft(w, title=f"Перший {area.code}", parties=parties)
        second = draft(w, title=f"Другий {area.code}", parties=parties)

        answers = _at_once(
            [
                lambda m=first: workflow.memorandum_sign(
                    actor=w.supervisor_user, memorandum=m, signed_on=today
                ),
                lambda m=second: workflow.memorandum_sign(
                    actor=w.other_supervisor_user, memorandum=m, signed_on=today
                ),
            ]
        )

        refused = [a for a in answers if isinstance(a, ApplicationError)]
        assert len(refused) == 1, answers
        assert refused[0].status == 409 and "already in force" in refused[0].message
        in_force = Memorandum.objects.filter(parties__area=area, status=MemorandumStatus.IN_FORCE)
        assert in_force.count() == 1
        assert Memorandum.objects.filter(parties__area=area, status="draft").count() == 1


def test_one_memorandum_signed_twice_at_once_is_signed_and_audited_once():
    shared_database_or_skip()
    w = world()
    memorandum = draft(w)
    today = site_today()

    answers = _at_once(
        [
            lambda: workflow.memorandum_sign(
                actor=w.supervisor_user,
                memorandum=Memorandum.objects.get(pk=memorandum.pk),
                signed_on=today,
            ),
            lambda: workflow.memorandum_sign(
                actor=w.other_supervisor_user,
                memorandum=Memorandum.objects.get(pk=memorandum.pk),
                signed_on=today,
            ),
        ]
    )

    refused = [a for a in answers if isinstance(a, ApplicationError)]
    assert len(refused) == 1 and refused[0].status == 409, answers
    assert Memorandum.objects.get(pk=memorandum.pk).status == MemorandumStatus.IN_FORCE
    assert (
        AuditEvent.objects.filter(
            entity="memorandum", entity_id=str(memorandum.pk), action="in_force"
        ).count()
        == 1
    )
