"""The evaluation's counting on the database (both engines): events placed in known zones and
periods are counted where they belong, and the figures follow."""

import datetime as dt

import h3
import pytest
from django.utils import timezone

from blisko.diagnosis.models import StatisticCategory
from blisko.diagnosis.tests.diagnosis_data import figure, incident, report
from blisko.plans import evaluation as e
from blisko.plans.models import PlaceKind
from blisko.plans.selectors.evaluation import plan_evaluation, plan_periods
from blisko.plans.services.plans import plan_create
from blisko.plans.tests.plans_data import people, plan_input

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 1)
START, END = dt.date(2026, 6, 1), dt.date(2026, 8, 31)  # 92 days; before: March-May
CENTRE = h3.latlng_to_cell(48.2, 24.0, 9)


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def centre_of(cell: str) -> tuple[float, float]:
    lat, lon = h3.cell_to_latlng(cell)
    return lon, lat


def plan_for(p, **overrides):
    values = {
        "threat": StatisticCategory.objects.get(code="drugs"),
        "starts_on": START,
        "ends_on": END,
        "threat_reason": "",
    }
    values.update(overrides)
    return plan_create(
        actor=None, area=p.world.area, data=plan_input(**values), officer=p.officer, evidence={}
    )


def test_the_periods_compared():
    p = people()
    plan = plan_for(p)
    periods = plan_periods(plan, today=TODAY)

    assert periods.during == (START, dt.date(2026, 9, 1))
    assert periods.before == (dt.date(2026, 3, 1), START)
    assert periods.year == (dt.date(2025, 6, 1), dt.date(2025, 9, 1))
    # Half-way, the part so far is compared with as many days before it.
    half = plan_periods(plan, today=dt.date(2026, 7, 1))
    assert half.days == 30 and half.before == (dt.date(2026, 5, 2), START)
    assert plan_periods(plan, today=START) is None


def test_events_are_counted_in_the_place_its_ring_and_the_control():
    p = people()
    w = p.world
    neighbour = next(iter(h3.grid_ring(CENTRE, 1)))
    plan = plan_for(p, place_kind=PlaceKind.CELLS, place_cells=[CENTRE])
    place, ring = centre_of(CENTRE), centre_of(neighbour)
    elsewhere_in_area = (24.02, 48.22)
    other_area = (24.1, 48.2)

    def put(n, where, day, area=None, source="incident", code="drugs"):
        for _ in range(n):
            if source == "incident":
                incident(area or w.area, at(day), code, *where)
            else:
                report(area or w.area, at(day), "drug-use", *where)

    put(12, place, dt.date(2026, 6, 15))  # place, during
    put(3, place, dt.date(2026, 7, 1), source="report")  # place, during, residents
    put(30, place, dt.date(2026, 4, 10))  # place, before
    put(20, place, dt.date(2025, 7, 10))  # place, a year before
    put(2, place, dt.date(2026, 6, 20), code="theft")  # another threat: not counted
    put(4, ring, dt.date(2026, 6, 16))  # ring, during
    put(6, ring, dt.date(2026, 4, 16))  # ring, before
    put(50, elsewhere_in_area, dt.date(2026, 6, 17))  # control, during
    put(40, other_area, dt.date(2026, 4, 17), area=w.other)  # control, before
    put(25, other_area, dt.date(2025, 7, 17), area=w.other)  # control, a year before
    put(9, place, dt.date(2026, 2, 27))  # before every period compared

    result = plan_evaluation(plan=plan, today=TODAY)
    n = result["verdict"]["counts"]

    assert (n["a_during"], n["a_before"], n["a_year"]) == (15, 30, 20)
    assert (n["b_during"], n["b_before"]) == (4, 6)
    assert (n["c_during"], n["c_before"], n["c_year"]) == (50, 40, 25)
    assert result["police_source"] == "incidents"
    assert result["ring_cells"] == 6
    # The figures follow the counts: 15 vs 30 is -50 %, the control rose by 25 %.
    verdict = result["verdict"]
    assert verdict["change"]["ratio"] == pytest.approx(0.5)
    assert verdict["did"]["ratio"] == pytest.approx(0.5 / 1.25)
    # WDQ = (4/50 - 6/40) / (15/50 - 30/40) = (-0.07) / (-0.45)
    assert verdict["wdq"] == pytest.approx(0.07 / 0.45)
    assert verdict["wdq_kind"] == e.WDQ_DIFFUSION
    assert verdict["kind"] == e.GOAL_MET


