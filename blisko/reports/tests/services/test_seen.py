""" "I have seen this too": once per client per report, open reports only."""

import threading

import pytest
from django.db import connection, connections

from blisko.core.exceptions import ApplicationError
from blisko.reports import rules
from blisko.reports.models import CLOSED_STATUSES, OPEN_STATUSES, Report, SeenConfirmation
from blisko.reports.services.seen import report_seen_confirm
from blisko.reports.tests.factories import ReportFactory


@pytest.mark.django_db
@pytest.mark.parametrize("status", OPEN_STATUSES)
def test_a_first_confirmation_of_an_open_report_is_counted(status):
    report = ReportFactory(status=status)
    result = report_seen_confirm(report=report, client_ip="203.0.113.7")
    assert result.counted is True
    assert result.report.seen_count == 1
    assert Report.objects.get(pk=report.pk).seen_count == 1
    (seen,) = SeenConfirmation.objects.filter(report=report)
    assert seen.client_hash == rules.client_hash("203.0.113.7")
    assert "203.0.113.7" not in seen.client_hash


@pytest.mark.django_db
def test_the_same_client_is_counted_once():
    report = ReportFactory()
    report_seen_confirm(report=report, client_ip="203.0.113.7")
    again = report_seen_confirm(report=report, client_ip="203.0.113.7")
    assert again.counted is False
    assert again.report.seen_count == 1
    assert SeenConfirmation.objects.filter(report=report).count() == 1


@pytest.mark.django_db
def test_other_clients_each_add_one():
    report = ReportFactory()
    for ip in ("203.0.113.7", "203.0.113.8", "2001:db8::1"):
        assert report_seen_confirm(report=report, client_ip=ip).counted
    assert Report.objects.get(pk=report.pk).seen_count == 3


@pytest.mark.django_db
def test_one_client_may_confirm_several_reports():
    first, second = ReportFactory(), ReportFactory()
    assert report_seen_confirm(report=first, client_ip="203.0.113.7").counted
    assert report_seen_confirm(report=second, client_ip="203.0.113.7").counted
    assert [r.seen_count for r in Report.objects.filter(pk__in=[first.pk, second.pk])] == [1, 1]


@pytest.mark.django_db
def test_a_client_without_an_address_is_one_client():
    report = ReportFactory()
    assert report_seen_confirm(report=report, client_ip=None).counted
    assert not report_seen_confirm(report=report, client_ip=None).counted


@pytest.mark.django_db
@pytest.mark.parametrize("status", CLOSED_STATUSES)
def test_a_closed_report_cannot_be_confirmed_and_nothing_is_written(status):
    original = ReportFactory()
    report = ReportFactory(status=status, duplicate_of=original if status == "duplicate" else None)
    with pytest.raises(ApplicationError) as error:
        report_seen_confirm(report=report, client_ip="203.0.113.7")
    assert error.value.status == 400
    assert error.value.extra["field"] == "status"
    assert Report.objects.get(pk=report.pk).seen_count == 0
    assert not SeenConfirmation.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_confirmations_count_each_client_once():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need a server database (the in-memory SQLite is one)")
    report = ReportFactory()
    barrier = threading.Barrier(12)
    results: list[bool] = []

    def confirm(ip: str) -> None:
        try:
            barrier.wait()
            results.append(report_seen_confirm(report=report, client_ip=ip).counted)
        finally:
            connections.close_all()

    ips = ["203.0.113.7"] * 8 + ["203.0.113.8", "203.0.113.9", "203.0.113.10", "203.0.113.11"]
    threads = [threading.Thread(target=confirm, args=(ip,)) for ip in ips]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 7 + [True] * 5
    assert Report.objects.get(pk=report.pk).seen_count == 5
    assert SeenConfirmation.objects.filter(report=report).count() == 5
