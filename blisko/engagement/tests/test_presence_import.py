"""Importing presence from a CSV: a dry run writes nothing, a commit writes every row (one
audit event per row) or, with any error, nothing; each error names its line; BOM, semicolons,
dd.mm.yyyy dates, decimal commas and the reasons' names in uk/pl/en; and the command (its
output, its progress and its exit codes)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command, load_command_class
from django.core.management.base import CommandError
from django.utils import translation

from blisko.core.exceptions import ApplicationError
from blisko.core.models import AuditEvent
from blisko.engagement.models import AbsenceReason, PresenceDay
from blisko.engagement.services.presence_import import presence_import
from blisko.engagement.tests.presence_data import csv_bytes, record, team, today, user
from blisko.officers.models import Role
from blisko.officers.tests.factories import AssignmentFactory

pytestmark = pytest.mark.django_db


def _days(t, count: int = 3) -> list[dt.date]:
    return [today(t.officer) - dt.timedelta(days=n) for n in range(1, count + 1)]


def _valid(t) -> list[list[str]]:
    a, b, c = _days(t)
    return [
        [a.isoformat(), t.officer.badge_number, "8", "0", ""],
        [b.isoformat(), t.officer.badge_number, "6", "2", "training"],
        [c.isoformat(), t.cover.badge_number, "7.5", "0.5", "court"],
    ]


def _lines(result) -> list[tuple[int, str]]:
    return [(e.line, e.message) for e in result.errors]


# --- dry run and commit ----------------------------------------------------------------


def test_a_dry_run_counts_what_it_would_do_and_writes_nothing():
    t = team()
    a, b, _c = _days(t)
    record(t.officer, a, "8")  # the same: unchanged
    record(t.officer, b, "8")  # replaced by 6 + 2

    result = presence_import(rows=csv_bytes(_valid(t)))

    assert result.is_valid and not result.committed
    assert (result.rows, result.created, result.replaced, result.unchanged) == (3, 1, 1, 1)
    assert PresenceDay.objects.count() == 2
    assert PresenceDay.objects.get(officer=t.officer, day=b).hours_in == Decimal(8)
    assert AuditEvent.objects.filter(entity="presence", note__startswith="CSV").count() == 0


def test_a_commit_writes_every_row_with_an_audit_event_each():
    t = team()
    a, b, c = _days(t)
    record(t.officer, b, "8")

    result = presence_import(rows=csv_bytes(_valid(t)), actor=t.supervisor_user, commit=True)

    assert result.committed and (result.created, result.replaced, result.unchanged) == (2, 1, 0)
    rows = {(r.officer_id, r.day): r for r in PresenceDay.objects.all()}
    assert len(rows) == 3
    assert rows[(t.officer.pk, b)].hours_out == Decimal(2)
    assert rows[(t.officer.pk, b)].reason_out == "training"
    assert rows[(t.cover.pk, c)].hours_in == Decimal("7.5")
    assert all(r.recorded_by == t.supervisor_user for r in rows.values())
    events = AuditEvent.objects.filter(entity="presence", note=f"CSV import {result.sha256[:12]}")
    assert sorted(events.values_list("action", flat=True)) == ["created", "created", "replaced"]
    replaced = events.get(action="replaced")
    assert replaced.entity_id == str(rows[(t.officer.pk, b)].pk)
    assert replaced.before["hours_in"] == "8.00" and replaced.after["hours_in"] == "6.00"
    assert all(e.actor == t.supervisor_user for e in events)
    created = events.filter(action="created")
    assert {e.entity_id for e in created} == {
        str(rows[(t.officer.pk, a)].pk),
        str(rows[(t.cover.pk, c)].pk),
    }


def test_a_row_for_an_unknown_badge_is_an_error_on_its_line_and_nothing_is_written():
    t = team()
    rows = _valid(t)
    rows.insert(1, [_days(t)[0].isoformat(), "NO-SUCH-1", "8", "0", ""])

    result = presence_import(rows=csv_bytes(rows), commit=True)

    assert not result.committed
    assert _lines(result) == [(3, "no officer has the badge number “NO-SUCH-1”.")]
    assert not PresenceDay.objects.exists() and not AuditEvent.objects.filter(entity="presence")


def test_every_bad_row_is_reported_with_its_line():
    t = team()
    badge = t.officer.badge_number
    a, b, c = _days(t)
    future = today(t.officer) + dt.timedelta(days=1)
    before = t.officer.assignments.get().starts_on - dt.timedelta(days=1)
    rows = [
        [a.isoformat(), badge, "8", "0", ""],  # line 2: good
        [b.isoformat(), badge, "25", "0", ""],  # 3: over 24
        [c.isoformat(), badge, "-1", "0", ""],  # 4: negative
        ["2024-02-30", badge, "8", "0", ""],  # 5: no such day
        [future.isoformat(), badge, "8", "0", ""],  # 6: future
        [before.isoformat(), badge, "8", "0", ""],  # 7: before the first assignment
        [a.isoformat(), t.cover.badge_number, "6", "2", ""],  # 8: no reason
        [b.isoformat(), t.cover.badge_number, "8", "0", "court"],  # 9: reason, no hours
        [c.isoformat(), t.cover.badge_number, "20", "5", "court"],  # 10: 25 in a day
        [a.isoformat(), badge, "7", "1", "court"],  # 11: the same as line 2
        [b.isoformat(), t.colleague.badge_number, "eight", "0", ""],  # 12: not a number
        [a.isoformat(), t.colleague.badge_number, "6", "2", "holiday"],  # 13: unknown reason
        [c.isoformat(), "", "8", "0", ""],  # 14: no badge
        [c.isoformat(), t.colleague.badge_number, "7.3", "0", ""],  # 15: not a quarter
    ]

    result = presence_import(rows=csv_bytes(rows), commit=True)

    lines = _lines(result)
    assert [line for line, _m in lines] == [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]
    messages = dict(lines)
    assert "at most 24 hours" in messages[3]
    assert "cannot be negative" in messages[4]
    assert "YYYY-MM-DD or DD.MM.YYYY" in messages[5]
    assert "future" in messages[6]
    assert "first assignment" in messages[7]
    assert "Say why" in messages[8]
    assert "only for hours elsewhere" in messages[9]
    assert "add up to 25" in messages[10]
    assert messages[11] == "the same badge number and date as line 2."
    assert "must be a number" in messages[12]
    assert "“holiday” is not a reason" in messages[13]
    assert messages[14] == "the badge number is missing."
    assert "quarters" in messages[15]
    assert not PresenceDay.objects.exists()


def test_a_utf8_file_with_a_bom_semicolons_dotted_dates_and_decimal_commas_is_read():
    t = team()
    a, b, _c = _days(t)
    rows = [
        [f"{a:%d.%m.%Y}", t.officer.badge_number, "7,5", "0,5", "court"],
        [f"{b.day}.{b.month}.{b.year}", t.officer.badge_number, "8", "", ""],
    ]

    result = presence_import(rows=csv_bytes(rows, delimiter=";", bom=True), commit=True)

    assert result.is_valid and result.created == 2
    day = PresenceDay.objects.get(day=a)
    assert (day.hours_in, day.hours_out, day.reason_out) == (
        Decimal("7.5"),
        Decimal("0.5"),
        "court",
    )
    assert PresenceDay.objects.get(day=b).hours_out == 0


def test_windows_line_endings_are_read():
    t = team()
    a, b, _c = _days(t)
    data = (
        "date;badge_number;hours_in;hours_out;reason\r\n"
        f"{a:%d.%m.%Y};{t.officer.badge_number};8;0;\r\n"
        f"{b:%d.%m.%Y};{t.officer.badge_number};30;0;\r\n"
    ).encode()
    result = presence_import(rows=data)
    assert [e.line for e in result.errors] == [3]


def test_a_quoted_decimal_comma_in_a_comma_separated_file_is_read():
    t = team()
    a = _days(t)[0]
    data = f'date,badge_number,hours_in,hours_out,reason\n{a},{t.officer.badge_number},"7,5","0,5",court\n'
    result = presence_import(rows=data, commit=True)
    assert result.is_valid and PresenceDay.objects.get().hours_in == Decimal("7.5")


def test_the_columns_may_come_in_any_order_and_case_with_a_note():
    t = team()
    a = _days(t)[0]
    data = csv_bytes(
        [["court", "0.5", "7.5", t.officer.badge_number, a.isoformat(), "Hearing"]],
        header=["Reason", "HOURS_OUT", "hours_in", "Badge_Number", "date", "note"],
    )
    result = presence_import(rows=data, commit=True)
    assert result.is_valid
    assert PresenceDay.objects.get().note == "Hearing"


def test_the_reasons_translated_names_are_accepted_in_any_case():
    t = team()
    words = []
    for language, reason in (("uk", AbsenceReason.LEAVE), ("pl", AbsenceReason.TRAINING)):
        with translation.override(language):
            words.append((str(reason.label), reason.value))
    words += [("Duty at headquarters", "hq_duty"), ("OTHER", "other"), ("hq_duty", "hq_duty")]
    days = [today(t.officer) - dt.timedelta(days=n) for n in range(1, len(words) + 1)]
    rows = [
        [day.isoformat(), t.officer.badge_number, "4", "4", word.upper()]
        for day, (word, _code) in zip(days, words, strict=True)
    ]

    result = presence_import(rows=csv_bytes(rows), commit=True)

    assert result.is_valid, _lines(result)
    stored = dict(PresenceDay.objects.values_list("day", "reason_out"))
    assert [stored[d] for d in days] == [code for _w, code in words]


def test_a_file_that_cannot_be_read_as_a_whole_is_refused():
    t = team()
    good_row = [[_days(t)[0].isoformat(), t.officer.badge_number, "8", "0", ""]]
    cases = [
        (b"", "empty"),
        (b"date,badge_number,hours_in\n2025-01-01,X,8\n", "hours_out, reason"),
        (b"date,badge_number,hours_in,hours_out,reason\n", "no rows"),
        (csv_bytes(good_row) + "\n\u00e9".encode("latin-1"), "not UTF-8"),
    ]
    for data, words in cases:
        with pytest.raises(ApplicationError) as caught:
            presence_import(rows=data, commit=True)
        assert caught.value.status == 400 and words in caught.value.message
    assert not PresenceDay.objects.exists()


def test_blank_lines_are_skipped_and_lines_keep_their_numbers():
    t = team()
    data = (
        b"date,badge_number,hours_in,hours_out,reason\n\n"
        + f"{_days(t)[0]},{t.officer.badge_number},30,0,\n".encode()
    )
    result = presence_import(rows=data)
    assert [e.line for e in result.errors] == [3]


def test_a_supervisor_imports_only_the_days_of_officers_they_supervise():
    t = team()
    a = _days(t)[0]
    rows = [
        [a.isoformat(), t.officer.badge_number, "8", "0", ""],
        [a.isoformat(), t.stranger.badge_number, "8", "0", ""],
    ]

    result = presence_import(rows=csv_bytes(rows), actor=t.supervisor_user, commit=True)

    assert _lines(result) == [
        (3, f"no officer you may record for has the badge number “{t.stranger.badge_number}”.")
    ]
    assert not PresenceDay.objects.exists()


def test_a_supervisor_imports_no_day_the_officer_served_elsewhere():
    t = team()
    assignment = t.colleague.assignments.get()
    assignment.starts_on = today(t.colleague) - dt.timedelta(days=5)
    assignment.save(update_fields=["starts_on"])
    AssignmentFactory(
        officer=t.colleague,
        area=t.far_community,
        role=Role.TRAFFIC_OFFICER,
        starts_on=today(t.colleague) - dt.timedelta(days=300),
        ends_on=today(t.colleague) - dt.timedelta(days=6),
    )
    day = today(t.colleague) - dt.timedelta(days=10)
    rows = [[day.isoformat(), t.colleague.badge_number, "8", "0", ""]]

    result = presence_import(rows=csv_bytes(rows), actor=t.supervisor_user)

    assert [(e.line, "did not serve" in e.message) for e in result.errors] == [(2, True)]


def test_an_officer_importing_their_own_days_keeps_to_how_far_back_they_may_go():
    t = team()
    old = today(t.officer) - dt.timedelta(days=100)
    rows = [[old.isoformat(), t.officer.badge_number, "8", "0", ""]]
    result = presence_import(rows=csv_bytes(rows), actor=t.officer_user)
    assert [e.line for e in result.errors] == [2] and "supervisor" in result.errors[0].message


def test_a_user_who_is_no_officer_imports_nothing():
    t = team()
    with pytest.raises(ApplicationError) as caught:
        presence_import(rows=csv_bytes(_valid(t)), actor=user("clerk"), commit=True)
    assert caught.value.status == 403


def test_progress_is_reported_every_thousand_rows():
    t = team()
    first = today(t.officer) - dt.timedelta(days=1200)
    assignment = t.officer.assignments.get()
    assignment.starts_on = first
    assignment.save(update_fields=["starts_on"])
    rows = [
        [(first + dt.timedelta(days=n)).isoformat(), t.officer.badge_number, "8", "0", ""]
        for n in range(1100)
    ]
    seen = []

    result = presence_import(rows=csv_bytes(rows), progress=lambda *a: seen.append(a))

    assert result.is_valid and result.created == 1100
    assert seen == [("checked", 1000, 1100), ("checked", 1100, 1100)]


# --- the command ------------------------------------------------------------------------


def _file(tmp_path, data: bytes):
    path = tmp_path / "presence.csv"
    path.write_bytes(data)
    return path


def test_the_command_is_a_dry_run_by_default(tmp_path, capsys):
    t = team()
    path = _file(tmp_path, csv_bytes(_valid(t)))

    call_command("engagement_presence_import", str(path))

    out = capsys.readouterr().out
    assert "3 rows read" in out and "3 days would be created, 0 replaced, 0 unchanged" in out
    assert "--commit" in out
    assert not PresenceDay.objects.exists()


def test_the_command_writes_with_commit(tmp_path, capsys):
    t = team()
    path = _file(tmp_path, csv_bytes(_valid(t), delimiter=";", bom=True))

    call_command("engagement_presence_import", str(path), "--commit")

    assert "Imported: 3 days created, 0 replaced, 0 unchanged." in capsys.readouterr().out
    assert PresenceDay.objects.count() == 3
    assert AuditEvent.objects.filter(entity="presence", actor=None).count() == 3


def test_the_command_lists_errors_by_line_and_exits_non_zero(tmp_path, capsys):
    t = team()
    rows = _valid(t) + [[_days(t)[0].isoformat(), "GHOST", "8", "0", ""]]
    path = _file(tmp_path, csv_bytes(rows))

    with pytest.raises(CommandError) as caught:
        call_command("engagement_presence_import", str(path), "--commit")

    assert caught.value.returncode == 1 and "1 error; nothing was written" in str(caught.value)
    assert "Line 5: no officer has the badge number “GHOST”." in capsys.readouterr().out
    assert not PresenceDay.objects.exists()

    command = load_command_class("blisko.engagement", "engagement_presence_import")
    with pytest.raises(SystemExit) as exited:
        command.run_from_argv(["manage.py", "engagement_presence_import", str(path)])
    assert exited.value.code == 1


def test_the_command_refuses_a_missing_or_unreadable_file(tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        call_command("engagement_presence_import", str(tmp_path / "missing.csv"))
    path = _file(tmp_path, b"day,badge\n")
    with pytest.raises(CommandError, match="no column"):
        call_command("engagement_presence_import", str(path))


def test_the_command_shows_progress_for_a_big_file(tmp_path, capsys):
    t = team()
    first = today(t.officer) - dt.timedelta(days=1200)
    assignment = t.officer.assignments.get()
    assignment.starts_on = first
    assignment.save(update_fields=["starts_on"])
    rows = [
        [(first + dt.timedelta(days=n)).isoformat(), t.officer.badge_number, "8", "0", ""]
        for n in range(1100)
    ]
    path = _file(tmp_path, csv_bytes(rows))

    call_command("engagement_presence_import", str(path), "--commit")

    out = capsys.readouterr().out
    assert "checked: 1000 / 1100" in out and "written: 1100 / 1100" in out
    assert PresenceDay.objects.count() == 1100