def test_a_whole_area_plan_counts_the_area_and_its_ring_outside_it():
    p = people()
    w = p.world
    plan = plan_for(p)  # the whole area
    for _ in range(11):
        incident(w.area, at(dt.date(2026, 6, 5)), "drugs", 24.0, 48.2)
    for _ in range(12):
        incident(w.area, at(dt.date(2026, 4, 5)), "drugs", 24.02, 48.22)
    # Just outside the area's east edge (24.025), inside the region: the ring.
    for _ in range(2):
        incident(w.region, at(dt.date(2026, 6, 5)), "drugs", 24.0262, 48.2)
    for _ in range(5):
        incident(w.other, at(dt.date(2026, 6, 5)), "drugs", 24.1, 48.2)

    n = plan_evaluation(plan=plan, today=TODAY)["verdict"]["counts"]

    assert (n["a_during"], n["a_before"]) == (11, 12)
    assert n["b_during"] == 2
    assert n["c_during"] == 5


def test_a_whole_area_plan_of_whole_months_takes_the_statistics_when_they_cover_them():
    p = people()
    w = p.world
    plan = plan_for(p)
    months = [f"{y}-{m:02d}" for y, m in [(2025, 6), (2025, 7), (2025, 8)]] + [
        f"2026-{m:02d}" for m in range(3, 9)
    ]
    for month in months:
        during = month >= "2026-06"
        figure(w.area, month, "drugs", 10 if during else 20)
        figure(w.other, month, "drugs", 30)
    report(w.area, at(dt.date(2026, 6, 5)), "drug-use", 24.0, 48.2)  # residents add to it

    result = plan_evaluation(plan=plan, today=TODAY)
    n = result["verdict"]["counts"]

    assert result["police_source"] == "statistics"
    assert (n["a_during"], n["a_before"], n["a_year"]) == (31, 60, 60)
    assert (n["c_during"], n["c_before"]) == (90, 90)
    # One month missing in the area's figures: back to the incidents.
    from blisko.diagnosis.models import Statistic

    Statistic.objects.filter(area=w.area, period=dt.date(2026, 3, 1)).delete()
    assert plan_evaluation(plan=plan, today=TODAY)["police_source"] == "incidents"


def test_the_work_done_and_the_reports_verified_in_time_are_counted():
    from blisko.plans.models import PlanAction

    p = people()
    plan = plan_for(p)
    PlanAction.objects.create(
        plan=plan,
        kind="meeting",
        description="a",
        starts_on=START,
        ends_on=START,
        status="done",
        done_on=START,
    )
    PlanAction.objects.create(
        plan=plan, kind="patrol", description="b", starts_on=START, ends_on=START
    )
    PlanAction.objects.create(
        plan=plan, kind="patrol", description="c", starts_on=START, ends_on=END, status="cancelled"
    )
    late = report(p.world.area, at(dt.date(2026, 6, 5)), "drug-use", 24.0, 48.2)
    in_time = report(p.world.area, at(dt.date(2026, 6, 6)), "drug-use", 24.0, 48.2)
    report(p.world.area, at(dt.date(2026, 6, 7)), "drug-use", 24.0, 48.2)
    type(late).objects.filter(pk=late.pk).update(
        verified_at=late.verify_due_at + dt.timedelta(days=1)
    )
    type(in_time).objects.filter(pk=in_time.pk).update(verified_at=in_time.verify_due_at)

    result = plan_evaluation(plan=plan, today=TODAY)

    assert result["actions"] == {"planned": 2, "done": 1, "overdue": 1, "meetings_held": 1}
    assert result["reports"] == {"total": 3, "verified": 2, "in_time": 1}
