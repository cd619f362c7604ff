import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from blisko.core.exceptions import ApplicationError
from blisko.reports import rules
from blisko.reports.models import Report, Status
from blisko.reports.services.privacy import reports_erase_emails, reports_erase_ips
from blisko.reports.tests.factories import ReportFactory

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(dt.datetime(2026, 6, 30, 12, 0))


def report_made(days_ago: float, ip: str = "203.0.113.7") -> Report:
    return ReportFactory(
        created_at=NOW - dt.timedelta(days=days_ago),
        client_ip=ip,
        client_hash=rules.client_hash(ip),
    )


def test_addresses_older_than_the_retention_are_erased_and_newer_ones_kept():
    old = report_made(31)
    just_old = report_made(30.01)
    recent = report_made(29.9)
    updated_at = Report.objects.get(pk=old.pk).updated_at

    assert reports_erase_ips(now=NOW) == 2

    for report in (old, just_old):
        report.refresh_from_db()
        assert report.client_ip is None and report.client_hash == ""
    recent.refresh_from_db()
    assert recent.client_ip == "203.0.113.7"
    assert recent.client_hash == rules.client_hash("203.0.113.7")
    # Erasing is not an edit: the rest of the report is as it was.
    assert Report.objects.get(pk=old.pk).updated_at == updated_at


def test_erasing_twice_changes_nothing_the_second_time():
    report_made(40)
    assert reports_erase_ips(now=NOW) == 1
    assert reports_erase_ips(now=NOW) == 0


def test_a_report_with_only_its_client_key_left_is_erased_too():
    report = ReportFactory(created_at=NOW - dt.timedelta(days=90), client_ip=None, client_hash="ab")
    assert reports_erase_ips(now=NOW) == 1
    report.refresh_from_db()
    assert report.client_hash == ""


@override_settings(BLISKO_REPORT_IP_RETENTION_DAYS=7)
def test_the_retention_is_a_setting_and_can_be_given_per_call():
    report_made(8)
    report_made(3)
    assert reports_erase_ips(now=NOW, older_than_days=10) == 0
    assert reports_erase_ips(now=NOW) == 1
    assert reports_erase_ips(now=NOW, older_than_days=0) == 1


def test_a_negative_number_of_days_is_refused():
    report_made(40)
    with pytest.raises(ApplicationError) as caught:
        reports_erase_ips(older_than_days=-1)
    assert caught.value.extra == {"field": "older_than_days"}
    assert Report.objects.filter(client_ip__isnull=False).count() == 1


def test_the_scheduled_command_erases_and_prints_how_many():
    report_made(45)
    report_made(1)
    out = StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("reports_erase_ips", "--days", "30", stdout=out)
    assert out.getvalue().startswith(
        "Client addresses erased from reports older than 30 days: 1.\n"
    )
    assert Report.objects.filter(client_ip__isnull=False).count() == 1
    out = StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("reports_erase_ips", stdout=out)
    assert "older than 30 days: 0.\n" in out.getvalue()


def test_the_command_refuses_a_negative_number_of_days():
    with pytest.raises(CommandError):
        call_command("reports_erase_ips", "--days", "-3", stdout=StringIO())


@pytest.mark.django_db
def test_old_seen_confirmations_lose_their_client_key_but_still_count_once():
    import datetime as dt

    from django.utils import timezone

    from blisko.reports.models import SeenConfirmation
    from blisko.reports.services.privacy import reports_erase_ips
    from blisko.reports.tests.factories import ReportFactory

    report = ReportFactory()
    old = SeenConfirmation.objects.create(report=report, client_hash="a" * 64)
    new = SeenConfirmation.objects.create(report=report, client_hash="b" * 64)
    SeenConfirmation.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(days=40)
    )
    reports_erase_ips()
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.client_hash == f"erased:{old.pk}"
    assert new.client_hash == "b" * 64
    reports_erase_ips()
    old.refresh_from_db()
    assert old.client_hash == f"erased:{old.pk}"


def _closed(days_ago: float | None, email: str = "resident@example.org") -> Report:
    closed_at = None if days_ago is None else NOW - dt.timedelta(days=days_ago)
    status = Status.SUBMITTED if days_ago is None else Status.RESOLVED
    return ReportFactory(
        created_at=NOW - dt.timedelta(days=400),
        status=status,
        closed_at=closed_at,
        reporter_email=email,
        reporter_language="uk" if email else None,
    )


def test_emails_of_reports_closed_longer_ago_than_the_retention_are_erased():
    long_closed = _closed(31)
    recently_closed = _closed(29)
    still_open = _closed(None)  # a year old but open: its reporter still gets the updates
    updated_at = Report.objects.get(pk=long_closed.pk).updated_at

    assert reports_erase_emails(now=NOW) == 1
    assert reports_erase_emails(now=NOW) == 0  # already erased: not counted again

    long_closed.refresh_from_db()
    assert long_closed.reporter_email == "" and long_closed.updated_at == updated_at
    assert long_closed.reporter_language is None  # no use without the address
    for report in (recently_closed, still_open):
        report.refresh_from_db()
        assert report.reporter_email == "resident@example.org"
        assert report.reporter_language == "uk"


@override_settings(BLISKO_REPORT_EMAIL_RETENTION_DAYS=7)
def test_the_command_erases_emails_after_the_configured_days_and_refuses_negative_ones():
    _closed(8)
    _closed(6)
    out = StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("reports_erase_ips", stdout=out)
    assert "closed more than 7 days ago: 1." in out.getvalue()
    assert Report.objects.exclude(reporter_email="").count() == 1
    with pytest.raises(ApplicationError):
        reports_erase_emails(older_than_days=-1)
    with pytest.raises(CommandError):
        call_command("reports_erase_ips", "--email-days", "-1", stdout=StringIO())
