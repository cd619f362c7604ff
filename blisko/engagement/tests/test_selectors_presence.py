"""Reading presence: an officer's month and share against hand-computed numbers, the band per
country, the supervisor's officers (flagged, with reasons, without records) in a fixed number
of queries, the community head's six months, and who may see whose month."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.test import override_settings

from blisko.core.exceptions import ApplicationError, NotFoundError
from blisko.core.roles import ANALYST
from blisko.engagement.selectors.presence import (
    ABOVE,
    BELOW,
    INSIDE,
    month_add,
    month_end,
    month_parse,
    month_start,
    presence_band,
    presence_month,
    presence_officer_get,
    presence_share,
    presence_share_public,
    presence_shares_for_supervisor,
    presence_shares_sorted,
    share_of,
    share_position,
)
from blisko.engagement.tests.presence_data import last_month, officer, record, team, today, user
from blisko.officers.models import Role
from blisko.officers.tests.factories import AreaFactory, AssignmentFactory

pytestmark = pytest.mark.django_db

D = Decimal


def _weekdays(month: dt.date, count: int) -> list[dt.date]:
    days, day = [], month
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _below_month(t, of=None) -> dt.date:
    """Last month for `of`: 25.5 h in and 6.5 h elsewhere (court 4.5, training 2) = 79.7 %."""
    of = of or t.officer
    month = last_month(of)
    a, b, c, d = _weekdays(month, 4)
    record(of, a, "8")
    record(of, b, "6", "2", "training")
    record(of, c, "4", "4", "court")
    record(of, d, "7.5", "0.5", "court")
    return month


# --- the share ----------------------------------------------------------------------------


def test_the_share_is_hours_in_over_all_hours_rounded_to_one_decimal():
    t = team()
    month = _below_month(t)

    share = presence_share(officer=t.officer, month=month)

    # 25.5 / 32 = 79.6875 % → 79.7 %
    assert (share.hours_in, share.hours_out, share.days) == (D("25.5"), D("6.5"), 4)
    assert share.share == D("79.7") and share.band == (D(80), D(90))
    assert share.position == BELOW and share.is_flagged
    assert [(r.code, r.hours) for r in share.reasons] == [("court", D("4.5")), ("training", D(2))]


def test_a_month_without_hours_has_no_share():
    t = team()
    share = presence_share(officer=t.officer, month=last_month(t.officer))
    assert share.share is None and share.position is None and not share.has_records
    assert share.reasons == []


@pytest.mark.parametrize(
    ("hours_in", "hours_out", "share"),
    [
        ("2", "1", "66.7"),  # 66.666… rounds up
        ("1", "2", "33.3"),  # 33.333… rounds down
        ("7", "1", "87.5"),
        ("39", "1", "97.5"),
        ("8", "0", "100.0"),
        ("0", "8", "0.0"),
        ("0.25", "7.75", "3.1"),  # 3.125 rounds half up
    ],
)
def test_shares_are_rounded_half_up(hours_in, hours_out, share):
    assert share_of(D(hours_in), D(hours_out)) == D(share)


@pytest.mark.parametrize(
    ("share", "position"),
    [("79.9", BELOW), ("80.0", INSIDE), ("85", INSIDE), ("90.0", INSIDE), ("90.1", ABOVE)],
)
def test_the_band_includes_its_ends(share, position):
    assert share_position(D(share), (D(80), D(90))) == position


@override_settings(BLISKO_PRESENCE_TARGET={"UA": (80, 90), "PL": (70, 75)})
def test_the_band_is_the_officers_countrys():
    ua = team(country="UA")
    pl_officer = officer("Nowak", country="PL")
    AssignmentFactory(
        officer=pl_officer,
        area=AreaFactory(country="PL", centre=(18.2, 52.2)),
        role=Role.DISTRICT_OFFICER,
    )
    ua_month = _below_month(ua)
    pl_month = _below_month(ua, pl_officer)

    ua_share = presence_share(officer=ua.officer, month=ua_month)
    pl_share = presence_share(officer=pl_officer, month=pl_month)

    assert ua_share.share == pl_share.share == D("79.7")
    assert ua_share.band == (D(80), D(90)) and ua_share.position == BELOW
    assert pl_share.band == (D(70), D(75)) and pl_share.position == ABOVE


@override_settings(BLISKO_PRESENCE_TARGET={"UA": (85, 95)})
def test_a_country_without_a_band_in_the_settings_has_the_programmes():
    assert presence_band(country="UA") == (D(85), D(95))
    assert presence_band(country="PL") == (D(80), D(90))


# --- the month ----------------------------------------------------------------------------


def test_the_month_lists_its_working_days_and_any_recorded_weekend_day():
    t = team()
    month = last_month(t.officer)
    saturday = next(
        month + dt.timedelta(days=i)
        for i in range(7)
        if (month + dt.timedelta(days=i)).weekday() == 5
    )
    monday = saturday + dt.timedelta(days=2)
    record(t.officer, saturday, "4")
    record(t.officer, monday, "6", "2", "court")

    data = presence_month(officer=t.officer, month=month)

    last = month_end(month)
    weekdays = sum(1 for n in range(last.day) if (month + dt.timedelta(days=n)).weekday() < 5)
    assert len(data.days) == weekdays + 1
    by_day = {d.day: d for d in data.days}
    assert by_day[saturday].is_weekend and by_day[saturday].record.hours_in == D(4)
    assert by_day[monday].record.reason_out == "court"
    assert (data.hours_in, data.hours_out) == (D(10), D(2))
    assert data.share.share == D("83.3") and data.share.position == INSIDE
    assert data.previous == month_add(month, -1) and data.next == month_start(today(t.officer))


def test_this_months_page_has_no_next_month():
    t = team()
    data = presence_month(officer=t.officer, month=today(t.officer))
    assert data.next is None and data.records == []


def test_a_month_is_read_as_yyyy_mm_and_never_in_the_future():
    now = dt.date(2025, 3, 14)
    assert month_parse("2025-02", today=now) == dt.date(2025, 2, 1)
    assert month_parse("", today=now) == dt.date(2025, 3, 1)
    for bad in ("2025-13", "March", "2025-4-1", "1999-12", "2025-04"):
        with pytest.raises(ApplicationError) as caught:
            month_parse(bad, today=now)
        assert caught.value.extra["field"] == "month"


# --- the supervisor's view ----------------------------------------------------------------


def test_the_supervisor_sees_every_officer_serving_their_areas_with_shares_and_flags():
    t = team()
    month = _below_month(t)
    a, b = _weekdays(month, 2)
    record(t.cover, a, "8")
    record(t.cover, b, "7", "1", "leave")  # 15 / 16 = 93.75 → 93.8 %, above
    record(t.stranger, a, "2", "6", "court")  # another region: not listed

    rows = presence_shares_for_supervisor(user=t.supervisor_user, month=month)

    by_officer = {r.officer: r for r in rows}
    assert set(by_officer) == {t.officer, t.cover, t.colleague}
    assert [r.officer for r in rows] == [t.officer, t.cover, t.colleague]  # by name
    main = by_officer[t.officer]
    assert main.share == D("79.7") and main.is_flagged
    assert [(r.code, r.hours) for r in main.main_reasons] == [
        ("court", D("4.5")),
        ("training", D(2)),
    ]
    assert [a.pk for a in main.areas] == [t.community.pk]
    assert by_officer[t.cover].share == D("93.8") and by_officer[t.cover].position == ABOVE
    assert not by_officer[t.cover].is_flagged
    colleague = by_officer[t.colleague]
    assert not colleague.has_records and colleague.share is None and not colleague.is_flagged


def test_supervisors_and_the_reader_are_never_listed():
    t = team()
    # A traffic officer has no presence target: never listed.
    traffic = officer("Traffic")
    AssignmentFactory(officer=traffic, area=t.community, role=Role.TRAFFIC_OFFICER)
    third = AreaFactory(parent=t.region, centre=(24.2, 48.2), country=t.region.country)
    AssignmentFactory(officer=t.supervisor, area=third, role=Role.COMMUNITY_OFFICER)
    rows = presence_shares_for_supervisor(
        user=t.second_supervisor_user, month=last_month(t.officer)
    )
    listed = {r.officer for r in rows}
    assert t.second_supervisor not in listed and t.far_supervisor not in listed
    assert traffic not in listed
    # The first supervisor also serves a community as its officer: then they are listed.
    assert t.supervisor in listed
    own = presence_shares_for_supervisor(user=t.supervisor_user, month=last_month(t.officer))
    assert t.supervisor not in {r.officer for r in own}


def test_an_officer_who_left_before_the_month_is_not_listed_one_who_left_during_it_is():
    t = team()
    month = last_month(t.officer)
    gone = officer("Hnatiuk")
    third = AreaFactory(parent=t.region, centre=(24.2, 48.2), country=t.region.country)
    fourth = AreaFactory(parent=t.region, centre=(24.25, 48.2), country=t.region.country)
    AssignmentFactory(
        officer=gone,
        area=third,
        role=Role.COMMUNITY_OFFICER,
        starts_on=month - dt.timedelta(days=100),
        ends_on=month - dt.timedelta(days=1),
    )
    leaving = officer("Ivanenko")
    AssignmentFactory(
        officer=leaving,
        area=fourth,
        role=Role.COMMUNITY_OFFICER,
        starts_on=month - dt.timedelta(days=100),
        ends_on=month + dt.timedelta(days=3),
    )
    listed = {
        r.officer for r in presence_shares_for_supervisor(user=t.supervisor_user, month=month)
    }
    assert leaving in listed and gone not in listed


def test_a_non_supervisor_gets_no_team():
    t = team()
    assert presence_shares_for_supervisor(user=t.officer_user, month=last_month(t.officer)) == []


def test_an_analyst_sees_every_officer():
    t = team()
    analyst = user("analyst")
    analyst.groups.add(Group.objects.get(name=ANALYST))
    listed = {
        r.officer for r in presence_shares_for_supervisor(user=analyst, month=last_month(t.officer))
    }
    assert {t.officer, t.cover, t.colleague, t.stranger} <= listed


def test_the_supervisors_view_takes_the_same_few_queries_for_many_officers(
    django_assert_max_num_queries,
):
    t = team()
    month = _below_month(t)
    with django_assert_max_num_queries(6):
        few = presence_shares_for_supervisor(user=t.supervisor_user, month=month)
    for n in range(20):
        extra = officer(f"Extra{n:02d}")
        AssignmentFactory(
            officer=extra,
            area=AreaFactory(
                parent=t.other_community, level="service_area", centre=(24.1, 48.2), size=0.002
            ),
            role=Role.COMMUNITY_OFFICER,
        )
        record(extra, month, "6", "2", "training")
    with django_assert_max_num_queries(6):
        many = presence_shares_for_supervisor(user=t.supervisor_user, month=month)
    assert len(few) == 3 and len(many) == 23
    assert all(r.share == D("75.0") for r in many if r.officer.last_name.startswith("Extra"))


def test_the_rows_sort_by_share_with_the_rows_without_one_last():
    t = team()
    month = _below_month(t)
    record(t.cover, month, "8")
    rows = presence_shares_for_supervisor(user=t.supervisor_user, month=month)

    lowest = presence_shares_sorted(rows, "share")
    highest = presence_shares_sorted(rows, "-share")

    assert [r.officer for r in lowest] == [t.officer, t.cover, t.colleague]
    assert [r.officer for r in highest] == [t.cover, t.officer, t.colleague]
    assert presence_shares_sorted(rows, "name") == rows


# --- who may see whose month --------------------------------------------------------------


def test_an_officers_month_is_seen_by_themselves_their_supervisor_and_analysts():
    t = team()
    month = last_month(t.officer)
    analyst = user("analyst")
    analyst.groups.add(Group.objects.get(name=ANALYST))
    for reader in (t.officer_user, t.supervisor_user, t.second_supervisor_user, analyst):
        assert presence_officer_get(user=reader, officer_id=t.officer.pk, month=month) == t.officer
    for stranger in (t.colleague_user, t.stranger_user, t.far_supervisor_user, user("nobody")):
        with pytest.raises(NotFoundError):
            presence_officer_get(user=stranger, officer_id=t.officer.pk, month=month)
    with pytest.raises(NotFoundError):
        presence_officer_get(user=t.supervisor_user, officer_id=999_999, month=month)


# --- the community head's view ------------------------------------------------------------


def test_the_community_head_sees_six_months_of_shares_only(django_assert_max_num_queries):
    t = team()
    this_month = month_start(today(t.officer))
    two_back = month_add(this_month, -2)
    record(t.officer, two_back, "7", "1", "court")  # 87.5 %
    record(t.officer, last_month(t.officer), "6", "2", "training")  # 75 %
    newcomer = officer("Kovalchuk")
    AssignmentFactory(
        officer=newcomer,
        area=AreaFactory(parent=t.community, level="service_area", centre=(24.0, 48.2), size=0.002),
        role=Role.COMMUNITY_OFFICER,
        starts_on=last_month(t.officer),
    )
    record(t.colleague, two_back, "8")  # another community: not shown

    with django_assert_max_num_queries(3):
        months = presence_share_public(area=t.community, month=this_month)

    assert [m.month for m in months] == [month_add(this_month, -n) for n in range(6)]
    shares = {m.month: {o.name: o.share for o in m.officers} for m in months}
    main, cover, new = t.officer.full_name, t.cover.full_name, newcomer.full_name
    assert shares[this_month] == {main: None, cover: None, new: None}
    assert shares[last_month(t.officer)] == {main: D("75.0"), cover: None, new: None}
    assert shares[two_back] == {main: D("87.5"), cover: None}
    assert set(vars(months[0].officers[0])) == {"officer_id", "name", "share"}
