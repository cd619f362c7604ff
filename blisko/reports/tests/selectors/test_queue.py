"""The officer's work queue: scope, order (overdue first) and filters."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from blisko.officers.tests.factories import AreaFactory, ServiceAreaFactory
from blisko.reports.models import Status
from blisko.reports.selectors.queue import (
    SORT_NEWEST,
    SORT_SEEN,
    STATUS_ALL,
    STATUS_CLOSED,
    QueueFilters,
    queue_areas,
    reports_queue,
)
from blisko.reports.tests.factories import ReportFactory, category
from blisko.reports.tests.police import police_user, region_with_communities

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)


def days_ago(days: float) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


def codes(queryset) -> list[str]:
    return [report.tracking_code for report in queryset]


def test_the_queue_holds_the_reports_of_the_officers_areas_and_no_others():
    area, other_area = AreaFactory(), AreaFactory()
    user = police_user(area=area)
    mine = ReportFactory(area=area, tracking_code="MINE-0001")
    ReportFactory(area=other_area, tracking_code="THEIRS-001")

    assert codes(reports_queue(user=user, now=NOW)) == [mine.tracking_code]


def test_an_anonymous_user_has_an_empty_queue():
    ReportFactory()
    assert list(reports_queue(user=AnonymousUser(), now=NOW)) == []


def test_overdue_reports_come_first_then_the_nearest_deadline_then_the_rest():
    area = AreaFactory()
    user = police_user(area=area)
    # Take-up deadline 2 days, verification 5 days after submission (settings).
    fresh = ReportFactory(area=area, created_at=days_ago(0.5), tracking_code="FRESH")
    older = ReportFactory(area=area, created_at=days_ago(1.5), tracking_code="OLDER")
    late = ReportFactory(area=area, created_at=days_ago(2.5), tracking_code="LATE-TAKE-UP")
    later = ReportFactory(area=area, created_at=days_ago(9), tracking_code="LATE-LONG")
    checking = ReportFactory(
        area=area,
        created_at=days_ago(6),
        status=Status.IN_VERIFICATION,
        tracking_code="LATE-VERIFY",
    )
    confirmed = ReportFactory(
        area=area, created_at=days_ago(20), status=Status.CONFIRMED, tracking_code="CONFIRMED"
    )

    queue = list(reports_queue(user=user, now=NOW))

    assert codes(queue) == [
        later.tracking_code,  # overdue, take-up due 7 days ago
        checking.tracking_code,  # overdue, verification due a day ago
        late.tracking_code,  # overdue, take-up due half a day ago
        older.tracking_code,  # due in half a day
        fresh.tracking_code,  # due in a day and a half
        confirmed.tracking_code,  # verified: no deadline left
    ]
    assert [report.is_overdue for report in queue] == [True, True, True, False, False, False]
    assert queue[-1].due_at is None


def test_open_reports_are_the_default_and_closed_or_one_status_can_be_asked_for():
    area = AreaFactory()
    user = police_user(area=area)
    ReportFactory(area=area, status=Status.SUBMITTED, tracking_code="OPEN-1")
    ReportFactory(area=area, status=Status.CONFIRMED, tracking_code="OPEN-2")
    ReportFactory(area=area, status=Status.NOT_CONFIRMED, tracking_code="CLOSED-1")
    ReportFactory(area=area, status=Status.RESOLVED, tracking_code="CLOSED-2")

    def shown(status: str) -> set[str]:
        return set(codes(reports_queue(user=user, filters=QueueFilters(status=status), now=NOW)))

    assert set(codes(reports_queue(user=user, now=NOW))) == {"OPEN-1", "OPEN-2"}
    assert shown(STATUS_CLOSED) == {"CLOSED-1", "CLOSED-2"}
    assert shown(STATUS_ALL) == {"OPEN-1", "OPEN-2", "CLOSED-1", "CLOSED-2"}
    assert shown(Status.RESOLVED) == {"CLOSED-2"}


def test_the_filters_narrow_by_category_area_period_and_overdue():
    region, (first, second) = region_with_communities(2)
    user = police_user(area=region, role="supervisor")
    parking = ReportFactory(
        area=first,
        category=category("improper-parking"),
        created_at=days_ago(1),
        tracking_code="PARKING",
    )
    vandalism = ReportFactory(
        area=second, category=category("vandalism"), created_at=days_ago(4), tracking_code="VAND"
    )

    def shown(**filters) -> list[str]:
        return codes(reports_queue(user=user, filters=QueueFilters(**filters), now=NOW))

    assert set(shown()) == {parking.tracking_code, vandalism.tracking_code}
    assert shown(category=category("improper-parking")) == [parking.tracking_code]
    assert shown(area=second) == [vandalism.tracking_code]
    assert shown(area=region) == [vandalism.tracking_code, parking.tracking_code]
    assert shown(overdue_only=True) == [vandalism.tracking_code]
    local_now = timezone.localtime(NOW).date()
    assert shown(created_from=local_now - dt.timedelta(days=2)) == [parking.tracking_code]
    assert shown(created_to=local_now - dt.timedelta(days=2)) == [vandalism.tracking_code]
    assert shown(created_from=local_now, created_to=local_now) == []


def test_an_area_filter_takes_in_the_service_areas_below_it():
    community = AreaFactory()
    beat = ServiceAreaFactory(parent=community, centre=(24.0, 48.2))
    user = police_user(area=community)
    on_beat = ReportFactory(area=beat, tracking_code="ON-BEAT")
    # The officer of the community does not see the beat's reports unless assigned them:
    # the filter never widens what the user may see.
    assert codes(reports_queue(user=user, filters=QueueFilters(area=community), now=NOW)) == []

    supervisor = police_user(area=community.parent or community, role="supervisor")
    assert codes(reports_queue(user=supervisor, filters=QueueFilters(area=community), now=NOW)) == [
        on_beat.tracking_code
    ]


def test_the_text_search_finds_a_code_or_words_of_the_description_in_any_case():
    area = AreaFactory()
    user = police_user(area=area)
    ReportFactory(area=area, tracking_code="ABCD-EFGH-JKMN", description="Розбите скло на зупинці")
    ReportFactory(area=area, tracking_code="PQRS-TUVW-XYZ2", description="Samochody na chodniku")

    def found(text: str) -> list[str]:
        return codes(reports_queue(user=user, filters=QueueFilters(search=text), now=NOW))

    assert found("efgh") == ["ABCD-EFGH-JKMN"]
    assert found("розбите") == ["ABCD-EFGH-JKMN"]
    assert found("Скло") == ["ABCD-EFGH-JKMN"]
    assert found("CHODNIK") == ["PQRS-TUVW-XYZ2"]
    assert found("nothing like it") == []


def test_reports_seen_by_most_residents_can_come_first_or_the_newest():
    area = AreaFactory()
    user = police_user(area=area)
    ReportFactory(area=area, seen_count=1, created_at=days_ago(1), tracking_code="SEEN-1")
    ReportFactory(area=area, seen_count=7, created_at=days_ago(0.2), tracking_code="SEEN-7")
    ReportFactory(area=area, seen_count=0, created_at=days_ago(3), tracking_code="SEEN-0")

    by_seen = reports_queue(user=user, filters=QueueFilters(sort=SORT_SEEN), now=NOW)
    newest = reports_queue(user=user, filters=QueueFilters(sort=SORT_NEWEST), now=NOW)

    assert codes(by_seen) == ["SEEN-7", "SEEN-1", "SEEN-0"]
    assert codes(newest) == ["SEEN-7", "SEEN-1", "SEEN-0"]
    assert codes(reports_queue(user=user, now=NOW)) == ["SEEN-0", "SEEN-1", "SEEN-7"]


def test_the_area_choices_are_the_areas_of_the_users_reports_and_their_parents():
    community = AreaFactory()
    beat = ServiceAreaFactory(parent=community, centre=(24.0, 48.2))
    idle = AreaFactory()
    user = police_user(area=beat)
    police_user(area=idle)
    ReportFactory(area=beat)

    assert {area.pk for area in queue_areas(user=user)} == {beat.pk, community.pk}
