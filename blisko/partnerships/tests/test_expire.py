"""`manage.py partnerships_expire`: a dry run says what would expire and changes nothing;
`--commit` records each memorandum past its last day as expired (the system's audit event),
with its progress; a bad `--today` is refused."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from blisko.core.clock import site_today
from blisko.core.models import AuditEvent
from blisko.partnerships.models import MemorandumStatus
from blisko.partnerships.services.memoranda import PartyInput
from blisko.partnerships.tests.partnerships_data import in_force, world

pytestmark = pytest.mark.django_db

TODAY = site_today()


def _run(*args: str) -> str:
    out = StringIO()
    call_command("partnerships_expire", *args, stdout=out)
    return out.getvalue()


def _two(w):
    past = in_force(
        w,
        title="Past its day",
        signed_on=TODAY - dt.timedelta(days=60),
        valid_until=TODAY - dt.timedelta(days=1),
    )
    current = in_force(
        w,
        title="Still in force",
        signed_on=TODAY - dt.timedelta(days=60),
        parties=[PartyInput(area=w.other, head_name="A", head_office="B")],
    )
    return past, current


def test_a_dry_run_says_what_would_expire_and_changes_nothing():
    w = world()
    past, current = _two(w)

    out = _run()

    assert "Memoranda in force past their last day" in out and ": 1." in out
    assert f"would expire: #{past.pk} Past its day" in out
    assert "Still in force" not in out
    assert "Dry run" in out
    past.refresh_from_db()
    assert past.status == MemorandumStatus.IN_FORCE
    assert not AuditEvent.objects.filter(action="expired").exists()


def test_commit_expires_each_past_memorandum_with_progress_and_an_audit_event():
    w = world()
    past, current = _two(w)

    out = _run("--commit")

    assert f"[1/1] expired: #{past.pk} Past its day" in out and "Expired: 1 of 1." in out
    past.refresh_from_db()
    current.refresh_from_db()
    assert past.status == MemorandumStatus.EXPIRED
    assert current.status == MemorandumStatus.IN_FORCE
    event = AuditEvent.objects.get(entity="memorandum", action="expired")
    assert event.actor is None and event.entity_id == str(past.pk)
    assert "Expired: 0 of 0." in _run("--commit")


def test_today_can_be_given_and_a_bad_one_is_refused():
    w = world()
    past, current = _two(w)

    out = _run("--today", (TODAY - dt.timedelta(days=1)).isoformat())

    assert ": 0." in out
    with pytest.raises(CommandError):
        _run("--today", "yesterday")
