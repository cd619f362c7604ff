"""The coverage selectors against the hand-built world of coverage_data: the table per region
and district, each community's class, the rollout month by month with its targets, the month
boundaries, and the same figures from the database's own comparisons (on either engine);
query counts bounded whatever the number of communities."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser, Group

from blisko.core.periods import serving_on, valid_on
from blisko.core.roles import ANALYST, COMMUNITY_HEAD
from blisko.officers.models import Assignment
from blisko.officers.tests.factories import AreaFactory, AssignmentFactory, OfficerFactory
from blisko.partnerships.models import (
    CommunityHead,
    MemorandumArea,
    MemorandumStatus,
    RolloutTarget,
    in_force_on,
)
from blisko.partnerships.selectors.coverage import (
    CoverageClass,
    Target,
    TargetPoint,
    coverage_communities,
    coverage_default_scope,
    coverage_table,
    coverage_user_may_see,
    memorandum_in_force,
    rollout_series,
    target_on,
)
from blisko.partnerships.tests.coverage_data import DAY, memorandum, user, world
from blisko.territories.models import Area, Country, Level

pytestmark = pytest.mark.django_db


def counts(c):
    return (c.communities, c.officer, c.memorandum, c.both, c.neither)


# --- the table --------------------------------------------------------------------------------


def test_the_table_counts_each_district_and_the_region():
    w = world()

    table = coverage_table(on=DAY, region=w.region)

    assert [r.region for r in table.regions] == [w.region]
    rows = table.regions[0]
    by_district = {row.district: counts(row.counts) for row in rows.districts}
    assert by_district == {w.d1: (3, 2, 2, 1, 0), w.d2: (2, 1, 1, 1, 1)}
    assert counts(rows.totals) == (5, 3, 3, 2, 1)
    assert counts(table.totals) == (5, 3, 3, 2, 1)
    assert rows.totals.officer_percent == 60.0 and rows.totals.neither_percent == 20.0


def test_the_table_of_a_country_has_every_region_and_the_overall_totals():
    w = world()

    table = coverage_table(on=DAY, country=Country.UKRAINE)

    mine = {r.region: r for r in table.regions if r.region in (w.region, w.region2)}
    assert counts(mine[w.region].totals) == (5, 3, 3, 2, 1)
    # C7 sits right under its region: a row of its own with no district.
    assert [(row.district, counts(row.counts)) for row in mine[w.region2].districts] == [
        (None, (1, 1, 0, 0, 0))
    ]
    # The demo's real regions are there too, with nothing assigned.
    real = [r for r in table.regions if r.region not in (w.region, w.region2)]
    assert real and all(r.totals.officer == 0 and r.totals.memorandum == 0 for r in real)
    assert table.totals.communities == sum(r.totals.communities for r in table.regions)
    assert table.totals.officer == 4 and table.totals.both == 2
    assert not any(r.region.country != Country.UKRAINE for r in table.regions)


def test_a_community_ended_before_the_day_is_not_counted_but_was_before():
    w = world()

    before = coverage_table(on=dt.date(2023, 12, 31), region=w.region)
    after = coverage_table(on=DAY, region=w.region)

    d1_before = next(r for r in before.regions[0].districts if r.district == w.d1)
    d1_after = next(r for r in after.regions[0].districts if r.district == w.d1)
    assert d1_before.counts.communities == 4 and d1_before.counts.officer == 1  # C6 with O4
    assert d1_after.counts.communities == 3


def test_an_officer_of_a_service_area_covers_its_community_only_while_assigned():
    w = world()

    def kind_of_c3(day):
        return {c.id: c.kind for c in coverage_communities(on=day, region=w.region)}[w.c[3].pk]

    assert kind_of_c3(dt.date(2024, 2, 29)) == CoverageClass.NEITHER
    assert kind_of_c3(dt.date(2024, 3, 1)) == CoverageClass.OFFICER
    assert kind_of_c3(dt.date(2024, 6, 30)) == CoverageClass.OFFICER
    assert kind_of_c3(dt.date(2024, 7, 1)) == CoverageClass.NEITHER


def test_a_service_area_ended_before_the_day_covers_nothing():
    w = world()
    w.service_area.valid_to = dt.date(2024, 4, 1)
    w.service_area.save(update_fields=["valid_to"])

    kinds = {c.id: c.kind for c in coverage_communities(on=DAY, region=w.region)}

    assert kinds[w.c[3].pk] == CoverageClass.NEITHER


def test_the_map_classes_follow_the_memoranda_in_force_expired_terminated_and_draft():
    w = world()

    found = coverage_communities(on=DAY, region=w.region)

    assert [c.code for c in found] == sorted(w.c[n].code for n in (1, 2, 3, 4, 5))
    kinds = {c.code: c.kind for c in found}
    assert kinds == {
        w.c[1].code: CoverageClass.BOTH,
        w.c[2].code: CoverageClass.MEMORANDUM,  # M2 expired, M3 not yet terminated
        w.c[3].code: CoverageClass.OFFICER,  # M4 a draft
        w.c[4].code: CoverageClass.BOTH,
        w.c[5].code: CoverageClass.NEITHER,  # M5 terminated, a traffic officer only
    }
    c1 = next(c for c in found if c.code == w.c[1].code)
    assert c1.name == "Community 1" and c1.district == "Alpha raion"  # tests speak English


def test_a_memorandum_counts_to_its_last_day_and_not_on_the_day_it_is_terminated():
    w = world()

    def kind_of_c2(day):
        return {c.id: c.kind for c in coverage_communities(on=day, region=w.region)}[w.c[2].pk]

    assert kind_of_c2(dt.date(2024, 7, 31)) == CoverageClass.MEMORANDUM
    assert kind_of_c2(dt.date(2024, 8, 1)) == CoverageClass.NEITHER  # M3 terminated that day
    assert kind_of_c2(dt.date(2022, 12, 31)) == CoverageClass.NEITHER  # before M2's signature


def test_every_community_of_every_region_without_a_region_filter():
    w = world()

    found = {c.id: c.kind for c in coverage_communities(on=DAY)}

    assert found[w.c[7].pk] == CoverageClass.OFFICER
    assert w.c[6].pk not in found
    assert Area.objects.filter(valid_on(DAY), level=Level.COMMUNITY).count() == len(found)


def _bigger(w, extra: int):
    """`extra` more communities in D2, each with an officer and a memorandum."""
    for n in range(extra):
        area = AreaFactory(parent=w.d2, centre=(25.0 + 0.02 * n, 48.0), size=0.01)
        AssignmentFactory(area=area, starts_on=dt.date(2024, 1, 1))
        memorandum(w.unit, [area], signed_on=dt.date(2024, 1, 1))


def test_the_selectors_make_a_few_queries_whatever_the_number_of_communities(
    django_assert_max_num_queries,
):
    w = world()
    _bigger(w, 30)

    with django_assert_max_num_queries(3):
        table = coverage_table(on=DAY, region=w.region)
    with django_assert_max_num_queries(3):
        coverage_table(on=DAY, country=Country.UKRAINE)
    with django_assert_max_num_queries(3):
        found = coverage_communities(on=DAY, region=w.region)
    with django_assert_max_num_queries(5):
        series = rollout_series(country=Country.UKRAINE, today=dt.date(2024, 7, 10))

    assert table.totals.communities == 35 and table.totals.both == 32
    assert len(found) == 35
    assert series.months[-1].communities == 33  # C1, C4, C7 and the 30


# --- the rollout ------------------------------------------------------------------------------

TODAY = dt.date(2024, 7, 10)


def test_the_rollout_starts_with_the_month_of_the_first_assignment():
    world()

    series = rollout_series(country=Country.UKRAINE, today=TODAY)

    assert series.months[0].month == dt.date(2023, 6, 1)
    assert series.months[-1].month == dt.date(2024, 7, 1)
    assert len(series.months) == 14


def test_the_rollout_counts_officers_communities_regions_and_memoranda_each_month():
    world()

    by_month = {
        m.month: (m.day, m.officers, m.communities, m.regions, m.memoranda)
        for m in rollout_series(country=Country.UKRAINE, today=TODAY).months
    }

    assert by_month[dt.date(2023, 12, 1)] == (dt.date(2023, 12, 31), 1, 1, 1, 1)  # O4 at C6; M2
    assert by_month[dt.date(2024, 1, 1)] == (dt.date(2024, 1, 31), 1, 1, 1, 2)  # O1; M2, M3+M5
    assert by_month[dt.date(2024, 2, 1)] == (dt.date(2024, 2, 29), 2, 2, 2, 4)  # + O5 in R2
    assert by_month[dt.date(2024, 3, 1)] == (dt.date(2024, 3, 31), 3, 3, 2, 3)  # M5 ended
    assert by_month[dt.date(2024, 6, 1)] == (dt.date(2024, 6, 30), 4, 4, 2, 3)  # M2 expired
    # The current month is counted today: O2 ended on 30 June.
    assert by_month[dt.date(2024, 7, 1)] == (TODAY, 3, 3, 2, 3)


def test_the_month_boundaries_an_assignment_ending_on_the_last_day_counts_one_starting_next_day_not():
    w = world()
    officer = OfficerFactory()
    late = AreaFactory(parent=w.d2, centre=(25.5, 48.0))
    AssignmentFactory(
        officer=officer, area=late, starts_on=dt.date(2024, 4, 1), ends_on=dt.date(2024, 4, 30)
    )
    AssignmentFactory(area=late, starts_on=dt.date(2024, 5, 1), ends_on=dt.date(2024, 5, 30))

    by_month = {
        m.month: m.communities for m in rollout_series(country=Country.UKRAINE, today=TODAY).months
    }

    assert by_month[dt.date(2024, 3, 1)] == 3  # not begun on 31 March
    assert by_month[dt.date(2024, 4, 1)] == 4  # 30 April: its last day
    # 31 May: C1, C3, C4 (from 15 May) and C7; the second ended on 30 May.
    assert by_month[dt.date(2024, 5, 1)] == 4


def test_the_rollout_of_the_last_n_months_and_the_cap():
    world()

    three = rollout_series(country=Country.UKRAINE, months=3, today=TODAY)
    many = rollout_series(country=Country.UKRAINE, months=10_000, today=TODAY)

    assert [m.month for m in three.months] == [
        dt.date(2024, 5, 1),
        dt.date(2024, 6, 1),
        dt.date(2024, 7, 1),
    ]
    assert len(many.months) == 120
    assert many.months[0].officers == 0


def test_the_default_span_is_at_most_36_months():
    w = world()
    AssignmentFactory(area=w.c[5], starts_on=dt.date(2015, 3, 1), ends_on=dt.date(2015, 3, 2))

    series = rollout_series(country=Country.UKRAINE, today=TODAY)

    assert len(series.months) == 36
    assert series.months[0].month == dt.date(2021, 8, 1)


def test_no_assignment_no_month():
    series = rollout_series(country=Country.POLAND, today=TODAY)

    assert series.months == []


def test_another_country_is_not_counted():
    w = world()
    konin = AreaFactory(country=Country.POLAND, parent=None)
    AssignmentFactory(area=konin, starts_on=dt.date(2024, 1, 1))

    ua = rollout_series(country=Country.UKRAINE, months=1, today=TODAY).months[0]
    pl = rollout_series(country=Country.POLAND, months=1, today=TODAY).months[0]

    assert (ua.officers, ua.communities) == (3, 3)
    # A Polish community with no region: its officer counts, no region is covered.
    assert (pl.officers, pl.communities, pl.regions) == (1, 1, 0)
    assert w.c[1].country == Country.UKRAINE


def _database_month(country: str, day: dt.date) -> tuple[int, int, int]:
    """The figures of one day asked of the database with its own date comparisons: a query
    per day (what rollout_series avoids), to check the Python counting against."""
    assignments = Assignment.objects.filter(serving_on(day), area__country=country, is_primary=True)
    officers = assignments.values("officer_id").distinct().count()
    communities = Area.objects.filter(valid_on(day), level=Level.COMMUNITY, country=country)
    covered = communities.filter(
        pk__in=assignments.filter(area__level=Level.COMMUNITY).values("area_id")
    ) | communities.filter(
        pk__in=assignments.filter(valid_on(day, "area__"), area__level=Level.SERVICE_AREA).values(
            "area__parent_id"
        )
    )
    with_memorandum = communities.filter(
        pk__in=MemorandumArea.objects.filter(in_force_on(day, "memorandum__")).values("area_id")
    )
    return officers, covered.distinct().count(), with_memorandum.count()


def test_the_python_counts_equal_the_databases_on_every_month():
    w = world()
    # More periods, to meet each comparison at its edge.
    memorandum(
        w.unit,
        [w.c[5]],
        status=MemorandumStatus.EXPIRED,
        signed_on=dt.date(2024, 2, 29),
        valid_until=dt.date(2024, 5, 31),
    )
    memorandum(w.unit, [w.c[3]], status=MemorandumStatus.IN_FORCE, signed_on=dt.date(2024, 6, 30))
    AssignmentFactory(area=w.c[2], starts_on=dt.date(2024, 2, 29), ends_on=dt.date(2024, 3, 31))

    series = rollout_series(country=Country.UKRAINE, today=TODAY)

    for month in series.months:
        assert (month.officers, month.communities, month.memoranda) == _database_month(
            Country.UKRAINE, month.day
        ), month.month


def test_the_python_in_force_rule_is_in_force_on():
    w = world()
    days = [dt.date(2022, 12, 31), dt.date(2023, 1, 1), dt.date(2024, 2, 29), dt.date(2024, 3, 1)]
    days += [dt.date(2024, 4, 30), dt.date(2024, 5, 1), dt.date(2024, 7, 31), dt.date(2024, 8, 1)]
    memoranda = list(w.memoranda.values())

    for day in days:
        database = set(
            MemorandumArea.objects.filter(
                in_force_on(day, "memorandum__"), memorandum__in=memoranda
            ).values_list("memorandum_id", flat=True)
        )
        python = {
            m.pk
            for m in memoranda
            if memorandum_in_force(
                status=m.status,
                signed_on=m.signed_on,
                valid_until=m.valid_until,
                terminated_on=m.terminated_on,
                day=day,
            )
        }
        assert python == database, day


# --- the targets ------------------------------------------------------------------------------

POINTS = [
    TargetPoint(dt.date(2024, 1, 1), 34, 34, 2),
    TargetPoint(dt.date(2024, 12, 31), 134, 200, 12),
    TargetPoint(dt.date(2026, 12, 31), 364, 364, 24),
]


def test_no_target_before_the_first_point():
    assert target_on(POINTS, dt.date(2023, 12, 31)) is None
    assert target_on([], dt.date(2024, 6, 1)) is None


def test_the_target_on_a_point_is_its_value_and_after_the_last_it_is_held():
    assert target_on(POINTS, dt.date(2024, 1, 1)) == Target(34, 34, 2)
    assert target_on(POINTS, dt.date(2024, 12, 31)) == Target(134, 200, 12)
    assert target_on(POINTS, dt.date(2026, 12, 31)) == Target(364, 364, 24)
    assert target_on(POINTS, dt.date(2030, 1, 1)) == Target(364, 364, 24)


def test_the_target_between_two_points_is_interpolated_by_days_and_rounded_half_up():
    # 2024 is a leap year: 365 days from 1 January to 31 December.
    mid = dt.date(2024, 1, 1) + dt.timedelta(days=182)  # 182/365 of the way
    expected = Target(
        round(34 + 100 * 182 / 365),
        round(34 + 166 * 182 / 365),
        round(2 + 10 * 182 / 365),
    )
    assert target_on(POINTS, mid) == expected == Target(84, 117, 7)
    # Exactly half-way between 10 and 11 rounds up (Python's round would give 10).
    halves = [
        TargetPoint(dt.date(2024, 1, 1), 10, 10, 1),
        TargetPoint(dt.date(2024, 1, 3), 11, 11, 2),
    ]
    assert target_on(halves, dt.date(2024, 1, 2)) == Target(11, 11, 2)


def test_the_rollout_carries_the_countrys_targets():
    world()
    RolloutTarget.objects.create(
        country=Country.UKRAINE, on=dt.date(2024, 1, 1), officers=34, communities=34, regions=2
    )
    RolloutTarget.objects.create(
        country=Country.UKRAINE, on=dt.date(2026, 12, 31), officers=364, communities=364, regions=24
    )
    RolloutTarget.objects.create(
        country=Country.POLAND, on=dt.date(2023, 1, 1), officers=1, communities=1, regions=1
    )

    series = rollout_series(country=Country.UKRAINE, today=TODAY)
    by_month = {m.month: m.target for m in series.months}

    assert len(series.targets) == 2
    assert by_month[dt.date(2023, 12, 1)] is None
    assert by_month[dt.date(2024, 1, 1)] == Target(
        round(34 + 330 * 30 / 1095), round(34 + 330 * 30 / 1095), round(2 + 22 * 30 / 1095)
    )
    assert by_month[dt.date(2024, 7, 1)] == target_on(series.targets, TODAY)


# --- who may see it ---------------------------------------------------------------------------


def test_police_users_may_see_the_coverage_and_others_may_not():
    w = world()
    officer = user("cov_officer", officer=w.officers[1])
    analyst = user("cov_analyst", group=ANALYST)
    head = user("cov_head", group=COMMUNITY_HEAD)
    CommunityHead.objects.create(user=head, area=w.c[1], name="Head", office="Head")
    nobody = user("cov_nobody")
    inactive = user("cov_inactive", group=ANALYST)
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])

    assert coverage_user_may_see(user=officer)
    assert coverage_user_may_see(user=analyst)
    assert not coverage_user_may_see(user=head)
    assert not coverage_user_may_see(user=nobody)
    assert not coverage_user_may_see(user=inactive)
    assert not coverage_user_may_see(user=AnonymousUser())
    assert Group.objects.filter(name=ANALYST).exists()


def test_an_officer_opens_on_the_region_they_serve():
    w = world()
    officer = user("cov_officer", officer=w.officers[3])
    analyst = user("cov_analyst", group=ANALYST)

    assert coverage_default_scope(user=officer) == (Country.UKRAINE, w.region)
    assert coverage_default_scope(user=analyst) == (None, None)
